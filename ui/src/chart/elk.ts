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
 * An ElkLike running each layout on a fresh ELK instance (a fresh worker in the app), stopped
 * after `timeoutMs`; `cancel()` stops the layouts in flight (the view calls it when the chart
 * changes again or the view goes away, so a stale 500-map layout does not keep a core busy).
 */
export function createWorkerElk(timeoutMs = 120_000): ElkLike & { cancel(): void } {
  const running = new Set<() => void>();
  return {
    async layout(graph: ElkNode): Promise<ElkNode> {
      let stop: (reason: Error) => void = () => {};
      const stopped = new Promise<never>((_, reject) => (stop = reject));
      let elk: ElkInstance | undefined;
      let done = false;
      const cancel = () => {
        done = true;
        stopWorker(elk);
        stop(new LayoutCancelled());
      };
      running.add(cancel);
      const timer = setTimeout(() => {
        stopWorker(elk);
        stop(new LayoutTimeout(timeoutMs));
      }, timeoutMs);
      try {
        elk = await Promise.race([createElk(), stopped]);
        if (done) throw new LayoutCancelled();
        return await Promise.race([elk.layout(graph), stopped]);
      } finally {
        clearTimeout(timer);
        running.delete(cancel);
        stopWorker(elk);
      }
    },
    cancel() {
      for (const cancel of [...running]) cancel();
    },
  };
}
