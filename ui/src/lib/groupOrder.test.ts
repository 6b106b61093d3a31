import { describe, expect, it } from "vitest";
import { demoProject } from "../test/demo";
import { appendMember, filterGroups, moveMember, sortedMembers } from "./groupOrder";

const members = [
  { map: "c", sequence: 30 },
  { map: "a", sequence: 10 },
  { map: "b", sequence: 10 },
];

describe("group order", () => {
  it("sorts by sequence, keeping file order on ties", () => {
    expect(sortedMembers(members).map((m) => m.map)).toEqual(["a", "b", "c"]);
  });

  it("moving down swaps with the next and renumbers 10, 20, 30", () => {
    expect(moveMember(members, 0, 1)).toEqual([
      { map: "b", sequence: 10 },
      { map: "a", sequence: 20 },
      { map: "c", sequence: 30 },
    ]);
  });

  it("moves across several positions (drag and drop)", () => {
    expect(moveMember(members, 2, 0).map((m) => `${m.map}${m.sequence}`)).toEqual(["c10", "a20", "b30"]);
  });

  it("ignores moves out of range", () => {
    expect(moveMember(members, 0, -1).map((m) => m.sequence)).toEqual([10, 10, 30]);
    expect(moveMember(members, 2, 3).map((m) => m.map)).toEqual(["a", "b", "c"]);
  });

  it("appends after the highest sequence", () => {
    expect(appendMember(members, "d").at(-1)).toEqual({ map: "d", sequence: 40 });
    expect(appendMember([], "x")).toEqual([{ map: "x", sequence: 10 }]);
    expect(appendMember([{ map: "a", sequence: 15 }], "x").at(-1)?.sequence).toBe(20);
  });

  it("filters groups by their names and their maps", () => {
    const project = demoProject();
    expect(filterGroups(project, "order lines").map((g) => g.id)).toEqual(["sales-orders"]);
    expect(filterGroups(project, "REFERENCE").map((g) => g.id)).toEqual(["reference"]);
    expect(filterGroups(project, "")).toHaveLength(4);
  });
});
