//! Applying one queue entry.
//!
//! The batched path ([`super::batch`]) hands entries here when they must be handled one by one:
//! a placeholder created for a missing parent, a held child, an open breaker (rejection and the
//! half-open probe are per entry), a system failure (retried with backoff, [`super::retry`]).
//! The entry is a reference; the row is read now, at processing time, as dual-write async does.
//! - Concurrency skip, no phantom updates, conflicts and rows created on both sides follow the
//!   rules both paths share ([`super::rules`]).
//! - Application failures (value map, lookup not found, constraints) go to the error log and the
//!   entry is failed (retry from the CLI once fixed); system failures are rescheduled.
//!
//! This is not a batch of one: the batch defers missing parents and system failures instead of
//! handling them, and isolates an application failure as a failed row, while here a missing
//! parent creates a placeholder and retries the lookup, and every error reaches
//! [`process_entry`], which holds, reschedules or fails the entry. The steps in between (reading
//! rows, the decision, the records a write leaves) are shared instead.

use std::time::Duration;

use crate::endpoint::{ErrorCategory, Key, Operation, Row};
use crate::model::Side;
use crate::store::{self, NewError, Op, QueueEntry, Timestamp};

use super::super::rows::{key_of, key_text, translate_key};
use super::super::transform::transform_row;
use super::super::{Engine, EngineError, LookupResolver, ResolvedMap};
use super::reads::read_one;
use super::retry::{self, Failure};
use super::rules::{self, Applied, Candidate};
use super::{missing_parent, RoundOptions, RoundReport};

/// What processing an entry came to.
pub(super) enum Outcome {
    /// Not applied on purpose.
    Skipped,
    /// Nothing to write.
    Unchanged,
    /// Written; what it leaves in the store.
    Applied(Box<Applied>),
    /// A delete was applied.
    Deleted(crate::store::KeyText),
}

