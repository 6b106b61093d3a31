// What the user picked to sync, turned into the backend's RunRequest: a group or a set of maps,
// and which maps that means (to show progress rows before the engine announces them).

import type { Project, RunRequest, Side, SyncRunKind, TableMap } from "../bindings";

export type SyncMode = SyncRunKind | "live";

export const MODES: { value: SyncMode; label: string }[] = [
  { value: "initial", label: "Initial sync" },
  { value: "async", label: "Async round" },
  { value: "live", label: "Live test transaction" },
];

/** Maps whose id or name contains the search text, case-insensitively. */
export function searchMaps(maps: TableMap[], query: string): TableMap[] {
  const q = query.trim().toLowerCase();
  if (q === "") return maps;
  return maps.filter((m) => m.id.toLowerCase().includes(q) || m.name.toLowerCase().includes(q));
}

/** The map ids a run will cover, in group sequence order for a group. */
export function selectedMapIds(
  project: Project,
  kind: SyncRunKind,
  group: string,
  maps: string[],
): string[] {
  if (group !== "") {
    const g = project.groups.find((x) => x.id === group);
    if (!g) return [];
    return [...g.members].sort((a, b) => a.sequence - b.sequence).map((m) => m.map);
  }
  if (maps.length > 0) return project.tableMaps.filter((m) => maps.includes(m.id)).map((m) => m.id);
  // Nothing picked, as the engine does: the maps of groups marked for initial sync (initial), or
  // every async map (async).
  if (kind === "initial") {
    const flagged = new Set(
      project.groups.filter((g) => g.initialSync).flatMap((g) => g.members.map((m) => m.map)),
    );
    return project.tableMaps.filter((m) => flagged.has(m.id)).map((m) => m.id);
  }
  return project.tableMaps.filter((m) => m.syncMode === "async").map((m) => m.id);
}

export function buildRunRequest(
  projectPath: string,
  kind: SyncRunKind,
  group: string,
  maps: string[],
  fresh: boolean,
  source: Side | null = null,
): RunRequest {
  return {
    projectPath,
    kind,
    group: group === "" ? null : group,
    maps: group === "" ? [...maps] : [],
    fresh: kind === "initial" && fresh,
    source: kind === "initial" ? source : null,
  };
}
