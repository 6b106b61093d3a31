// The live protocol trace as a sequence diagram: which lifeline each step goes from and to, its
// label and whether it is a failure. Pure so the mapping is tested apart from the SVG drawing.

import type { Side, Step, TraceStep } from "../bindings";
import { sideLabel } from "./format";

export type Lifeline = "source" | "engine" | "target";

export const LIFELINES: Lifeline[] = ["source", "engine", "target"];

/** An arrow between two lifelines, or a note on one (from === to). */
export type StepKind = "message" | "note";

export interface StepShape {
  from: Lifeline;
  to: Lifeline;
  label: string;
  kind: StepKind;
  failure: boolean;
}

const SHAPES: Record<Step, StepShape> = {
  refused: { from: "engine", to: "engine", label: "refused", kind: "note", failure: true },
  sourcePreCommit: {
    from: "source",
    to: "engine",
    label: "pre-commit (held open)",
    kind: "message",
    failure: false,
  },
  batchToTarget: { from: "engine", to: "target", label: "batch to target", kind: "message", failure: false },
  targetApplied: { from: "target", to: "engine", label: "applied (not committed)", kind: "message", failure: false },
  journaled: { from: "engine", to: "engine", label: "journaled as prepared", kind: "note", failure: false },
  targetCommit: { from: "engine", to: "target", label: "commit", kind: "message", failure: false },
  targetAbort: { from: "engine", to: "target", label: "abort (rollback)", kind: "message", failure: true },
  sourceCommit: { from: "engine", to: "source", label: "commit", kind: "message", failure: false },
  sourceRollback: { from: "engine", to: "source", label: "rollback", kind: "message", failure: true },
  crashSimulated: { from: "engine", to: "engine", label: "crash simulated", kind: "note", failure: true },
  targetCompensated: {
    from: "engine",
    to: "target",
    label: "compensate: pre-images restored",
    kind: "message",
    failure: true,
  },
};

export function stepShape(step: Step): StepShape {
  return SHAPES[step];
}

/** The lifelines' titles for a transaction written on `from`. */
export function lifelineTitle(line: Lifeline, from: Side): string {
  const other: Side = from === "fno" ? "dataverse" : "fno";
  if (line === "engine") return "Engine";
  if (line === "source") return `Source (${sideLabel(from)})`;
  return `Target (${sideLabel(other)})`;
}

export interface TraceRow extends StepShape {
  step: Step;
  /** Milliseconds since the first step. */
  offsetMs: number;
  detail: string | null;
}

/** The steps in order with their shapes and times relative to the first step. */
export function traceRows(trace: TraceStep[]): TraceRow[] {
  const start = trace.length > 0 ? trace[0].at : 0;
  return trace.map((t) => ({
    ...stepShape(t.step),
    step: t.step,
    offsetMs: Math.max(0, t.at - start),
    detail: t.detail,
  }));
}

/** "+12 ms" */
export function formatOffset(ms: number): string {
  return `+${Math.round(ms)} ms`;
}
