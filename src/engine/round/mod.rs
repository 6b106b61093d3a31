//! The async round: captured changes -> queue -> applied on the other side.
//!
//! 1. [`Engine::install_capture`] puts change capture on every async map's tables, keyed by the
//!    map's integration key, so that a change on either side is logged as (table, key, version).
//! 2. [`Engine::collect_changes`] reads each side's change log after the store's cursor and turns
//!    every change of a mapped table into a queue entry (map, side, key, version: a reference,
//!    not data), advancing the cursor in the same store transaction.
//! 3. [`Engine::process_queue`] claims entries in the store's order (group sequence, wave, FIFO),
//!    with parallel workers per entity group ([`workers`]), and applies each claimed batch per
//!    map and source side ([`batch`], with the rules of [`rules`]; [`process`] for the entries
//!    that must go one by one): concurrency skip, conflict detection by snapshots with the
//!    primary side winning (a key with no snapshot that both sides hold was created on both: a
//!    conflict too), upsert by integration key, snapshot update.
//!
//! [`Engine::sync_once`] does 2 and 3 until the queue has nothing ready. Around each entry:
//! - `missing_parent`: a lookup that finds no parent row creates a placeholder parent (maps
//!   with `placeholders`) that the real row hydrates later, or holds the child until an entry of
//!   the parent's map is applied; neither is an error.
//! - `retry`: each attempt goes through the target endpoint's circuit breaker
//!   ([`super::breaker`]); system failures are retried within the round with exponential backoff
//!   and jitter (`backon`), then rescheduled with a capped exponential delay; while the breaker
//!   is open entries are rescheduled for the end of its cooldown without touching the endpoint.
//! - `alert_rules`: after each claimed batch the project's alert rules are evaluated and a map
//!   that trips one is paused (its entries stay queued and catch up on resume).

mod alert_rules;
mod batch;
mod missing_parent;
mod process;
mod reads;
mod retry;
mod rules;
mod workers;

use std::time::Duration;

use serde::Serialize;
use tracing::Instrument;

use crate::endpoint::CaptureSpec;
use crate::model::{MapDirection, Side, SyncMode};
use crate::store::{NewEntry, Op, Timestamp};

use super::rows::key_text;
use super::{BreakerConfig, Engine, EngineError, ResolvedMap};

/// Options of an async round.
#[derive(Debug, Clone)]
pub struct RoundOptions {
    /// Changes read from a change log per store transaction.
    pub read_batch: usize,
    /// Entries claimed at a time.
    pub claim_batch: u32,
    /// How long a claim holds.
    pub lease: Duration,
    /// Retries of an entry within the round after a system failure (exponential backoff with
    /// jitter), before it is rescheduled for a later round.
    pub retries: usize,
    /// The first and the longest delay between those retries.
    pub retry_delays: (Duration, Duration),
    /// When an endpoint's circuit breaker opens (used when the breaker is first created).
    pub breaker: BreakerConfig,
    /// Entity groups processed at the same time, and maps of one chart wave within a group
    /// (1: one at a time, in order across groups).
    pub workers: u32,
    /// Only the entries of these maps are processed (empty: every map). Changes of the other
    /// maps are still collected and stay queued for a round that includes them, so nothing is
    /// lost by a narrow run (a test sync of one group, `sync --group`).
    pub maps: Vec<String>,
}

impl Default for RoundOptions {
    fn default() -> Self {
        Self {
            read_batch: 1_000,
            claim_batch: 1_000,
            lease: Duration::from_secs(120),
            retries: 2,
            retry_delays: (Duration::from_millis(200), Duration::from_secs(5)),
            breaker: BreakerConfig::default(),
            workers: 2,
            maps: Vec::new(),
        }
    }
}

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RoundReport {
    /// Queue entries created from the change logs.
    pub enqueued: u64,
    /// Entries applied to the other side.
    pub applied: u64,
    /// Entries with nothing to write (the row already equals its last synced state).
    pub unchanged: u64,
    /// Entries skipped because the row's version moved on since they were queued.
    pub skipped: u64,
    /// Conflicts detected (recorded in the conflicts table).
    pub conflicts: u64,
    /// Entries that failed with an application error (in the error log).
    pub failed: u64,
    /// Entries rescheduled after a system failure.
    pub retried: u64,
    /// Entries held because their parent row is missing (released when it arrives).
    pub held: u64,
    /// Entries not attempted because the target's circuit breaker was open (rescheduled).
    pub rejected: u64,
    /// Maps paused by an alert rule during the round.
    pub paused_maps: Vec<String>,
}

