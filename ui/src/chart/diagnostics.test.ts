import { describe, expect, it } from "vitest";
import type { ChartExport } from "../bindings";
import { causeText, cycleEdges, findingsFor, searchMatches, sequenceViolationEdges, sequenceViolationMaps } from "./diagnostics";
import { smallChart, smallFindings } from "./fixture.test-data";

describe("diagnostics", () => {
  it("words the causes of an edge", () => {
    expect(smallChart.edges[1].causes.map(causeText)).toEqual(["lookup customerid -> account", "dependsOn"]);
  });

  it("finds the findings of a map and the maps and edges of a sequence violation", () => {
    expect(findingsFor("customers", smallFindings)).toHaveLength(1);
    expect(findingsFor("notes", smallFindings)).toHaveLength(0);
    expect([...sequenceViolationMaps(smallChart, smallFindings)].sort()).toEqual(["customers", "sales-orders"]);
    expect([...sequenceViolationEdges(smallChart.edges, smallFindings)]).toEqual([smallChart.edges[1]]);
  });

  it("marks only edges inside one cycle", () => {
    const chart: ChartExport = {
      ...smallChart,
      edges: [...smallChart.edges, { from: "sales-orders", to: "customers", causes: [{ kind: "dependsOn" }] }],
      cycles: [["customers", "sales-orders"]],
    };
    const marked = [...cycleEdges(chart)].map((e) => `${e.from}>${e.to}`).sort();
    expect(marked).toEqual(["customers>sales-orders", "sales-orders>customers"]);
  });

  it("searches ids and names, case-insensitively, in chart order", () => {
    expect(searchMatches(smallChart, "CUST")).toEqual(["customers"]);
    expect(searchMatches(smallChart, "s")).toEqual(["currencies", "customers", "sales-orders", "notes"]);
    expect(searchMatches(smallChart, "order head")).toEqual(["sales-orders"]);
    expect(searchMatches(smallChart, "  ")).toEqual([]);
  });
});
