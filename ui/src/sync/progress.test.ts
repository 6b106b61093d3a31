import { describe, expect, it } from "vitest";
import type { RoundReport, RunProgress } from "../bindings";
import { applyProgress, emptyRun, finishedMaps, overallFraction } from "./progress";

const mapEvent = (mapId: string, rowsDone: number, total: number | null, finished = false): RunProgress => ({
  event: "map",
  mapId,
  legalEntity: "USMF",
  pass: "first",
  rowsDone,
  total,
  rowsPerSecond: 100,
  etaSeconds: 3,
  finished,
});

const round: RoundReport = {
  enqueued: 4,
  applied: 3,
  unchanged: 1,
  skipped: 0,
  conflicts: 0,
  failed: 0,
  retried: 0,
  held: 0,
  rejected: 0,
  pausedMaps: [],
};

describe("run progress", () => {
  it("starts with the announced maps and folds map events", () => {
    let s = applyProgress(emptyRun(), { event: "started", kind: "initial", maps: ["a", "b"] });
    expect(overallFraction(s)).toBe(0);
    s = applyProgress(s, mapEvent("a", 50, 100));
    expect(s.maps.a.rowsDone).toBe(50);
    expect(overallFraction(s)).toBe(0.25);
    s = applyProgress(s, mapEvent("a", 100, 100, true));
    s = applyProgress(s, mapEvent("b", 10, 40));
    expect(overallFraction(s)).toBe(0.625);
    expect(finishedMaps(s)).toBe(1);
  });

  it("does not change the previous state", () => {
    const before = applyProgress(emptyRun(), { event: "started", kind: "initial", maps: ["a"] });
    applyProgress(before, mapEvent("a", 1, 2));
    expect(before.maps).toEqual({});
  });

  it("adds maps it was not told about and is unknown without totals", () => {
    const s = applyProgress(emptyRun(), mapEvent("x", 5, null));
    expect(s.order).toEqual(["x"]);
    expect(overallFraction(s)).toBeNull();
  });

  it("keeps the latest async round", () => {
    let s = applyProgress(emptyRun(), { event: "started", kind: "async", maps: ["c"] });
    s = applyProgress(s, { event: "round", round: 1, report: round });
    s = applyProgress(s, { event: "round", round: 2, report: { ...round, applied: 0 } });
    expect(s.kind).toBe("async");
    expect(s.round?.round).toBe(2);
    expect(s.round?.report.applied).toBe(0);
  });
});

describe("a map synced in several legal entities", () => {
  const event = (legalEntity: string, rowsDone: number, total: number, finished: boolean) => ({
    event: "map" as const,
    mapId: "accounts - Customers V3",
    legalEntity,
    pass: "first" as const,
    rowsDone,
    total,
    rowsPerSecond: 100,
    etaSeconds: finished ? 0 : 5,
    finished,
  });

  it("adds up its legal entities instead of showing the last one", () => {
    let state = applyProgress(emptyRun(), { event: "started", kind: "initial", maps: ["accounts - Customers V3"] });
    state = applyProgress(state, event("USMF", 3000, 3000, true));
    state = applyProgress(state, event("GBSI", 200, 1000, false));
    const map = state.maps["accounts - Customers V3"];
    expect(map.rowsDone).toBe(3200);
    expect(map.total).toBe(4000);
    expect(map.finished).toBe(false);
    expect(map.legalEntity).toBe("GBSI");
    state = applyProgress(state, event("GBSI", 1000, 1000, true));
    expect(state.maps["accounts - Customers V3"].rowsDone).toBe(4000);
    expect(state.maps["accounts - Customers V3"].finished).toBe(true);
  });
});
