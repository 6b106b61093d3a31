// Turning an error or conflict row into a record lookup: the store's key text (a JSON array of
// key values) as typed key values, and the side those values most likely belong to.

import type { JsonValue, Project, Side, TableMap } from "../bindings";

/** What the record form is filled with. */
export interface RecordTarget {
  map: string;
  side: Side;
  key: string[];
}

/** The values of a key text (`["USMF","US-00001"]`) as strings; [] when it is not one. */
export function parseKeyText(text: string | null): string[] {
  if (text === null) return [];
  try {
    const values: unknown = JSON.parse(text);
    if (!Array.isArray(values)) return [];
    return values.map((v: JsonValue) => (typeof v === "string" ? v : JSON.stringify(v)));
  } catch {
    return [];
  }
}

export function keyColumns(map: TableMap, side: Side): string[] {
  return side === "fno" ? map.fno.keys : map.dataverse.keys;
}

/**
 * The side a stored key belongs to: the one whose key has as many columns, and when both do,
 * the map's source for a one-way map, else F&O (conflicts and async entries carry F&O keys).
 */
export function guessKeySide(map: TableMap, values: string[]): Side {
  const fno = map.fno.keys.length === values.length;
  const dv = map.dataverse.keys.length === values.length;
  if (fno && !dv) return "fno";
  if (dv && !fno) return "dataverse";
  return map.direction === "toFno" ? "dataverse" : "fno";
}

/** The form's prefill for "View record" on a row with this map and key text. */
export function recordTarget(project: Project, mapId: string, keyText: string | null, side?: Side): RecordTarget {
  const map = project.tableMaps.find((m) => m.id === mapId);
  const key = parseKeyText(keyText);
  if (!map) return { map: mapId, side: side ?? "fno", key };
  return { map: mapId, side: side ?? guessKeySide(map, key), key };
}

/** A "retry" outcome as one sentence. */
export function retrySentence(outcome: {
  retried: number[];
  requeued_entries: number;
  not_retryable: number[];
  unknown: number[];
}): string {
  const parts: string[] = [];
  const n = outcome.retried.length;
  parts.push(
    n === 0
      ? "No error was retried"
      : `${n} ${n === 1 ? "error" : "errors"} retried: ${outcome.requeued_entries} queue ${outcome.requeued_entries === 1 ? "entry" : "entries"} back in line for the next async round`,
  );
  if (outcome.not_retryable.length > 0) {
    parts.push(
      `${outcome.not_retryable.length} cannot be retried (no queue entry, or a concurrency or conflict error) and stay as they were`,
    );
  }
  if (outcome.unknown.length > 0) parts.push(`${outcome.unknown.length} no longer exist`);
  return `${parts.join("; ")}.`;
}

/** Keys of two value objects side by side, marking the differing ones (conflict diff). */
export function diffValues(
  winning: JsonValue,
  losing: JsonValue,
): { column: string; winning: JsonValue | undefined; losing: JsonValue | undefined; differs: boolean }[] {
  const asObject = (v: JsonValue) =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, JsonValue>) : {};
  const w = asObject(winning);
  const l = asObject(losing);
  const columns = [...new Set([...Object.keys(w), ...Object.keys(l)])];
  return columns.map((column) => ({
    column,
    winning: w[column],
    losing: l[column],
    differs: JSON.stringify(w[column] ?? null) !== JSON.stringify(l[column] ?? null),
  }));
}
