import { describe, expect, it } from "vitest";
import {
  categoryLabel,
  formatCount,
  formatDuration,
  formatEta,
  formatPace,
  formatProgress,
  formatRate,
  formatValue,
  fraction,
} from "./format";

describe("durations", () => {
  it("uses ms, seconds, minutes and hours", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(245_000)).toBe("4 min 05 s");
    expect(formatDuration(7_380_000)).toBe("2 h 03 min");
    expect(formatDuration(-1)).toBe("–");
  });
});

describe("ETA", () => {
  it("says done, unknown or the time left", () => {
    expect(formatEta(12, true)).toBe("done");
    expect(formatEta(null)).toBe("–");
    expect(formatEta(0.2)).toBe("less than 1 s left");
    expect(formatEta(90)).toBe("about 1 min 30 s left");
  });
});

describe("pace", () => {
  it("leaves out what is not known instead of showing a dash", () => {
    expect(formatPace(0, null, true)).toBe("done");
    expect(formatPace(1234, null, true)).toBe("1,234 rows/s · done");
    expect(formatPace(1234, 90, false)).toBe("1,234 rows/s · about 1 min 30 s left");
    expect(formatPace(0, 90, false)).toBe("about 1 min 30 s left");
    expect(formatPace(0, null, false)).toBe("–");
  });
});

describe("rates and counts", () => {
  it("formats rows per second", () => {
    expect(formatRate(0)).toBe("–");
    expect(formatRate(2.345)).toBe("2.3 rows/s");
    expect(formatRate(12_345.6)).toBe("12,346 rows/s");
  });
  it("separates thousands", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(-1000)).toBe("-1,000");
  });
  it("computes fractions and progress text", () => {
    expect(fraction(50, 200)).toBe(0.25);
    expect(fraction(5, null)).toBeNull();
    expect(fraction(0, 0)).toBe(1);
    expect(fraction(300, 200)).toBe(1);
    expect(formatProgress(1200, 5000)).toBe("1,200 / 5,000 rows");
    expect(formatProgress(1200, null)).toBe("1,200 rows");
  });
});

describe("categories and values", () => {
  it("labels the error categories", () => {
    expect(categoryLabel("application")).toBe("application");
    expect(categoryLabel("system")).toBe("system (retryable)");
    expect(categoryLabel("concurrency")).toBe("concurrency (stale version skipped)");
    expect(categoryLabel("conflict")).toBe("conflict");
    expect(categoryLabel("other")).toBe("other");
  });
  it("shows values", () => {
    expect(formatValue(null)).toBe("—");
    expect(formatValue("USMF")).toBe("USMF");
    expect(formatValue(12.5)).toBe("12.5");
    expect(formatValue(true)).toBe("true");
  });
});
