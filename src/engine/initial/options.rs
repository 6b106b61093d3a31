//! What an initial sync is asked to do, what it reports while running, and what it returns.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc::UnboundedSender;

use crate::model::Side;
use crate::store::RunId;

/// Options of [`crate::engine::Engine::initial_sync`].
#[derive(Debug, Clone)]
pub struct InitialSyncOptions {
    /// Maps to sync by id; empty: the maps of groups with `initialSync` (or all, see `all_maps`).
    pub maps: Vec<String>,
    /// With no `maps`: sync every map, not only those of groups with `initialSync`.
    pub all_maps: bool,
    /// Copy from this side (when the map's direction allows it); default per map: a one-way map's
    /// source side, a bidirectional map's primary side, else F&O.
    pub source: Option<Side>,
    /// Maps of one wave copied at the same time.
    pub parallelism: usize,
    /// Rows per page read and per batch written (one target transaction each).
    pub batch_size: usize,
    /// Write per-row snapshots so that a later async round can detect conflicts. Without them
    /// the async round cannot tell a copied row from one created on both sides since: the first
    /// change of a copied row is then a conflict that the map's primary side wins.
    pub snapshots: bool,
    /// Count the rows first (one `count(*)` per segment through [`crate::endpoint::Endpoint::count`])
    /// so that progress has a total and an ETA.
    pub count_rows: bool,
    /// Start a new run even when the last one did not finish (default: resume it).
    pub fresh: bool,
    /// Stop (as if interrupted) after this many committed batches; for tests and Ctrl-C drills.
    pub stop_after_batches: Option<u64>,
    /// Where progress events go (the CLI draws bars from them).
    pub progress: Option<UnboundedSender<ProgressEvent>>,
    /// Set to stop the run after the batches in flight commit (the app's Stop button); the run
    /// is reported as interrupted and resumes next time.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for InitialSyncOptions {
    fn default() -> Self {
        Self {
            maps: Vec::new(),
            all_maps: false,
            source: None,
            parallelism: 2,
            batch_size: 1_000,
            snapshots: true,
            count_rows: true,
            fresh: false,
            stop_after_batches: None,
            progress: None,
            cancel: None,
        }
    }
}

/// The first pass copies rows without their deferred lookups; the second fills those in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Pass {
    /// Every row, without self-references and deferred cycle lookups.
    First,
    /// Every row again, now with all lookups (only maps that deferred some).
    Second,
}

/// Progress of one map in one legal entity, sent after every committed batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressEvent {
    pub map_id: String,
    pub legal_entity: Option<String>,
    pub pass: Pass,
    /// Rows copied so far in this run, including rows of earlier attempts that were resumed.
    pub rows_done: u64,
    /// Rows copied before this attempt (resume), zero for a fresh start.
    pub resumed_from: u64,
    /// Rows in total, when counted.
    pub total: Option<u64>,
    /// Throughput of this attempt.
    pub rows_per_second: f64,
    /// Estimated time left, when the total and a rate are known.
    pub eta: Option<Duration>,
    /// Every row of this map and legal entity is done.
    pub finished: bool,
}

/// What one map did in a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MapReport {
    pub map_id: String,
    /// The side the rows were copied from.
    pub source: Option<Side>,
    /// Rows upserted on the target (second-pass rows counted again).
    pub rows_written: u64,
    /// Rows that failed (transform, lookup, constraint); they are in the error log.
    pub rows_failed: u64,
    /// Whether a second pass filled deferred lookups.
    pub second_pass: bool,
}

/// The outcome of an initial sync.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitialSyncReport {
    pub run: RunId,
    /// The run continued an earlier, unfinished one.
    pub resumed: bool,
    /// The run stopped before the end (see `stop_after_batches`); run again to resume.
    pub interrupted: bool,
    pub maps: Vec<MapReport>,
}

impl InitialSyncReport {
    /// Rows written by all maps.
    pub fn rows_written(&self) -> u64 {
        self.maps.iter().map(|m| m.rows_written).sum()
    }

    /// Rows failed in all maps.
    pub fn rows_failed(&self) -> u64 {
        self.maps.iter().map(|m| m.rows_failed).sum()
    }
}
