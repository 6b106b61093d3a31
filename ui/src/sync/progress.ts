// The state of a running test sync, folded from the backend's RunProgress events: one entry per
// map (rows done, total, rate, ETA; per legal entity the latest pass wins), async rounds, and
// the overall fraction the top bar shows.

import type { RoundReport, RunProgress, SyncRunKind } from "../bindings";

export interface MapProgress {
  mapId: string;
  legalEntity: string | null;
  pass: "first" | "second";
  rowsDone: number;
  total: number | null;
  rowsPerSecond: number;
  etaSeconds: number | null;
  finished: boolean;
}

export interface RunState {
  kind: SyncRunKind | null;
  /** Map ids in the order the engine announced them. */
  order: string[];
  maps: Record<string, MapProgress>;
  /** Async: the latest round's number and report. */
  round: { round: number; report: RoundReport } | null;
}

export function emptyRun(): RunState {
  return { kind: null, order: [], maps: {}, round: null };
}

/** The state after one event; the input is not changed. */
export function applyProgress(state: RunState, event: RunProgress): RunState {
  switch (event.event) {
    case "started":
      return { kind: event.kind, order: [...event.maps], maps: {}, round: null };
    case "map": {
      const order = state.order.includes(event.mapId) ? state.order : [...state.order, event.mapId];
      const entry: MapProgress = {
        mapId: event.mapId,
        legalEntity: event.legalEntity,
        pass: event.pass,
        rowsDone: event.rowsDone,
        total: event.total,
        rowsPerSecond: event.rowsPerSecond,
        etaSeconds: event.etaSeconds,
        finished: event.finished,
      };
      return { ...state, order, maps: { ...state.maps, [event.mapId]: entry } };
    }
    case "round":
      return { ...state, round: { round: event.round, report: event.report } };
  }
}

/**
 * Overall fraction in [0, 1]: finished maps count whole, maps with a total count their share,
 * maps not started count zero; null when some started map has no known total.
 */
export function overallFraction(state: RunState): number | null {
  if (state.order.length === 0) return null;
  let sum = 0;
  for (const id of state.order) {
    const m = state.maps[id];
    if (!m) continue;
    if (m.finished) sum += 1;
    else if (m.total === null) return null;
    else sum += m.total <= 0 ? 1 : Math.min(1, m.rowsDone / m.total);
  }
  return sum / state.order.length;
}

export function finishedMaps(state: RunState): number {
  return state.order.filter((id) => state.maps[id]?.finished).length;
}
