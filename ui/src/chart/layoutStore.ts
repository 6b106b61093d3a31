// The last chart layout, kept across restarts of the app. The in-memory cache (layoutCache.ts)
// starts empty on every start, so the first chart after a start paid for a cold layout in the
// background (a fresh worker and elkjs' JIT warm-up: 1.4-2.9 s for 500 maps in WebKitGTK,
// BENCHMARKS.md) even when the project had not changed since the last session, and opening the
// chart view within that time waited for it. Reopening the same project is the common case, so
// the most recent layout is also written to the web view's localStorage (WebKit keeps it in the
// app's data directory) and read back when the memory cache misses: the view draws at once and
// no worker starts at all.
//
// One layout only (a 500-map layout and its key are about a megabyte of text, and localStorage
// holds a few), stored as two items so that a lookup compares the key text and parses the
// layout only when it matches. The key is the layout's whole input (layoutKey), so a stored
// layout can never be drawn for another chart; FORMAT is part of the item names and changes
// when ChartLayout's shape does, and a value that does not have that shape is ignored. Storage
// that is missing, full or refused only means a cold layout, as before: nothing here throws.
import type { ChartLayout } from "./layout";

/** Bumped when ChartLayout's shape changes, so older stored layouts are not read. */
const FORMAT = 1;
const KEY_ITEM = `dualwrite.chartLayout.v${FORMAT}.key`;
const LAYOUT_ITEM = `dualwrite.chartLayout.v${FORMAT}.layout`;

function storage(): Storage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined; // access refused (e.g. storage disabled)
  }
}

function isLayout(value: unknown): value is ChartLayout {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.width === "number" &&
    typeof v.height === "number" &&
    Array.isArray(v.nodes) &&
    Array.isArray(v.groups) &&
    Array.isArray(v.edges)
  );
}

/** The stored layout for exactly this key, if it is the one stored. */
export function storedLayout(key: string): ChartLayout | undefined {
  const store = storage();
  try {
    if (store?.getItem(KEY_ITEM) !== key) return undefined;
    const layout: unknown = JSON.parse(store.getItem(LAYOUT_ITEM) ?? "null");
    return isLayout(layout) ? layout : undefined;
  } catch (error) {
    console.debug("The stored chart layout could not be read; laying out again:", error);
    return undefined;
  }
}

/** Stores `layout` as the one to find after a restart, replacing the previous one. */
export function storeLayout(key: string, layout: ChartLayout): void {
  const store = storage();
  if (!store || store.getItem(KEY_ITEM) === key) return;
  try {
    // The key last: a half-done write (quota) never pairs a key with another chart's layout.
    store.removeItem(KEY_ITEM);
    store.setItem(LAYOUT_ITEM, JSON.stringify(layout));
    store.setItem(KEY_ITEM, key);
  } catch (error) {
    forgetStoredLayout();
    console.debug("The chart layout could not be stored for the next start:", error);
  }
}

/** Removes the stored layout (tests, or storage that refused it). */
export function forgetStoredLayout(): void {
  try {
    storage()?.removeItem(KEY_ITEM);
    storage()?.removeItem(LAYOUT_ITEM);
  } catch {
    // Nothing stored that could be read either.
  }
}
