// The open document: the project being edited, where it is saved, its latest analysis, whether
// it differs from the file, and undo/redo. Every edit produces a new Project (the editing
// function gets a structuredClone to change), is pushed on the history, and schedules a
// debounced re-analysis by the backend; only the newest analysis is applied.

import type { Analysis, OpenedProject, Project } from "../bindings";
import { canRedo, canUndo, createHistory, push, redo, undo, type History } from "./history";
import { LatestOnly } from "./latest";

export interface DocumentOptions {
  /** Asks the core to validate and chart a project (backend.analyze in the app). */
  analyze: (project: Project) => Promise<Analysis>;
  /** Quiet time after the last edit before analysing; 150 ms by default. */
  debounceMs?: number;
  historyLimit?: number;
  /** A failed analysis (the previous analysis stays on screen). */
  onAnalyzeError?: (error: unknown) => void;
}

/** Changes the draft in place or returns a replacement. */
export type ProjectChange = (draft: Project) => Project | void;

const snapshot = (project: Project) => JSON.stringify(project);

export class ProjectDocument {
  path = $state<string | null>(null);
  analysis: Analysis = $state.raw(null as unknown as Analysis);
  #history: History<Project> = $state.raw(null as unknown as History<Project>);
  #saved = $state("");

  readonly project: Project = $derived(this.#history.present);
  readonly dirty: boolean = $derived(snapshot(this.#history.present) !== this.#saved);
  readonly canUndo: boolean = $derived(canUndo(this.#history));
  readonly canRedo: boolean = $derived(canRedo(this.#history));

  readonly #options: Required<Omit<DocumentOptions, "onAnalyzeError">> &
    Pick<DocumentOptions, "onAnalyzeError">;
  readonly #latest = new LatestOnly();
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(opened: OpenedProject, options: DocumentOptions) {
    this.#options = { debounceMs: 150, historyLimit: 200, ...options };
    this.open(opened);
  }

  /** Replaces the document with a freshly opened (or created, or imported) project. */
  open(opened: OpenedProject): void {
    this.#cancelTimer();
    this.#latest.invalidate();
    this.path = opened.path;
    this.analysis = opened.analysis;
    this.#history = createHistory(opened.project, this.#options.historyLimit);
    // Dirty means "differs from what was opened or last saved"; a new or imported project
    // without a file is not dirty until edited (the status bar says it is not saved).
    this.#saved = snapshot(opened.project);
  }

  /** Applies an edit: one undo step, then a debounced re-analysis. */
  edit(change: ProjectChange): void {
    const draft = structuredClone(this.#history.present);
    const next = change(draft) ?? draft;
    if (snapshot(next) === snapshot(this.#history.present)) return;
    this.#history = push(this.#history, next);
    this.#scheduleAnalysis();
  }

  undo(): void {
    if (!this.canUndo) return;
    this.#history = undo(this.#history);
    this.#scheduleAnalysis();
  }

  redo(): void {
    if (!this.canRedo) return;
    this.#history = redo(this.#history);
    this.#scheduleAnalysis();
  }

  /** Records that `project` is now what the file at `path` holds. */
  markSaved(path: string, project: Project): void {
    this.path = path;
    this.#saved = snapshot(project);
  }

  /** Runs the pending analysis now (tests, and before a save). */
  flushAnalysis(): Promise<void> {
    this.#cancelTimer();
    return this.#analyze();
  }

  /** Stops pending work; call when the document is thrown away. */
  dispose(): void {
    this.#cancelTimer();
    this.#latest.invalidate();
  }

  #scheduleAnalysis(): void {
    this.#cancelTimer();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#analyze();
    }, this.#options.debounceMs);
  }

  async #analyze(): Promise<void> {
    const ticket = this.#latest.begin();
    const project = this.#history.present;
    try {
      const analysis = await this.#options.analyze(project);
      if (this.#latest.isCurrent(ticket)) this.analysis = analysis;
    } catch (error) {
      if (this.#latest.isCurrent(ticket)) this.#options.onAnalyzeError?.(error);
    }
  }

  #cancelTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
