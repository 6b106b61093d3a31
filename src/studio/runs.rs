//! Test syncs launched from the app: an initial sync or async rounds, with progress and Stop.
//!
//! The app streams [`RunProgress`] to its progress bars while the engine works, and gets a
//! [`RunReport`] at the end, with the project's status (counts per error category, queue) as the
//! runtime store has it then. Stop sets a flag the engine checks between batches, so nothing is
//! cut in the middle of a transaction: an initial sync stops as interrupted and resumes at the
//! next run; async rounds stop between rounds. Pausing is per map and lives in the runtime
//! store ([`super::results::pause_map`]), so a paused map's changes queue up and catch up on
//! resume, exactly as with the CLI.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::engine::initial::{InitialSyncOptions, MapReport, Pass, ProgressEvent};
use crate::engine::round::{RoundOptions, RoundReport};
use crate::engine::Engine;
use crate::model::{Project, Side};
use crate::store::RunId;

use super::error::StudioError;
use super::secrets::KeychainSecrets;
use super::status::{project_status, Status};

/// Async rounds a test sync runs at most before it reports (a round that applies nothing ends
/// it sooner).
pub const MAX_ROUNDS: u32 = 50;

/// What kind of test sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SyncRunKind {
    /// Copy the existing rows of the selected maps, in dependency order.
    Initial,
    /// Collect the changes captured on both sides and process the queue until it is idle.
    Async,
}

/// A test sync the user asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunRequest {
    pub project_path: String,
    pub kind: SyncRunKind,
    /// Map ids; with none and no group, the maps of groups marked for initial sync (initial)
    /// or every async map (async).
    #[serde(default)]
    pub maps: Vec<String>,
    /// An entity group whose members are synced (instead of `maps`).
    #[serde(default)]
    pub group: Option<String>,
    /// Initial sync: start over instead of resuming an unfinished run.
    #[serde(default)]
    pub fresh: bool,
    /// Initial sync: copy bidirectional maps from this side (default: each map's primary).
    #[serde(default)]
    pub source: Option<Side>,
}

/// What the progress bars are fed with.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "event")]
pub enum RunProgress {
    /// The engine is connected; these maps will be synced.
    #[serde(rename_all = "camelCase")]
    Started {
        kind: SyncRunKind,
        maps: Vec<String>,
    },
    /// A map (in one legal entity) committed a batch.
    #[serde(rename_all = "camelCase")]
    Map {
        map_id: String,
        legal_entity: Option<String>,
        pass: Pass,
        rows_done: u64,
        total: Option<u64>,
        rows_per_second: f64,
        eta_seconds: Option<f64>,
        finished: bool,
    },
    /// An async round ended.
    #[serde(rename_all = "camelCase")]
    Round { round: u32, report: RoundReport },
}

/// What a test sync did.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub kind: SyncRunKind,
    /// The initial sync's run (async rounds have none).
    pub run: Option<RunId>,
    /// The initial sync continued an unfinished run.
    pub resumed: bool,
    /// Stopped before the end (Stop); run again to resume.
    pub stopped: bool,
    /// Initial sync: per map.
    pub maps: Vec<MapReport>,
    pub rows_written: u64,
    pub rows_failed: u64,
    /// Async: the rounds added up.
    pub rounds: u32,
    pub round_totals: RoundReport,
    /// The project's status after the run: queue and unresolved errors per category, per map.
    pub status: Status,
}

/// Stops a running test sync.
#[derive(Debug, Clone, Default)]
pub struct RunControl {
    cancel: Arc<AtomicBool>,
}

impl RunControl {
    /// Asks the run to stop at the next batch or round boundary.
    pub fn stop(&self) {
        self.cancel.store(true, Ordering::SeqCst);
    }

