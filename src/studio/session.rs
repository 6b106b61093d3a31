//! The app's state between commands, and one method per command.
//!
//! The Tauri shell manages one [`Studio`] and forwards each command to the method of the same
//! name, so the command layer holds no logic. What lives here beyond the use case modules: the
//! directories the app owns (configuration: the recent list; data: the demo), and the one test
//! sync that may run at a time, so that Stop reaches it.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Mutex;

use crate::demo::live_examples::LiveExample;
use crate::engine::live::{LiveOutcome, TxnRow};
use crate::model::{Environment, Project, Side};
use crate::store::{Conflict, ErrorCategory, ErrorRecord, RetryOutcome, Timestamp};

use super::analysis::{analyze, Analysis};
use super::document::{self, OpenedProject, TemplateKind};
use super::environments::{test_connection, ConnectionReport};
use super::error::StudioError;
use super::first_start::{self, StartInfo};
use super::live::{live_examples, load_live_example, run_live, LiveExampleRequest, LiveRequest};
use super::recent::{RecentProject, RecentProjects};
use super::records::{record_pair, RecordPair, RecordRequest};
use super::results;
use super::runs::{run_sync, RunControl, RunProgress, RunReport, RunRequest};
use super::secrets::{KeychainSecrets, SecretStatus};
use super::status::Status;

/// What the async methods return: boxed and `Send`, so that the Tauri shell can run them on its
/// runtime (the compiler cannot prove an unboxed sqlx future `Send` through the command macros).
pub type StudioFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StudioError>> + Send + 'a>>;

/// The desktop app's backend state.
#[derive(Debug)]
pub struct Studio {
    data_dir: PathBuf,
    recent: RecentProjects,
    running: Mutex<Option<RunControl>>,
}

/// Clears the running test sync when it ends, however it ends.
struct RunSlot<'a>(&'a Mutex<Option<RunControl>>);

impl Drop for RunSlot<'_> {
    fn drop(&mut self) {
        if let Ok(mut running) = self.0.lock() {
            *running = None;
        }
    }
}

impl Studio {
    /// The app's state, keeping its files in `config_dir` (recent projects) and `data_dir`
    /// (the demo).
    pub fn new(config_dir: &Path, data_dir: &Path) -> Self {
        Studio {
            data_dir: data_dir.to_path_buf(),
            recent: RecentProjects::new(config_dir),
            running: Mutex::new(None),
        }
    }

