import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode } from "elkjs/lib/elk-api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { smallChart, smallGroups } from "./fixture.test-data";
import { layoutChart } from "./layout";
import {
  cachedLayout,
  chartLayoutInput,
  clearLayouts,
  keepLayout,
  layoutFor,
  layoutKey,
  type LayoutInput,
} from "./layoutCache";

const input = (extra: Partial<LayoutInput> = {}): LayoutInput => ({
  chart: smallChart,
  groups: smallGroups,
  direction: "RIGHT",
  groupBoxes: true,
  ...extra,
});

afterEach(clearLayouts);

describe("layoutCache", () => {
  it("gives back a kept layout for an equal input, not for a different one", async () => {
    const layout = await layoutChart(new ELK(), smallChart, smallGroups);
    keepLayout(layoutKey(input()), layout);
    // An equal copy of the chart (the app's analysis is a new object after each edit).
    expect(cachedLayout(layoutKey(input({ chart: structuredClone(smallChart) })))).toBe(layout);
    expect(cachedLayout(layoutKey(input({ direction: "DOWN" })))).toBeUndefined();
    expect(cachedLayout(layoutKey(input({ groupBoxes: false })))).toBeUndefined();
    const renamed = { ...smallChart, nodes: smallChart.nodes.map((n, i) => (i === 0 ? { ...n, name: "Renamed" } : n)) };
    expect(cachedLayout(layoutKey(input({ chart: renamed })))).toBeUndefined();
  });

  it("keeps the four most recently used layouts", async () => {
    const layout = await layoutChart(new ELK(), smallChart, smallGroups);
    const keys = (["RIGHT", "DOWN"] as const).flatMap((direction) =>
      [true, false].map((groupBoxes) => layoutKey(input({ direction, groupBoxes }))),
    );
    for (const key of keys) keepLayout(key, layout);
    expect(cachedLayout(keys[0])).toBe(layout); // now the most recent
    keepLayout(layoutKey(input({ groups: [] })), layout);
    expect(cachedLayout(keys[1])).toBeUndefined();
    expect(cachedLayout(keys[0])).toBe(layout);
  });
});

describe("layouts kept across restarts", () => {
  it("finds the default layout of an unchanged chart after a restart, not another chart's", async () => {
    let calls = 0;
    const elk = { layout: (graph: ElkNode) => (calls++, new ELK().layout(graph)) };
    const defaults = chartLayoutInput(smallChart, smallGroups);
    const layout = await layoutFor(elk, defaults);
    clearLayouts(true); // the app restarts: memory is empty, localStorage is not
    const again = await layoutFor(elk, chartLayoutInput(structuredClone(smallChart), smallGroups));
    expect(calls).toBe(1);
    expect(again).toEqual(layout);
    expect(cachedLayout(layoutKey(input({ chart: { ...smallChart, nodes: smallChart.nodes.slice(1) } })))).toBeUndefined();
  });

  it("stores only the layout the view draws first, and ignores a damaged or refused store", async () => {
    const elk = new ELK();
    const down = input({ direction: "DOWN" });
    await layoutFor(elk, down);
    clearLayouts(true);
    expect(cachedLayout(layoutKey(down))).toBeUndefined(); // not the default: memory only

    const defaults = chartLayoutInput(smallChart, smallGroups);
    await layoutFor(elk, defaults);
    clearLayouts(true);
    localStorage.setItem("dualwrite.chartLayout.v1.layout", "{not json");
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    expect(cachedLayout(layoutKey(defaults))).toBeUndefined();

    const setItem = vi.spyOn(Storage.prototype, "setItem").mockImplementation(() => {
      throw new DOMException("full", "QuotaExceededError");
    });
    try {
      const layout = await layoutFor(elk, defaults);
      expect(cachedLayout(layoutKey(defaults))).toBe(layout); // memory still works
    } finally {
      setItem.mockRestore();
      debug.mockRestore();
    }
    clearLayouts(true);
    expect(cachedLayout(layoutKey(defaults))).toBeUndefined(); // nothing half-stored
  });
});
