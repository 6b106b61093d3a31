// Group member ordering as the Groups view shows it: members sorted by sequence number; after
// a reorder every member is renumbered 10, 20, 30... so the numbers follow the displayed order.

import type { Group, GroupMember, Project } from "../bindings";

export const SEQUENCE_STEP = 10;

/** Members in run order (by sequence; ties keep their file order). */
export function sortedMembers(members: readonly GroupMember[]): GroupMember[] {
  return members
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.sequence - b.m.sequence || a.i - b.i)
    .map(({ m }) => m);
}

/** 10, 20, 30... in the given order. */
export function renumber(members: readonly GroupMember[]): GroupMember[] {
  return members.map((m, i) => ({ ...m, sequence: (i + 1) * SEQUENCE_STEP }));
}

/**
 * Moves the member at displayed position `from` to displayed position `to` and renumbers.
 * Out-of-range positions leave the order as it is (still renumbered only if something moved).
 */
export function moveMember(members: readonly GroupMember[], from: number, to: number): GroupMember[] {
  const sorted = sortedMembers(members);
  if (from === to || from < 0 || to < 0 || from >= sorted.length || to >= sorted.length) {
    return sorted;
  }
  const [moved] = sorted.splice(from, 1);
  sorted.splice(to, 0, moved);
  return renumber(sorted);
}

/** Appends a member after the last one (next multiple of ten above the highest sequence). */
export function appendMember(members: readonly GroupMember[], map: string): GroupMember[] {
  const highest = members.reduce((max, m) => Math.max(max, m.sequence), 0);
  const next = (Math.floor(highest / SEQUENCE_STEP) + 1) * SEQUENCE_STEP;
  return [...sortedMembers(members), { map, sequence: next }];
}

/** Groups whose id or name, or a member's map id or name, contains the query (any case). */
export function filterGroups(project: Project, query: string): Group[] {
  const q = query.trim().toLowerCase();
  if (!q) return project.groups;
  const names = new Map(project.tableMaps.map((m) => [m.id, m.name]));
  return project.groups.filter((g) =>
    [g.id, g.name, ...g.members.flatMap((m) => [m.map, names.get(m.map) ?? ""])].some((text) =>
      text.toLowerCase().includes(q),
    ),
  );
}
