// The last chart layouts, kept across mounts of the chart view. The layout worker ends a while
// after its last use (an idle worker costs memory, elk.ts), so coming back to the chart would
// pay for a fresh worker and a cold elkjs again (about 1 s for 500 maps, BENCHMARKS.md)
// although nothing changed. The key is the layout's whole input as JSON: building it takes a few milliseconds
// on 500 maps, far less than a layout, and it cannot go stale the way an object identity can.
// The chart view and the background layout (prelayout.ts) both go through `layoutFor`, so the
// layout made in the background is the one the view looks up: same defaults, same key.
// Behind the memory cache, the last layout of a chart as the view first draws it (the default
// direction and group boxes) is kept across restarts (layoutStore.ts).
import type { ChartExport, Group } from "../bindings";
import { defaultGroupBoxes, layoutChart, type ChartLayout, type Direction, type ElkLike } from "./layout";
import { forgetStoredLayout, storedLayout, storeLayout } from "./layoutStore";

export interface LayoutInput {
  chart: ChartExport;
  groups: Group[];
  direction: Direction;
  groupBoxes: boolean;
}

/**
 * The layout input for a chart as the view draws it: left to right and group boxes up to
 * LARGE_CHART maps unless the user chose otherwise (`boxesChoice`).
 */
export function chartLayoutInput(
  chart: ChartExport,
  groups: Group[],
  direction: Direction = "RIGHT",
  boxesChoice: boolean | null = null,
): LayoutInput {
  return { chart, groups, direction, groupBoxes: boxesChoice ?? defaultGroupBoxes(chart.nodes.length) };
}

/** How many layouts are kept: both directions, with and without group boxes. */
const KEPT = 4;
const kept = new Map<string, ChartLayout>();

export function layoutKey(input: LayoutInput): string {
  return JSON.stringify([input.chart, input.groups, input.direction, input.groupBoxes]);
}

/** The layout drawn for this exact input, if it is still kept (in memory, or from the last start). */
export function cachedLayout(key: string): ChartLayout | undefined {
  const layout = kept.get(key) ?? storedLayout(key);
  if (layout) {
    kept.delete(key);
    kept.set(key, layout);
  }
  return layout;
}

/** Whether `input` is what the view draws first for its chart (what a restart asks for). */
function isDefaultInput(input: LayoutInput): boolean {
  return input.direction === "RIGHT" && input.groupBoxes === defaultGroupBoxes(input.chart.nodes.length);
}

/** Keeps a layout, forgetting the least recently used one beyond KEPT. */
export function keepLayout(key: string, layout: ChartLayout): void {
  kept.delete(key);
  kept.set(key, layout);
  while (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
}

// Layouts in progress by key: the view opened while the same layout runs in the background
// waits for it instead of laying the same chart out a second time on the same worker.
const inFlight = new Map<string, Promise<ChartLayout>>();

/**
 * The layout of `input` (its `key`): the kept one, the one in progress, or a new one made with
 * `elk` and kept. A failed layout is not kept, so the next call tries again.
 */
export function layoutFor(elk: ElkLike, input: LayoutInput, key = layoutKey(input)): Promise<ChartLayout> {
  const cached = cachedLayout(key);
  if (cached) return Promise.resolve(cached);
  const running = inFlight.get(key);
  if (running) return running;
  const laidOut = layoutChart(elk, input.chart, input.groups, input.direction, input.groupBoxes)
    .then((layout) => {
      keepLayout(key, layout);
      if (isDefaultInput(input)) storeLayout(key, layout);
      return layout;
    })
    .finally(() => {
      if (inFlight.get(key) === laidOut) inFlight.delete(key);
    });
  inFlight.set(key, laidOut);
  return laidOut;
}

/** Forgets every layout (tests); with `keepStored`, only those in memory (as a restart does). */
export function clearLayouts(keepStored = false): void {
  kept.clear();
  inFlight.clear();
  if (!keepStored) forgetStoredLayout();
}
