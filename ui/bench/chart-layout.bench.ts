// The chart's layout time (elkjs, the same graphs and options the app uses) for the 93-map
// standard size and the 500-map target, on synthetic charts, both ways: with group boxes
// (compound nodes, INCLUDE_CHILDREN: the default up to LARGE_CHART maps, and the only layout
// before the flat one) and flat (the default above LARGE_CHART). Run: `npx vitest bench --run`.
// Node.js after one warm-up run, so these are warm figures; the first layout in a fresh worker
// is slower (bench/render measures that, in Chromium). Figures go to BENCHMARKS.md; nothing is
// asserted.
import { bench, describe } from "vitest";
import ELK from "elkjs/lib/elk.bundled.js";
import { syntheticChart } from "../src/chart/synthetic";
import { buildElkGraph, toChartLayout } from "../src/chart/layout";

const elk = new ELK();

for (const size of [93, 500]) {
  const { chart, groups } = syntheticChart(size);
  describe(`${size} maps`, () => {
    for (const groupBoxes of [true, false]) {
      bench(
        groupBoxes ? "group boxes (INCLUDE_CHILDREN)" : "flat",
        async () => {
          const result = await elk.layout(buildElkGraph(chart, groups, "RIGHT", groupBoxes));
          toChartLayout(result, chart, groups);
        },
        { iterations: 5, warmupIterations: 1, time: 0 },
      );
    }
  });
}
