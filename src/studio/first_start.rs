//! The project the app opens when it starts.
//!
//! The first start must let a consultant run a test sync within a minute of installing, with
//! nothing to configure: the app creates the demo (two SQLite databases shaped like F&O and
//! Dataverse, and a project mapping them; see [`crate::demo`]) in its data directory and opens
//! it. Later starts reopen the most recent project that still exists, else the demo again
//! (created anew only if it is gone).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::demo::{self, DemoOptions};

use super::document::{self, OpenedProject};
use super::error::StudioError;
use super::recent::{RecentProject, RecentProjects};

/// What the window shows first.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StartInfo {
    pub opened: OpenedProject,
    pub recent: Vec<RecentProject>,
    /// The demo was created during this start.
    pub demo_created: bool,
    /// Where the demo lives.
    pub demo_project: String,
}

/// The demo project in `data_dir`, created when missing; `true` when it was just created.
pub async fn ensure_demo(data_dir: &Path) -> Result<(PathBuf, bool), StudioError> {
    let dir = data_dir.join("demo");
    let project = dir.join(demo::PROJECT_FILE);
    if project.is_file() {
        return Ok((project, false));
    }
    tracing::info!(dir = %dir.display(), "first start: creating the demo environments");
    let options = DemoOptions {
        force: true,
        ..DemoOptions::default()
    };
    // Seeding runs on a blocking thread of its own: its sqlx future is not provably `Send`
    // (the HRTB limitation of sqlx executors behind `&mut` borrows), and a few seconds of
    // seeding must not hold one of the runtime's worker threads anyway.
    let runtime = tokio::runtime::Handle::current();
    let created =
        tokio::task::spawn_blocking(move || runtime.block_on(demo::create(&dir, &options)))
            .await
            .map_err(|error| StudioError::Interrupted(error.to_string()))??;
    Ok((created.project_path, true))
}

/// Opens the most recent project, or the demo.
pub async fn start(data_dir: &Path, recent: &RecentProjects) -> Result<StartInfo, StudioError> {
    let (demo_project, demo_created) = ensure_demo(data_dir).await?;
    let list = recent.list();
    let opened = match list.first() {
        Some(last) if !demo_created => match document::open(Path::new(&last.path)) {
            Ok(opened) => opened,
            Err(error) => {
                tracing::warn!(path = %last.path, %error, "cannot reopen the last project; opening the demo");
                document::open(&demo_project)?
            }
        },
        _ => document::open(&demo_project)?,
    };
    Ok(StartInfo {
        opened,
        recent: list,
        demo_created,
        demo_project: demo_project.display().to_string(),
    })
}