pub(super) async fn process_entry(
    engine: &Engine,
    entry: &QueueEntry,
    options: &RoundOptions,
    report: &mut RoundReport,
) -> Result<(), EngineError> {
    let outcome = match engine.map(&entry.map_id) {
        Some(map) => retry::apply_guarded(engine, map, entry, options).await,
        None => Err(Failure::Error(EngineError::UnknownMap(
            entry.map_id.clone(),
        ))),
    };
    let now = Timestamp::now();
    let outcome = match outcome {
        Ok(outcome) => Ok(outcome),
        Err(Failure::Rejected(retry_after)) => {
            let mut tx = engine.store.begin().await?;
            tx.schedule_retry(&[entry.id], now.plus(retry_after), now)
                .await?;
            tx.commit().await?;
            report.rejected += 1;
            return Ok(());
        }
        Err(Failure::Error(error)) => Err(error),
    };
    let mut tx = engine.store.begin().await?;
    match outcome {
        Ok(Outcome::Skipped) => {
            tx.mark_skipped(&[entry.id], now).await?;
            report.skipped += 1;
        }
        Ok(Outcome::Unchanged) => {
            tx.mark_done(&[entry.id], now).await?;
            report.unchanged += 1;
        }
        Ok(Outcome::Applied(applied)) => {
            let Applied {
                snapshot,
                conflict,
                written,
            } = *applied;
            tx.upsert_snapshots(std::slice::from_ref(&snapshot)).await?;
            tx.hydrate_placeholders(std::slice::from_ref(&written), now)
                .await?;
            for child in missing_parent::child_maps(engine, &entry.map_id) {
                tx.release_held(Some(child), now).await?;
            }
            if let Some(conflict) = conflict {
                tx.record_conflicts(&[conflict], now).await?;
                report.conflicts += 1;
            }
            tx.mark_done(&[entry.id], now).await?;
            report.applied += 1;
        }
        Ok(Outcome::Deleted(key)) => {
            tx.delete_snapshots(&entry.map_id, &[key]).await?;
            tx.mark_done(&[entry.id], now).await?;
            report.applied += 1;
        }
        Err(error) if missing_parent::is_missing_parent(&error) => {
            tracing::info!(map = %entry.map_id, key = %entry.key, %error, "parent missing; holding the entry");
            tx.hold(&[entry.id], now).await?;
            report.held += 1;
        }
        Err(error) if error.category() == ErrorCategory::System => {
            let delay =
                Duration::from_secs(1u64 << entry.attempts.min(8)).min(Duration::from_secs(300));
            tracing::warn!(map = %entry.map_id, key = %entry.key, %error, "system failure; retrying later");
            tx.schedule_retry(&[entry.id], now.plus(delay), now).await?;
            report.retried += 1;
        }
        Err(error) => {
            tx.log_errors(&[failed_entry(entry, &error)], now).await?;
            tx.mark_failed(&[entry.id], now).await?;
            report.failed += 1;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The error-log record of an entry that failed for an application reason (logged here).
pub(super) fn failed_entry(entry: &QueueEntry, error: &EngineError) -> NewError {
    tracing::info!(map = %entry.map_id, key = %entry.key, %error, "entry failed");
    NewError {
        queue_entry: Some(entry.id),
        map_id: entry.map_id.clone(),
        key: Some(entry.key.clone()),
        category: store::ErrorCategory::Application,
        message: error.to_string(),
        row: None,
        attempts: entry.attempts,
    }
}

fn bad_key(map: &ResolvedMap, reason: &str) -> EngineError {
    EngineError::InvalidMap {
        map: map.id().to_string(),
        reason: reason.to_string(),
    }
}

pub(super) async fn apply(
    engine: &Engine,
    map: &ResolvedMap,
    entry: &QueueEntry,
) -> Result<Outcome, EngineError> {
    let source_side = entry.source_side;
    let target_side = source_side.other();
    let source = engine.endpoint(source_side);
    let target = engine.endpoint(target_side);
    let key = key_of(&entry.key).ok_or_else(|| bad_key(map, "a queued key cannot be read"))?;
    let versions = source
        .row_versions(map.table(source_side), std::slice::from_ref(&key))
        .await?;
    if rules::moved_on(entry, versions.first().copied().flatten()) {
        return Ok(Outcome::Skipped);
    }
    let target_key = translate_key(map, source_side, &key)
        .ok_or_else(|| bad_key(map, "a key column of the other side has no field"))?;
    if entry.op == Op::Delete {
        if !map.map.sync_deletes {
            return Ok(Outcome::Skipped);
        }
        let fno_key = rules::fno_key(source_side, &key, &target_key);
        let mut tx = target.begin().await?;
        tx.apply_bulk(&[rules::delete(map, target_side, target_key)])
            .await?;
        tx.commit().await?;
        return Ok(Outcome::Deleted(key_text(&fno_key)));
    }
    let Some(source_row) = read_one(engine, map, source_side, &key).await? else {
        // Deleted since; its delete has an entry of its own.
        return Ok(Outcome::Skipped);
    };
    let fno_text = key_text(&rules::fno_key(source_side, &key, &target_key));
    let snapshot = engine.store.snapshot(map.id(), &fno_text).await?;
    if !rules::source_changed(map, source_side, &source_row, snapshot.as_ref()) {
        return Ok(Outcome::Unchanged);
    }
    let target_row = read_one(engine, map, target_side, &target_key).await?;
    let placeholder = rules::asks_placeholder(map, target_row.as_ref(), snapshot.as_ref())
        && is_placeholder(engine, map, target_side, &target_key).await?;
    let keys = (key, target_key);
    let rows = (source_row, target_row);
    let candidate = Candidate::new(map, entry, keys, rows, snapshot.as_ref(), placeholder);
    let written = write(engine, map, candidate.from, candidate.winning_row()).await?;
    Ok(Outcome::Applied(Box::new(candidate.settle(map, written))))
}

/// Whether the row of `side` with this key is a placeholder the engine created and the real
/// row has not hydrated yet (it is no change of the application, so no conflict).
async fn is_placeholder(
    engine: &Engine,
    map: &ResolvedMap,
    side: Side,
    key: &Key,
) -> Result<bool, EngineError> {
    let placeholder = missing_parent::hydrated_ref(map, side, key);
    let open = engine
        .store
        .unhydrated_among(
            &placeholder.map_id,
            side,
            std::slice::from_ref(&placeholder.key),
        )
        .await?;
    Ok(!open.is_empty())
}

/// Transforms `row` of `from` and upserts it on the other side; returns the values written.
async fn write(
    engine: &Engine,
    map: &ResolvedMap,
    from: Side,
    row: &Row,
) -> Result<Row, EngineError> {
    let to = from.other();
    let transformed = transform_row(map, to, row, |_| true)?;
    // Each placeholder created resolves one more lookup; one pass per lookup field at most.
    let mut passes = map.fields.iter().filter(|f| f.lookup.is_some()).count() + 1;
    let resolved = loop {
        passes -= 1;
        let lookups = LookupResolver::new(engine.endpoint(Side::Dataverse).clone());
        let result = lookups
            .resolve_rows(
                map,
                to,
                std::slice::from_ref(row),
                vec![transformed.clone()],
                |_| true,
            )
            .await?
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(bad_key(map, "a row vanished while resolving lookups")));
        match result {
            Err(error)
                if passes > 0
                    && to == Side::Dataverse
                    && map.map.placeholders
                    && missing_parent::is_missing_parent(&error)
                    && missing_parent::create_placeholder(engine, map, &transformed, &error)
                        .await? => {}
            other => break other?,
        }
    };
    let mut tx = engine.endpoint(to).begin().await?;
    tx.apply_bulk(&[Operation::Upsert {
        table: map.table(to).to_string(),
        key_columns: map.keys(to).to_vec(),
        values: resolved.clone(),
    }])
    .await?;
    tx.commit().await?;
    Ok(resolved)
}
