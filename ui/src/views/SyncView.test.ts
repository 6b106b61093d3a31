import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import type { LiveOutcome, Project, RunProgress, RunReport, Status } from "../bindings";
import demo from "../../../examples/contoso.dwproj.json";

vi.mock("../lib/backend", async (importOriginal) => {
  const real = await importOriginal<typeof import("../lib/backend")>();
  return {
    ...real,
    projectStatus: vi.fn(),
    runSync: vi.fn(),
    stopRun: vi.fn(),
    setMapPaused: vi.fn(),
    listErrors: vi.fn(),
    retryErrors: vi.fn(),
    listConflicts: vi.fn(),
    recordPair: vi.fn(),
    runLive: vi.fn(),
    liveExamples: vi.fn(),
    loadLiveExample: vi.fn(),
  };
});

import * as backend from "../lib/backend";
import SyncView from "./SyncView.svelte";

const project = demo as unknown as Project;
const PATH = "/demo/contoso.dwproj.json";

const status = (paused: string[] = []): Status => ({
  project: "Contoso demo",
  lastRuns: [],
  maps: project.tableMaps.map((m) => ({
    id: m.id,
    syncMode: m.syncMode,
    paused: paused.includes(m.id),
    pauseReason: paused.includes(m.id) ? { kind: "manual" } : null,
    queue: {},
    errors: (m.id.startsWith("accounts") ? { application: 2 } : {}) as Record<string, number>,
  })),
});

const zeroRound = { enqueued: 0, applied: 0, unchanged: 0, skipped: 0, conflicts: 0, failed: 0, retried: 0, held: 0, rejected: 0, pausedMaps: [] };

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

function setup(props: Partial<{ projectPath: string | null; dirty: boolean }> = {}) {
  vi.mocked(backend.projectStatus).mockResolvedValue(status());
  vi.mocked(backend.listErrors).mockResolvedValue([]);
  vi.mocked(backend.listConflicts).mockResolvedValue([]);
  return render(SyncView, { project, projectPath: PATH, dirty: false, onOpenMap: vi.fn(), ...props });
}

