import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import type { ChartExport } from "../bindings";
import { buildElkGraph, defaultGroupBoxes, groupNodeId, LARGE_CHART, layoutChart, type Box, type ChartLayout } from "./layout";
import { smallChart, smallGroups } from "./fixture.test-data";
import { syntheticChart } from "./synthetic";

const inside = (a: Box, b: Box) => a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

async function lay(chart: ChartExport, direction: "RIGHT" | "DOWN" = "RIGHT"): Promise<ChartLayout> {
  return layoutChart(new ELK(), chart, smallGroups, direction);
}

describe("buildElkGraph", () => {
  it("nests grouped maps in a compound node and keeps ungrouped maps at the root", () => {
    const g = buildElkGraph(smallChart, smallGroups);
    expect(g.layoutOptions?.["elk.hierarchyHandling"]).toBe("INCLUDE_CHILDREN");
    expect(g.layoutOptions?.["elk.algorithm"]).toBe("layered");
    const ids = g.children?.map((c) => c.id);
    expect(ids).toEqual([groupNodeId("reference"), "notes"]);
    expect(g.children?.[0].children?.map((c) => c.id)).toEqual(["currencies", "customers", "sales-orders"]);
    expect(g.edges).toHaveLength(3);
  });

  it("leaves out self edges, edges to unknown maps and groups without maps", () => {
    const chart: ChartExport = {
      ...smallChart,
      edges: [...smallChart.edges, { from: "notes", to: "notes", causes: [] }, { from: "ghost", to: "notes", causes: [] }],
    };
    const g = buildElkGraph(chart, [...smallGroups, { id: "empty", name: "Empty", members: [] }]);
    expect(g.edges).toHaveLength(3);
    expect(g.children?.some((c) => c.id === groupNodeId("empty"))).toBe(false);
  });

  it("puts every map at the root, without compound nodes, when the group boxes are off", () => {
    const g = buildElkGraph(smallChart, smallGroups, "RIGHT", false);
    expect(g.layoutOptions?.["elk.hierarchyHandling"]).toBeUndefined();
    expect(g.children?.map((c) => c.id).sort()).toEqual(["currencies", "customers", "notes", "sales-orders"]);
    expect(g.children?.every((c) => c.children === undefined)).toBe(true);
    expect(g.edges).toHaveLength(3);
  });

  it("draws group boxes by default up to LARGE_CHART maps only", () => {
    expect(defaultGroupBoxes(93)).toBe(true);
    expect(defaultGroupBoxes(LARGE_CHART)).toBe(true);
    expect(defaultGroupBoxes(LARGE_CHART + 1)).toBe(false);
  });

  it("treats a map whose group is unknown as ungrouped", () => {
    const chart = { ...smallChart, nodes: smallChart.nodes.map((n) => ({ ...n, group: n.group && "missing" })) };
    expect(buildElkGraph(chart, smallGroups).children?.map((c) => c.id).sort()).toEqual(
      ["currencies", "customers", "notes", "sales-orders"],
    );
  });
});

describe("layoutChart with elkjs", () => {
  it("positions every map inside its group box, without overlaps", async () => {
    const layout = await lay(smallChart);
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(["currencies", "customers", "notes", "sales-orders"]);
    const group = layout.groups.find((g) => g.id === "reference")!;
    expect(group.name).toBe("Reference and orders");
    expect(group.w).toBeGreaterThan("Reference and orders".length * 7);
    for (const n of layout.nodes) {
      expect(n.w).toBeGreaterThan(0);
      if (n.node.group === "reference") expect(inside(n, group)).toBe(true);
      else expect(overlap(n, group)).toBe(false);
      for (const m of layout.nodes) if (m !== n) expect(overlap(n, m)).toBe(false);
      expect(inside(n, { x: 0, y: 0, w: layout.width, h: layout.height })).toBe(true);
    }
  });

  it("lays a parent out left of its dependent (RIGHT) and above it (DOWN)", async () => {
    for (const direction of ["RIGHT", "DOWN"] as const) {
      const layout = await lay(smallChart, direction);
      const at = new Map(layout.nodes.map((n) => [n.id, n]));
      for (const e of smallChart.edges) {
        const a = at.get(e.from)!;
        const b = at.get(e.to)!;
        if (direction === "RIGHT") expect(a.x + a.w).toBeLessThanOrEqual(b.x);
        else expect(a.y + a.h).toBeLessThanOrEqual(b.y);
      }
    }
  });

  it("routes every edge with points that start at its source and end at its target", async () => {
    const layout = await lay(smallChart);
    expect(layout.edges).toHaveLength(3);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    const near = (p: { x: number; y: number }, b: Box) => inside({ x: p.x, y: p.y, w: 0, h: 0 }, { x: b.x - 1, y: b.y - 1, w: b.w + 2, h: b.h + 2 });
    for (const e of layout.edges) {
      expect(e.points.length).toBeGreaterThanOrEqual(2);
      expect(near(e.points[0], at.get(e.from)!)).toBe(true);
      expect(near(e.points[e.points.length - 1], at.get(e.to)!)).toBe(true);
      expect(e.edge.causes.length).toBeGreaterThan(0);
    }
  });

  it("gives an empty model for an empty chart without calling ELK", async () => {
    const elk = { layout: () => Promise.reject(new Error("must not be called")) };
    const layout = await layoutChart(elk, { nodes: [], edges: [], waves: [], cycles: [] }, []);
    expect(layout).toEqual({ width: 0, height: 0, nodes: [], groups: [], edges: [] });
  });
});

