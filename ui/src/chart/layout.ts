// Layout of the dependency chart: builds the ELK graph and turns ELK's answer into a plain
// model in absolute coordinates that the SVG view draws. No drawing and no DOM here, so it is
// tested in node with the real elkjs. The ELK instance is passed in (worker or main thread:
// see elk.ts).
//
// Two shapes of graph, both laid out by ELK's layered algorithm:
// - with group boxes: groups are compound nodes and edges are routed across the hierarchy
//   (`INCLUDE_CHILDREN`). Legible, but elkjs' hierarchical layout is slow: ~1.5 s for 93
//   maps and 2.5-5 s for 500 in BENCHMARKS.md, whatever the options.
// - flat: maps only, layered from the sources like the core's waves (longest path), cheap
//   crossing minimisation and polyline edges; ~5x faster. Group boxes cannot be drawn
//   afterwards as bounding boxes of their members: ELK scatters a group over the layers
//   (measured on 500 synthetic maps, the boxes would cover thousands of other maps), so the
//   flat layout draws no boxes and the view says so. It is the default above LARGE_CHART maps,
//   and the view lets the user ask for the boxes anyway.
import type { ElkExtendedEdge, ElkNode, ElkPoint, LayoutOptions } from "elkjs/lib/elk-api";
import type { ChartExport, ChartNode, Edge, Group } from "../bindings";

export type Direction = "RIGHT" | "DOWN";

export interface Point { x: number; y: number }
export interface Box { x: number; y: number; w: number; h: number }
export interface PositionedNode extends Box { id: string; node: ChartNode }
export interface PositionedGroup extends Box { id: string; name: string }
export interface PositionedEdge { id: string; from: string; to: string; points: Point[]; edge: Edge }
export interface ChartLayout {
  width: number;
  height: number;
  nodes: PositionedNode[];
  groups: PositionedGroup[];
  edges: PositionedEdge[];
}

/** The part of an ELK instance the layout needs (lets tests and the worker wrapper plug in). */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
  /** Stops the layouts in flight, when the instance can (a worker can, the bundled ELK cannot). */
  cancel?(): void;
  /** Frees the instance (ends its worker). */
  dispose?(): void;
  /** Keeps the instance alive until the returned function is called (the view, while mounted). */
  hold?(): () => void;
}

export const NODE_HEIGHT = 46;
export const GROUP_LABEL_SPACE = 28;

/** Node width from its name so labels stay legible without measuring text in the DOM. */
export function nodeWidth(node: ChartNode): number {
  return Math.min(260, Math.max(150, node.name.length * 7.2 + 64));
}

export const groupNodeId = (id: string) => `group:${id}`;
export const edgeId = (e: Edge) => `${e.from}\u0000${e.to}`;

/** Above this many maps the layout trades polish for speed (see rootOptions) and is flat by default. */
export const LARGE_CHART = 150;

/** Whether group boxes are drawn when the user has not chosen: up to LARGE_CHART maps. */
export const defaultGroupBoxes = (mapCount: number) => mapCount <= LARGE_CHART;

/** Options of the flat layout (no compound nodes), measured in BENCHMARKS.md "Chart layout". */
function flatOptions(direction: Direction): LayoutOptions {
  return {
    "elk.algorithm": "layered",
    "elk.direction": direction,
    // Layers by longest path from the sources, as the core computes waves: cheap, and a map's
    // column (RIGHT) or row (DOWN) is its wave, except around cycles.
    "elk.layered.layering.strategy": "LONGEST_PATH_SOURCE",
    // One graph, not one per connected component side by side, so the layers stay the waves.
    "elk.separateConnectedComponents": "false",
    "elk.edgeRouting": "POLYLINE",
    "elk.layered.crossingMinimization.greedySwitch.type": "OFF",
    "elk.layered.thoroughness": "1",
    "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    "elk.spacing.nodeNode": "18",
    "elk.layered.spacing.nodeNodeBetweenLayers": "48",
    "elk.spacing.edgeNode": "12",
    "elk.json.shapeCoords": "ROOT",
    "elk.json.edgeCoords": "ROOT",
  };
}

function rootOptions(direction: Direction, size: number): LayoutOptions {
  const large = size > LARGE_CHART;
  return {
    "elk.algorithm": "layered",
    "elk.direction": direction,
    "elk.hierarchyHandling": "INCLUDE_CHILDREN",
    // Orthogonal routing and the greedy crossing switch are the costliest phases on big charts:
    // measured on 500 synthetic maps, dropping both halves the layout time (BENCHMARKS.md).
    "elk.edgeRouting": large ? "POLYLINE" : "ORTHOGONAL",
    "elk.layered.crossingMinimization.greedySwitch.type": large ? "OFF" : "TWO_SIDED",
    "elk.spacing.nodeNode": "18",
    "elk.layered.spacing.nodeNodeBetweenLayers": "48",
    "elk.spacing.edgeNode": "12",
    "elk.layered.spacing.edgeNodeBetweenLayers": "14",
    "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    // One crossing-minimisation sweep instead of seven on big charts.
    "elk.layered.thoroughness": large ? "1" : "7",
    // Everything in root coordinates, so the view needs no offset arithmetic.
    "elk.json.shapeCoords": "ROOT",
    "elk.json.edgeCoords": "ROOT",
  };
}

