import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Finding } from "../bindings";
import ProblemsPanel from "./ProblemsPanel.svelte";

const findings: Finding[] = [
  { code: "DW001", severity: "error", subjects: ["g"], message: "Mixed", hint: "", path: null },
  { code: "DW008", severity: "warning", subjects: ["m"], message: "Keys", hint: "", path: null },
  { code: "DW014", severity: "info", subjects: ["g"], message: "Entities", hint: "", path: null },
];

afterEach(cleanup);

describe("ProblemsPanel", () => {
  it("lists every finding, filters by severity and reports clicks", async () => {
    const onSelect = vi.fn();
    render(ProblemsPanel, { props: { findings, open: true, onToggle: () => {}, onSelect } });
    expect(screen.getByTestId("problems-count").textContent).toBe("3");
    expect(screen.getAllByTestId("problem").map((p) => p.dataset.code)).toEqual(["DW001", "DW008", "DW014"]);
    await fireEvent.click(screen.getAllByRole("checkbox")[1]);
    expect(screen.getAllByTestId("problem").map((p) => p.dataset.severity)).toEqual(["error", "info"]);
    await fireEvent.click(screen.getAllByTestId("problem")[0]);
    expect(onSelect).toHaveBeenCalledWith(findings[0]);
  });
});
