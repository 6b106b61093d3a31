// Lay out AND draw in a real browser: mounts the DependencyChart on a synthetic chart of
// `?n=` maps with the app's ELK worker and collects its figures (layout in the worker; layout
// plus the Svelte render up to the next frame) into #result, then sets the title to "done".
// Draws on the same worker: the default layout (cold: fresh worker, JIT not warmed up), the
// other direction and back (warm), then with the group boxes toggled, in both directions.
// `&prelayout`: the chart is first laid out in the background as the app does when a project is
// opened or edited (prelayout.ts, on the shared worker, cold: "background"), then the view is
// mounted and draws from the cache ("opened"); the page stops there.
// Run: see BENCHMARKS.md "Chart laid out and drawn, in Chromium"; in WebKitGTK: scripts/bench-chart.
import { mount } from "svelte";
import DependencyChart from "../../src/chart/DependencyChart.svelte";
import { sharedLayoutElk } from "../../src/chart/elk";
import { cachedLayout, chartLayoutInput, clearLayouts, layoutKey } from "../../src/chart/layoutCache";
import { ChartPrelayout } from "../../src/chart/prelayout";
import { syntheticChart } from "../../src/chart/synthetic";

type Figures = { layoutMs: number; renderMs: number; maps: number; groupBoxes: boolean };
const n = Number(new URLSearchParams(location.search).get("n") ?? "500");
const target = document.getElementById("app")!;
const out = document.getElementById("result")!;
const { chart, groups } = syntheticChart(n);
let waiting: ((f: Figures) => void) | null = null;
const drawn = () => new Promise<Figures>((resolve) => (waiting = resolve));
const prelayout = new URLSearchParams(location.search).has("prelayout");
const runs: Record<string, Figures> = {};
if (prelayout) runs.background = await layOutInBackground();
const first = drawn();
mount(DependencyChart, {
  target,
  props: { chart, groups, findings: [], onOpenMap: () => {}, onDrawn: (f: Figures) => waiting?.(f) },
});
const q = <T extends Element>(id: string) => target.querySelector<T>(`[data-testid='${id}']`)!;
// Each draw is a real layout: the view would reuse the layout kept for an input it has seen.
async function change(act: () => void): Promise<Figures> {
  clearLayouts();
  const next = drawn();
  act();
  return next;
}
const setDirection = (d: string) => {
  const select = q<HTMLSelectElement>("chart-direction");
  select.value = d;
  select.dispatchEvent(new Event("change", { bubbles: true }));
};
runs[prelayout ? "opened" : "cold"] = await first;
if (prelayout || new URLSearchParams(location.search).has("first")) {
  // `&first`: stop after the first draw (a screenshot of the default layout).
  out.textContent = JSON.stringify({ n, runs });
  document.title = "done";
} else {
  await more();
}

async function more() {
  runs.down = await change(() => setDirection("DOWN"));
  runs.warm = await change(() => setDirection("RIGHT"));
  runs.toggled = await change(() => q<HTMLInputElement>("chart-group-boxes").click());
  runs.toggledAgain = await change(() => setDirection("DOWN"));
  const count = (id: string) => target.querySelectorAll(`[data-testid='${id}']`).length;
  const counts = { nodes: count("chart-node"), edges: count("chart-edge"), groups: count("chart-group") };
  out.textContent = JSON.stringify({ n, runs, counts });
  document.title = "done";
}

/** The app's background layout with no quiet time, timed until the layout is kept. */
async function layOutInBackground(): Promise<Figures> {
  const start = performance.now();
  const background = new ChartPrelayout({ elk: sharedLayoutElk(), debounceMs: 0 });
  background.schedule(chart, groups);
  const input = chartLayoutInput(chart, groups);
  const key = layoutKey(input);
  while (!cachedLayout(key)) await new Promise((r) => setTimeout(r, 5));
  const ms = Math.round(performance.now() - start);
  return { layoutMs: ms, renderMs: ms, maps: n, groupBoxes: input.groupBoxes };
}
