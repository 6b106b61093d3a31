// Composing a live test transaction: the tables a side can write, rows as editable key/value
// text, the CLI's raw JSON format (`[{table, op, values}]`) both ways, and the demo examples.

import type { JsonValue, Project, RecordPair, Side, TxnOp, TxnRow } from "../bindings";

/** One editable value: the column and the text the user typed. */
export interface ValueEntry {
  column: string;
  text: string;
}

/** One editable row. */
export interface RowDraft {
  table: string;
  op: TxnOp;
  values: ValueEntry[];
}

/** The source-side tables of the project's maps (F&O entities or Dataverse tables), sorted. */
export function tablesForSide(project: Project, side: Side): string[] {
  const names = project.tableMaps.map((m) => (side === "fno" ? m.fno.entity : m.dataverse.table));
  return [...new Set(names)].sort((a, b) => a.localeCompare(b));
}

/** The mapped columns of a source-side table (keys first), to suggest in the editor. */
export function columnsForTable(project: Project, side: Side, table: string): string[] {
  const columns: string[] = [];
  for (const map of project.tableMaps) {
    const s = side === "fno" ? map.fno : map.dataverse;
    const name = side === "fno" ? map.fno.entity : map.dataverse.table;
    if (name !== table) continue;
    columns.push(...s.keys);
    for (const f of map.fields) columns.push(side === "fno" ? f.fno : f.dataverse);
  }
  return [...new Set(columns)];
}

/**
 * Reads a typed value: JSON numbers, booleans, null and quoted strings as such (so `"10"` stays
 * text), anything else as text.
 */
export function parseValue(text: string): JsonValue {
  const trimmed = text.trim();
  if (trimmed === "") return "";
  if (/^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|"(?:[^"\\]|\\.)*")$/.test(trimmed)) {
    return JSON.parse(trimmed) as JsonValue;
  }
  return text;
}

/** The inverse of parseValue: the text that reads back as the same value. */
export function valueText(value: JsonValue): string {
  if (typeof value === "string") {
    return parseValue(value) === value ? value : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

export function draftToRow(draft: RowDraft): TxnRow {
  const values: Record<string, JsonValue> = {};
  for (const entry of draft.values) {
    const column = entry.column.trim();
    if (column !== "") values[column] = parseValue(entry.text);
  }
  return { table: draft.table, op: draft.op, values };
}

export function rowToDraft(row: TxnRow): RowDraft {
  return {
    table: row.table,
    op: row.op,
    values: Object.entries(row.values).map(([column, value]) => ({ column, text: valueText(value) })),
  };
}

export function rowsToJson(rows: TxnRow[]): string {
  return JSON.stringify(rows, null, 2);
}

export type ParsedRows = { ok: true; rows: TxnRow[] } | { ok: false; error: string };

/** Reads the CLI's `[{table, op, values}]` format, with a sentence saying what is wrong. */
export function parseRowsJson(text: string): ParsedRows {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(data)) return { ok: false, error: "Expected an array of rows: [{table, op, values}]." };
  if (data.length === 0) return { ok: false, error: "The transaction has no rows." };
  const rows: TxnRow[] = [];
  for (const [i, item] of data.entries()) {
    const n = i + 1;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      return { ok: false, error: `Row ${n} is not an object.` };
    }
    const { table, op, values } = item as Record<string, unknown>;
    if (typeof table !== "string" || table === "") return { ok: false, error: `Row ${n} has no table.` };
    const rowOp = op === undefined ? "upsert" : op;
    if (rowOp !== "upsert" && rowOp !== "delete") {
      return { ok: false, error: `Row ${n}: op must be "upsert" or "delete".` };
    }
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      return { ok: false, error: `Row ${n} has no values object.` };
    }
    for (const [column, value] of Object.entries(values)) {
      if (typeof value === "object" && value !== null) {
        return { ok: false, error: `Row ${n}: ${column} must be a scalar (text, number, true/false or null).` };
      }
    }
    rows.push({ table, op: rowOp, values: values as Record<string, JsonValue> });
  }
  return { ok: true, rows };
}

/** Checks rows composed in the editor before sending; null when they look sendable. */
export function checkRows(rows: TxnRow[]): string | null {
  if (rows.length === 0) return "Add at least one row.";
  for (const [i, row] of rows.entries()) {
    if (row.table === "") return `Row ${i + 1}: pick a table.`;
    if (Object.keys(row.values).length === 0) return `Row ${i + 1}: give at least the key columns.`;
  }
  return null;
}

/** A sales order number unlikely to clash with the demo's seeded orders (SO-US-000001...). */
function exampleOrderNumber(now: number): string {
  return `SO-US-9${String(now % 100_000).padStart(5, "0")}`;
}

