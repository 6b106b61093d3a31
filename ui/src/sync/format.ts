// Formatting for the test sync view: durations, rates, ETAs and error categories as consultants
// read them. Pure functions so the wording is tested once and every panel says the same thing.

import type { ErrorCategory, Side } from "../bindings";

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, "0")} min`;
  return `${m} min ${String(s).padStart(2, "0")} s`;
}

/** The time left: "about 12 s left", "done", or "–" when unknown. */
export function formatEta(seconds: number | null | undefined, finished = false): string {
  if (finished) return "done";
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return "–";
  }
  if (seconds < 1) return "less than 1 s left";
  return `about ${formatDuration(seconds * 1000)} left`;
}

/** "1,234 rows/s", "0.5 rows/s", "–" when nothing moved yet. */
export function formatRate(rowsPerSecond: number): string {
  if (!Number.isFinite(rowsPerSecond) || rowsPerSecond <= 0) return "–";
  if (rowsPerSecond < 10) return `${rowsPerSecond.toFixed(1)} rows/s`;
  return `${formatCount(Math.round(rowsPerSecond))} rows/s`;
}

/**
 * The pace of one map's run: "1,234 rows/s · about 12 s left", "1,234 rows/s · done", or just
 * "done" when no rate was measured (a map too small to time); "–" while nothing is known yet.
 */
export function formatPace(rowsPerSecond: number, etaSeconds: number | null | undefined, finished: boolean): string {
  const parts = [formatRate(rowsPerSecond), formatEta(etaSeconds, finished)].filter((part) => part !== "–");
  return parts.length === 0 ? "–" : parts.join(" · ");
}

/** Thousands separated with commas, independent of the machine's locale. */
export function formatCount(n: number): string {
  const sign = n < 0 ? "-" : "";
  const digits = String(Math.trunc(Math.abs(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Fraction done in [0, 1]; null when the total is unknown. */
export function fraction(done: number, total: number | null): number | null {
  if (total === null) return null;
  if (total <= 0) return 1;
  return Math.min(1, Math.max(0, done / total));
}

/** "1,200 / 5,000 rows" or "1,200 rows" when the total is unknown. */
export function formatProgress(done: number, total: number | null): string {
  return total === null
    ? `${formatCount(done)} rows`
    : `${formatCount(done)} / ${formatCount(total)} rows`;
}

export const CATEGORIES: ErrorCategory[] = ["application", "system", "concurrency", "conflict"];

const CATEGORY_LABELS: Record<ErrorCategory, string> = {
  application: "application",
  system: "system (retryable)",
  concurrency: "concurrency (stale version skipped)",
  conflict: "conflict",
};

const CATEGORY_HINTS: Record<ErrorCategory, string> = {
  application: "The data or the maps need a fix (lookup not found, constraint, transform).",
  system: "A connection or time-out problem: retrying may help.",
  concurrency: "The row changed again before the entry ran; the newer version wins.",
  conflict: "Both sides changed the row; the primary side's values won.",
};

export function categoryLabel(category: string): string {
  return (CATEGORY_LABELS as Record<string, string>)[category] ?? category;
}

export function categoryHint(category: string): string {
  return (CATEGORY_HINTS as Record<string, string>)[category] ?? "";
}

export function sideLabel(side: Side): string {
  return side === "fno" ? "F&O" : "Dataverse";
}

/** A timestamp (ms since the epoch) as local "YYYY-MM-DD HH:MM:SS". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A JSON value in a table cell: strings bare, null as an em dash, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}
