import { describe, expect, it } from "vitest";
import type { Step, TraceStep } from "../bindings";
import { formatOffset, lifelineTitle, stepShape, traceRows } from "./trace";

const at = (steps: Step[], start = 1_700_000_000_000): TraceStep[] =>
  steps.map((step, i) => ({ step, at: start + i * 5, detail: i === 0 ? "3 records" : null }));

describe("trace mapping", () => {
  it("draws a committed transaction left to right and back, without failures", () => {
    const rows = traceRows(
      at(["sourcePreCommit", "batchToTarget", "targetApplied", "journaled", "targetCommit", "sourceCommit"]),
    );
    expect(rows.map((r) => [r.from, r.to])).toEqual([
      ["source", "engine"],
      ["engine", "target"],
      ["target", "engine"],
      ["engine", "engine"],
      ["engine", "target"],
      ["engine", "source"],
    ]);
    expect(rows.some((r) => r.failure)).toBe(false);
    expect(rows[3].kind).toBe("note");
    expect(rows.map((r) => r.offsetMs)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(rows[0].detail).toBe("3 records");
  });

  it("marks abort, rollback and compensation as failures", () => {
    const rows = traceRows(at(["sourcePreCommit", "batchToTarget", "targetAbort", "sourceRollback"]));
    expect(rows.map((r) => r.failure)).toEqual([false, false, true, true]);
    expect(rows[2]).toMatchObject({ from: "engine", to: "target", kind: "message" });
    expect(rows[3]).toMatchObject({ from: "engine", to: "source", label: "rollback" });
    expect(stepShape("targetCompensated").failure).toBe(true);
  });

  it("draws a refusal as a note on the engine", () => {
    const rows = traceRows(at(["refused"]));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ from: "engine", to: "engine", kind: "note", failure: true, offsetMs: 0 });
  });

  it("names the lifelines after the source side", () => {
    expect(lifelineTitle("source", "fno")).toBe("Source (F&O)");
    expect(lifelineTitle("target", "fno")).toBe("Target (Dataverse)");
    expect(lifelineTitle("source", "dataverse")).toBe("Source (Dataverse)");
    expect(lifelineTitle("engine", "dataverse")).toBe("Engine");
    expect(formatOffset(12.4)).toBe("+12 ms");
  });

  it("handles an empty trace", () => {
    expect(traceRows([])).toEqual([]);
  });
});
