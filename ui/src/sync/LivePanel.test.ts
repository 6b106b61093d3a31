import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import type { Project, RecordPair } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";
import LivePanel from "./LivePanel.svelte";

const project = demo as unknown as Project;

afterEach(cleanup);

/** The demo customer US-00001 of USMF as the record view reads it, with its Dataverse row (or none). */
const customerPair = (dataverseRow: RecordPair["dataverseRow"]): RecordPair => ({
  map: "accounts - Customers V3",
  fnoTable: "CustCustomerV3Entity",
  dataverseTable: "account",
  fnoRow: { CUSTOMERACCOUNT: "US-00001", DATAAREAID: "USMF" },
  dataverseRow,
  fields: [],
});

const json = () => JSON.parse((screen.getByTestId("live-json") as HTMLTextAreaElement).value);

describe("LivePanel", () => {
  it("keeps the row editor and the raw JSON in step", async () => {
    render(LivePanel, { project, run: vi.fn(), readRecord: vi.fn() });
    await fireEvent.click(screen.getByTestId("live-example"));
    expect(json()).toHaveLength(3);
    const quantity = screen.getByLabelText("Value 5 of row 2") as HTMLInputElement;
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
    render(LivePanel, { project, run, readRecord: vi.fn() });
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
    render(LivePanel, { project, run, readRecord: vi.fn() });
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

  it("on Dataverse, the examples edit the demo customer by the ids Dataverse holds", async () => {
    const readRecord = vi.fn(async () =>
      customerPair({ accountid: "a-guid", accountnumber: "US-00001", msdyn_company: "usmf-guid", creditlimit: 1000 }),
    );
    render(LivePanel, { project, run: vi.fn(), readRecord });
    await fireEvent.change(screen.getByTestId("live-side"), { target: { value: "dataverse" } });
    await fireEvent.click(screen.getByTestId("live-example-failing"));
    await waitFor(() => expect(json()).toHaveLength(1));
    expect(readRecord).toHaveBeenCalledWith("accounts - Customers V3", "fno", ["US-00001", "USMF"]);
    expect(json()[0]).toEqual({
      table: "account",
      op: "upsert",
      values: { accountnumber: "US-00001", msdyn_company: "usmf-guid", creditlimit: -500 },
    });
    expect((screen.getByTestId("live-side") as HTMLSelectElement).value).toBe("dataverse");
    await fireEvent.click(screen.getByTestId("live-example"));
    await waitFor(() => expect(json()[0].values.creditlimit).toBeGreaterThan(0));
  });

  it("says to sync the customers first when the demo customer is not on Dataverse yet", async () => {
    const readRecord = vi.fn(async () => customerPair(null));
    render(LivePanel, { project, run: vi.fn(), readRecord });
    await fireEvent.change(screen.getByTestId("live-side"), { target: { value: "dataverse" } });
    await fireEvent.click(screen.getByTestId("live-example"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("run an initial sync of the customers first");
    expect(json()).toEqual([]);
  });
});