// A synthetic chart laid out both ways: every map positioned once and apart from the others,
// every edge routed from its source to its target, and dependencies drawn forwards.
describe("layoutChart on a synthetic chart", () => {
  const { chart, groups } = syntheticChart(60);
  const cycleMembers = new Set(chart.cycles.flat());
  const inCycle = (e: { from: string; to: string }) => cycleMembers.has(e.from) && cycleMembers.has(e.to);

  for (const groupBoxes of [true, false]) {
    it(`positions every map and draws parents before their dependents (group boxes ${groupBoxes ? "on" : "off"})`, async () => {
      const layout = await layoutChart(new ELK(), chart, groups, "RIGHT", groupBoxes);
      expect(layout.nodes.map((n) => n.id).sort()).toEqual(chart.nodes.map((n) => n.id).sort());
      for (const n of layout.nodes) {
        expect(inside(n, { x: 0, y: 0, w: layout.width, h: layout.height })).toBe(true);
        for (const m of layout.nodes) if (m !== n) expect(overlap(n, m)).toBe(false);
      }
      const at = new Map(layout.nodes.map((n) => [n.id, n]));
      const selfEdges = chart.edges.filter((e) => e.from === e.to).length;
      expect(layout.edges).toHaveLength(chart.edges.length - selfEdges);
      const forward = chart.edges.filter((e) => e.from !== e.to && !inCycle(e));
      expect(forward.length).toBeGreaterThan(50);
      for (const e of forward) {
        const a = at.get(e.from)!;
        const b = at.get(e.to)!;
        expect(a.x + a.w, `${e.from} -> ${e.to}`).toBeLessThanOrEqual(b.x);
      }
      const onBorder = (p: { x: number; y: number }, b: Box) =>
        p.x >= b.x - 1 && p.x <= b.x + b.w + 1 && p.y >= b.y - 1 && p.y <= b.y + b.h + 1;
      for (const e of layout.edges) {
        expect(e.points.length).toBeGreaterThanOrEqual(2);
        expect(onBorder(e.points[0], at.get(e.from)!)).toBe(true);
        expect(onBorder(e.points[e.points.length - 1], at.get(e.to)!)).toBe(true);
      }
      if (groupBoxes) {
        expect(layout.groups.map((g) => g.id).sort()).toEqual(groups.map((g) => g.id).sort());
        for (const g of layout.groups) {
          for (const n of layout.nodes) {
            if (n.node.group === g.id) expect(inside(n, g)).toBe(true);
            else expect(overlap(n, g)).toBe(false);
          }
        }
      } else {
        expect(layout.groups).toEqual([]);
      }
    }, 120_000);
  }

  it("lays the flat chart out in the core's waves: a later wave never sits left of an earlier one", async () => {
    const layout = await layoutChart(new ELK(), chart, groups, "RIGHT", false);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    for (const a of chart.nodes) {
      for (const b of chart.nodes) {
        if (a.wave < b.wave && !cycleMembers.has(a.id) && !cycleMembers.has(b.id)) {
          expect(at.get(a.id)!.x, `${a.id} (W${a.wave}) vs ${b.id} (W${b.wave})`).toBeLessThan(at.get(b.id)!.x);
        }
      }
    }
  });
});
