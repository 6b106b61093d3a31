// The chart laid out before it is asked for. The first layout after opening the chart view
// pays for starting the worker and elkjs' JIT warm-up: 1.1-1.2 s for 500 maps in WebKitGTK
// against 430-520 ms warm, over the 1 s target (BENCHMARKS.md). So when a project is opened or
// edited and the chart view is closed, the chart is laid out in the background, a short quiet
// time after the last change, through the same `layoutFor` and defaults as the view
// (layoutCache.ts): opening the view then draws the kept layout at once.
//
// It runs on the shared layout worker (elk.ts), which ends itself a while after its last use,
// so consecutive edits lay out warm and no worker idles for long. One background layout at a
// time: a newer change cancels the one in progress. Nothing runs while the view is open (it
// lays out itself) nor without a Web Worker (on the main thread it would block the window).
// Errors are only logged at debug level: the view lays out again and shows them itself.
import type { ChartExport, Group } from "../bindings";
import { sharedLayoutElk } from "./elk";
import type { ElkLike } from "./layout";
import { cachedLayout, chartLayoutInput, layoutFor, layoutKey, type LayoutInput } from "./layoutCache";

/** Quiet time after the last change before laying out in the background. */
export const PRELAYOUT_DEBOUNCE_MS = 1_500;

export interface PrelayoutOptions {
  elk: ElkLike;
  debounceMs?: number;
}

export interface ScheduleOptions {
  /**
   * No quiet time: a project was just opened (one change, not the first of a burst of edits), so
   * the layout starts at once and is more likely to be ready when the chart view is opened.
   */
  immediate?: boolean;
}

export class ChartPrelayout {
  readonly #elk: ElkLike;
  readonly #debounceMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The key being laid out in the background, if any. */
  #runningKey: string | undefined;
  #running: Promise<void> | undefined;
  #viewsOpen = 0;
  /** Bumped by every change: a layout waiting to start for an older one does not start. */
  #generation = 0;

  constructor(options: PrelayoutOptions) {
    this.#elk = options.elk;
    this.#debounceMs = options.debounceMs ?? PRELAYOUT_DEBOUNCE_MS;
  }

  /**
   * The chart changed (project opened or edited): lays it out after the quiet time. Nothing is
   * computed per change (an edit of a 500-map project comes with every keystroke): the layout
   * input and its key are worked out once the quiet time has passed.
   */
  schedule(chart: ChartExport, groups: Group[], options: ScheduleOptions = {}): void {
    if (this.#viewsOpen > 0 || chart.nodes.length === 0) return;
    const generation = ++this.#generation;
    this.#stopTimer();
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#start(chart, groups, generation);
      },
      options.immediate ? 0 : this.#debounceMs,
    );
  }

  /** The chart view opened: it lays out itself until the returned function is called. */
  viewOpened(): () => void {
    this.#viewsOpen++;
    this.#generation++;
    this.#stopTimer();
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#viewsOpen--;
    };
  }

  /** Settles when the background layout in progress, if any, has ended (tests). */
  async settled(): Promise<void> {
    await this.#running;
  }

  /** Stops the pending and running background layout. */
  dispose(): void {
    this.#stopTimer();
    this.#cancelRunning();
  }

  #start(chart: ChartExport, groups: Group[], generation: number): void {
    if (this.#viewsOpen > 0 || generation !== this.#generation) return;
    const input = chartLayoutInput(chart, groups);
    const key = layoutKey(input);
    // The layout in progress is for this very chart (an edit and its undo): let it finish.
    if (key === this.#runningKey) return;
    // Superseded: the layout in progress is for an older chart.
    this.#cancelRunning();
    if (cachedLayout(key)) return;
    void this.#run(key, input, generation);
  }

  async #run(key: string, input: LayoutInput, generation: number): Promise<void> {
    // Never two at once: the previous one was cancelled; wait until it has let go.
    await this.#running;
    if (this.#viewsOpen > 0 || generation !== this.#generation) return;
    this.#runningKey = key;
    const running = layoutFor(this.#elk, input, key).then(
      () => undefined,
      (error: unknown) => console.debug("Background chart layout failed (the chart view lays out again):", error),
    );
    this.#running = running.finally(() => {
      if (this.#runningKey === key) this.#runningKey = undefined;
    });
    await this.#running;
  }

  #cancelRunning(): void {
    if (this.#runningKey === undefined) return;
    this.#runningKey = undefined;
    this.#elk.cancel?.();
  }

  #stopTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

let app: ChartPrelayout | null | undefined;

/** The app's background layout on the shared worker; null without Web Workers (tests, jsdom). */
export function chartPrelayout(): ChartPrelayout | null {
  if (app === undefined) {
    app = typeof Worker === "undefined" ? null : new ChartPrelayout({ elk: sharedLayoutElk() });
  }
  return app;
}
