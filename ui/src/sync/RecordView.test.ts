import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import type { Conflict, Project, RecordPair } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";
import ConflictList from "./ConflictList.svelte";
import RecordView from "./RecordView.svelte";

const project = demo as unknown as Project;

const pair: RecordPair = {
  map: "accounts - Customers V3",
  fnoTable: "CustCustomerV3Entity",
  dataverseTable: "account",
  fnoRow: { CUSTOMERACCOUNT: "US-00001" },
  dataverseRow: { accountnumber: "US-00001" },
  fields: [
    { fno: "CUSTOMERACCOUNT", dataverse: "accountnumber", fnoValue: "US-00001", dataverseValue: "US-00001", same: true, lookup: false },
    { fno: "ORGANIZATIONNAME", dataverse: "name", fnoValue: "Fabrikam", dataverseValue: "Fabrikam Inc", same: false, lookup: false },
    { fno: "DATAAREAID", dataverse: "msdyn_company", fnoValue: "USMF", dataverseValue: "1f0c-…", same: false, lookup: true },
  ],
};

afterEach(cleanup);

describe("RecordView", () => {
  it("looks up a prefilled record and shows both sides field by field", async () => {
    const load = vi.fn(async () => pair);
    render(RecordView, {
      props: {
        project,
        target: { map: "accounts - Customers V3", side: "fno", key: ["US-00001", "USMF"] },
        load,
      },
    });
    const view = await screen.findByTestId("record-view");
    expect(load).toHaveBeenCalledWith("accounts - Customers V3", "fno", ["US-00001", "USMF"]);
    const rows = screen.getAllByTestId("field-pair");
    expect(rows.map((r) => r.getAttribute("data-same"))).toEqual(["true", "false", "false"]);
    expect(rows[1].classList.contains("differs")).toBe(true);
    expect(rows[2].classList.contains("differs")).toBe(false);
    expect(rows[2].textContent).toContain("lookup");
    expect(view.textContent).toContain("CustCustomerV3Entity");
  });

  it("looks up what the user typed", async () => {
    const load = vi.fn(async () => ({ ...pair, dataverseRow: null }));
    render(RecordView, { project, load });
    await fireEvent.change(screen.getByLabelText("Map"), { target: { value: "salesorders - Sales order headers" } });
    await fireEvent.input(screen.getByLabelText("SALESORDERNUMBER"), { target: { value: "SO-US-000001" } });
    await fireEvent.input(screen.getByLabelText("DATAAREAID"), { target: { value: "USMF" } });
    await fireEvent.click(screen.getByText("Show record"));
    expect(load).toHaveBeenCalledWith("salesorders - Sales order headers", "fno", ["SO-US-000001", "USMF"]);
    expect((await screen.findByTestId("record-view")).textContent).toContain("No row on Dataverse");
  });
});

describe("ConflictList", () => {
  it("shows each conflict with its diff and opens the record", async () => {
    const conflict: Conflict = {
      id: 3,
      map_id: "contacts - Contact persons",
      key: '["CP-US-000001","USMF"]',
      winning_side: "dataverse",
      winning_values: { lastname: "Smith", email: "a@b.c" },
      losing_values: { lastname: "Smyth", email: "a@b.c" },
      detected_at: 1_780_000_000_000,
    };
    const onViewRecord = vi.fn();
    render(ConflictList, { load: async () => [conflict], onViewRecord });
    const row = await screen.findByTestId("conflict-row");
    expect(row.textContent).toContain("Dataverse won");
    expect(row.querySelectorAll("tr.differs")).toHaveLength(1);
    await fireEvent.click(screen.getByText("View record"));
    expect(onViewRecord).toHaveBeenCalledWith("contacts - Contact persons", '["CP-US-000001","USMF"]');
  });
});
