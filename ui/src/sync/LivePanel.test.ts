import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { LiveExample, Project, Side, TxnRow } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";
import LivePanel from "./LivePanel.svelte";

const project = demo as unknown as Project;

afterEach(cleanup);

/** The examples the core offers for the demo project (titles shortened). */
const offered = async (from: Side): Promise<LiveExample[]> => [
  { from, failing: false, title: `commits on ${from}`, prerequisite: "Run an initial sync of Customers first." },
  { from, failing: true, title: `fails on ${from}`, prerequisite: "Run an initial sync of Customers first." },
];

/** The F&O order example as the core makes it: a header and two lines. */
const order: TxnRow[] = [
  { table: "SalesOrderHeaderV2Entity", op: "upsert", values: { SALESORDERNUMBER: "SO-US-900001", DATAAREAID: "USMF" } },
  ...[1, 2].map((n) => ({
    table: "SalesOrderLineV2Entity",
    op: "upsert" as const,
    values: { SALESORDERNUMBER: "SO-US-900001", LINECREATIONSEQUENCENUMBER: n, DATAAREAID: "USMF", ORDEREDSALESQUANTITY: 2 },
  })),
];

const props = (overrides: Record<string, unknown> = {}) => ({
  project,
  run: vi.fn(),
  examples: vi.fn(offered),
  loadExample: vi.fn(async () => order),
  ...overrides,
});

const json = () => JSON.parse((screen.getByTestId("live-json") as HTMLTextAreaElement).value);

describe("LivePanel", () => {
  it("keeps the row editor and the raw JSON in step", async () => {
    render(LivePanel, props());
    await waitFor(() => expect((screen.getByTestId("live-example") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("live-example"));
    await waitFor(() => expect(json()).toHaveLength(3));
    const quantity = screen.getByLabelText("Value 4 of row 2") as HTMLInputElement;
    expect(quantity.value).toBe("2");
    await fireEvent.input(quantity, { target: { value: "5" } });
    expect(json()[1].values.ORDEREDSALESQUANTITY).toBe(5);
    await fireEvent.click(screen.getByLabelText("Remove row 3"));
    expect(json()).toHaveLength(2);
    const rows = [{ table: "CurrencyEntity", op: "delete", values: { CURRENCYCODE: "NOK" } }];
    await fireEvent.input(screen.getByTestId("live-json"), { target: { value: JSON.stringify(rows) } });
    expect(screen.getAllByRole("group", { name: "Rows of the transaction" })[0].querySelectorAll("fieldset")).toHaveLength(1);
    expect((screen.getByLabelText("Column 1 of row 1") as HTMLInputElement).value).toBe("CURRENCYCODE");
  });

  it("refuses to run invalid JSON or no rows, without calling the backend", async () => {
    const run = vi.fn();
    render(LivePanel, props({ run }));
    await fireEvent.click(screen.getByTestId("live-run"));
    expect(screen.getByRole("alert").textContent).toBe("Add at least one row.");
    await fireEvent.input(screen.getByTestId("live-json"), { target: { value: '[{"values":{}}]' } });
    await fireEvent.click(screen.getByTestId("live-run"));
    expect(screen.getByRole("alert").textContent).toBe("Row 1 has no table.");
    expect(run).not.toHaveBeenCalled();
  });

  it("shows a refusal", async () => {
    const run = vi.fn(async () => ({
      committed: false,
      refused: true,
      category: null,
      reason: "the transaction mixes live and async maps",
      journalId: null,
      trace: [{ step: "refused" as const, at: 5, detail: "mixed modes" }],
    }));
    render(LivePanel, props({ run }));
    await fireEvent.change(screen.getByTestId("live-side"), { target: { value: "dataverse" } });
    await fireEvent.click(screen.getByText("Add row"));
    await fireEvent.input(screen.getByLabelText("Column 1 of row 1"), { target: { value: "cdm_companycode" } });
    await fireEvent.input(screen.getByLabelText("Value 1 of row 1"), { target: { value: "USMF" } });
    await fireEvent.click(screen.getByTestId("live-run"));
    const outcome = await screen.findByTestId("live-outcome");
    expect(outcome.getAttribute("data-refused")).toBe("true");
    expect(outcome.textContent).toContain("nothing was written anywhere");
    expect(run).toHaveBeenCalledWith("dataverse", [{ table: "account", op: "upsert", values: { cdm_companycode: "USMF" } }]);
    expect(screen.getByTestId("trace-step").classList.contains("failure")).toBe(true);
  });

  it("loads the example the core makes for the chosen side, and shows its prerequisite", async () => {
    const account = [{ table: "account", op: "upsert" as const, values: { accountnumber: "US-00001", creditlimit: -500 } }];
    const p = props({ loadExample: vi.fn(async () => account) });
    render(LivePanel, p);
    await fireEvent.change(screen.getByTestId("live-side"), { target: { value: "dataverse" } });
    await waitFor(() => expect(screen.getByTestId("live-example-failing").getAttribute("title")).toBe("fails on dataverse"));
    expect(p.examples).toHaveBeenLastCalledWith("dataverse");
    expect(screen.getByTestId("live-example-note").textContent).toContain("initial sync of Customers");
    await fireEvent.click(screen.getByTestId("live-example-failing"));
    await waitFor(() => expect(json()).toEqual(account));
    expect(p.loadExample).toHaveBeenCalledWith("dataverse", true);
    expect((screen.getByTestId("live-side") as HTMLSelectElement).value).toBe("dataverse");
  });

  it("shows why an example cannot be made, and keeps the rows", async () => {
    const loadExample = vi.fn(async () => {
      throw new Error("customer US-00001 of USMF is not on Dataverse yet: run an initial sync first");
    });
    render(LivePanel, props({ loadExample }));
    await waitFor(() => expect((screen.getByTestId("live-example") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("live-example"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("run an initial sync first");
    expect(json()).toEqual([]);
  });

  it("offers no example for a project that is not the demo's", async () => {
    render(LivePanel, props({ examples: vi.fn(async () => []) }));
    await waitFor(() => expect(screen.getByTestId("live-example").getAttribute("title")).toMatch(/need the demo/));
    expect((screen.getByTestId("live-example") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId("live-example-note")).toBeNull();
  });
});
