//! What a batch came to, committed to the store in one transaction.
//!
//! The reads and the writes of a batch only collect their outcome here (entries skipped,
//! unchanged, applied, failed; snapshots, conflicts, hydrated placeholders): the store sees one
//! transaction per batch instead of one per row, and the counts of the round report are taken
//! from what was committed. Entries left to the per-entry path are collected too
//! ([`Settled::deferred`]) and handed back to the caller before the commit.

use crate::endpoint::Row;
use crate::store::{
    EntryId, KeyText, NewConflict, NewError, PlaceholderRef, QueueEntry, Snapshot, Timestamp,
};

use super::super::super::{Engine, EngineError, ResolvedMap};
use super::super::rules::{Applied, Candidate};
use super::super::{missing_parent, process, RoundReport};

/// What the batch came to, written to the store in one transaction.
#[derive(Default)]
pub(super) struct Settled {
    pub(super) skipped: Vec<EntryId>,
    pub(super) unchanged: Vec<EntryId>,
    pub(super) applied: Vec<EntryId>,
    failed: Vec<(EntryId, NewError)>,
    snapshots: Vec<Snapshot>,
    pub(super) deleted: Vec<KeyText>,
    conflicts: Vec<NewConflict>,
    written: Vec<PlaceholderRef>,
    /// Left to the per-entry path (see the module doc of [`super`]).
    pub(super) deferred: Vec<QueueEntry>,
}

impl Settled {
    /// The entries that were attempted on the target (counted as its breaker's successes).
    pub(super) fn attempted(&self) -> u64 {
        (self.skipped.len() + self.unchanged.len() + self.applied.len() + self.failed.len()) as u64
    }

    /// Fails `entry` for an application reason (logged in the error log).
    pub(super) fn fail(&mut self, entry: &QueueEntry, error: &EngineError) {
        self.failed
            .push((entry.id, process::failed_entry(entry, error)));
    }

    /// Snapshots, conflicts and hydrated placeholders of the candidates whose row was written
    /// (`written` holds the values written per candidate, `None` for a row not written).
    pub(super) fn written(
        &mut self,
        map: &ResolvedMap,
        candidates: &[Candidate<'_>],
        written: Vec<Option<Row>>,
    ) {
        for (candidate, written) in candidates.iter().zip(written) {
            let Some(written) = written else {
                continue;
            };
            let Applied {
                snapshot,
                conflict,
                written,
            } = candidate.settle(map, written);
            self.conflicts.extend(conflict);
            self.written.push(written);
            self.applied.push(candidate.entry.id);
            self.snapshots.push(snapshot);
        }
    }

    pub(super) async fn commit(
        self,
        engine: &Engine,
        map: &ResolvedMap,
        report: &mut RoundReport,
    ) -> Result<(), EngineError> {
        let now = Timestamp::now();
        let mut tx = engine.store.begin().await?;
        tx.mark_skipped(&self.skipped, now).await?;
        tx.upsert_snapshots(&self.snapshots).await?;
        tx.hydrate_placeholders(&self.written, now).await?;
        if !self.applied.is_empty() {
            for child in missing_parent::child_maps(engine, map.id()) {
                tx.release_held(Some(child), now).await?;
            }
        }
        tx.record_conflicts(&self.conflicts, now).await?;
        tx.delete_snapshots(map.id(), &self.deleted).await?;
        let done: Vec<EntryId> = self
            .applied
            .iter()
            .chain(&self.unchanged)
            .copied()
            .collect();
        tx.mark_done(&done, now).await?;
        let (failed, errors): (Vec<EntryId>, Vec<NewError>) = self.failed.into_iter().unzip();
        tx.log_errors(&errors, now).await?;
        tx.mark_failed(&failed, now).await?;
        tx.commit().await?;
        report.skipped += self.skipped.len() as u64;
        report.unchanged += self.unchanged.len() as u64;
        report.applied += self.applied.len() as u64;
        report.conflicts += self.conflicts.len() as u64;
        report.failed += failed.len() as u64;
        Ok(())
    }
}
