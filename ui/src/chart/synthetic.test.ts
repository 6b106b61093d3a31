import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import { layoutChart } from "./layout";
import { syntheticChart } from "./synthetic";

describe("syntheticChart", () => {
  it("is deterministic and consistent", () => {
    const a = syntheticChart(120);
    expect(syntheticChart(120)).toEqual(a);
    const ids = new Set(a.chart.nodes.map((n) => n.id));
    expect(ids.size).toBe(120);
    for (const e of a.chart.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
    for (const g of a.groups) {
      expect(g.members.length).toBeGreaterThanOrEqual(1);
      expect(g.members.length).toBeLessThanOrEqual(10);
      for (const m of g.members) expect(a.chart.nodes.find((n) => n.id === m.map)?.group).toBe(g.id);
    }
    expect(a.chart.cycles.length).toBeGreaterThan(0);
    expect(a.chart.nodes.some((n) => n.selfReference)).toBe(true);
    expect(a.chart.waves.flat().sort()).toEqual([...ids].sort());
  });

  it("lays out 500 maps with every map positioned and every edge routed", async () => {
    const { chart, groups } = syntheticChart(500);
    const layout = await layoutChart(new ELK(), chart, groups);
    expect(layout.nodes).toHaveLength(500);
    for (const n of layout.nodes) expect(Number.isFinite(n.x) && Number.isFinite(n.y) && n.w > 0).toBe(true);
    expect(layout.edges).toHaveLength(chart.edges.length);
    for (const e of layout.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
