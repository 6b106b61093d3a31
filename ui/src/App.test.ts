import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Analysis, StartInfo } from "./bindings";
import { demoProject, emptyAnalysis } from "./test/demo";

vi.mock("./lib/backend", async (importOriginal) => {
  const actual = await importOriginal<typeof import("./lib/backend")>();
  return {
    ...actual,
    start: vi.fn(),
    analyze: vi.fn(),
    projectStatus: vi.fn(),
    recentProjects: vi.fn(),
    testEnvironment: vi.fn(),
    pickProjectToOpen: vi.fn(),
    pickProjectSavePath: vi.fn(),
    saveProject: vi.fn(),
    newProject: vi.fn(),
    onCloseRequested: vi.fn(),
    closeWindow: vi.fn(),
  };
});

const backend = await import("./lib/backend");
const { default: App } = await import("./App.svelte");

const analysis: Analysis = {
  ...emptyAnalysis(),
  findings: [
    {
      code: "DW010",
      severity: "error",
      subjects: ["accounts - Customers V3"],
      message: "Two fields write name",
      hint: "Remove one of them",
      path: "tableMaps[3].fields[1]",
    },
  ],
  counts: { errors: 1, warnings: 0, infos: 0 },
};

const startInfo = (): StartInfo => ({
  opened: { path: "/projects/contoso.dwproj.json", project: demoProject(), analysis, notes: [] },
  recent: [],
  demoCreated: false,
  demoProject: "/projects/contoso.dwproj.json",
});

beforeEach(() => {
  vi.mocked(backend.start).mockResolvedValue(startInfo());
  vi.mocked(backend.analyze).mockResolvedValue(analysis);
  vi.mocked(backend.projectStatus).mockRejectedValue(new backend.BackendError("no_store", "Never synced."));
  vi.mocked(backend.recentProjects).mockResolvedValue([]);
  vi.mocked(backend.testEnvironment).mockRejectedValue(new backend.BackendError("unreachable", "Not reachable."));
  vi.mocked(backend.onCloseRequested).mockResolvedValue(() => {});
});

/** Moves the first member of the first group down: the project now has unsaved changes. */
async function makeAnUnsavedChange() {
  await fireEvent.click(screen.getByTestId("nav-groups"));
  const member = screen.getAllByTestId("group-member")[0];
  await fireEvent.click(within(member).getByTestId("member-move-down"));
}

/** The handler the app gave the backend for the window's close button. */
async function closeRequestedHandler(): Promise<() => boolean> {
  await waitFor(() => expect(backend.onCloseRequested).toHaveBeenCalled());
  return vi.mocked(backend.onCloseRequested).mock.calls[0][0];
}

afterEach(() => {
  cleanup();
  vi.clearAllMocks();
});

const ready = () => screen.findByTestId("app-ready");