describe("SyncView", () => {
  it("explains that the project must be saved when it is modified or new", () => {
    setup({ dirty: true });
    expect(screen.getByTestId("sync-needs-save").textContent).toContain("Save the project to run a test sync");
    expect(screen.queryByTestId("sync-run")).toBeNull();
    cleanup();
    setup({ projectPath: null });
    expect(screen.getByTestId("sync-needs-save")).toBeTruthy();
    expect(screen.queryByTestId("sync-mode")).toBeNull();
  });

  it("offers the three modes, the groups and every map", () => {
    setup();
    const modes = Array.from((screen.getByTestId("sync-mode") as HTMLSelectElement).options).map((o) => o.value);
    expect(modes).toEqual(["initial", "async", "live"]);
    const groups = Array.from((screen.getByTestId("sync-group") as HTMLSelectElement).options).map((o) => o.value);
    expect(groups).toEqual(["", "reference", "customers", "contacts", "sales-orders"]);
    expect(screen.getAllByTestId("sync-map")).toHaveLength(project.tableMaps.length);
  });

  it("runs an initial sync with progress and shows the results", async () => {
    const report: RunReport = {
      kind: "initial",
      run: 1,
      resumed: false,
      stopped: false,
      maps: [{ mapId: "accounts - Customers V3", source: "fno", rowsWritten: 98, rowsFailed: 2, secondPass: true }],
      rowsWritten: 98,
      rowsFailed: 2,
      rounds: 0,
      roundTotals: zeroRound,
      status: status(),
    };
    vi.mocked(backend.runSync).mockImplementation(async (_request, onProgress: (e: RunProgress) => void) => {
      onProgress({ event: "started", kind: "initial", maps: ["accounts - Customers V3"] });
      onProgress({
        event: "map", mapId: "accounts - Customers V3", legalEntity: "USMF", pass: "first",
        rowsDone: 100, total: 100, rowsPerSecond: 250, etaSeconds: 0, finished: true,
      });
      return report;
    });
    setup();
    const box = screen.getAllByTestId("sync-map").find((b) => b.getAttribute("data-map-id") === "accounts - Customers V3")!;
    await fireEvent.click(box);
    await fireEvent.click(screen.getByTestId("sync-run"));
    const result = await screen.findByTestId("sync-result");
    expect(backend.runSync).toHaveBeenCalledWith(
      { projectPath: PATH, kind: "initial", maps: ["accounts - Customers V3"], group: null, fresh: false, source: "fno" },
      expect.any(Function),
    );
    expect(result.getAttribute("data-rows-written")).toBe("98");
    expect(result.getAttribute("data-rows-failed")).toBe("2");
    const progress = screen.getAllByTestId("sync-progress");
    expect(progress.map((p) => p.getAttribute("data-map-id"))).toEqual(["accounts - Customers V3"]);
    expect(progress[0].textContent).toContain("100 / 100 rows");
    expect(within(result).getByText("application").nextElementSibling?.textContent).toBe("2");
    await waitFor(() => expect(backend.listErrors).toHaveBeenCalledWith(PATH, null));
  });

  it("pauses a map and shows the paused state the backend returns", async () => {
    vi.mocked(backend.runSync).mockImplementation(async () => ({
      kind: "async", run: null, resumed: false, stopped: false, maps: [], rowsWritten: 0, rowsFailed: 0,
      rounds: 1, roundTotals: { ...zeroRound, applied: 3 }, status: status(),
    }));
    vi.mocked(backend.setMapPaused).mockResolvedValue(status(["contacts - Contact persons"]));
    setup();
    await fireEvent.change(screen.getByTestId("sync-mode"), { target: { value: "async" } });
    await fireEvent.click(screen.getByTestId("sync-run"));
    const result = await screen.findByTestId("sync-result");
    expect(result.getAttribute("data-applied")).toBe("3");
    await fireEvent.click(screen.getByLabelText("Pause contacts - Contact persons"));
    expect(backend.setMapPaused).toHaveBeenCalledWith(PATH, "contacts - Contact persons", true);
    expect(await screen.findByLabelText("Resume contacts - Contact persons")).toBeTruthy();
  });

  it("runs the failing live example and draws its trace", async () => {
    const outcome: LiveOutcome = {
      committed: false,
      refused: false,
      category: "application",
      reason: "table map \"salesorders - Sales order headers\", field SALESORDERSTATUS: the value OnHold has no entry in the value map; add it to the field's valueMap",
      journalId: null,
      trace: [
        { step: "sourcePreCommit", at: 100, detail: "3 rows" },
        { step: "batchToTarget", at: 104, detail: null },
        { step: "targetAbort", at: 110, detail: "the value OnHold has no entry in the value map" },
        { step: "sourceRollback", at: 111, detail: null },
      ],
    };
    vi.mocked(backend.runLive).mockResolvedValue(outcome);
    vi.mocked(backend.liveExamples).mockImplementation(async (_project, from) => [
      { from, failing: false, title: "An order", prerequisite: "Sync the customers first." },
      { from, failing: true, title: "An order with status OnHold", prerequisite: "Sync the customers first." },
    ]);
    const header = { SALESORDERNUMBER: "SO-US-900001", DATAAREAID: "USMF", SALESORDERSTATUS: "OnHold" };
    const line = (n: number) => ({ SALESORDERNUMBER: "SO-US-900001", LINECREATIONSEQUENCENUMBER: n, DATAAREAID: "USMF" });
    vi.mocked(backend.loadLiveExample).mockResolvedValue([
      { table: "SalesOrderHeaderV2Entity", op: "upsert", values: header },
      { table: "SalesOrderLineV2Entity", op: "upsert", values: line(1) },
      { table: "SalesOrderLineV2Entity", op: "upsert", values: line(2) },
    ]);
    setup();
    await fireEvent.change(screen.getByTestId("sync-mode"), { target: { value: "live" } });
    const button = screen.getByTestId("live-example-failing") as HTMLButtonElement;
    await waitFor(() => expect(button.disabled).toBe(false));
    expect(vi.mocked(backend.liveExamples)).toHaveBeenCalledWith(project, "fno");
    await fireEvent.click(button);
    await waitFor(() => expect(JSON.parse((screen.getByTestId("live-json") as HTMLTextAreaElement).value)).toHaveLength(3));
    expect(vi.mocked(backend.loadLiveExample)).toHaveBeenCalledWith({ projectPath: PATH, from: "fno", failing: true });
    const json = JSON.parse((screen.getByTestId("live-json") as HTMLTextAreaElement).value);
    expect(json[0].values.SALESORDERSTATUS).toBe("OnHold");
    await fireEvent.click(screen.getByTestId("live-run"));
    const shown = await screen.findByTestId("live-outcome");
    expect(shown.getAttribute("data-committed")).toBe("false");
    expect(shown.getAttribute("data-refused")).toBe("false");
    expect(vi.mocked(backend.runLive).mock.calls[0][0]).toMatchObject({ projectPath: PATH, from: "fno" });
    expect(vi.mocked(backend.runLive).mock.calls[0][0].rows).toEqual(json);
    expect(screen.getAllByTestId("trace-step").map((s) => s.getAttribute("data-step"))).toEqual([
      "sourcePreCommit", "batchToTarget", "targetAbort", "sourceRollback",
    ]);
  });

  it("sends rows typed as raw JSON", async () => {
    vi.mocked(backend.runLive).mockResolvedValue({
      committed: true, refused: false, category: null, reason: null, journalId: 7,
      trace: [{ step: "sourcePreCommit", at: 1, detail: null }, { step: "sourceCommit", at: 2, detail: null }],
    });
    setup();
    await fireEvent.change(screen.getByTestId("sync-mode"), { target: { value: "live" } });
    const rows = [{ table: "CurrencyEntity", op: "upsert", values: { CURRENCYCODE: "NOK", NAME: "Krone" } }];
    await fireEvent.input(screen.getByTestId("live-json"), { target: { value: JSON.stringify(rows) } });
    await fireEvent.click(screen.getByTestId("live-run"));
    expect((await screen.findByTestId("live-outcome")).getAttribute("data-committed")).toBe("true");
    expect(vi.mocked(backend.runLive).mock.calls[0][0].rows).toEqual(rows);
  });
});
