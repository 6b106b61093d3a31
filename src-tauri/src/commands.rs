//! The IPC commands: one line each into [`Studio`], errors as `{ code, message }`.
//!
//! Argument names are the front end's (`ui/src/lib/backend.ts`, camelCase there); types come
//! from the core and are declared to TypeScript in `ui/src/bindings.ts`.

use std::path::PathBuf;

use dualwrite::demo::live_examples::LiveExample;
use dualwrite::engine::live::{LiveOutcome, TxnRow};
use dualwrite::model::{Environment, Project, Side};
use dualwrite::store::{Conflict, ErrorCategory, ErrorRecord, RetryOutcome};
use dualwrite::studio::environments::ConnectionReport;
use dualwrite::studio::first_start::StartInfo;
use dualwrite::studio::live::{LiveExampleRequest, LiveRequest};
use dualwrite::studio::recent::RecentProject;
use dualwrite::studio::records::{RecordPair, RecordRequest};
use dualwrite::studio::runs::{RunProgress, RunReport, RunRequest};
use dualwrite::studio::secrets::SecretStatus;
use dualwrite::studio::status::Status;
use dualwrite::studio::{Analysis, AppError, OpenedProject, Studio, TemplateKind};
use tauri::ipc::Channel;
use tauri::State;

type Result<T> = std::result::Result<T, AppError>;

/// The handler listing every command (the same list as `build.rs`).
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        start,
        open_project,
        new_project,
        import_helper_config,
        save_project,
        analyze,
        recent_projects,
        test_environment,
        secret_status,
        store_secret,
        forget_secret,
        run_sync,
        stop_run,
        project_status,
        list_errors,
        retry_errors,
        list_conflicts,
        set_map_paused,
        record_pair,
        run_live,
        live_examples,
        load_live_example,
        export_chart,
    ]
}

#[tauri::command]
pub async fn start(studio: State<'_, Studio>) -> Result<StartInfo> {
    let info = studio.start().await?;
    tracing::info!(
        since_launch_ms = crate::since_launch_ms() as u64,
        "window ready: start served"
    );
    Ok(info)
}

#[tauri::command]
pub fn open_project(studio: State<'_, Studio>, path: PathBuf) -> Result<OpenedProject> {
    Ok(studio.open_project(&path)?)
}

#[tauri::command]
pub fn new_project(
    studio: State<'_, Studio>,
    template: TemplateKind,
    name: String,
) -> Result<OpenedProject> {
    Ok(studio.new_project(template, &name)?)
}

#[tauri::command]
pub fn import_helper_config(studio: State<'_, Studio>, path: PathBuf) -> Result<OpenedProject> {
    Ok(studio.import_helper_config(&path)?)
}

#[tauri::command]
pub fn save_project(
    studio: State<'_, Studio>,
    path: PathBuf,
    project: Project,
) -> Result<OpenedProject> {
    Ok(studio.save_project(&path, project)?)
}

#[tauri::command]
pub fn analyze(studio: State<'_, Studio>, project: Project) -> Analysis {
    studio.analyze(&project)
}

#[tauri::command]
pub fn recent_projects(studio: State<'_, Studio>) -> Vec<RecentProject> {
    studio.recent_projects()
}

#[tauri::command]
pub async fn test_environment(
    studio: State<'_, Studio>,
    project_path: Option<PathBuf>,
    environment: Environment,
) -> Result<ConnectionReport> {
    Ok(studio
        .test_environment(project_path.as_deref(), &environment)
        .await?)
}

#[tauri::command]
pub fn secret_status(studio: State<'_, Studio>, name: String) -> SecretStatus {
    studio.secret_status(&name)
}

#[tauri::command]
pub fn store_secret(
    studio: State<'_, Studio>,
    name: String,
    value: String,
) -> Result<SecretStatus> {
    Ok(studio.store_secret(&name, &value)?)
}

#[tauri::command]
pub fn forget_secret(studio: State<'_, Studio>, name: String) -> Result<SecretStatus> {
    Ok(studio.forget_secret(&name)?)
}

#[tauri::command]
pub async fn run_sync(
    studio: State<'_, Studio>,
    request: RunRequest,
    on_progress: Channel<RunProgress>,
) -> Result<RunReport> {
    let send = move |event: RunProgress| {
        if let Err(error) = on_progress.send(event) {
            tracing::debug!(%error, "progress event not delivered");
        }
    };
    Ok(studio.run_sync(&request, &send).await?)
}

#[tauri::command]
pub fn stop_run(studio: State<'_, Studio>) -> bool {
    studio.stop_run()
}

#[tauri::command]
pub async fn project_status(studio: State<'_, Studio>, project_path: PathBuf) -> Result<Status> {
    Ok(studio.project_status(&project_path).await?)
}

#[tauri::command]
pub async fn list_errors(
    studio: State<'_, Studio>,
    project_path: PathBuf,
    category: Option<ErrorCategory>,
) -> Result<Vec<ErrorRecord>> {
    Ok(studio.list_errors(&project_path, category).await?)
}

#[tauri::command]
pub async fn retry_errors(
    studio: State<'_, Studio>,
    project_path: PathBuf,
    ids: Option<Vec<i64>>,
) -> Result<RetryOutcome> {
    Ok(studio.retry_errors(&project_path, ids).await?)
}

#[tauri::command]
pub async fn list_conflicts(
    studio: State<'_, Studio>,
    project_path: PathBuf,
) -> Result<Vec<Conflict>> {
    Ok(studio.list_conflicts(&project_path).await?)
}

#[tauri::command]
pub async fn set_map_paused(
    studio: State<'_, Studio>,
    project_path: PathBuf,
    map: String,
    paused: bool,
) -> Result<Status> {
    Ok(studio.set_map_paused(&project_path, &map, paused).await?)
}

#[tauri::command]
pub async fn record_pair(studio: State<'_, Studio>, request: RecordRequest) -> Result<RecordPair> {
    Ok(studio.record_pair(&request).await?)
}

#[tauri::command]
pub async fn run_live(studio: State<'_, Studio>, request: LiveRequest) -> Result<LiveOutcome> {
    Ok(studio.run_live(&request).await?)
}

#[tauri::command]
pub fn live_examples(studio: State<'_, Studio>, project: Project, from: Side) -> Vec<LiveExample> {
    studio.live_examples(&project, from)
}

#[tauri::command]
pub async fn load_live_example(
    studio: State<'_, Studio>,
    request: LiveExampleRequest,
) -> Result<Vec<TxnRow>> {
    Ok(studio.load_live_example(&request).await?)
}

/// Drawing a PNG of a large chart takes a while: run off the main thread (`async`).
#[tauri::command(async)]
pub fn export_chart(studio: State<'_, Studio>, path: PathBuf, svg: String) -> Result<()> {
    Ok(studio.export_chart(&path, &svg)?)
}
