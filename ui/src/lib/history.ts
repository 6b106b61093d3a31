// Undo/redo history of immutable snapshots. Pure so that it can be tested without Svelte; the
// document state (document.svelte.ts) keeps one of these and swaps it on every edit.

export interface History<T> {
  readonly past: readonly T[];
  readonly present: T;
  readonly future: readonly T[];
  /** How many undo steps are kept; the oldest are dropped beyond it. */
  readonly limit: number;
}

export const DEFAULT_HISTORY_LIMIT = 200;

export function createHistory<T>(present: T, limit = DEFAULT_HISTORY_LIMIT): History<T> {
  return { past: [], present, future: [], limit: Math.max(1, limit) };
}

/** Records a new present; the redo branch is discarded. */
export function push<T>(history: History<T>, next: T): History<T> {
  const past = [...history.past, history.present];
  const overflow = past.length - history.limit;
  return {
    past: overflow > 0 ? past.slice(overflow) : past,
    present: next,
    future: [],
    limit: history.limit,
  };
}

export const canUndo = <T>(history: History<T>) => history.past.length > 0;
export const canRedo = <T>(history: History<T>) => history.future.length > 0;

export function undo<T>(history: History<T>): History<T> {
  if (!canUndo(history)) return history;
  const past = history.past.slice(0, -1);
  const present = history.past[history.past.length - 1];
  return { past, present, future: [history.present, ...history.future], limit: history.limit };
}

export function redo<T>(history: History<T>): History<T> {
  if (!canRedo(history)) return history;
  const [present, ...future] = history.future;
  return { past: [...history.past, history.present], present, future, limit: history.limit };
}
