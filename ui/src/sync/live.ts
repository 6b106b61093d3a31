// Composing a live test transaction: the tables a side can write, rows as editable key/value
// text, and the CLI's raw JSON format (`[{table, op, values}]`) both ways. The demo's examples come
// from the core (`live_examples`, `load_live_example`), which knows the demo's data.

import type { JsonValue, Project, Side, TxnOp, TxnRow } from "../bindings";

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
