// Where a finding points in the UI. The core gives each finding the ids it concerns (`subjects`)
// and a JSON path of the place to fix (`tableMaps[3].fields[2]`, `groups[1].members[0]`); this
// module turns them into a view to open and the map, field or group to show.

import type { Finding, Group, Project } from "../bindings";

export type Location =
  | { view: "maps"; mapId: string; fieldIndex: number | null }
  | { view: "groups"; groupId: string };

interface ParsedPath {
  mapIndex?: number;
  fieldIndex?: number;
  groupIndex?: number;
}

export function parsePath(path: string | null | undefined): ParsedPath {
  if (!path) return {};
  const map = /^tableMaps\[(\d+)\](?:\.fields\[(\d+)\])?/.exec(path);
  if (map) {
    return { mapIndex: Number(map[1]), fieldIndex: map[2] === undefined ? undefined : Number(map[2]) };
  }
  const group = /^groups\[(\d+)\]/.exec(path);
  if (group) return { groupIndex: Number(group[1]) };
  return {};
}

/** The place to show for a finding; null when it names nothing in the project. */
export function locate(finding: Finding, project: Project): Location | null {
  const parsed = parsePath(finding.path);
  if (parsed.mapIndex !== undefined) {
    const map = project.tableMaps[parsed.mapIndex];
    if (map) return { view: "maps", mapId: map.id, fieldIndex: parsed.fieldIndex ?? null };
  }
  if (parsed.groupIndex !== undefined) {
    const group = project.groups[parsed.groupIndex];
    if (group) return { view: "groups", groupId: group.id };
  }
  for (const subject of finding.subjects) {
    if (project.tableMaps.some((m) => m.id === subject)) {
      return { view: "maps", mapId: subject, fieldIndex: null };
    }
  }
  for (const subject of finding.subjects) {
    if (project.groups.some((g) => g.id === subject)) return { view: "groups", groupId: subject };
  }
  return null;
}

/** Findings about a map: it is a subject, or the path points into it. */
export function findingsForMap(findings: readonly Finding[], project: Project, mapId: string): Finding[] {
  const index = project.tableMaps.findIndex((m) => m.id === mapId);
  return findings.filter(
    (f) => f.subjects.includes(mapId) || (index >= 0 && parsePath(f.path).mapIndex === index),
  );
}

/** Field indexes of `mapId` that findings point at. */
export function flaggedFields(findings: readonly Finding[], project: Project, mapId: string): Set<number> {
  const index = project.tableMaps.findIndex((m) => m.id === mapId);
  const fields = new Set<number>();
  for (const f of findings) {
    const parsed = parsePath(f.path);
    if (parsed.mapIndex === index && parsed.fieldIndex !== undefined) fields.add(parsed.fieldIndex);
  }
  return fields;
}

/** Codes shown on a group card: mixed modes, order, membership and transaction limits. */
export const GROUP_CODES: ReadonlySet<string> = new Set(["DW001", "DW005", "DW012", "DW013", "DW014", "DW015"]);

/** Group-level findings about the group or its members. */
export function findingsForGroup(findings: readonly Finding[], project: Project, group: Group): Finding[] {
  const groupIndex = project.groups.findIndex((g) => g.id === group.id);
  const ids = new Set([group.id, ...group.members.map((m) => m.map)]);
  return findings.filter(
    (f) =>
      GROUP_CODES.has(f.code) &&
      (f.subjects.some((s) => ids.has(s)) || (groupIndex >= 0 && parsePath(f.path).groupIndex === groupIndex)),
  );
}