describe("App", () => {
  it("opens what start() returns", async () => {
    render(App);
    await ready();
    expect(screen.getByTestId("project-name").textContent).toBe("Contoso demo");
    expect(screen.queryByTestId("dirty-marker")).toBeNull();
    expect(screen.getByTestId("status-bar").textContent).toContain("/projects/contoso.dwproj.json");
    expect(screen.getAllByTestId("map-row")).toHaveLength(7);
  });

  it("an edit marks the project dirty; Ctrl+Z undoes it", async () => {
    render(App);
    await ready();
    await fireEvent.click(screen.getAllByTestId("map-row")[0]);
    await fireEvent.change(screen.getByTestId("map-sync-mode"), { target: { value: "async" } });
    expect(screen.getByTestId("dirty-marker")).toBeTruthy();
    await fireEvent.keyDown(window, { key: "z", ctrlKey: true });
    expect(screen.queryByTestId("dirty-marker")).toBeNull();
    expect((screen.getByTestId("map-sync-mode") as HTMLSelectElement).value).toBe("live");
  });

  it("asks before replacing a project with unsaved changes", async () => {
    render(App);
    await ready();
    await makeAnUnsavedChange();
    await fireEvent.click(screen.getByTestId("file-open"));
    const dialog = screen.getByRole("dialog");
    expect(dialog.textContent).toContain("not saved");
    await fireEvent.click(within(dialog).getByTestId("unsaved-cancel"));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(backend.pickProjectToOpen).not.toHaveBeenCalled();
  });

  it("closing the window without unsaved changes lets it close", async () => {
    render(App);
    await ready();
    const keepOpen = await closeRequestedHandler();
    expect(keepOpen()).toBe(false);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("closing the window with unsaved changes asks first; Cancel keeps it open, Discard closes", async () => {
    render(App);
    await ready();
    await makeAnUnsavedChange();
    const keepOpen = await closeRequestedHandler();

    expect(keepOpen()).toBe(true);
    let dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("closing the window");
    await fireEvent.click(within(dialog).getByTestId("unsaved-cancel"));
    expect(backend.closeWindow).not.toHaveBeenCalled();

    expect(keepOpen()).toBe(true);
    dialog = await screen.findByRole("dialog");
    await fireEvent.click(within(dialog).getByTestId("unsaved-discard"));
    expect(backend.closeWindow).toHaveBeenCalledTimes(1);
  });

  it("clicking a problem opens the map editor at the field", async () => {
    render(App);
    await ready();
    await fireEvent.click(screen.getByTestId("nav-chart"));
    await fireEvent.click(screen.getByTestId("problem"));
    const editor = await screen.findByTestId("map-editor");
    expect(editor.dataset.mapId).toBe("accounts - Customers V3");
    await waitFor(() => expect(within(editor).getAllByTestId("field-row")[1].classList).toContain("highlighted"));
  });

  it("Ctrl+2 switches to the groups view", async () => {
    render(App);
    await ready();
    await fireEvent.keyDown(window, { key: "2", ctrlKey: true });
    expect(screen.getAllByTestId("group-card")).toHaveLength(4);
  });

  it("shows a failed start as a sentence", async () => {
    vi.mocked(backend.start).mockRejectedValue({ code: "io", message: "The demo could not be written." });
    render(App);
    const banner = await screen.findByTestId("error-banner");
    expect(banner.textContent).toContain("Could not start: The demo could not be written.");
    expect(banner.textContent).not.toContain("{");
    expect(screen.queryByTestId("app-ready")).toBeNull();
  });

  it("New asks for a template and a name, then shows the new project unsaved", async () => {
    const project = { ...demoProject(), name: "Fabrikam", tableMaps: [], groups: [] };
    vi.mocked(backend.newProject).mockResolvedValue({ path: null, project, analysis: emptyAnalysis(), notes: [] });
    render(App);
    await ready();
    await fireEvent.click(screen.getByTestId("file-new"));
    const dialog = screen.getByRole("dialog");
    await fireEvent.input(within(dialog).getByTestId("new-project-name"), { target: { value: "Fabrikam" } });
    await fireEvent.click(within(dialog).getByLabelText(/Empty project/));
    await fireEvent.click(within(dialog).getByTestId("new-project-create"));
    await waitFor(() => expect(screen.getByTestId("project-name").textContent).toBe("Fabrikam"));
    expect(backend.newProject).toHaveBeenCalledWith("empty", "Fabrikam");
    expect(screen.getByTestId("status-bar").textContent).toContain("not saved");
    expect(screen.getByText(/No table maps yet/)).toBeTruthy();
  });

  it("Save without a path asks where, saves, and clears the dirty marker", async () => {
    const info = startInfo();
    info.opened.path = null;
    vi.mocked(backend.start).mockResolvedValue(info);
    vi.mocked(backend.pickProjectSavePath).mockResolvedValue("/projects/copy.dwproj.json");
    vi.mocked(backend.saveProject).mockImplementation(async (path, project) => ({ path, project, analysis, notes: [] }));
    render(App);
    await ready();
    await fireEvent.click(screen.getAllByTestId("map-row")[0]);
    await fireEvent.change(screen.getByTestId("map-direction"), { target: { value: "bidirectional" } });
    expect(screen.getByTestId("dirty-marker")).toBeTruthy();
    await fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    await waitFor(() => expect(screen.queryByTestId("dirty-marker")).toBeNull());
    expect(backend.pickProjectSavePath).toHaveBeenCalledWith("Contoso demo");
    const [path, saved] = vi.mocked(backend.saveProject).mock.calls[0];
    expect(path).toBe("/projects/copy.dwproj.json");
    expect(saved.tableMaps[0].direction).toBe("bidirectional");
    expect(screen.getByTestId("status-bar").textContent).toContain("/projects/copy.dwproj.json");
  });

  it("a group finding opens the Groups view at the group", async () => {
    vi.mocked(backend.start).mockResolvedValue({
      ...startInfo(),
      opened: {
        ...startInfo().opened,
        analysis: {
          ...analysis,
          findings: [
            { code: "DW001", severity: "error", subjects: ["sales-orders"], message: "Mixed modes", hint: "", path: "groups[3]" },
          ],
        },
      },
    });
    render(App);
    await ready();
    await fireEvent.click(screen.getByTestId("problem"));
    const card = screen.getAllByTestId("group-card").find((c) => c.dataset.groupId === "sales-orders")!;
    await waitFor(() => expect(card.classList).toContain("focused"));
    expect(within(card).getByText(/Mixed modes/)).toBeTruthy();
  });
});
