// The one door to the Rust backend. Every other module calls these functions; none imports
// @tauri-apps/api or a plugin. Command names and argument names mirror src-tauri's commands
// one to one; the types come from ../bindings.ts, generated from the Rust types, so a change on
// either side that the other does not follow fails `svelte-check` or the bindings drift test.

import { Channel, invoke } from "@tauri-apps/api/core";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { open, save } from "@tauri-apps/plugin-dialog";
import type {
  Analysis,
  AppError,
  Conflict,
  ConnectionReport,
  Environment,
  ErrorCategory,
  ErrorRecord,
  LiveExample,
  LiveExampleRequest,
  LiveOutcome,
  LiveRequest,
  OpenedProject,
  Project,
  RecentProject,
  RecordPair,
  RecordRequest,
  RetryOutcome,
  RunProgress,
  RunReport,
  RunRequest,
  SecretStatus,
  Side,
  StartInfo,
  Status,
  TemplateKind,
  TxnRow,
} from "../bindings";

/** A failed command: `code` is stable, `message` is a sentence for people. */
export class BackendError extends Error implements AppError {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

/** Turns whatever a command rejected with into a BackendError. */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  if (typeof error === "object" && error !== null && "code" in error && "message" in error) {
    const { code, message } = error as AppError;
    return new BackendError(String(code), String(message));
  }
  if (error instanceof Error) return new BackendError("internal", error.message);
  return new BackendError("internal", String(error));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

// Projects
export const start = () => call<StartInfo>("start");
export const openProject = (path: string) => call<OpenedProject>("open_project", { path });
export const newProject = (template: TemplateKind, name: string) =>
  call<OpenedProject>("new_project", { template, name });
export const importHelperConfig = (path: string) =>
  call<OpenedProject>("import_helper_config", { path });
export const saveProject = (path: string, project: Project) =>
  call<OpenedProject>("save_project", { path, project });
export const analyze = (project: Project) => call<Analysis>("analyze", { project });
export const recentProjects = () => call<RecentProject[]>("recent_projects");

// Environments and passwords
export const testEnvironment = (projectPath: string | null, environment: Environment) =>
  call<ConnectionReport>("test_environment", { projectPath, environment });
export const secretStatus = (name: string) => call<SecretStatus>("secret_status", { name });
export const storeSecret = (name: string, value: string) =>
  call<SecretStatus>("store_secret", { name, value });
export const forgetSecret = (name: string) => call<SecretStatus>("forget_secret", { name });

// Test syncs
export function runSync(
  request: RunRequest,
  onProgress: (event: RunProgress) => void,
): Promise<RunReport> {
  const channel = new Channel<RunProgress>();
  channel.onmessage = onProgress;
  return call<RunReport>("run_sync", { request, onProgress: channel });
}
export const stopRun = () => call<boolean>("stop_run");
export const projectStatus = (projectPath: string) =>
  call<Status>("project_status", { projectPath });
export const listErrors = (projectPath: string, category: ErrorCategory | null) =>
  call<ErrorRecord[]>("list_errors", { projectPath, category });
export const retryErrors = (projectPath: string, ids: number[] | null) =>
  call<RetryOutcome>("retry_errors", { projectPath, ids });
export const listConflicts = (projectPath: string) =>
  call<Conflict[]>("list_conflicts", { projectPath });
export const setMapPaused = (projectPath: string, map: string, paused: boolean) =>
  call<Status>("set_map_paused", { projectPath, map, paused });
export const recordPair = (request: RecordRequest) => call<RecordPair>("record_pair", { request });
export const runLive = (request: LiveRequest) => call<LiveOutcome>("run_live", { request });
export const liveExamples = (project: Project, from: Side) => call<LiveExample[]>("live_examples", { project, from });
export const loadLiveExample = (request: LiveExampleRequest) => call<TxnRow[]>("load_live_example", { request });

// The window.

/**
 * Lets the app decide when the user closes the window: `keepOpen` runs first and returns true to
 * keep the window open (it then asks about unsaved changes and calls `closeWindow` itself).
 * Resolves to a function that stops listening.
 */
export function onCloseRequested(keepOpen: () => boolean): Promise<() => void> {
  return getCurrentWindow().onCloseRequested((event) => {
    if (keepOpen()) event.preventDefault();
  });
}

/** Closes the window without asking again. */
export const closeWindow = () => getCurrentWindow().destroy();

// Files the user picks. Dialogs are the only way the app reaches the file system.
const PROJECT_FILTER = [{ name: "Dual-write Studio project", extensions: ["json"] }];

/** Asks for a project file to open; null when cancelled. */
export async function pickProjectToOpen(): Promise<string | null> {
  const picked = await open({ multiple: false, directory: false, filters: PROJECT_FILTER });
  return typeof picked === "string" ? picked : null;
}

/** Asks where to save a project; null when cancelled. */
export async function pickProjectSavePath(suggestedName: string): Promise<string | null> {
  return (await save({ defaultPath: `${suggestedName}.dwproj.json`, filters: PROJECT_FILTER })) ?? null;
}

/** Asks for a Dual-write helper App.config; null when cancelled. */
export async function pickHelperConfig(): Promise<string | null> {
  const picked = await open({
    multiple: false,
    directory: false,
    filters: [{ name: "Dual-write helper configuration", extensions: ["config", "xml"] }],
  });
  return typeof picked === "string" ? picked : null;
}

/**
 * Asks where to export the chart and writes it there; false when cancelled. `svg` is the
 * standalone SVG for both kinds: the backend draws the PNG.
 */
export async function exportChart(kind: "svg" | "png", svg: string): Promise<boolean> {
  const path = await save({
    title: "Export the dependency chart",
    defaultPath: `dependency-chart.${kind}`,
    filters: [{ name: kind.toUpperCase(), extensions: [kind] }],
  });
  if (!path) return false;
  await call<void>("export_chart", { path, svg });
  return true;
}
