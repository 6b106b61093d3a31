// Sums of a finished run for the results panel: unresolved errors per category over all maps,
// and the async round totals in the words of the error categories.

import type { RoundReport, Status } from "../bindings";
import { CATEGORIES } from "./format";

/** Unresolved errors per category (every category present, zero when none). */
export function errorCounts(status: Status): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0]));
  for (const map of status.maps) {
    for (const [category, n] of Object.entries(map.errors)) counts[category] = (counts[category] ?? 0) + n;
  }
  return counts;
}

/** The round totals as labelled numbers, in the order the panel shows them. */
export function roundTotals(report: RoundReport): { key: string; label: string; value: number }[] {
  return [
    { key: "applied", label: "applied", value: report.applied },
    { key: "unchanged", label: "unchanged", value: report.unchanged },
    { key: "skipped", label: "skipped (concurrency)", value: report.skipped },
    { key: "conflicts", label: "conflicts", value: report.conflicts },
    { key: "failed", label: "failed (application)", value: report.failed },
    { key: "retried", label: "retried (system)", value: report.retried },
    { key: "held", label: "held (parent missing)", value: report.held },
    { key: "rejected", label: "rejected (circuit open)", value: report.rejected },
  ];
}
