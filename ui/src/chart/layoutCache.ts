// The last chart layouts, kept across mounts of the chart view. The view ends its ELK worker
// when it closes (an idle worker costs memory), so coming back to the chart would pay for a
// fresh worker and a cold elkjs again (about 1 s for 500 maps, BENCHMARKS.md) although nothing
// changed. The key is the layout's whole input as JSON: building it takes a few milliseconds
// on 500 maps, far less than a layout, and it cannot go stale the way an object identity can.
import type { ChartExport, Group } from "../bindings";
import type { ChartLayout, Direction } from "./layout";

export interface LayoutInput {
  chart: ChartExport;
  groups: Group[];
  direction: Direction;
  groupBoxes: boolean;
}

/** How many layouts are kept: both directions, with and without group boxes. */
const KEPT = 4;
const kept = new Map<string, ChartLayout>();

export function layoutKey(input: LayoutInput): string {
  return JSON.stringify([input.chart, input.groups, input.direction, input.groupBoxes]);
}

/** The layout drawn for this exact input, if it is still kept. */
export function cachedLayout(key: string): ChartLayout | undefined {
  const layout = kept.get(key);
  if (layout) {
    kept.delete(key);
    kept.set(key, layout);
  }
  return layout;
}

/** Keeps a layout, forgetting the least recently used one beyond KEPT. */
export function keepLayout(key: string, layout: ChartLayout): void {
  kept.delete(key);
  kept.set(key, layout);
  while (kept.size > KEPT) kept.delete(kept.keys().next().value as string);
}

/** Forgets every layout (tests). */
export function clearLayouts(): void {
  kept.clear();
}
