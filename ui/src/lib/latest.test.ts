import { describe, expect, it } from "vitest";
import { LatestOnly } from "./latest";

describe("LatestOnly", () => {
  it("only the newest ticket is current", () => {
    const latest = new LatestOnly();
    const first = latest.begin();
    const second = latest.begin();
    expect(latest.isCurrent(first)).toBe(false);
    expect(latest.isCurrent(second)).toBe(true);
  });

  it("invalidate makes every issued ticket stale", () => {
    const latest = new LatestOnly();
    const t = latest.begin();
    latest.invalidate();
    expect(latest.isCurrent(t)).toBe(false);
  });
});
