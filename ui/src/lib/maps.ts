// Table-map helpers for the Maps view: search, run state from the project's status, and new
// maps. No validation here: the core's analysis says what is wrong with a map.

import type { FieldMapping, JsonValue, Project, Status, TableMap } from "../bindings";

/** Maps whose id, name, F&O entity or Dataverse table contains the query (any case). */
export function filterMaps(maps: readonly TableMap[], query: string): TableMap[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...maps];
  return maps.filter((m) =>
    [m.id, m.name, m.fno.entity, m.dataverse.table].some((text) => text.toLowerCase().includes(q)),
  );
}

export type RunState = "running" | "paused" | "stopped";

export interface MapRunStatus {
  state: RunState;
  errors: number;
  pauseReason: string | null;
}

/**
 * A map's state as the sync engine knows it: paused when paused; running once the engine has
 * worked on the project (a run in its history) or on this map (queue entries, errors); stopped
 * before any sync, or when the project is not saved.
 */
export function mapRunStatus(status: Status | null, mapId: string): MapRunStatus {
  const map = status?.maps.find((m) => m.id === mapId);
  if (!map) return { state: "stopped", errors: 0, pauseReason: null };
  const errors = Object.values(map.errors).reduce((sum, n) => sum + n, 0);
  const pauseReason =
    map.pauseReason === null ? null : map.pauseReason.kind === "manual" ? "paused by hand" : `alert rule ${map.pauseReason.rule}`;
  const queued = Object.values(map.queue).reduce((sum, n) => sum + n, 0);
  const started = (status?.lastRuns.length ?? 0) > 0 || queued > 0 || errors > 0;
  return { state: map.paused ? "paused" : started ? "running" : "stopped", errors, pauseReason };
}

/** An id not used by any map: "new map", "new map 2"... */
export function uniqueId(existing: readonly string[], base: string): string {
  const taken = new Set(existing);
  if (!taken.has(base)) return base;
  let n = 2;
  while (taken.has(`${base} ${n}`)) n += 1;
  return `${base} ${n}`;
}

export function emptyMap(id: string): TableMap {
  return {
    id,
    name: id,
    fno: { entity: "", keys: [], filter: null, companyStriped: false },
    dataverse: { table: "", keys: [], filter: null, companyStriped: false },
    syncMode: "live",
    direction: "bidirectional",
    primary: null,
    syncDeletes: false,
    placeholders: false,
    fields: [],
    dependsOn: [],
  };
}

export function emptyField(): FieldMapping {
  return { fno: "", dataverse: "", direction: "both", transform: null, lookup: null };
}

/** "A, B ,C" -> ["A", "B", "C"]; empty items dropped. */
export function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Moves an item within a list; out of range leaves it unchanged. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const copy = [...items];
  if (from < 0 || to < 0 || from >= copy.length || to >= copy.length) return copy;
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item);
  return copy;
}

/** What a value-map or default cell holds: numbers, true, false and null as such, else text. */
export function parseScalar(text: string): JsonValue {
  const trimmed = text.trim();
  if (trimmed === "true") return true;
  if (trimmed === "false") return false;
  if (trimmed === "null") return null;
  if (trimmed !== "" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

/** The text a cell shows for a value (strings as they are). */
export function formatScalar(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Renames a map and every reference to it (group members, other maps' dependsOn). Returns
 * false and changes nothing when the new id is empty or taken.
 */
export function renameMap(project: Project, from: string, to: string): boolean {
  const id = to.trim();
  if (!id || id === from || project.tableMaps.some((m) => m.id === id)) return false;
  for (const map of project.tableMaps) {
    if (map.id === from) map.id = id;
    if (map.dependsOn) map.dependsOn = map.dependsOn.map((d) => (d === from ? id : d));
  }
  for (const group of project.groups) {
    for (const member of group.members) if (member.map === from) member.map = id;
  }
  return true;
}

/** Deletes a map and the references to it. */
export function deleteMap(project: Project, id: string): void {
  project.tableMaps = project.tableMaps.filter((m) => m.id !== id);
  for (const map of project.tableMaps) {
    if (map.dependsOn) map.dependsOn = map.dependsOn.filter((d) => d !== id);
  }
  for (const group of project.groups) group.members = group.members.filter((m) => m.map !== id);
}