    /// The project the window opens with (see [`first_start`]).
    pub fn start<'a>(&'a self) -> StudioFuture<'a, StartInfo> {
        Box::pin(async move {
            let info = first_start::start(&self.data_dir, &self.recent).await?;
            if let Some(path) = &info.opened.path {
                self.remember(Path::new(path), &info.opened.project)?;
            }
            Ok(StartInfo {
                recent: self.recent.list(),
                ..info
            })
        })
    }

    pub fn open_project(&self, path: &Path) -> Result<OpenedProject, StudioError> {
        let opened = document::open(path)?;
        self.remember(path, &opened.project)?;
        Ok(opened)
    }

    pub fn new_project(
        &self,
        template: TemplateKind,
        name: &str,
    ) -> Result<OpenedProject, StudioError> {
        document::new_project(template, name)
    }

    pub fn import_helper_config(&self, path: &Path) -> Result<OpenedProject, StudioError> {
        document::import_helper_config(path)
    }

    /// Saves (and Save As: any path); the extension is added when the dialog left it out.
    pub fn save_project(
        &self,
        path: &Path,
        project: Project,
    ) -> Result<OpenedProject, StudioError> {
        let path = document::with_project_extension(path);
        let saved = document::save(&path, project)?;
        self.remember(&path, &saved.project)?;
        Ok(saved)
    }

    pub fn analyze(&self, project: &Project) -> Analysis {
        analyze(project)
    }

    pub fn recent_projects(&self) -> Vec<RecentProject> {
        self.recent.list()
    }

    /// Tests an environment as edited; relative SQLite paths are taken from the project's
    /// directory, or the demo's for a project not saved yet.
    pub fn test_environment<'a>(
        &'a self,
        project_path: Option<&'a Path>,
        environment: &'a Environment,
    ) -> StudioFuture<'a, ConnectionReport> {
        Box::pin(async move {
            let demo_dir = self.data_dir.join("demo");
            let dir = project_path
                .and_then(Path::parent)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(&demo_dir);
            test_connection(environment, dir).await
        })
    }

    pub fn secret_status(&self, name: &str) -> SecretStatus {
        KeychainSecrets.status(name)
    }

    pub fn store_secret(&self, name: &str, value: &str) -> Result<SecretStatus, StudioError> {
        Ok(KeychainSecrets.store(name, value)?)
    }

    pub fn forget_secret(&self, name: &str) -> Result<SecretStatus, StudioError> {
        Ok(KeychainSecrets.forget(name)?)
    }

    /// Runs a test sync; one at a time.
    pub fn run_sync<'a>(
        &'a self,
        request: &'a RunRequest,
        on_progress: &'a (dyn Fn(RunProgress) + Send + Sync),
    ) -> StudioFuture<'a, RunReport> {
        Box::pin(async move {
            let control = {
                let mut running = self
                    .running
                    .lock()
                    .map_err(|_| StudioError::RunInProgress)?;
                if running.is_some() {
                    return Err(StudioError::RunInProgress);
                }
                let control = RunControl::default();
                *running = Some(control.clone());
                control
            };
            let _slot = RunSlot(&self.running);
            run_sync(request, &control, on_progress).await
        })
    }

    /// Stops the running test sync, if any; `true` when one was running.
    pub fn stop_run(&self) -> bool {
        match self.running.lock() {
            Ok(running) => running.as_ref().map(RunControl::stop).is_some(),
            Err(_) => false,
        }
    }

    pub fn project_status<'a>(&'a self, project_path: &'a Path) -> StudioFuture<'a, Status> {
        Box::pin(async move { results::status(project_path).await })
    }

    pub fn list_errors<'a>(
        &'a self,
        project_path: &'a Path,
        category: Option<ErrorCategory>,
    ) -> StudioFuture<'a, Vec<ErrorRecord>> {
        Box::pin(async move { results::errors(project_path, category, false).await })
    }

    pub fn retry_errors<'a>(
        &'a self,
        project_path: &'a Path,
        ids: Option<Vec<i64>>,
    ) -> StudioFuture<'a, RetryOutcome> {
        Box::pin(async move { results::retry(project_path, ids).await })
    }

    pub fn list_conflicts<'a>(&'a self, project_path: &'a Path) -> StudioFuture<'a, Vec<Conflict>> {
        Box::pin(async move { results::conflicts(project_path).await })
    }

    pub fn set_map_paused<'a>(
        &'a self,
        project_path: &'a Path,
        map: &'a str,
        paused: bool,
    ) -> StudioFuture<'a, Status> {
        Box::pin(async move { results::set_paused(project_path, map, paused).await })
    }

    pub fn record_pair<'a>(&'a self, request: &'a RecordRequest) -> StudioFuture<'a, RecordPair> {
        Box::pin(async move { record_pair(request).await })
    }

    pub fn run_live<'a>(&'a self, request: &'a LiveRequest) -> StudioFuture<'a, LiveOutcome> {
        Box::pin(async move { run_live(request).await })
    }

    pub fn live_examples(&self, project: &Project, from: Side) -> Vec<LiveExample> {
        live_examples(project, from)
    }

    pub fn load_live_example<'a>(
        &'a self,
        request: &'a LiveExampleRequest,
    ) -> StudioFuture<'a, Vec<TxnRow>> {
        Box::pin(async move { load_live_example(request).await })
    }

    /// Writes the chart's standalone SVG to `path` as SVG or PNG (by its extension).
    pub fn export_chart(&self, path: &Path, svg: &str) -> Result<(), StudioError> {
        super::exports::export_chart(path, svg)
    }

    fn remember(&self, path: &Path, project: &Project) -> Result<(), StudioError> {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.add(&path, &project.name, Timestamp::now())
    }
}
