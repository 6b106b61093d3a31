import { describe, expect, it } from "vitest";
import type { Project, TxnRow } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";
import {
  checkRows,
  columnsForTable,
  draftToRow,
  parseRowsJson,
  parseValue,
  rowToDraft,
  rowsToJson,
  tablesForSide,
  valueText,
} from "./live";

const project = demo as unknown as Project;

describe("tables and columns", () => {
  it("lists each side's map tables", () => {
    expect(tablesForSide(project, "fno")).toContain("SalesOrderHeaderV2Entity");
    expect(tablesForSide(project, "dataverse")).toContain("salesorderdetail");
    expect(tablesForSide(project, "dataverse")).not.toContain("SalesOrderHeaderV2Entity");
  });
  it("suggests key columns first", () => {
    const columns = columnsForTable(project, "fno", "SalesOrderLineV2Entity");
    expect(columns.slice(0, 3)).toEqual(["SALESORDERNUMBER", "LINECREATIONSEQUENCENUMBER", "DATAAREAID"]);
    expect(columns).toContain("LINEAMOUNT");
    expect(new Set(columns).size).toBe(columns.length);
  });
});

describe("values", () => {
  it("reads numbers, booleans, null and quoted text, the rest as text", () => {
    expect(parseValue("12")).toBe(12);
    expect(parseValue("8.99")).toBe(8.99);
    expect(parseValue("true")).toBe(true);
    expect(parseValue("null")).toBeNull();
    expect(parseValue('"10"')).toBe("10");
    expect(parseValue("USMF")).toBe("USMF");
    expect(parseValue("2026-06-15")).toBe("2026-06-15");
  });
  it("writes text that reads back as the same value", () => {
    for (const v of ["10", "USMF", 12, true, null, "null", 'say "hi"']) {
      expect(parseValue(valueText(v))).toEqual(v);
    }
  });
  it("turns drafts into rows and back", () => {
    const draft = rowToDraft({ table: "T", op: "delete", values: { ID: "10", N: 3 } });
    expect(draft.values).toEqual([
      { column: "ID", text: '"10"' },
      { column: "N", text: "3" },
    ]);
    draft.values.push({ column: " ", text: "ignored" });
    expect(draftToRow(draft)).toEqual({ table: "T", op: "delete", values: { ID: "10", N: 3 } });
  });
});

/** An order as the core's demo example writes it on F&O. */
const order: TxnRow[] = [
  { table: "SalesOrderHeaderV2Entity", op: "upsert", values: { SALESORDERNUMBER: "SO-US-900042", DATAAREAID: "USMF" } },
  {
    table: "SalesOrderLineV2Entity",
    op: "upsert",
    values: { SALESORDERNUMBER: "SO-US-900042", LINECREATIONSEQUENCENUMBER: 1, SALESPRICE: 8.99, NOTE: "10" },
  },
];

describe("raw JSON", () => {
  it("round-trips the CLI format", () => {
    const rows = order;
    const parsed = parseRowsJson(rowsToJson(rows));
    expect(parsed).toEqual({ ok: true, rows });
  });
  it("defaults op to upsert", () => {
    const parsed = parseRowsJson('[{"table":"T","values":{"A":1}}]');
    expect(parsed.ok && parsed.rows[0].op).toBe("upsert");
  });
  it("says what is wrong", () => {
    expect(parseRowsJson("{")).toMatchObject({ ok: false });
    expect(parseRowsJson("{}")).toEqual({ ok: false, error: "Expected an array of rows: [{table, op, values}]." });
    expect(parseRowsJson("[]")).toEqual({ ok: false, error: "The transaction has no rows." });
    expect(parseRowsJson('[{"values":{}}]')).toEqual({ ok: false, error: "Row 1 has no table." });
    expect(parseRowsJson('[{"table":"T","op":"insert","values":{}}]')).toMatchObject({ ok: false });
    expect(parseRowsJson('[{"table":"T","values":{"A":[1]}}]')).toMatchObject({ ok: false });
  });
  it("checks composed rows", () => {
    expect(checkRows([])).toBe("Add at least one row.");
    expect(checkRows([{ table: "", op: "upsert", values: { A: 1 } }])).toBe("Row 1: pick a table.");
    expect(checkRows([{ table: "T", op: "upsert", values: {} }])).toMatch(/key columns/);
    expect(checkRows(order)).toBeNull();
  });
});