/**
 * A realistic order for the Contoso demo, written on F&O: a USMF header for customer US-00001
 * and two lines. The header comes first because the F&O side checks its foreign keys as rows
 * are written; on Dataverse the engine orders parents first anyway. On Dataverse the header
 * looks up company USMF, customer US-00001 and currency USD, so the reference data and the
 * customers must have been synced (initial sync) for it to commit.
 */
export function demoOrder(now = Date.now()): TxnRow[] {
  const order = exampleOrderNumber(now);
  return [
    {
      table: "SalesOrderHeaderV2Entity",
      op: "upsert",
      values: {
        SALESORDERNUMBER: order,
        DATAAREAID: "USMF",
        ORDERINGCUSTOMERACCOUNTNUMBER: "US-00001",
        CURRENCYCODE: "USD",
        REQUESTEDSHIPPINGDATE: "2026-06-15",
        SALESORDERSTATUS: "Backorder",
      },
    },
    {
      table: "SalesOrderLineV2Entity",
      op: "upsert",
      values: {
        SALESORDERNUMBER: order,
        LINECREATIONSEQUENCENUMBER: 1,
        DATAAREAID: "USMF",
        ITEMNUMBER: "D0001",
        ORDEREDSALESQUANTITY: 2,
        SALESPRICE: 149,
        LINEAMOUNT: 298,
      },
    },
    {
      table: "SalesOrderLineV2Entity",
      op: "upsert",
      values: {
        SALESORDERNUMBER: order,
        LINECREATIONSEQUENCENUMBER: 2,
        DATAAREAID: "USMF",
        ITEMNUMBER: "T0002",
        ORDEREDSALESQUANTITY: 10,
        SALESPRICE: 8.99,
        LINEAMOUNT: 89.9,
      },
    },
  ];
}

/** The order status of the failing example: F&O takes it, the map's value map has no entry. */
export const UNMAPPED_STATUS = "OnHold";

/**
 * The same order with a status the map's value map cannot carry to Dataverse (`OnHold`): F&O
 * writes it, the engine rejects it on the way to the target (an application error), the target
 * aborts and the source rolls back, so neither side keeps the header or its lines.
 */
export function demoFailingOrder(now = Date.now()): TxnRow[] {
  const rows = demoOrder(now);
  rows[0] = { ...rows[0], values: { ...rows[0].values, SALESORDERSTATUS: UNMAPPED_STATUS } };
  return rows;
}

/** Whether the demo examples fit this project (its maps include the demo's order and customer tables). */
export function projectHasDemoOrders(project: Project): boolean {
  const tables = tablesForSide(project, "fno");
  return (
    tables.includes("SalesOrderHeaderV2Entity") &&
    tables.includes("SalesOrderLineV2Entity") &&
    project.tableMaps.some((m) => m.id === DEMO_ACCOUNTS_MAP)
  );
}

/** The demo's customer map, and the customer the Dataverse examples edit (F&O key: account, company). */
export const DEMO_ACCOUNTS_MAP = "accounts - Customers V3";
export const DEMO_CUSTOMER_KEY = ["US-00001", "USMF"];

/** A credit limit F&O refuses (its CHECK wants it at least 0) and Dataverse takes. */
export const NEGATIVE_CREDIT_LIMIT = -500;

/** Reads a record of a map on both sides (the record view's backend call). */
export type RecordReader = (map: string, side: Side, key: string[]) => Promise<RecordPair>;

/**
 * The Dataverse examples: customer US-00001 of USMF edited on Dataverse, identified the way
 * Dataverse identifies it (account number and the company's GUID, read from the Dataverse
 * database, so the customers must have been synced once). The edit that commits raises the
 * credit limit; the failing one sets a negative credit limit, which Dataverse takes but F&O's
 * constraint refuses, so the target aborts and the account on Dataverse keeps its old values.
 */
export async function demoAccountEdit(read: RecordReader, failing: boolean, now = Date.now()): Promise<TxnRow[]> {
  const pair = await read(DEMO_ACCOUNTS_MAP, "fno", DEMO_CUSTOMER_KEY);
  const account = pair.dataverseRow;
  if (account === null || typeof account !== "object" || Array.isArray(account)) {
    throw new Error(
      `Customer ${DEMO_CUSTOMER_KEY[0]} of ${DEMO_CUSTOMER_KEY[1]} is not on Dataverse yet: run an initial sync of the customers first.`,
    );
  }
  const creditLimit = failing ? NEGATIVE_CREDIT_LIMIT : 50_000 + (now % 1_000) * 10;
  return [
    {
      table: "account",
      op: "upsert",
      values: {
        accountnumber: account.accountnumber ?? null,
        msdyn_company: account.msdyn_company ?? null,
        creditlimit: creditLimit,
      },
    },
  ];
}
