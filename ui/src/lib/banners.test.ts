import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Banners, NOTICE_MS } from "./banners.svelte";

describe("Banners", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("keeps errors and notes until dismissed, and a repeated message once", () => {
    const banners = new Banners();
    banners.show("error", "Could not save: disk full.");
    banners.show("error", "Could not save: disk full.");
    banners.show("info", "Imported 3 maps; 1 field was skipped.");
    vi.advanceTimersByTime(NOTICE_MS * 10);
    expect(banners.messages.map((m) => m.text)).toEqual([
      "Could not save: disk full.",
      "Imported 3 maps; 1 field was skipped.",
    ]);
    banners.dismiss(banners.messages[0].id);
    expect(banners.messages.map((m) => m.kind)).toEqual(["info"]);
  });

  it("lets a confirmation go by itself, leaving the others", () => {
    const banners = new Banners();
    banners.show("error", "Could not check the project.");
    banners.show("info", "Chart exported as PNG.", true);
    vi.advanceTimersByTime(NOTICE_MS - 1);
    expect(banners.messages).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(banners.messages.map((m) => m.text)).toEqual(["Could not check the project."]);
  });

  it("a confirmation dismissed by hand before its time does not take another message with it", () => {
    const banners = new Banners();
    banners.show("info", "Chart exported as SVG.", true);
    banners.dismiss(banners.messages[0].id);
    banners.show("info", "Chart exported as SVG.", true);
    const second = banners.messages[0].id;
    vi.advanceTimersByTime(NOTICE_MS / 2);
    expect(banners.messages.map((m) => m.id)).toEqual([second]);
    vi.advanceTimersByTime(NOTICE_MS / 2);
    expect(banners.messages).toEqual([]);
  });
});
