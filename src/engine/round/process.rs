//! Applying one queue entry.
//!
//! The entry is a reference; the row is read now, at processing time, as dual-write async does.
//! - **Concurrency**: when the row's version moved on since the change was queued, the entry is
//!   skipped (a newer entry exists for the newer version); nothing is written for it.
//! - **No phantom updates**: when the source row still equals its snapshot (the state both sides
//!   had after the last sync) on the columns the map carries, nothing is written. This is also what
//!   settles a bidirectional map after one round.
//! - **Conflicts**: when the target row also differs from its snapshot, both sides changed since
//!   the last sync. The map's primary side (F&O when unset) wins: its row is written to the other
//!   side (whichever side the entry came from), and the losing values are recorded as a conflict,
//!   not as an error. Only bidirectional maps have conflicts; a one-way map's source always wins.
//!   A target that changed to exactly what the source would write (plain fields equal, lookups
//!   as synced) is no conflict: that is what a crash between the target's commit and the
//!   snapshot's leaves, and the round settles it.
//! - **Created on both sides**: a row with no snapshot was never synced (the initial sync and
//!   every applied entry write one), so when the target holds the key too, both sides created it
//!   since the last sync: a conflict like any other, whatever the values (with no snapshot there is
//!   no way to tell a crash's leftover from two creations). A placeholder the engine created on the target is the exception: the
//!   real row hydrates it. The decision this takes: an initial sync run with `snapshots: false`
//!   leaves every copied row without one, so the first change of such a row after it is a
//!   conflict that the primary side wins.
//! - Application failures (value map, lookup not found, constraints) go to the error log and the
//!   entry is failed (retry from the CLI once fixed); system failures are rescheduled.

use std::time::Duration;

use crate::endpoint::{ErrorCategory, Key, Operation, Row, Value};
use crate::model::{MapDirection, Side};
use crate::store::{
    self, NewConflict, NewError, Op, PlaceholderRef, QueueEntry, SideSnapshot, Snapshot, Timestamp,
};

use super::super::rows::{comparable, key_of, key_text, row_json, translate_key};
use super::super::transform::transform_row;
use super::super::{Engine, EngineError, LookupResolver, ResolvedMap};
use super::retry::{self, Failure};
use super::{missing_parent, RoundOptions, RoundReport};

/// What processing an entry came to.
pub(super) enum Outcome {
    /// Not applied on purpose.
    Skipped,
    /// Nothing to write.
    Unchanged,
    /// Written; the snapshot to keep, the conflict if both sides had changed, and the row
    /// written (which hydrates it if it was a placeholder).
    Applied(Box<(Snapshot, Option<NewConflict>, PlaceholderRef)>),
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
            let (snapshot, conflict, written) = *applied;
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
    if let Some(Some(version)) = versions.first() {
        if version.to_string() != entry.row_version {
            return Ok(Outcome::Skipped);
        }
    }
    let target_key = translate_key(map, source_side, &key)
        .ok_or_else(|| bad_key(map, "a key column of the other side has no field"))?;
    let fno_key = match source_side {
        Side::Fno => key.clone(),
        Side::Dataverse => target_key.clone(),
    };
    if entry.op == Op::Delete {
        if !map.map.sync_deletes {
            return Ok(Outcome::Skipped);
        }
        let mut tx = target.begin().await?;
        tx.apply_bulk(&[Operation::Delete {
            table: map.table(target_side).to_string(),
            key_columns: map.keys(target_side).to_vec(),
            key: target_key,
        }])
        .await?;
        tx.commit().await?;
        return Ok(Outcome::Deleted(key_text(&fno_key)));
    }
    let Some(source_row) = read_one(engine, map, source_side, &key).await? else {
        // Deleted since; its delete has an entry of its own.
        return Ok(Outcome::Skipped);
    };
    let snapshot = engine.store.snapshot(map.id(), &key_text(&fno_key)).await?;
    let source_changed = snapshot.as_ref().is_none_or(|s| {
        differs(
            &source_row,
            &s.side(source_side).values,
            carried(map, source_side, target_side),
        )
    });
    if !source_changed {
        return Ok(Outcome::Unchanged);
    }
    let target_row = read_one(engine, map, target_side, &target_key).await?;
    let target_changed = map.map.direction == MapDirection::Bidirectional
        && match (&snapshot, &target_row) {
            (Some(s), Some(row)) => target_conflicts(map, target_side, &source_row, row, s),
            // Never synced, yet on both sides: created on both since the last sync.
            (None, Some(_)) => !is_placeholder(engine, map, target_side, &target_key).await?,
            (_, None) => false,
        };
    let primary = map.map.primary.unwrap_or(Side::Fno);
    // The side whose row is written to the other: the source, unless the target is the primary
    // side of a conflict.
    let (from, from_row, to_row) = match (&target_row, target_changed && primary == target_side) {
        (Some(row), true) => (target_side, row.clone(), Some(source_row.clone())),
        _ => (source_side, source_row.clone(), target_row.clone()),
    };
    let written = write(engine, map, from, &from_row).await?;
    let conflict = target_changed.then(|| NewConflict {
        map_id: map.id().to_string(),
        key: key_text(&fno_key),
        winning_side: from,
        winning_values: row_json(&from_row),
        losing_values: to_row.as_ref().map(row_json).unwrap_or_default(),
    });
    let written_key = if from == source_side {
        &target_key
    } else {
        &key
    };
    let written_ref = missing_parent::hydrated_ref(map, from.other(), written_key);
    let mut to_after = to_row.unwrap_or_default();
    to_after.extend(written);
    Ok(Outcome::Applied(Box::new((
        synced_snapshot(map, key_text(&fno_key), from, from_row, to_after),
        conflict,
        written_ref,
    ))))
}

