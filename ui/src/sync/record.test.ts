import { describe, expect, it } from "vitest";
import type { Project } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";
import { diffValues, guessKeySide, parseKeyText, recordTarget, retrySentence } from "./record";

const project = demo as unknown as Project;
const map = (id: string) => project.tableMaps.find((m) => m.id === id)!;

describe("record targets", () => {
  it("parses key texts", () => {
    expect(parseKeyText('["US-00001","USMF"]')).toEqual(["US-00001", "USMF"]);
    expect(parseKeyText('["SO-1",2,"USMF"]')).toEqual(["SO-1", "2", "USMF"]);
    expect(parseKeyText("nonsense")).toEqual([]);
    expect(parseKeyText(null)).toEqual([]);
  });
  it("guesses the side from the key and the map direction", () => {
    expect(guessKeySide(map("accounts - Customers V3"), ["US-00001", "USMF"])).toBe("fno");
    const toFno = { ...map("accounts - Customers V3"), direction: "toFno" as const };
    expect(guessKeySide(toFno, ["US-00001", "USMF"])).toBe("dataverse");
    const uneven = { ...map("accounts - Customers V3"), dataverse: { ...map("accounts - Customers V3").dataverse, keys: ["accountid"] } };
    expect(guessKeySide(uneven, ["x"])).toBe("dataverse");
  });
  it("prefills the form", () => {
    expect(recordTarget(project, "accounts - Customers V3", '["US-00001","USMF"]')).toEqual({
      map: "accounts - Customers V3",
      side: "fno",
      key: ["US-00001", "USMF"],
    });
    expect(recordTarget(project, "gone", null, "dataverse")).toEqual({ map: "gone", side: "dataverse", key: [] });
  });
});

describe("retry sentence", () => {
  it("says what was retried and what was not", () => {
    expect(retrySentence({ retried: [1, 2], requeued_entries: 2, not_retryable: [3], unknown: [] })).toBe(
      "2 errors retried: 2 queue entries back in line for the next async round; 1 cannot be retried (no queue entry, or a concurrency or conflict error) and stay as they were.",
    );
    expect(retrySentence({ retried: [], requeued_entries: 0, not_retryable: [], unknown: [9] })).toBe(
      "No error was retried; 1 no longer exist.",
    );
  });
});

describe("conflict diff", () => {
  it("lines up both sides' values and marks differences", () => {
    expect(diffValues({ name: "A", city: "Oslo" }, { name: "B", city: "Oslo", extra: 1 })).toEqual([
      { column: "name", winning: "A", losing: "B", differs: true },
      { column: "city", winning: "Oslo", losing: "Oslo", differs: false },
      { column: "extra", winning: undefined, losing: 1, differs: true },
    ]);
    expect(diffValues(null, null)).toEqual([]);
  });
});
