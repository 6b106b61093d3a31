// The chart's layout time (elkjs, the same graph and options the app uses) for the 93-map
// standard size and the 500-map target, on synthetic charts. Run: `npx vitest bench --run`.
// Figures go to BENCHMARKS.md; nothing is asserted.
import { bench, describe } from "vitest";
import ELK from "elkjs/lib/elk.bundled.js";
import { syntheticChart } from "../src/chart/synthetic";
import { buildElkGraph, toChartLayout } from "../src/chart/layout";

const elk = new ELK();

for (const size of [93, 500]) {
  const { chart, groups } = syntheticChart(size);
  describe(`${size} maps`, () => {
    bench(
      "elkjs layout + positioned model",
      async () => {
        const result = await elk.layout(buildElkGraph(chart, groups, "RIGHT"));
        toChartLayout(result, chart, groups);
      },
      { iterations: 3, warmupIterations: 1, time: 0 },
    );
  });
}