/// The snapshot after writing `from_row` of side `from` over the other side's row, which is
/// `to_after` once written.
pub(super) fn synced_snapshot(
    map: &ResolvedMap,
    fno_key: crate::store::KeyText,
    from: Side,
    from_row: Row,
    to_after: Row,
) -> Snapshot {
    let (fno_values, dataverse_values) = match from {
        Side::Fno => (from_row, to_after),
        Side::Dataverse => (to_after, from_row),
    };
    Snapshot {
        map_id: map.id().to_string(),
        key: fno_key,
        fno: SideSnapshot {
            values: row_json(&fno_values),
            version: None,
        },
        dataverse: SideSnapshot {
            values: row_json(&dataverse_values),
            version: None,
        },
        synced_at: Timestamp::now(),
    }
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

async fn read_one(
    engine: &Engine,
    map: &ResolvedMap,
    side: Side,
    key: &Key,
) -> Result<Option<Row>, EngineError> {
    let rows = engine
        .endpoint(side)
        .read_by_keys(map.table(side), map.keys(side), std::slice::from_ref(key))
        .await?;
    Ok(rows.into_iter().next())
}

/// The columns of `side` that the map carries to `other`.
pub(super) fn carried(map: &ResolvedMap, side: Side, other: Side) -> Vec<&str> {
    map.fields_to(other).map(|f| f.column(side)).collect()
}

/// Whether the target row changed since the last sync in a way that conflicts with the
/// source's change: it differs from its snapshot and does not already hold the source's change.
pub(super) fn target_conflicts(
    map: &ResolvedMap,
    target_side: Side,
    source_row: &Row,
    target_row: &Row,
    snapshot: &Snapshot,
) -> bool {
    let carried_columns = carried(map, target_side, target_side.other());
    differs(
        target_row,
        &snapshot.side(target_side).values,
        carried_columns,
    ) && !already_holds(map, target_side, source_row, target_row, snapshot)
}

/// Whether `target_row` already holds what `source_row` would write: its plain (not lookup)
/// fields equal the transformed source values, and its lookup fields are unchanged since the
/// snapshot on both sides. That is what a crash leaves between the target's commit and the
/// store's (the row written, its snapshot not saved): the target changed since the snapshot, but
/// to the source's own values, so it is settled, not reported as a conflict. Lookup fields are compared with the
/// snapshot only (their target values need resolving), so a change that moved a lookup is still
/// treated as a conflict after such a crash, the primary side winning as usual.
fn already_holds(
    map: &ResolvedMap,
    target_side: Side,
    source_row: &Row,
    target_row: &Row,
    snapshot: &Snapshot,
) -> bool {
    let Ok(expected) = transform_row(map, target_side, source_row, |f| f.lookup.is_none()) else {
        return false;
    };
    let plain_agree = expected.iter().all(|(column, value)| {
        comparable(value) == target_row.get(column).map(comparable).unwrap_or_default()
    });
    let lookups = |side: Side| -> Vec<&str> {
        map.fields
            .iter()
            .filter(|f| f.lookup.is_some())
            .map(|f| f.column(side))
            .collect()
    };
    let source_side = target_side.other();
    plain_agree
        && !differs(
            target_row,
            &snapshot.side(target_side).values,
            lookups(target_side),
        )
        && !differs(
            source_row,
            &snapshot.side(source_side).values,
            lookups(source_side),
        )
}

/// Whether `row` differs from the snapshot values on these columns (columns the snapshot does
/// not hold are not compared).
pub(super) fn differs(row: &Row, snapshot: &serde_json::Value, columns: Vec<&str>) -> bool {
    columns.into_iter().any(|column| {
        let Some(before) = snapshot.get(column) else {
            return false;
        };
        let before = Value::from_json(before).unwrap_or(Value::Null);
        let now = row.get(column).cloned().unwrap_or(Value::Null);
        comparable(&before) != comparable(&now)
    })
}