    /// Whether Stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

/// The maps a request selects, checked against the project.
pub fn selected_maps(project: &Project, request: &RunRequest) -> Result<Vec<String>, StudioError> {
    Ok(project.selected_maps(request.group.as_deref(), &request.maps)?)
}

/// Runs the test sync `request` describes, calling `on_progress` as it goes.
pub async fn run_sync(
    request: &RunRequest,
    control: &RunControl,
    on_progress: &(dyn Fn(RunProgress) + Send + Sync),
) -> Result<RunReport, StudioError> {
    let path = Path::new(&request.project_path);
    let engine = Engine::open_with_secrets(path, None, &KeychainSecrets).await?;
    let result = run_with_engine(&engine, request, control, on_progress).await;
    engine.close().await;
    result
}

async fn run_with_engine(
    engine: &Engine,
    request: &RunRequest,
    control: &RunControl,
    on_progress: &(dyn Fn(RunProgress) + Send + Sync),
) -> Result<RunReport, StudioError> {
    let maps = selected_maps(engine.project(), request)?;
    tracing::info!(kind = ?request.kind, maps = maps.len(), "test sync");
    on_progress(RunProgress::Started {
        kind: request.kind,
        maps: maps.clone(),
    });
    let mut report = RunReport {
        kind: request.kind,
        run: None,
        resumed: false,
        stopped: false,
        maps: Vec::new(),
        rows_written: 0,
        rows_failed: 0,
        rounds: 0,
        round_totals: RoundReport::default(),
        status: project_status(engine.project(), engine.store()).await?,
    };
    match request.kind {
        SyncRunKind::Initial => {
            initial(engine, request, maps, control, on_progress, &mut report).await?
        }
        SyncRunKind::Async => rounds(engine, maps, control, on_progress, &mut report).await?,
    }
    report.status = project_status(engine.project(), engine.store()).await?;
    Ok(report)
}

async fn initial(
    engine: &Engine,
    request: &RunRequest,
    maps: Vec<String>,
    control: &RunControl,
    on_progress: &(dyn Fn(RunProgress) + Send + Sync),
    report: &mut RunReport,
) -> Result<(), StudioError> {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let options = InitialSyncOptions {
        maps,
        fresh: request.fresh,
        source: request.source,
        progress: Some(sender),
        cancel: Some(control.cancel.clone()),
        ..InitialSyncOptions::default()
    };
    let sync = engine.initial_sync(&options);
    tokio::pin!(sync);
    let outcome = loop {
        tokio::select! {
            outcome = &mut sync => break outcome,
            Some(event) = receiver.recv() => on_progress(map_progress(event)),
        }
    };
    // Events sent just before the end.
    while let Ok(event) = receiver.try_recv() {
        on_progress(map_progress(event));
    }
    let outcome = outcome?;
    report.rows_written = outcome.rows_written();
    report.rows_failed = outcome.rows_failed();
    report.run = Some(outcome.run);
    report.resumed = outcome.resumed;
    report.stopped = outcome.interrupted;
    report.maps = outcome.maps;
    Ok(())
}

fn map_progress(event: ProgressEvent) -> RunProgress {
    RunProgress::Map {
        map_id: event.map_id,
        legal_entity: event.legal_entity,
        pass: event.pass,
        rows_done: event.rows_done,
        total: event.total,
        rows_per_second: event.rows_per_second,
        eta_seconds: event.eta.map(|eta| eta.as_secs_f64()),
        finished: event.finished,
    }
}

async fn rounds(
    engine: &Engine,
    maps: Vec<String>,
    control: &RunControl,
    on_progress: &(dyn Fn(RunProgress) + Send + Sync),
    report: &mut RunReport,
) -> Result<(), StudioError> {
    engine.install_capture().await?;
    // Only the chosen maps' entries; the others stay queued (see `RoundOptions::maps`).
    let options = RoundOptions {
        maps,
        ..RoundOptions::default()
    };
    while report.rounds < MAX_ROUNDS {
        if control.is_stopped() {
            report.stopped = true;
            break;
        }
        let round = engine.sync_once(&options).await?;
        report.rounds += 1;
        report.round_totals.add(&round);
        let busy = round.applied + round.enqueued > 0;
        on_progress(RunProgress::Round {
            round: report.rounds,
            report: round,
        });
        if !busy {
            break;
        }
    }
    Ok(())
}
