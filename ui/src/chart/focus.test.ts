import { describe, expect, it } from "vitest";
import type { Edge } from "../bindings";
import { ancestors, descendants, edgeInFocus, focusSet } from "./focus";

const e = (from: string, to: string): Edge => ({ from, to, causes: [{ kind: "dependsOn" }] });
// a -> b -> c -> d, x -> c, c -> y, and an unrelated z -> w; b <-> q is a cycle.
const edges = [e("a", "b"), e("b", "c"), e("c", "d"), e("x", "c"), e("c", "y"), e("z", "w"), e("b", "q"), e("q", "b")];

describe("focus", () => {
  it("finds transitive ancestors and descendants", () => {
    expect([...ancestors("c", edges)].sort()).toEqual(["a", "b", "q", "x"]);
    expect([...descendants("c", edges)].sort()).toEqual(["d", "y"]);
    expect([...descendants("a", edges)].sort()).toEqual(["b", "c", "d", "q", "y"]);
  });

  it("terminates on a cycle and includes the map itself when it is on one", () => {
    expect([...ancestors("q", edges)].sort()).toEqual(["a", "b", "q"]);
    expect(descendants("b", edges).has("b")).toBe(true);
  });

  it("keeps the map, its ancestors and descendants, and hides unrelated maps", () => {
    const set = focusSet("c", edges);
    expect([...set].sort()).toEqual(["a", "b", "c", "d", "q", "x", "y"]);
    expect(set.has("z")).toBe(false);
    expect(edgeInFocus(e("a", "b"), set)).toBe(true);
    expect(edgeInFocus(e("z", "w"), set)).toBe(false);
  });

  it("handles a map without edges", () => {
    expect([...focusSet("lonely", edges)]).toEqual(["lonely"]);
  });
});
