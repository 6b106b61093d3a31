import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/svelte";
import type { Step, TraceStep } from "../bindings";
import TraceDiagram from "./TraceDiagram.svelte";

const trace = (steps: Step[]): TraceStep[] =>
  steps.map((step, i) => ({ step, at: 1000 + i * 7, detail: step === "targetAbort" ? "lookup not found" : null }));

afterEach(cleanup);

describe("TraceDiagram", () => {
  it("renders one trace-step per step, in order", () => {
    const steps: Step[] = ["sourcePreCommit", "batchToTarget", "targetApplied", "journaled", "targetCommit", "sourceCommit"];
    render(TraceDiagram, { trace: trace(steps), from: "fno" });
    const drawn = screen.getAllByTestId("trace-step");
    expect(drawn.map((g) => g.getAttribute("data-step"))).toEqual(steps);
    expect(drawn.some((g) => g.classList.contains("failure"))).toBe(false);
    expect(screen.getByTestId("live-trace").textContent).toContain("Source (F&O)");
    expect(screen.getByTestId("live-trace").textContent).toContain("+35 ms");
  });

  it("draws failure steps with the failure style and shows the detail", () => {
    render(TraceDiagram, {
      trace: trace(["sourcePreCommit", "batchToTarget", "targetAbort", "sourceRollback"]),
      from: "dataverse",
    });
    const drawn = screen.getAllByTestId("trace-step");
    expect(drawn.map((g) => g.classList.contains("failure"))).toEqual([false, false, true, true]);
    expect(drawn[2].textContent).toContain("lookup not found");
    expect(screen.getByTestId("live-trace").textContent).toContain("Target (F&O)");
  });
});
