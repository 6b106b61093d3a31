// Drives the chart render bench page (ui/bench/render/) in WebKitGTK's MiniBrowser through
// WebKitWebDriver, so the chart's figures come from the engine the app runs in (JavaScriptCore),
// not Chromium's V8. Started by scripts/bench-chart, which owns the vite server, the driver and the
// X display; this script only opens one WebDriver session, loads the page for each map count
// several times (each load is a fresh worker: "cold" is its first layout) and prints what the page
// reports in #result. Nothing is asserted: the figures go to BENCHMARKS.md.
// Env: BENCH_URL (the vite server), WEBDRIVER_PORT, RUNS (loads per map count, default 3),
// BENCH_MAPS (comma-separated map counts, default "93,500"), MINIBROWSER (the binary),
// BENCH_PRELAYOUT=1 (the chart laid out in the background first, then the view opened).
import { readFileSync } from "node:fs";
import { remote } from "webdriverio";

const base = process.env.BENCH_URL;
const port = Number(process.env.WEBDRIVER_PORT);
const runs = Number(process.env.RUNS ?? "3");
const maps = (process.env.BENCH_MAPS ?? "93,500").split(",").map(Number);
const binary = process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";
if (!base || !port) throw new Error("BENCH_URL and WEBDRIVER_PORT must be set (run scripts/bench-chart)");

const prelayout = process.env.BENCH_PRELAYOUT === "1";
// The page's phases, in the order it draws them (see ui/bench/render/render.ts).
const phases = prelayout ? [
  ["background", "laid out in the background first, fresh worker (prelayout.ts)"],
  ["opened", "chart view opened after it: drawn from the cache"],
] : [
  ["cold", "default layout, first in a fresh worker"],
  ["down", "other direction"],
  ["warm", "default layout again"],
  ["toggled", "group boxes toggled"],
  ["toggledAgain", "group boxes toggled, other direction"],
];

/** Loads the page for `n` maps and returns its #result, once it has set the title to "done". */
async function load(browser, n) {
  await browser.url(`${base}/bench/render/index.html?n=${n}${prelayout ? "&prelayout" : ""}`);
  await browser.waitUntil(async () => (await browser.getTitle()) === "done", {
    timeout: 300_000,
    interval: 250,
    timeoutMsg: `the bench page for ${n} maps did not finish within 300 s`,
  });
  return JSON.parse(await browser.$("#result").getText());
}

const browser = await remote({
  hostname: "127.0.0.1",
  port,
  logLevel: "warn",
  connectionRetryCount: 0,
  connectionRetryTimeout: 60_000,
  capabilities: {
    browserName: "MiniBrowser",
    "wdio:enforceWebDriverClassic": true,
    // This MiniBrowser has no --headless: it runs on the X display scripts/bench-chart provides.
    "webkitgtk:browserOptions": { binary, args: ["--automation"] },
  },
});
try {
  // The page is 1400x900: size the window so that the viewport is that (the window has chrome).
  await browser.setWindowSize(1400, 900).catch(() => {});
  const inner = await browser.execute(() => [window.innerWidth, window.innerHeight]);
  await browser.setWindowSize(2800 - inner[0], 1800 - inner[1]).catch(() => {});
  const agent = await browser.execute(() => navigator.userAgent);
  const size = await browser.execute(() => `${window.innerWidth}x${window.innerHeight}`);
  console.log(`browser: ${agent}, viewport ${size}`);
  // Not measured: the first load makes vite transform the modules and elkjs' worker script.
  await load(browser, maps[0]);
  for (const n of maps) {
    const results = [];
    for (let i = 1; i <= runs; i++) {
      const result = await load(browser, n);
      results.push(result);
      const line = phases
        .map(([phase]) => `${phase} ${result.runs[phase].layoutMs}/${result.runs[phase].renderMs}`)
        .join(", ");
      // The machine is shared: the 1-minute load average after each load puts the figures in context.
      const loadAverage = readFileSync("/proc/loadavg", "utf8").split(" ")[0];
      console.log(`${n} maps, run ${i} (laid out/drawn ms): ${line}; drawn ${JSON.stringify(result.counts)}; load ${loadAverage}`);
    }
    console.log(`${n} maps, ${runs} runs, laid out / laid out and drawn, min-max:`);
    for (const [phase, what] of phases) {
      const figures = results.map((r) => r.runs[phase]);
      const range = (key) => {
        const values = figures.map((f) => f[key]);
        return `${Math.min(...values)}-${Math.max(...values)}`;
      };
      const boxes = figures[0].groupBoxes ? "group boxes" : "flat";
      console.log(`  ${phase.padEnd(12)} ${boxes.padEnd(11)} ${range("layoutMs")} / ${range("renderMs")} ms  (${what})`);
    }
  }
} finally {
  await browser.deleteSession().catch(() => {});
}
