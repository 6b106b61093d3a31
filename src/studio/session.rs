//! The app's state between commands, and one method per command.
//!
//! The Tauri shell manages one [`Studio`] and forwards each command to the method of the same
//! name, so the command layer holds no logic. What lives here beyond the use case modules: the
//! directories the app owns (configuration: the recent list; data: the demo), and the one test
//! sync that may run at a time, so that Stop reaches it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::engine::live::LiveOutcome;
use crate::model::{Environment, Project};
use crate::store::{Conflict, ErrorCategory, ErrorRecord, RetryOutcome, Timestamp};

use super::analysis::{analyze, Analysis};
use super::document::{self, OpenedProject, TemplateKind};
use super::environments::{test_connection, ConnectionReport};
use super::error::StudioError;
use super::first_start::{self, StartInfo};
use super::live::{run_live, LiveRequest};
use super::recent::{RecentProject, RecentProjects};
use super::records::{record_pair, RecordPair, RecordRequest};
use super::results;
use super::runs::{run_sync, RunControl, RunProgress, RunReport, RunRequest};
use super::secrets::{KeychainSecrets, SecretStatus};
use super::status::Status;

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
    pub async fn start(&self) -> Result<StartInfo, StudioError> {
        let info = first_start::start(&self.data_dir, &self.recent).await?;
        if let Some(path) = &info.opened.path {
            self.remember(Path::new(path), &info.opened.project)?;
        }
        Ok(StartInfo {
            recent: self.recent.list(),
            ..info
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
    pub async fn test_environment(
        &self,
        project_path: Option<&Path>,
        environment: &Environment,
    ) -> Result<ConnectionReport, StudioError> {
        let demo_dir = self.data_dir.join("demo");
        let dir = project_path
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(&demo_dir);
        test_connection(environment, dir).await
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
    pub async fn run_sync(
        &self,
        request: &RunRequest,
        on_progress: &(dyn Fn(RunProgress) + Send + Sync),
    ) -> Result<RunReport, StudioError> {
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
    }

    /// Stops the running test sync, if any; `true` when one was running.
    pub fn stop_run(&self) -> bool {
        match self.running.lock() {
            Ok(running) => running.as_ref().map(RunControl::stop).is_some(),
            Err(_) => false,
        }
    }

    pub async fn project_status(&self, project_path: &Path) -> Result<Status, StudioError> {
        results::status(project_path).await
    }

    pub async fn list_errors(
        &self,
        project_path: &Path,
        category: Option<ErrorCategory>,
    ) -> Result<Vec<ErrorRecord>, StudioError> {
        results::errors(project_path, category, false).await
    }

    pub async fn retry_errors(
        &self,
        project_path: &Path,
        ids: Option<Vec<i64>>,
    ) -> Result<RetryOutcome, StudioError> {
        results::retry(project_path, ids).await
    }

    pub async fn list_conflicts(&self, project_path: &Path) -> Result<Vec<Conflict>, StudioError> {
        results::conflicts(project_path).await
    }

    pub async fn set_map_paused(
        &self,
        project_path: &Path,
        map: &str,
        paused: bool,
    ) -> Result<Status, StudioError> {
        results::set_paused(project_path, map, paused).await
    }

    pub async fn record_pair(&self, request: &RecordRequest) -> Result<RecordPair, StudioError> {
        record_pair(request).await
    }

    pub async fn run_live(&self, request: &LiveRequest) -> Result<LiveOutcome, StudioError> {
        run_live(request).await
    }

    fn remember(&self, path: &Path, project: &Project) -> Result<(), StudioError> {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent.add(&path, &project.name, Timestamp::now())
    }
}
