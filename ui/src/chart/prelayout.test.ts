import { cleanup, render, screen } from "@testing-library/svelte";
import ELK from "elkjs/lib/elk.bundled.js";
import type { ElkNode } from "elkjs/lib/elk-api";
import { afterEach, describe, expect, it, vi } from "vitest";
import DependencyChart from "./DependencyChart.svelte";
import { createWorkerElk } from "./elk";
import { smallChart, smallFindings, smallGroups } from "./fixture.test-data";
import type { ElkLike } from "./layout";
import { cachedLayout, chartLayoutInput, clearLayouts, layoutKey } from "./layoutCache";
import { ChartPrelayout } from "./prelayout";

// The real elkjs on the main thread (jsdom has no Worker), counting the layouts it is asked for.
function countingElk(inner: ElkLike = new ELK(), started?: () => void) {
  const graphs: ElkNode[] = [];
  const elk: ElkLike = {
    layout(graph) {
      graphs.push(graph);
      const result = inner.layout(graph);
      started?.();
      return result;
    },
    cancel: () => inner.cancel?.(),
  };
  return { elk, graphs };
}

const keyOf = (chart = smallChart, groups = smallGroups) => layoutKey(chartLayoutInput(chart, groups));
const renamed = (name: string) => ({
  ...smallChart,
  nodes: smallChart.nodes.map((n, i) => (i === 0 ? { ...n, name } : n)),
});

let prelayout: ChartPrelayout | undefined;
afterEach(() => {
  prelayout?.dispose();
  cleanup();
  clearLayouts();
});

