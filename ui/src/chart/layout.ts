// Layout of the dependency chart: builds the ELK graph (maps as nodes, groups as compound
// nodes, edges routed across the hierarchy) and turns ELK's answer into a plain model in
// absolute coordinates that the SVG view draws. No drawing and no DOM here, so it is tested
// in node with the real elkjs. The ELK instance is passed in (worker or main thread: see elk.ts).
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
}

export const NODE_HEIGHT = 46;
export const GROUP_LABEL_SPACE = 28;

/** Node width from its name so labels stay legible without measuring text in the DOM. */
export function nodeWidth(node: ChartNode): number {
  return Math.min(260, Math.max(150, node.name.length * 7.2 + 64));
}

export const groupNodeId = (id: string) => `group:${id}`;
export const edgeId = (e: Edge) => `${e.from}\u0000${e.to}`;

/** Above this many maps the layout trades polish for speed (see rootOptions). */
export const LARGE_CHART = 150;

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

/** The ELK graph for a chart; groups with no map in the chart are left out. */
export function buildElkGraph(chart: ChartExport, groups: Group[], direction: Direction = "RIGHT"): ElkNode {
  const known = new Set(chart.nodes.map((n) => n.id));
  const toElk = (n: ChartNode): ElkNode => ({ id: n.id, width: nodeWidth(n), height: NODE_HEIGHT });
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
  const edges: ElkExtendedEdge[] = chart.edges
    .filter((e) => e.from !== e.to && known.has(e.from) && known.has(e.to))
    .map((e) => ({ id: edgeId(e), sources: [e.from], targets: [e.to] }));
  return {
    id: "root",
    layoutOptions: rootOptions(direction, chart.nodes.length),
    children: [...compound, ...root],
    edges,
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

/** Lays the chart out with the given ELK instance. */
export async function layoutChart(
  elk: ElkLike,
  chart: ChartExport,
  groups: Group[],
  direction: Direction = "RIGHT",
): Promise<ChartLayout> {
  if (chart.nodes.length === 0) return { width: 0, height: 0, nodes: [], groups: [], edges: [] };
  const result = await elk.layout(buildElkGraph(chart, groups, direction));
  return toChartLayout(result, chart, groups);
}