impl RoundReport {
    /// Adds another round's counts to these (totals over several rounds).
    pub fn add(&mut self, round: &RoundReport) {
        self.enqueued += round.enqueued;
        self.applied += round.applied;
        self.unchanged += round.unchanged;
        self.skipped += round.skipped;
        self.conflicts += round.conflicts;
        self.failed += round.failed;
        self.retried += round.retried;
        self.held += round.held;
        self.rejected += round.rejected;
        self.paused_maps.extend(round.paused_maps.iter().cloned());
    }
}

impl Engine {
    /// Installs change capture on both tables of every async map.
    pub async fn install_capture(&self) -> Result<(), EngineError> {
        for side in [Side::Fno, Side::Dataverse] {
            let mut specs: Vec<CaptureSpec> = Vec::new();
            for map in self.async_maps() {
                if specs.iter().any(|s| s.table == map.table(side)) {
                    continue;
                }
                let keys: Vec<&str> = map.keys(side).iter().map(String::as_str).collect();
                specs.push(CaptureSpec::new(map.table(side), &keys));
            }
            self.endpoint(side).install_capture(&specs).await?;
        }
        Ok(())
    }

    /// Reads both change logs after their cursors into the queue; returns the entries added.
    pub async fn collect_changes(&self, options: &RoundOptions) -> Result<u64, EngineError> {
        let mut added = 0;
        for side in [Side::Fno, Side::Dataverse] {
            let endpoint_id = self.environment(side).id.clone();
            loop {
                let after = self.store.cursor(&endpoint_id).await?.unwrap_or(0);
                let changes = self
                    .endpoint(side)
                    .read_changes(after, options.read_batch.max(1))
                    .instrument(tracing::debug_span!("round_read_changes"))
                    .await?;
                let Some(last) = changes.last().map(|c| c.seq) else {
                    break;
                };
                let mut entries = Vec::new();
                for change in &changes {
                    for map in self
                        .async_maps()
                        .filter(|m| m.table(side) == change.table && reads_from(m, side))
                    {
                        entries.push(self.entry_for(map, side, change));
                    }
                }
                let outcome = self
                    .store
                    .enqueue_changes(&endpoint_id, last, &entries, Timestamp::now())
                    .instrument(tracing::debug_span!("round_enqueue"))
                    .await?;
                added += outcome.inserted;
            }
        }
        Ok(added)
    }

    /// Collects changes, then processes the queue until nothing is ready.
    pub async fn sync_once(&self, options: &RoundOptions) -> Result<RoundReport, EngineError> {
        let enqueued = self.collect_changes(options).await?;
        let mut report = self.process_queue(options).await?;
        report.enqueued = enqueued;
        Ok(report)
    }

    /// Processes ready queue entries in order until none is left ready, with up to
    /// `options.workers` entity groups at a time ([`workers`]).
    pub async fn process_queue(&self, options: &RoundOptions) -> Result<RoundReport, EngineError> {
        workers::run(self, options).await
    }

    fn async_maps(&self) -> impl Iterator<Item = &ResolvedMap> {
        self.maps
            .iter()
            .map(AsRef::as_ref)
            .filter(|m| m.map.sync_mode == SyncMode::Async)
    }

    fn entry_for(
        &self,
        map: &ResolvedMap,
        side: Side,
        change: &crate::endpoint::Change,
    ) -> NewEntry {
        let (group_id, sequence) = self
            .project
            .groups
            .iter()
            .find_map(|g| {
                g.members
                    .iter()
                    .find(|m| m.map == map.id())
                    .map(|m| (g.id.clone(), m.sequence))
            })
            .unwrap_or_default();
        NewEntry {
            map_id: map.id().to_string(),
            source_side: side,
            key: key_text(&change.key),
            row_version: change.row_version.to_string(),
            op: match change.op {
                crate::endpoint::ChangeOp::Upsert => Op::Upsert,
                crate::endpoint::ChangeOp::Delete => Op::Delete,
            },
            group_id,
            sequence,
            wave: self
                .chart
                .wave_of(map.id())
                .and_then(|w| u32::try_from(w).ok())
                .unwrap_or(0),
        }
    }
}

/// Whether changes on `side` flow to the other side under the map's direction.
fn reads_from(map: &ResolvedMap, side: Side) -> bool {
    match map.map.direction {
        MapDirection::Bidirectional => true,
        MapDirection::ToDataverse => side == Side::Fno,
        MapDirection::ToFno => side == Side::Dataverse,
    }
}
