import { describe, expect, it } from "vitest";
import type { Project, Status } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";
import { buildRunRequest, searchMaps, selectedMapIds } from "./request";
import { errorCounts, roundTotals } from "./results";

const project = demo as unknown as Project;

describe("what to sync", () => {
  it("searches maps by id or name", () => {
    expect(searchMaps(project.tableMaps, "ORDER").map((m) => m.id)).toEqual([
      "salesorders - Sales order headers",
      "salesorderdetails - Sales order lines",
    ]);
    expect(searchMaps(project.tableMaps, " ")).toHaveLength(project.tableMaps.length);
  });

  it("resolves a group to its members in sequence order", () => {
    expect(selectedMapIds(project, "initial", "reference", [])).toEqual([
      "cdm_companies - Legal entities",
      "transactioncurrencies - Currencies",
      "msdyn_customergroups - Customer groups",
    ]);
    expect(selectedMapIds(project, "initial", "nope", [])).toEqual([]);
  });

  it("uses the maps of groups marked for initial sync, or every async map, when nothing is picked", () => {
    const flagged = project.groups
      .filter((g) => g.initialSync)
      .flatMap((g) => g.members.map((m) => m.map));
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.length).toBeLessThan(project.tableMaps.length);
    expect(selectedMapIds(project, "initial", "", []).sort()).toEqual([...flagged].sort());
    expect(selectedMapIds(project, "async", "", [])).toEqual(["contacts - Contact persons"]);
    expect(selectedMapIds(project, "async", "", ["accounts - Customers V3"])).toEqual(["accounts - Customers V3"]);
  });

  it("builds the request", () => {
    expect(buildRunRequest("/p.json", "initial", "customers", ["x"], true, "fno")).toEqual({
      projectPath: "/p.json",
      kind: "initial",
      group: "customers",
      maps: [],
      fresh: true,
      source: "fno",
    });
    expect(buildRunRequest("/p.json", "async", "", ["x"], true)).toEqual({
      projectPath: "/p.json",
      kind: "async",
      group: null,
      maps: ["x"],
      fresh: false,
      source: null,
    });
  });
});

describe("results", () => {
  it("adds errors per category over maps", () => {
    const status: Status = {
      project: "p",
      lastRuns: [],
      maps: [
        { id: "a", syncMode: "live", paused: false, pauseReason: null, queue: {}, errors: { application: 2 } },
        { id: "b", syncMode: "async", paused: false, pauseReason: null, queue: {}, errors: { application: 1, system: 4 } },
      ],
    };
    expect(errorCounts(status)).toEqual({ application: 3, system: 4, concurrency: 0, conflict: 0 });
  });

  it("labels round totals", () => {
    const totals = roundTotals({
      enqueued: 9, applied: 5, unchanged: 1, skipped: 1, conflicts: 1, failed: 1, retried: 0, held: 0, rejected: 0, pausedMaps: [],
    });
    expect(totals.find((t) => t.key === "skipped")?.label).toBe("skipped (concurrency)");
    expect(totals.map((t) => t.value)).toEqual([5, 1, 1, 1, 1, 0, 0, 0]);
  });
});
