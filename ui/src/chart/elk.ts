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

export interface WorkerElkOptions {
  /** A layout running longer than this is stopped (LayoutTimeout). */
  timeoutMs?: number;
  /**
   * With no layout in flight and no `hold()`, the worker is ended after this long (its memory
   * given back); the next layout starts a fresh one. Undefined: kept until `dispose()`.
   */
  idleMs?: number;
}

export type WorkerElk = ElkLike & {
  cancel(): void;
  dispose(): void;
  /** Keeps the worker alive until the returned function is called (the chart view, while mounted). */
  hold(): () => void;
};

/**
 * An ElkLike running the layouts on one ELK instance (one worker in the app), stopped after
 * `timeoutMs`. The instance is kept between layouts: elkjs is compiled Java whose first run in
 * a fresh worker is 2-4x slower than the next ones (JIT warm-up, BENCHMARKS.md), and the chart
 * is laid out again on every edit. `cancel()` stops the layouts in flight (the view calls it
 * when the chart changes again, so a stale 500-map layout does not keep a core busy); stopping
 * means terminating the worker, so the next layout starts a fresh one. `dispose()` ends the
 * worker; with `idleMs`, it also ends by itself once unused and unheld for that long.
 */
export function createWorkerElk(options: number | WorkerElkOptions = {}): WorkerElk {
  const { timeoutMs = 120_000, idleMs } = typeof options === "number" ? { timeoutMs: options } : options;
  const running = new Set<(reason: Error) => void>();
  let instance: Promise<ElkInstance> | undefined;
  let current: ElkInstance | undefined;
  let generation = 0;
  let holds = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  // Ends the worker and rejects every layout in flight on it with `reason`.
  const stopAll = (reason: () => Error) => {
    generation++;
    stopWorker(current);
    current = undefined;
    instance = undefined;
    for (const stop of [...running]) stop(reason());
  };

  const stopIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  };
  // Counts down to ending the worker once nothing runs on it and nobody holds it.
  const startIdleTimer = () => {
    stopIdleTimer();
    if (idleMs === undefined || running.size > 0 || holds > 0 || !instance) return;
    idleTimer = setTimeout(() => {
      idleTimer = undefined;
      stopAll(() => new LayoutCancelled());
    }, idleMs);
  };

  return {
    async layout(graph: ElkNode): Promise<ElkNode> {
      stopIdleTimer();
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
        startIdleTimer();
      }
    },
    cancel() {
      if (running.size > 0) stopAll(() => new LayoutCancelled());
    },
    dispose() {
      stopIdleTimer();
      stopAll(() => new LayoutCancelled());
    },
    hold() {
      holds++;
      stopIdleTimer();
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        holds--;
        startIdleTimer();
      };
    },
  };
}

/** How long the shared worker outlives its last layout: consecutive edits re-lay out warm. */
export const SHARED_IDLE_MS = 25_000;
let shared: WorkerElk | undefined;

/**
 * The one layout worker of the app, used by the chart view and the background layout
 * (prelayout.ts): one warm elkjs for both, ended SHARED_IDLE_MS after its last use unless the
 * chart view holds it, so no worker idles for long.
 */
export function sharedLayoutElk(): WorkerElk {
  shared ??= createWorkerElk({ idleMs: SHARED_IDLE_MS });
  return shared;
}
