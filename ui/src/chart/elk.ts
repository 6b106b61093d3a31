// Where ELK runs. In the app: in a Web Worker (elkjs' own worker script, served from our
// origin, so the strict CSP holds). Hierarchical layered layout of hundreds of maps takes
// seconds; on the main thread that would freeze the window, and a runaway layout could not be
// stopped. A worker keeps the UI responsive and can be terminated on timeout. Without Worker
// (vitest/jsdom) the bundled elkjs runs on the main thread instead.
import type { ElkNode } from "elkjs/lib/elk-api";
import type { ElkLike } from "./layout";

export class LayoutTimeout extends Error {
  constructor(ms: number) {
    super(`The layout took longer than ${Math.round(ms / 1000)} s and was stopped.`);
  }
}

interface ElkInstance extends ElkLike { terminateWorker?: () => void }

async function createElk(): Promise<ElkInstance> {
  if (typeof Worker !== "undefined") {
    const [{ default: ELK }, { default: workerUrl }] = await Promise.all([
      import("elkjs/lib/elk-api.js"),
      import("elkjs/lib/elk-worker.min.js?url"),
    ]);
    return new ELK({ workerUrl }) as unknown as ElkInstance;
  }
  const { default: ELK } = await import("elkjs/lib/elk.bundled.js");
  return new ELK() as unknown as ElkInstance;
}

// The bundled ELK's stand-in worker has no terminate(); only a real worker is stopped.
function stopWorker(elk: ElkInstance | undefined): void {
  try {
    elk?.terminateWorker?.();
  } catch {
    // nothing to stop
  }
}

export class LayoutCancelled extends Error {
  constructor() {
    super("The layout was cancelled.");
  }
}

/**
 * An ElkLike running the layouts on one ELK instance (one worker in the app), stopped after
 * `timeoutMs`. The instance is kept between layouts: elkjs is compiled Java whose first run in
 * a fresh worker is 2-4x slower than the next ones (JIT warm-up, BENCHMARKS.md), and the chart
 * is laid out again on every edit. `cancel()` stops the layouts in flight (the view calls it
 * when the chart changes again, so a stale 500-map layout does not keep a core busy); stopping
 * means terminating the worker, so the next layout starts a fresh one. `dispose()` ends the
 * worker when the view goes away.
 */
export function createWorkerElk(timeoutMs = 120_000): ElkLike & { cancel(): void; dispose(): void } {
  const running = new Set<(reason: Error) => void>();
  let instance: Promise<ElkInstance> | undefined;
  let current: ElkInstance | undefined;
  let generation = 0;

  // Ends the worker and rejects every layout in flight on it with `reason`.
  const stopAll = (reason: () => Error) => {
    generation++;
    stopWorker(current);
    current = undefined;
    instance = undefined;
    for (const stop of [...running]) stop(reason());
  };

  return {
    async layout(graph: ElkNode): Promise<ElkNode> {
      let stop: (reason: Error) => void = () => {};
      const stopped = new Promise<never>((_, reject) => (stop = reject));
      running.add(stop);
      const timer = setTimeout(() => stopAll(() => new LayoutTimeout(timeoutMs)), timeoutMs);
      try {
        if (!instance) {
          const mine = generation;
          instance = createElk().then((elk) => {
            // Stopped while the worker was starting: end it rather than keep it.
            if (mine !== generation) stopWorker(elk);
            else current = elk;
            return elk;
          });
        }
        const elk = await Promise.race([instance, stopped]);
        return await Promise.race([elk.layout(graph), stopped]);
      } finally {
        clearTimeout(timer);
        running.delete(stop);
      }
    },
    cancel() {
      if (running.size > 0) stopAll(() => new LayoutCancelled());
    },
    dispose() {
      stopAll(() => new LayoutCancelled());
    },
  };
}