function layoutEdges(chart: ChartExport): ElkExtendedEdge[] {
  const known = new Set(chart.nodes.map((n) => n.id));
  return chart.edges
    .filter((e) => e.from !== e.to && known.has(e.from) && known.has(e.to))
    .map((e) => ({ id: edgeId(e), sources: [e.from], targets: [e.to] }));
}

const toElk = (n: ChartNode): ElkNode => ({ id: n.id, width: nodeWidth(n), height: NODE_HEIGHT });

/**
 * The ELK graph for a chart: with `groupBoxes`, groups are compound nodes (groups with no map
 * in the chart are left out); without, every map is a node of the root (see the module doc).
 */
export function buildElkGraph(
  chart: ChartExport,
  groups: Group[],
  direction: Direction = "RIGHT",
  groupBoxes = true,
): ElkNode {
  if (!groupBoxes) {
    return { id: "root", layoutOptions: flatOptions(direction), children: chart.nodes.map(toElk), edges: layoutEdges(chart) };
  }
  const byGroup = new Map<string, ElkNode[]>();
  const root: ElkNode[] = [];
  const groupIds = new Set(groups.map((g) => g.id));
  for (const n of chart.nodes) {
    if (n.group && groupIds.has(n.group)) {
      const list = byGroup.get(n.group) ?? [];
      list.push(toElk(n));
      byGroup.set(n.group, list);
    } else {
      root.push(toElk(n));
    }
  }
  const compound: ElkNode[] = groups
    .filter((g) => byGroup.has(g.id))
    .map((g) => ({
      id: groupNodeId(g.id),
      children: byGroup.get(g.id),
      layoutOptions: {
        "elk.padding": `[top=${GROUP_LABEL_SPACE + 10},left=14,bottom=14,right=14]`,
        // Wide enough for the group's label, which the view draws in the top padding.
        "elk.nodeSize.constraints": "MINIMUM_SIZE",
        "elk.nodeSize.minimum": `(${Math.ceil(g.name.length * 7.8 + 28)}, 0)`,
      },
    }));
  return {
    id: "root",
    layoutOptions: rootOptions(direction, chart.nodes.length),
    children: [...compound, ...root],
    edges: layoutEdges(chart),
  };
}

function sectionPoints(edge: ElkExtendedEdge): Point[] {
  const points: ElkPoint[] = [];
  for (const s of edge.sections ?? []) {
    if (points.length === 0) points.push(s.startPoint);
    points.push(...(s.bendPoints ?? []), s.endPoint);
  }
  return points.map((p) => ({ x: p.x, y: p.y }));
}

function collectEdges(node: ElkNode, out: ElkExtendedEdge[]): void {
  out.push(...(node.edges ?? []));
  for (const child of node.children ?? []) collectEdges(child, out);
}

/** ELK's result (root coordinates, see the options above) as the view's model. */
export function toChartLayout(result: ElkNode, chart: ChartExport, groups: Group[]): ChartLayout {
  const chartNodes = new Map(chart.nodes.map((n) => [n.id, n]));
  const groupNames = new Map(groups.map((g) => [groupNodeId(g.id), g]));
  const chartEdges = new Map(chart.edges.map((e) => [edgeId(e), e]));
  const layout: ChartLayout = {
    width: result.width ?? 0,
    height: result.height ?? 0,
    nodes: [],
    groups: [],
    edges: [],
  };
  const box = (n: ElkNode): Box => ({ x: n.x ?? 0, y: n.y ?? 0, w: n.width ?? 0, h: n.height ?? 0 });
  for (const child of result.children ?? []) {
    const group = groupNames.get(child.id);
    if (group) {
      layout.groups.push({ id: group.id, name: group.name, ...box(child) });
      for (const member of child.children ?? []) {
        const node = chartNodes.get(member.id);
        if (node) layout.nodes.push({ id: node.id, node, ...box(member) });
      }
    } else {
      const node = chartNodes.get(child.id);
      if (node) layout.nodes.push({ id: node.id, node, ...box(child) });
    }
  }
  const elkEdges: ElkExtendedEdge[] = [];
  collectEdges(result, elkEdges);
  for (const e of elkEdges) {
    const edge = chartEdges.get(e.id);
    if (edge) layout.edges.push({ id: e.id, from: edge.from, to: edge.to, points: sectionPoints(e), edge });
  }
  return layout;
}

/** Lays the chart out with the given ELK instance (group boxes by default up to LARGE_CHART maps). */
export async function layoutChart(
  elk: ElkLike,
  chart: ChartExport,
  groups: Group[],
  direction: Direction = "RIGHT",
  groupBoxes = defaultGroupBoxes(chart.nodes.length),
): Promise<ChartLayout> {
  if (chart.nodes.length === 0) return { width: 0, height: 0, nodes: [], groups: [], edges: [] };
  const result = await elk.layout(buildElkGraph(chart, groups, direction, groupBoxes));
  return toChartLayout(result, chart, groups);
}
