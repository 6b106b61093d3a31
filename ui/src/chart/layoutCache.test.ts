import ELK from "elkjs/lib/elk.bundled.js";
import { afterEach, describe, expect, it } from "vitest";
import { smallChart, smallGroups } from "./fixture.test-data";
import { layoutChart } from "./layout";
import { cachedLayout, clearLayouts, keepLayout, layoutKey, type LayoutInput } from "./layoutCache";

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
