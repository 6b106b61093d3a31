// Keyboard shortcuts of the main window, as a pure mapping from a key event to an action so the
// table can be tested and shown in tooltips. Ctrl on Windows and Linux, Cmd on macOS.

export type ViewId = "maps" | "groups" | "chart" | "environments" | "sync";

export const VIEWS: readonly ViewId[] = ["maps", "groups", "chart", "environments", "sync"];

export type ShortcutAction =
  | { kind: "save" }
  | { kind: "saveAs" }
  | { kind: "open" }
  | { kind: "new" }
  | { kind: "undo" }
  | { kind: "redo" }
  | { kind: "find" }
  | { kind: "view"; view: ViewId };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function shortcutFor(event: KeyLike): ShortcutAction | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  const shift = event.shiftKey;
  if (key === "s") return shift ? { kind: "saveAs" } : { kind: "save" };
  if (shift) return key === "z" ? { kind: "redo" } : null;
  switch (key) {
    case "o":
      return { kind: "open" };
    case "n":
      return { kind: "new" };
    case "z":
      return { kind: "undo" };
    case "y":
      return { kind: "redo" };
    case "f":
      return { kind: "find" };
  }
  const digit = Number(key);
  if (Number.isInteger(digit) && digit >= 1 && digit <= VIEWS.length) {
    return { kind: "view", view: VIEWS[digit - 1] };
  }
  return null;
}

/** Whether undo/redo should be left to a focused text field's own undo. */
export function isTextEditing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button"].includes(target.type);
}
