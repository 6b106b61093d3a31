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
