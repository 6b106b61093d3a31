//! `dualwrite status PROJECT`: where each map stands, from the runtime store alone.
//!
//! Per map: sync mode, paused or not, queue entries per status and unresolved errors per
//! category; then the last runs. The JSON form is a stable, documented shape ([`Status`]) for
//! scripts and the app, so it is built from its own structs rather than the store's rows.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::engine_runtime::{open_store, print_json, runtime};
use super::{CliError, ListArgs, ListFormat, Outcome};
use crate::model::SyncMode;
use crate::store::{ErrorFilter, PauseReason, Run, RunId, RunKind, Timestamp};

/// How many runs the status shows.
const LAST_RUNS: u32 = 5;

/// The status of a project, as `--format json` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub project: String,
    pub maps: Vec<MapStatus>,
    /// Newest first.
    pub last_runs: Vec<RunStatus>,
}

/// One run of the engine.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
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
#[derive(Debug, Serialize)]
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

/// Prints the status.
pub fn run(args: &ListArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let status = runtime()?.block_on(async {
        let (project, store) = open_store(&args.target).await?;
        let counts = store.queue_counts().await?;
        let states = store.map_states().await?;
        let errors = store
            .list_errors(&ErrorFilter {
                unresolved_only: true,
                ..ErrorFilter::default()
            })
            .await?;
        let last_runs = store.list_runs(None, false, LAST_RUNS).await?;
        store.close().await;
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
        Ok::<_, CliError>(Status {
            project: project.name.clone(),
            maps,
            last_runs: last_runs.into_iter().map(RunStatus::from).collect(),
        })
    })?;
    match args.format {
        ListFormat::Json => print_json(out, "status", &status)?,
        ListFormat::Text => print_text(&status, out)?,
    }
    Ok(Outcome::Success)
}

fn print_text(status: &Status, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(out, "{}", status.project)?;
    for map in &status.maps {
        let mode = match map.sync_mode {
            SyncMode::Live => "live",
            SyncMode::Async => "async",
        };
        let paused = if map.paused { ", PAUSED" } else { "" };
        writeln!(out, "  {} ({mode}{paused})", map.id)?;
        if !map.queue.is_empty() {
            writeln!(out, "    queue:  {}", words(&map.queue))?;
        }
        if !map.errors.is_empty() {
            writeln!(out, "    errors: {}", words(&map.errors))?;
        }
    }
    if status.last_runs.is_empty() {
        writeln!(out, "no runs yet")?;
    } else {
        writeln!(out, "last runs:")?;
    }
    for run in &status.last_runs {
        writeln!(
            out,
            "  #{} {} {} {}",
            run.id, run.kind, run.status, run.counters
        )?;
    }
    Ok(())
}

/// `3 pending, 10 done`.
fn words(counts: &BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}
