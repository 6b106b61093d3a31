import { describe, expect, it } from "vitest";
import { centerOn, fitView, MAX_ZOOM, zoomAt } from "./viewport";

describe("viewport", () => {
  it("fits a large drawing inside the viewport, centred", () => {
    const v = fitView(2000, 1000, 1000, 600, 0);
    expect(v.k).toBeCloseTo(0.5);
    expect(v.x).toBeCloseTo(0);
    expect(v.y).toBeCloseTo(50);
  });

  it("never enlarges a small drawing past 1:1 when fitting", () => {
    expect(fitView(100, 50, 1000, 600).k).toBe(1);
  });

  it("zooms about a point that stays fixed, within limits", () => {
    const v = zoomAt({ x: 10, y: 20, k: 1 }, 2, 110, 220);
    // the drawing point under (110,220) was (100,200); it must still be there
    expect((110 - v.x) / v.k).toBeCloseTo(100);
    expect((220 - v.y) / v.k).toBeCloseTo(200);
    expect(zoomAt({ x: 0, y: 0, k: 3 }, 10, 0, 0).k).toBe(MAX_ZOOM);
  });

  it("centres a box", () => {
    const v = centerOn({ x: 0, y: 0, k: 2 }, { x: 100, y: 100, w: 20, h: 10 }, 400, 300);
    expect(v.x + 110 * 2).toBeCloseTo(200);
    expect(v.y + 105 * 2).toBeCloseTo(150);
  });
});
