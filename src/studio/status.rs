//! Where each map of a project stands, from the runtime store alone.
//!
//! Per map: sync mode, paused or not, queue entries per status and unresolved errors per
//! category; then the last runs. Shared by `dualwrite status` and the app's map list and test
//! sync results, so both show the same numbers. A stable, documented shape built from its own
//! structs rather than the store's rows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Project, SyncMode};
use crate::store::{ErrorFilter, PauseReason, Run, RunId, RunKind, Store, StoreError, Timestamp};

/// How many runs the status shows.
pub const LAST_RUNS: u32 = 5;

/// The status of a project, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub project: String,
    pub maps: Vec<MapStatus>,
    /// Newest first.
    pub last_runs: Vec<RunStatus>,
}

/// One run of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "RunSummary")]
pub struct RunStatus {
    pub id: RunId,
    pub kind: RunKind,
    pub status: crate::store::RunStatus,
    /// Milliseconds since the Unix epoch.
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// The engine's counters (rows written, failed...).
    pub counters: serde_json::Value,
}

impl From<Run> for RunStatus {
    fn from(run: Run) -> Self {
        Self {
            id: run.id,
            kind: run.kind,
            status: run.status,
            started_at: run.started_at,
            finished_at: run.finished_at,
            counters: run.counters,
        }
    }
}

/// One table map's state.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MapStatus {
    pub id: String,
    pub sync_mode: SyncMode,
    pub paused: bool,
    pub pause_reason: Option<PauseReason>,
    /// Queue entries per status (`pending`, `done`, `failed`...); statuses with none left out.
    pub queue: BTreeMap<String, u64>,
    /// Unresolved errors per category; categories with none left out.
    pub errors: BTreeMap<String, u64>,
}

/// The status of `project` as recorded in `store`.
pub async fn project_status(project: &Project, store: &Store) -> Result<Status, StoreError> {
    let counts = store.queue_counts().await?;
    let states = store.map_states().await?;
    let errors = store
        .list_errors(&ErrorFilter {
            unresolved_only: true,
            ..ErrorFilter::default()
        })
        .await?;
    let last_runs = store.list_runs(None, false, LAST_RUNS).await?;
    let maps = project
        .table_maps
        .iter()
        .map(|map| {
            let state = states.iter().find(|s| s.map_id == map.id);
            let mut queue = BTreeMap::new();
            for c in counts.iter().filter(|c| c.map_id == map.id) {
                *queue.entry(c.status.as_str().to_string()).or_insert(0) += c.count;
            }
            let mut by_category = BTreeMap::new();
            for e in errors.iter().filter(|e| e.map_id == map.id) {
                *by_category
                    .entry(e.category.as_str().to_string())
                    .or_insert(0) += 1;
            }
            MapStatus {
                id: map.id.clone(),
                sync_mode: map.sync_mode,
                paused: state.is_some_and(|s| s.paused),
                pause_reason: state.and_then(|s| s.reason.clone()),
                queue,
                errors: by_category,
            }
        })
        .collect();
    Ok(Status {
        project: project.name.clone(),
        maps,
        last_runs: last_runs.into_iter().map(RunStatus::from).collect(),
    })
}
