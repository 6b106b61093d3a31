// Zoom and pan arithmetic of the chart view: a transform `translate(x,y) scale(k)` applied to
// the drawing. Pure functions of sizes and points, so fit, zoom about a point and centring are
// tested without a browser.
import type { Box } from "./layout";

export interface View { x: number; y: number; k: number }

export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 4;

const clampZoom = (k: number) => Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, k));

/** The view showing the whole drawing inside a viewport, with a margin, never above 1:1. */
export function fitView(width: number, height: number, vw: number, vh: number, margin = 24): View {
  if (width <= 0 || height <= 0 || vw <= 0 || vh <= 0) return { x: margin, y: margin, k: 1 };
  const k = clampZoom(Math.min((vw - 2 * margin) / width, (vh - 2 * margin) / height, 1));
  return { x: (vw - width * k) / 2, y: (vh - height * k) / 2, k };
}

/** Zooms by `factor` keeping the viewport point (px, py) fixed. */
export function zoomAt(view: View, factor: number, px: number, py: number): View {
  const k = clampZoom(view.k * factor);
  const f = k / view.k;
  return { k, x: px - (px - view.x) * f, y: py - (py - view.y) * f };
}

/** Moves the view so the box's centre is in the viewport's centre (zoom kept). */
export function centerOn(view: View, box: Box, vw: number, vh: number): View {
  return { k: view.k, x: vw / 2 - (box.x + box.w / 2) * view.k, y: vh / 2 - (box.y + box.h / 2) * view.k };
}

export const transformOf = (v: View) => `translate(${v.x} ${v.y}) scale(${v.k})`;
