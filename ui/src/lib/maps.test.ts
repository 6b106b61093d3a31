import { describe, expect, it } from "vitest";
import type { Status } from "../bindings";
import { demoProject } from "../test/demo";
import { deleteMap, filterMaps, formatScalar, mapRunStatus, moveItem, parseScalar, renameMap, splitList, uniqueId } from "./maps";

describe("maps helpers", () => {
  const maps = demoProject().tableMaps;

  it("searches id, name, entity and table", () => {
    expect(filterMaps(maps, "CUSTCUSTOMERV3").map((m) => m.id)).toEqual(["accounts - Customers V3"]);
    expect(filterMaps(maps, "salesorder").length).toBe(2);
    expect(filterMaps(maps, "cdm_company").map((m) => m.name)).toEqual(["Legal entities"]);
    expect(filterMaps(maps, "  ")).toHaveLength(maps.length);
  });

  it("reads the run state from the status", () => {
    const status: Status = {
      project: "p",
      lastRuns: [],
      maps: [
        { id: "a", syncMode: "async", paused: true, pauseReason: { kind: "manual" }, queue: {}, errors: { application: 2, system: 1 } },
        { id: "b", syncMode: "live", paused: false, pauseReason: null, queue: {}, errors: {} },
      ],
    };
    expect(mapRunStatus(status, "a")).toEqual({ state: "paused", errors: 3, pauseReason: "paused by hand" });
    expect(mapRunStatus(status, "b").state).toBe("stopped");
    const afterARun: Status = {
      ...status,
      lastRuns: [{ id: 1, kind: "initial", status: "succeeded", startedAt: 1, finishedAt: 2, counters: {} }],
    };
    expect(mapRunStatus(afterARun, "b").state).toBe("running");
    expect(mapRunStatus(status, "c").state).toBe("stopped");
    expect(mapRunStatus(null, "a").state).toBe("stopped");
  });

  it("makes unique ids, splits lists, moves items", () => {
    expect(uniqueId(["new map", "new map 2"], "new map")).toBe("new map 3");
    expect(splitList(" A, B ,,C ")).toEqual(["A", "B", "C"]);
    expect(moveItem([1, 2, 3], 2, 0)).toEqual([3, 1, 2]);
    expect(moveItem([1, 2, 3], 2, 3)).toEqual([1, 2, 3]);
  });

  it("parses and formats value-map cells", () => {
    expect(parseScalar("12")).toBe(12);
    expect(parseScalar("true")).toBe(true);
    expect(parseScalar("Organization")).toBe("Organization");
    expect(parseScalar("012a")).toBe("012a");
    expect(formatScalar(2)).toBe("2");
    expect(formatScalar("x")).toBe("x");
  });

  it("renames and deletes maps with their references", () => {
    const project = demoProject();
    expect(renameMap(project, "salesorders - Sales order headers", "orders")).toBe(true);
    expect(project.groups[3].members[0].map).toBe("orders");
    expect(renameMap(project, "orders", "accounts - Customers V3")).toBe(false);
    deleteMap(project, "orders");
    expect(project.groups[3].members.map((m) => m.map)).toEqual(["salesorderdetails - Sales order lines"]);
    expect(project.tableMaps.some((m) => m.id === "orders")).toBe(false);
  });
});
