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

/** Runs one layout on a fresh ELK instance; rejects with LayoutTimeout after `timeoutMs`. */
export async function runElk(graph: ElkNode, timeoutMs = 120_000): Promise<ElkNode> {
  const elk = await createElk();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LayoutTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([elk.layout(graph), timeout]);
  } finally {
    clearTimeout(timer);
    elk.terminateWorker?.();
  }
}

/** An ElkLike running each layout through `runElk`. */
export const workerElk: ElkLike = { layout: (graph) => runElk(graph) };
