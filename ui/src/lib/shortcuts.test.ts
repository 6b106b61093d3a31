import { describe, expect, it } from "vitest";
import { shortcutFor } from "./shortcuts";

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; meta: boolean; alt: boolean }> = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? true,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});

describe("shortcuts", () => {
  it("maps the file and edit shortcuts", () => {
    expect(shortcutFor(key("s"))).toEqual({ kind: "save" });
    expect(shortcutFor(key("S", { shift: true }))).toEqual({ kind: "saveAs" });
    expect(shortcutFor(key("o"))).toEqual({ kind: "open" });
    expect(shortcutFor(key("n"))).toEqual({ kind: "new" });
    expect(shortcutFor(key("z"))).toEqual({ kind: "undo" });
    expect(shortcutFor(key("Z", { shift: true }))).toEqual({ kind: "redo" });
    expect(shortcutFor(key("y"))).toEqual({ kind: "redo" });
    expect(shortcutFor(key("f"))).toEqual({ kind: "find" });
  });

  it("Ctrl+1..5 switch views; Cmd works too", () => {
    expect(shortcutFor(key("1"))).toEqual({ kind: "view", view: "maps" });
    expect(shortcutFor(key("5", { ctrl: false, meta: true }))).toEqual({ kind: "view", view: "sync" });
    expect(shortcutFor(key("6"))).toBeNull();
  });

  it("ignores keys without Ctrl, and Alt combinations", () => {
    expect(shortcutFor(key("s", { ctrl: false }))).toBeNull();
    expect(shortcutFor(key("s", { alt: true }))).toBeNull();
  });
});
