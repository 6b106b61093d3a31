// The state of a running test sync, folded from the backend's RunProgress events: one entry per
// map, adding up its legal entities (the engine reports each legal entity of a map on its own;
// per legal entity the latest pass wins), async rounds, and the overall fraction the top bar
// shows.

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
  /** Per map, the latest event of each legal entity ("" for maps without one). */
  parts: Record<string, Record<string, MapProgress>>;
  /** Async: the latest round's number and report. */
  round: { round: number; report: RoundReport } | null;
}

export function emptyRun(): RunState {
  return { kind: null, order: [], maps: {}, parts: {}, round: null };
}

/** The state after one event; the input is not changed. */
export function applyProgress(state: RunState, event: RunProgress): RunState {
  switch (event.event) {
    case "started":
      return { kind: event.kind, order: [...event.maps], maps: {}, parts: {}, round: null };
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
      const parts = { ...(state.parts[event.mapId] ?? {}), [event.legalEntity ?? ""]: entry };
      return {
        ...state,
        order,
        maps: { ...state.maps, [event.mapId]: combine(entry, Object.values(parts)) },
        parts: { ...state.parts, [event.mapId]: parts },
      };
    }
    case "round":
      return { ...state, round: { round: event.round, report: event.report } };
  }
}

/** One map's progress over its legal entities; `latest` names the legal entity and pass. */
function combine(latest: MapProgress, parts: MapProgress[]): MapProgress {
  const totals = parts.map((p) => p.total);
  const running = parts.filter((p) => !p.finished);
  const etas = running.map((p) => p.etaSeconds);
  return {
    ...latest,
    rowsDone: parts.reduce((sum, p) => sum + p.rowsDone, 0),
    total: totals.includes(null) ? null : totals.reduce<number>((sum, t) => sum + (t ?? 0), 0),
    rowsPerSecond: running.reduce((sum, p) => sum + p.rowsPerSecond, 0),
    etaSeconds: etas.length === 0 || etas.includes(null) ? null : Math.max(...(etas as number[])),
    finished: parts.every((p) => p.finished),
  };
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
