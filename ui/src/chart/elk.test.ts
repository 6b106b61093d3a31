import ELK from "elkjs/lib/elk.bundled.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorkerElk, LayoutCancelled, LayoutTimeout } from "./elk";
import { buildElkGraph } from "./layout";
import { smallChart, smallGroups } from "./fixture.test-data";

// In jsdom there is no Worker, so these run the bundled elkjs: the wrapper's own logic
// (result passing, cancel, timeout) is what is tested here.
describe("createWorkerElk", () => {
  it("lays a graph out", async () => {
    const result = await createWorkerElk().layout(buildElkGraph(smallChart, smallGroups));
    expect(result.children?.length).toBe(2);
  });

  it("rejects the layouts in flight when cancelled", async () => {
    const elk = createWorkerElk();
    const pending = elk.layout(buildElkGraph(smallChart, smallGroups));
    elk.cancel();
    await expect(pending).rejects.toBeInstanceOf(LayoutCancelled);
  });

  it("rejects with a timeout error when the layout takes too long", async () => {
    const pending = createWorkerElk(0).layout(buildElkGraph(smallChart, smallGroups));
    await expect(pending).rejects.toBeInstanceOf(LayoutTimeout);
  });

  it("lays out again after a cancel, a timeout and a dispose (a fresh instance each time)", async () => {
    const elk = createWorkerElk();
    const graph = () => buildElkGraph(smallChart, smallGroups);
    const first = elk.layout(graph());
    elk.cancel();
    await expect(first).rejects.toBeInstanceOf(LayoutCancelled);
    expect((await elk.layout(graph())).children?.length).toBe(2);
    elk.dispose();
    expect((await elk.layout(graph())).children?.length).toBe(2);
    // Nothing in flight: cancel keeps the instance and the next layout still works.
    elk.cancel();
    expect((await elk.layout(graph())).children?.length).toBe(2);
  });

  it("rejects every layout in flight when one times out, since they share the worker", async () => {
    const elk = createWorkerElk(0);
    const a = elk.layout(buildElkGraph(smallChart, smallGroups));
    const b = elk.layout(buildElkGraph(smallChart, smallGroups));
    await expect(a).rejects.toBeInstanceOf(LayoutTimeout);
    await expect(b).rejects.toBeInstanceOf(LayoutTimeout);
  });
});

describe("createWorkerElk with an idle time", () => {
  // The bundled elkjs' stand-in worker cannot be terminated, but the wrapper's call to end it
  // is what is checked: the same call ends the real worker in the app.
  const elkApi = Object.getPrototypeOf(ELK.prototype) as { terminateWorker(): void };
  const graph = () => buildElkGraph(smallChart, smallGroups);

  afterEach(() => vi.restoreAllMocks());

  it("ends the worker once unused for the idle time, and starts a fresh one after", async () => {
    const terminate = vi.spyOn(elkApi, "terminateWorker").mockImplementation(() => {});
    const elk = createWorkerElk({ idleMs: 30 });
    await elk.layout(graph());
    await elk.layout(graph()); // the idle time starts again after each layout
    expect(terminate).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(terminate).toHaveBeenCalledTimes(1));
    expect((await elk.layout(graph())).children?.length).toBe(2);
    await vi.waitFor(() => expect(terminate).toHaveBeenCalledTimes(2));
  });

  it("keeps the worker while it is held", async () => {
    const terminate = vi.spyOn(elkApi, "terminateWorker").mockImplementation(() => {});
    const elk = createWorkerElk({ idleMs: 10 });
    const release = elk.hold();
    await elk.layout(graph());
    await new Promise((r) => setTimeout(r, 50));
    expect(terminate).not.toHaveBeenCalled();
    release();
    await vi.waitFor(() => expect(terminate).toHaveBeenCalledTimes(1));
  });
});
