import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { ErrorCategory, ErrorRecord, RetryOutcome } from "../bindings";
import ErrorLog from "./ErrorLog.svelte";

const record = (id: number, category: ErrorCategory): ErrorRecord => ({
  id,
  queue_entry: category === "system" ? id * 10 : null,
  map_id: "accounts - Customers V3",
  key: `["US-0000${id}","USMF"]`,
  category,
  message: `${category} failure ${id}`,
  row: null,
  occurred_at: 1_780_000_000_000,
  attempts: 1,
  resolved_at: null,
  resolution: null,
});

const all = [record(1, "application"), record(2, "system"), record(3, "system"), record(4, "conflict")];

afterEach(cleanup);

describe("ErrorLog", () => {
  it("asks the backend for the chosen category and shows only those rows", async () => {
    const load = vi.fn(async (c: ErrorCategory | null) => (c === null ? all : all.filter((e) => e.category === c)));
    render(ErrorLog, { load, retry: vi.fn(), onViewRecord: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId("error-row")).toHaveLength(4));
    expect(load).toHaveBeenLastCalledWith(null);
    await fireEvent.change(screen.getByTestId("error-category"), { target: { value: "system" } });
    await waitFor(() => expect(load).toHaveBeenLastCalledWith("system"));
    await waitFor(() => {
      const rows = screen.getAllByTestId("error-row");
      expect(rows.map((r) => r.getAttribute("data-category"))).toEqual(["system", "system"]);
    });
    expect(screen.getAllByText("system (retryable)", { selector: "td" })).toHaveLength(2);
  });

  it("retries the selected rows and shows the outcome sentence", async () => {
    const outcome: RetryOutcome = { retried: [2], requeued_entries: 1, not_retryable: [1], unknown: [] };
    const retry = vi.fn(async () => outcome);
    render(ErrorLog, { load: async () => all, retry, onViewRecord: vi.fn() });
    await waitFor(() => expect(screen.getAllByTestId("error-row")).toHaveLength(4));
    const retrySelected = screen.getByTestId("retry-selected") as HTMLButtonElement;
    expect(retrySelected.disabled).toBe(true);
    await fireEvent.click(screen.getByLabelText("Select error 1"));
    await fireEvent.click(screen.getByLabelText("Select error 2"));
    await fireEvent.click(retrySelected);
    expect(retry).toHaveBeenCalledWith([1, 2]);
    expect((await screen.findByRole("status")).textContent).toMatch(/^1 error retried: 1 queue entry back in line/);
    await fireEvent.click(screen.getByTestId("retry-all"));
    expect(retry).toHaveBeenLastCalledWith(null);
  });

  it("opens the record of a row", async () => {
    const onViewRecord = vi.fn();
    render(ErrorLog, { load: async () => [record(1, "application")], retry: vi.fn(), onViewRecord });
    await fireEvent.click(await screen.findByText("View record"));
    expect(onViewRecord).toHaveBeenCalledWith("accounts - Customers V3", '["US-00001","USMF"]');
  });
});