describe("ChartPrelayout", () => {
  it("lays the chart out after the quiet time and keeps it under the view's key", async () => {
    const { elk, graphs } = countingElk();
    prelayout = new ChartPrelayout({ elk, debounceMs: 20 });
    prelayout.schedule(structuredClone(smallChart), structuredClone(smallGroups));
    expect(graphs).toHaveLength(0); // not before the quiet time
    await vi.waitFor(() => expect(cachedLayout(keyOf())).toBeDefined(), { timeout: 20_000 });
    expect(graphs).toHaveLength(1);
    expect(cachedLayout(keyOf())?.nodes).toHaveLength(4);
    expect(cachedLayout(keyOf())?.groups).toHaveLength(1); // group boxes by default on 4 maps
    // The same chart again (an edit and its undo): already kept, nothing to do.
    prelayout.schedule(structuredClone(smallChart), smallGroups);
    await new Promise((r) => setTimeout(r, 60));
    expect(graphs).toHaveLength(1);
  });

  it("starts at once for a project just opened", async () => {
    const { elk, graphs } = countingElk();
    prelayout = new ChartPrelayout({ elk, debounceMs: 60_000 });
    prelayout.schedule(smallChart, smallGroups, { immediate: true });
    await vi.waitFor(() => expect(cachedLayout(keyOf())).toBeDefined(), { timeout: 20_000 });
    expect(graphs).toHaveLength(1);
    // An edit after it waits for the quiet time again.
    prelayout.schedule(renamed("Edited"), smallGroups);
    await new Promise((r) => setTimeout(r, 100));
    expect(graphs).toHaveLength(1);
  });

  it("starts no layout at all when the last start left this chart's layout", async () => {
    const first = countingElk();
    prelayout = new ChartPrelayout({ elk: first.elk, debounceMs: 60_000 });
    prelayout.schedule(smallChart, smallGroups, { immediate: true });
    await vi.waitFor(() => expect(cachedLayout(keyOf())).toBeDefined(), { timeout: 20_000 });
    await prelayout.settled();
    prelayout.dispose();
    clearLayouts(true); // a restart: the memory cache is empty, the stored layout is not

    const next = countingElk();
    prelayout = new ChartPrelayout({ elk: next.elk, debounceMs: 60_000 });
    prelayout.schedule(structuredClone(smallChart), structuredClone(smallGroups), { immediate: true });
    await new Promise((r) => setTimeout(r, 50));
    await prelayout.settled();
    expect(next.graphs).toHaveLength(0);
    expect(cachedLayout(keyOf())?.nodes).toHaveLength(4);
  });

  it("lays out only the latest of several quick changes", async () => {
    const { elk, graphs } = countingElk();
    prelayout = new ChartPrelayout({ elk, debounceMs: 20 });
    prelayout.schedule(renamed("First"), smallGroups);
    prelayout.schedule(renamed("Second"), smallGroups);
    prelayout.schedule(renamed("Latest"), smallGroups);
    await vi.waitFor(() => expect(cachedLayout(keyOf(renamed("Latest")))).toBeDefined(), { timeout: 20_000 });
    await prelayout.settled();
    expect(graphs).toHaveLength(1);
    expect(cachedLayout(keyOf(renamed("First")))).toBeUndefined();
    expect(cachedLayout(keyOf(renamed("Second")))).toBeUndefined();
  });

  it("cancels a background layout in progress when a newer change comes", async () => {
    // The newer change comes as soon as the older layout has started.
    const { elk, graphs } = countingElk(createWorkerElk(), () => {
      if (graphs.length === 1) prelayout?.schedule(renamed("Newer"), smallGroups);
    });
    const debug = vi.spyOn(console, "debug").mockImplementation(() => {});
    prelayout = new ChartPrelayout({ elk, debounceMs: 0 });
    prelayout.schedule(renamed("Older"), smallGroups);
    await vi.waitFor(() => expect(cachedLayout(keyOf(renamed("Newer")))).toBeDefined(), { timeout: 20_000 });
    expect(cachedLayout(keyOf(renamed("Older")))).toBeUndefined();
    expect(graphs).toHaveLength(2);
    expect(debug).toHaveBeenCalledTimes(1); // the cancelled one, quietly
    debug.mockRestore();
  });

  it("does nothing while the chart view is open", async () => {
    const { elk, graphs } = countingElk();
    prelayout = new ChartPrelayout({ elk, debounceMs: 0 });
    prelayout.schedule(smallChart, smallGroups);
    const close = prelayout.viewOpened(); // before the quiet time has passed
    prelayout.schedule(renamed("Edited"), smallGroups);
    await new Promise((r) => setTimeout(r, 50));
    expect(graphs).toHaveLength(0);
    close();
    prelayout.schedule(renamed("Edited"), smallGroups);
    await vi.waitFor(() => expect(graphs).toHaveLength(1), { timeout: 20_000 });
  });

  it("lets the chart view draw the background layout without laying out again", async () => {
    const { elk } = countingElk();
    prelayout = new ChartPrelayout({ elk, debounceMs: 0 });
    prelayout.schedule(structuredClone(smallChart), structuredClone(smallGroups));
    await vi.waitFor(() => expect(cachedLayout(keyOf())).toBeDefined(), { timeout: 20_000 });
    const viewElk = countingElk();
    render(DependencyChart, {
      props: { chart: smallChart, groups: smallGroups, findings: smallFindings, onOpenMap: vi.fn(), elk: viewElk.elk },
    });
    expect(await screen.findAllByTestId("chart-node")).toHaveLength(4);
    expect(screen.getAllByTestId("chart-group")).toHaveLength(1);
    expect(viewElk.graphs).toHaveLength(0);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("lets the chart view opened during a background layout of its chart wait for it", async () => {
    const { elk, graphs } = countingElk(createWorkerElk());
    prelayout = new ChartPrelayout({ elk, debounceMs: 0 });
    prelayout.schedule(smallChart, smallGroups);
    await vi.waitFor(() => expect(graphs).toHaveLength(1));
    const viewElk = countingElk();
    render(DependencyChart, {
      props: { chart: smallChart, groups: smallGroups, findings: smallFindings, onOpenMap: vi.fn(), elk: viewElk.elk },
    });
    expect(await screen.findAllByTestId("chart-node", {}, { timeout: 20_000 })).toHaveLength(4);
    expect(viewElk.graphs).toHaveLength(0);
    expect(graphs).toHaveLength(1);
  });
});
