import { afterEach, describe, expect, it, vi } from "vitest";
import type { Analysis, Project } from "../bindings";
import { demoProject, emptyAnalysis } from "../test/demo";
import { ProjectDocument } from "./document.svelte";

const analysisWithErrors = (errors: number): Analysis => ({
  ...emptyAnalysis(),
  counts: { errors, warnings: 0, infos: 0 },
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const opened = (path: string | null = "/p/demo.dwproj.json") => ({
  path,
  project: demoProject(),
  analysis: emptyAnalysis(),
  notes: [],
});

describe("ProjectDocument", () => {
  afterEach(() => vi.useRealTimers());

  it("an edit makes the document dirty; undoing it makes it clean again", () => {
    const doc = new ProjectDocument(opened(), { analyze: async () => emptyAnalysis() });
    expect(doc.dirty).toBe(false);
    doc.edit((p) => {
      p.name = "Renamed";
    });
    expect(doc.project.name).toBe("Renamed");
    expect(doc.dirty).toBe(true);
    doc.undo();
    expect(doc.project.name).toBe("Contoso demo");
    expect(doc.dirty).toBe(false);
    doc.redo();
    expect(doc.project.name).toBe("Renamed");
    doc.dispose();
  });

  it("edits never mutate the previous snapshot", () => {
    const doc = new ProjectDocument(opened(), { analyze: async () => emptyAnalysis() });
    const before: Project = doc.project;
    doc.edit((p) => {
      p.tableMaps[0].name = "Changed";
    });
    expect(before.tableMaps[0].name).toBe("Legal entities");
    doc.dispose();
  });

  it("an edit that changes nothing adds no undo step", () => {
    const doc = new ProjectDocument(opened(), { analyze: async () => emptyAnalysis() });
    doc.edit(() => {});
    expect(doc.canUndo).toBe(false);
    doc.dispose();
  });

  it("saving records the saved state", () => {
    const doc = new ProjectDocument(opened(null), { analyze: async () => emptyAnalysis() });
    expect(doc.dirty).toBe(false);
    doc.edit((p) => void (p.name = "Edited"));
    const sent = doc.project;
    doc.edit((p) => void (p.name = "Edited again while saving"));
    doc.markSaved("/p/new.dwproj.json", sent);
    expect(doc.path).toBe("/p/new.dwproj.json");
    expect(doc.dirty).toBe(true);
    doc.undo();
    expect(doc.dirty).toBe(false);
    doc.dispose();
  });

  it("re-analyses once after a burst of edits", async () => {
    vi.useFakeTimers();
    const analyze = vi.fn(async () => analysisWithErrors(1));
    const doc = new ProjectDocument(opened(), { analyze, debounceMs: 150 });
    doc.edit((p) => void (p.name = "a"));
    doc.edit((p) => void (p.name = "b"));
    doc.edit((p) => void (p.name = "c"));
    expect(analyze).not.toHaveBeenCalled();
    await vi.runAllTimersAsync();
    expect(analyze).toHaveBeenCalledTimes(1);
    expect((analyze.mock.calls[0] as unknown as [Project])[0].name).toBe("c");
    expect(doc.analysis.counts.errors).toBe(1);
  });

  it("a slow analysis of an older edit does not overwrite a newer one", async () => {
    const answers = [deferred<Analysis>(), deferred<Analysis>()];
    let call = 0;
    const doc = new ProjectDocument(opened(), { analyze: () => answers[call++].promise });
    doc.edit((p) => void (p.name = "first"));
    const first = doc.flushAnalysis();
    doc.edit((p) => void (p.name = "second"));
    const second = doc.flushAnalysis();
    answers[1].resolve(analysisWithErrors(2));
    await second;
    answers[0].resolve(analysisWithErrors(1));
    await first;
    expect(doc.analysis.counts.errors).toBe(2);
  });

  it("opening another project discards pending analyses of the old one", async () => {
    const answer = deferred<Analysis>();
    const doc = new ProjectDocument(opened(), { analyze: () => answer.promise });
    doc.edit((p) => void (p.name = "old"));
    const pending = doc.flushAnalysis();
    doc.open(opened("/p/other.dwproj.json"));
    answer.resolve(analysisWithErrors(5));
    await pending;
    expect(doc.analysis.counts.errors).toBe(0);
    expect(doc.canUndo).toBe(false);
  });
});
