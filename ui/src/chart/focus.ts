// Focus mode: the maps a selected map depends on (ancestors) and the maps that depend on it
// (descendants), transitively along the chart's edges. Pure, so cycles are tested directly.
import type { Edge } from "../bindings";

function walk(start: string, next: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(next.get(start) ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(next.get(id) ?? []));
  }
  return seen;
}

function adjacency(edges: Edge[], reverse: boolean): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = reverse ? [e.to, e.from] : [e.from, e.to];
    const list = next.get(a) ?? [];
    list.push(b);
    next.set(a, list);
  }
  return next;
}

/** Maps that must sync before `id` (transitively); may include `id` itself in a cycle. */
export function ancestors(id: string, edges: Edge[]): Set<string> {
  return walk(id, adjacency(edges, true));
}

/** Maps that sync after `id` because they depend on it (transitively). */
export function descendants(id: string, edges: Edge[]): Set<string> {
  return walk(id, adjacency(edges, false));
}

/** The maps kept visible when focusing `id`: itself, its ancestors and its descendants. */
export function focusSet(id: string, edges: Edge[]): Set<string> {
  return new Set([id, ...ancestors(id, edges), ...descendants(id, edges)]);
}

/** Whether an edge stays visible in focus: both ends visible and on a dependency path. */
export function edgeInFocus(edge: Edge, focus: Set<string>): boolean {
  return focus.has(edge.from) && focus.has(edge.to);
}
