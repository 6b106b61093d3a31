// What the chart marks and says about maps and edges: findings per map, sequence violations
// (DW005), cycle edges and the wording of edge causes. The core decides what is wrong; this
// module only indexes its answer for the view.
import type { ChartExport, Edge, EdgeCause, Finding } from "../bindings";

/** Findings whose subjects include the id (map or group). */
export function findingsFor(id: string, findings: Finding[]): Finding[] {
  return findings.filter((f) => f.subjects.includes(id));
}

/** How a consultant reads one cause of an edge. */
export function causeText(cause: EdgeCause): string {
  return cause.kind === "lookup" ? `lookup ${cause.column} -> ${cause.table}` : "dependsOn";
}

/** Maps concerned by a sequence violation (DW005 subjects that are maps of the chart). */
export function sequenceViolationMaps(chart: ChartExport, findings: Finding[]): Set<string> {
  const maps = new Set(chart.nodes.map((n) => n.id));
  const out = new Set<string>();
  for (const f of findings) {
    if (f.code !== "DW005") continue;
    for (const s of f.subjects) if (maps.has(s)) out.add(s);
  }
  return out;
}

/** Edges between two maps named by the same DW005 finding (the dependency run out of order). */
export function sequenceViolationEdges(edges: Edge[], findings: Finding[]): Set<Edge> {
  const out = new Set<Edge>();
  for (const f of findings) {
    if (f.code !== "DW005") continue;
    for (const e of edges) if (f.subjects.includes(e.from) && f.subjects.includes(e.to)) out.add(e);
  }
  return out;
}

/** Edges whose two ends belong to the same cycle. */
export function cycleEdges(chart: ChartExport): Set<Edge> {
  const cycleOf = new Map<string, number>();
  chart.cycles.forEach((c, i) => c.forEach((m) => cycleOf.set(m, i)));
  return new Set(
    chart.edges.filter((e) => cycleOf.has(e.from) && cycleOf.get(e.from) === cycleOf.get(e.to)),
  );
}

/** Node ids matching a search text (id or name, case-insensitive), in chart order. */
export function searchMatches(chart: ChartExport, text: string): string[] {
  const q = text.trim().toLowerCase();
  if (!q) return [];
  return chart.nodes
    .filter((n) => n.id.toLowerCase().includes(q) || n.name.toLowerCase().includes(q))
    .map((n) => n.id);
}
