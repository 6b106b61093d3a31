// A small hand-made chart shared by the chart tests: 4 maps (3 in one group, 1 ungrouped) in a
// chain, one self-reference and one DW005 finding. Tests add cycles where they need them.
import type { ChartExport, Finding, Group } from "../bindings";

export const smallChart: ChartExport = {
  nodes: [
    { id: "currencies", name: "Currencies", group: "reference", syncMode: "async", wave: 0, inCycle: false, selfReference: false },
    { id: "customers", name: "Customers V3", group: "reference", syncMode: "live", wave: 1, inCycle: false, selfReference: true },
    { id: "sales-orders", name: "Sales order headers", group: "reference", syncMode: "live", wave: 2, inCycle: false, selfReference: false },
    { id: "notes", name: "Notes", group: null, syncMode: "async", wave: 3, inCycle: false, selfReference: false },
  ],
  edges: [
    { from: "currencies", to: "customers", causes: [{ kind: "lookup", fieldIndex: 3, column: "transactioncurrencyid", table: "transactioncurrency" }] },
    { from: "customers", to: "sales-orders", causes: [{ kind: "lookup", fieldIndex: 1, column: "customerid", table: "account" }, { kind: "dependsOn" }] },
    { from: "sales-orders", to: "notes", causes: [{ kind: "dependsOn" }] },
  ],
  waves: [["currencies"], ["customers"], ["sales-orders"], ["notes"]],
  cycles: [],
};

export const smallGroups: Group[] = [
  { id: "reference", name: "Reference and orders", members: [
    { map: "currencies", sequence: 1 }, { map: "customers", sequence: 2 }, { map: "sales-orders", sequence: 2 },
  ] },
];

export const smallFindings: Finding[] = [
  {
    code: "DW005", severity: "error", subjects: ["reference", "sales-orders", "customers"],
    message: "Group \"reference\" runs map \"sales-orders\" together with \"customers\".",
    hint: "Give sales-orders a higher sequence number.", path: "groups[0].members[2]",
  },
];
