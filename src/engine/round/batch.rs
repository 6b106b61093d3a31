//! Applying a claimed batch of one map and source side at once.
//!
//! Applying entries one at a time costs a source read, a snapshot read, a target transaction
//! and a store commit per row: about a thousand rows a second. Here the same rules
//! ([`super::process`]) are applied to a whole batch with a fixed number of round trips:
//! one read of the row versions (concurrency skip), one of the source rows, one of the
//! snapshots, one of the target rows (conflict detection), one lookup resolution, ONE target
//! transaction with multi-row upserts and deletes, and ONE store transaction for the
//! snapshots, done marks, conflicts and errors.
//!
//! What the batch does not settle goes through the per-entry path ([`process::process_entry`]),
//! which keeps every rule's exact semantics at the cost of speed, for rows that are rare:
//! - a row whose parent is missing (placeholder creation or holding, [`super::missing_parent`]);
//! - every entry of the batch when the target's circuit breaker is not closed (rejection and
//!   the half-open probe are per entry), and when the batch meets a system failure before
//!   anything was committed: the per-entry path retries with backoff under the breaker, so the
//!   breaker counts entry attempts as before and a batch never opens it on its own;
//! - the rows a conflict writes back to the source side, when that write meets a system failure.
//!
//! A target that refuses the multi-row write for one bad row (a constraint, a trigger) gets the
//! rows again one by one inside the same transaction, as the initial sync does
//! (`initial::page`), so only the failing rows are logged as errors.

use std::collections::HashMap;

use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::endpoint::{ErrorCategory, Key, Operation, Row};
use crate::model::{MapDirection, Side};
use crate::store::{
    EntryId, KeyText, NewConflict, NewError, Op, PlaceholderRef, QueueEntry, Snapshot, Timestamp,
};

use super::super::breaker::BreakerState;
use super::super::rows::{comparable, key_of, key_text, row_json, translate_key};
use super::super::transform::transform_row;
use super::super::{Engine, EngineError, LookupResolver, ResolvedMap};
use super::process::{self, carried, differs, target_conflicts};
use super::{missing_parent, RoundOptions, RoundReport};

/// A key compared by value text (the two endpoints may type a key column differently).
type MatchKey = Vec<String>;

/// The entries of one map and source side in a claimed batch.
type SubBatch = ((String, Side), Vec<QueueEntry>);

fn match_key(key: &Key) -> MatchKey {
    key.values().iter().map(comparable).collect()
}

/// Processes a claimed batch: its entries grouped by (map, source side), in the order the
/// groups first appear (the claim's order: sequence, wave, FIFO). Sub-batches of one sequence
/// and wave (maps that do not reference each other) run at the same time, up to
/// `options.workers`; the next sequence or wave starts when they are all done.
pub(super) async fn process_claimed(
    engine: &Engine,
    entries: Vec<QueueEntry>,
    options: &RoundOptions,
) -> Result<RoundReport, EngineError> {
    let mut groups: Vec<SubBatch> = Vec::new();
    for entry in entries {
        let id = (entry.map_id.clone(), entry.source_side);
        match groups.iter_mut().find(|(g, _)| *g == id) {
            Some((_, group)) => group.push(entry),
            None => groups.push((id, vec![entry])),
        }
    }
    let workers = usize::try_from(options.workers.max(1)).unwrap_or(1);
    let mut report = RoundReport::default();
    let mut groups = groups.into_iter().peekable();
    while let Some(first) = groups.next() {
        let stage_of = |group: &SubBatch| group.1.first().map(|e| (e.sequence, e.wave));
        let stage = stage_of(&first);
        // The two sides of one map stay in order (they may hold the same key).
        let mut members: Vec<Vec<SubBatch>> = vec![vec![first]];
        while let Some(next) = groups.next_if(|g| stage_of(g) == stage) {
            match members.iter_mut().find(|m| m[0].0 .0 == next.0 .0) {
                Some(map) => map.push(next),
                None => members.push(vec![next]),
            }
        }
        let reports: Vec<RoundReport> = stream::iter(members)
            .map(|map| async move {
                let mut report = RoundReport::default();
                for ((map_id, side), group) in map {
                    report.add(&process_group(engine, &map_id, side, group, options).await?);
                }
                Ok::<_, EngineError>(report)
            })
            .buffer_unordered(workers)
            .try_collect()
            .await?;
        for part in &reports {
            report.add(part);
        }
    }
    Ok(report)
}

async fn one_by_one(
    engine: &Engine,
    entries: &[QueueEntry],
    options: &RoundOptions,
    report: &mut RoundReport,
) -> Result<(), EngineError> {
    for entry in entries {
        process::process_entry(engine, entry, options, report).await?;
    }
    Ok(())
}

async fn process_group(
    engine: &Engine,
    map_id: &str,
    source_side: Side,
    entries: Vec<QueueEntry>,
    options: &RoundOptions,
) -> Result<RoundReport, EngineError> {
    let mut report = RoundReport::default();
    let Some(map) = engine.map(map_id) else {
        one_by_one(engine, &entries, options, &mut report).await?;
        return Ok(report);
    };
    let target = engine.environment(source_side.other()).id.clone();
    let breaker = engine.breakers.get(&target, options.breaker);
    if breaker.metrics().state != BreakerState::Closed {
        one_by_one(engine, &entries, options, &mut report).await?;
        return Ok(report);
    }
    let mut settled = Settled::default();
    if let Err(error) = apply_batch(engine, map, source_side, &entries, &mut settled).await {
        tracing::debug!(map = %map_id, %error, entries = entries.len(),
            "batch not applied; applying its entries one by one");
        one_by_one(engine, &entries, options, &mut report).await?;
        return Ok(report);
    }
    // Every attempted entry counts as a successful call, as it would one by one.
    breaker.record_successes(settled.attempted());
    let deferred = std::mem::take(&mut settled.deferred);
    settled.commit(engine, map, &mut report).await?;
    one_by_one(engine, &deferred, options, &mut report).await?;
    Ok(report)
}

/// What the batch came to, written to the store in one transaction.
#[derive(Default)]
struct Settled {
    skipped: Vec<EntryId>,
    unchanged: Vec<EntryId>,
    applied: Vec<EntryId>,
    failed: Vec<(EntryId, NewError)>,
    snapshots: Vec<Snapshot>,
    deleted: Vec<KeyText>,
    conflicts: Vec<NewConflict>,
    written: Vec<PlaceholderRef>,
    /// Left to the per-entry path (see the module doc).
    deferred: Vec<QueueEntry>,
}

impl Settled {
    fn attempted(&self) -> u64 {
        (self.skipped.len() + self.unchanged.len() + self.applied.len() + self.failed.len()) as u64
    }

    fn fail(&mut self, entry: &QueueEntry, error: &EngineError) {
        self.failed
            .push((entry.id, process::failed_entry(entry, error)));
    }

    async fn commit(
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

/// An upsert entry that got as far as a write: the rows of both sides and which one wins.
struct Candidate<'a> {
    entry: &'a QueueEntry,
    /// The key on the source side, on the target side and on F&O (the snapshot's key).
    key: Key,
    target_key: Key,
    fno_key: Key,
    source_row: Row,
    target_row: Option<Row>,
    conflict: bool,
    /// The side whose row is written to the other.
    from: Side,
}

impl Candidate<'_> {
    fn winning_row(&self) -> &Row {
        if self.from == self.entry.source_side {
            &self.source_row
        } else {
            self.target_row.as_ref().unwrap_or(&self.source_row)
        }
    }

    fn losing_row(&self) -> Option<&Row> {
        if self.from == self.entry.source_side {
            self.target_row.as_ref()
        } else {
            Some(&self.source_row)
        }
    }
}

/// Reads, compares and writes the batch; fills `settled`. An error means nothing was
/// committed on the target (the caller then applies the entries one by one).
async fn apply_batch(
    engine: &Engine,
    map: &ResolvedMap,
    source_side: Side,
    entries: &[QueueEntry],
    settled: &mut Settled,
) -> Result<(), EngineError> {
    let target_side = source_side.other();
    let source = engine.endpoint(source_side);

    // Concurrency skip: the row's version moved on since the change was queued.
    let mut live: Vec<(&QueueEntry, Key)> = Vec::with_capacity(entries.len());
    for entry in entries {
        match key_of(&entry.key) {
            Some(key) => live.push((entry, key)),
            None => settled.deferred.push(entry.clone()),
        }
    }
    let keys: Vec<Key> = live.iter().map(|(_, k)| k.clone()).collect();
    let versions = source.row_versions(map.table(source_side), &keys).await?;
    let mut by_key: HashMap<MatchKey, (&QueueEntry, Key)> = HashMap::new();
    for ((entry, key), version) in live.into_iter().zip(versions) {
        if version.is_some_and(|v| v.to_string() != entry.row_version) {
            settled.skipped.push(entry.id);
            continue;
        }
        // Two entries of one key that both pass (no version captured): the later stands for
        // both (entries of one map come in FIFO order).
        if let Some((earlier, _)) = by_key.insert(match_key(&key), (entry, key)) {
            settled.skipped.push(earlier.id);
        }
    }
    let mut current: Vec<(&QueueEntry, Key)> = by_key.into_values().collect();
    current.sort_by_key(|(e, _)| e.id);

    let mut deletes: Vec<(&QueueEntry, Key, Key)> = Vec::new();
    let mut upserts: Vec<(&QueueEntry, Key, Key)> = Vec::new();
    for (entry, key) in current {
        let Some(target_key) = translate_key(map, source_side, &key) else {
            settled.deferred.push(entry.clone());
            continue;
        };
        match entry.op {
            Op::Delete if !map.map.sync_deletes => settled.skipped.push(entry.id),
            Op::Delete => deletes.push((entry, key, target_key)),
            Op::Upsert => upserts.push((entry, key, target_key)),
        }
    }
    let fno_of = |key: &Key, target_key: &Key| match source_side {
        Side::Fno => key.clone(),
        Side::Dataverse => target_key.clone(),
    };

    // The latest source rows; a row deleted since has a delete entry of its own.
    let upsert_keys: Vec<Key> = upserts.iter().map(|(_, k, _)| k.clone()).collect();
    let mut source_rows = rows_by_key(engine, map, source_side, &upsert_keys).await?;
    let mut present = Vec::with_capacity(upserts.len());
    for (entry, key, target_key) in upserts {
        match source_rows.remove(&match_key(&key)) {
            Some(row) => present.push((entry, key, target_key, row)),
            None => settled.skipped.push(entry.id),
        }
    }

    // No phantom updates: rows that still equal their snapshot.
    let fno_texts: Vec<KeyText> = present
        .iter()
        .map(|(_, k, t, _)| key_text(&fno_of(k, t)))
        .collect();
    let snapshots: HashMap<KeyText, Snapshot> = engine
        .store
        .snapshots(map.id(), &fno_texts)
        .await?
        .into_iter()
        .map(|s| (s.key.clone(), s))
        .collect();
    let source_columns = carried(map, source_side, target_side);
    let mut changed = Vec::with_capacity(present.len());
    for ((entry, key, target_key, row), fno_text) in present.into_iter().zip(fno_texts) {
        let snapshot = snapshots.get(&fno_text);
        let source_changed = snapshot
            .is_none_or(|s| differs(&row, &s.side(source_side).values, source_columns.clone()));
        if source_changed {
            changed.push((entry, key, target_key, row, snapshot));
        } else {
            settled.unchanged.push(entry.id);
        }
    }

    // Conflict detection against the target rows.
    let target_keys: Vec<Key> = changed.iter().map(|(_, _, t, _, _)| t.clone()).collect();
    let mut target_rows = rows_by_key(engine, map, target_side, &target_keys).await?;
    let bidirectional = map.map.direction == MapDirection::Bidirectional;
    let unsnapshotted: Vec<KeyText> = changed
        .iter()
        .filter(|(_, _, t, _, s)| {
            bidirectional && s.is_none() && target_rows.contains_key(&match_key(t))
        })
        .map(|(_, _, t, _, _)| missing_parent::hydrated_ref(map, target_side, t).key)
        .collect();
    let placeholders: Vec<KeyText> = if unsnapshotted.is_empty() {
        Vec::new()
    } else {
        engine
            .store
            .unhydrated_among(map.id(), target_side, &unsnapshotted)
            .await?
    };
    let primary = map.map.primary.unwrap_or(Side::Fno);
    let mut candidates = Vec::with_capacity(changed.len());
    for (entry, key, target_key, source_row, snapshot) in changed {
        let target_row = target_rows.remove(&match_key(&target_key));
        let conflict = bidirectional
            && match (snapshot, &target_row) {
                (Some(s), Some(row)) => target_conflicts(map, target_side, &source_row, row, s),
                (None, Some(_)) => !placeholders.contains(&key_text(&target_key)),
                (_, None) => false,
            };
        let from = if conflict && primary == target_side && target_row.is_some() {
            target_side
        } else {
            source_side
        };
        candidates.push(Candidate {
            entry,
            fno_key: fno_of(&key, &target_key),
            key,
            target_key,
            source_row,
            target_row,
            conflict,
            from,
        });
    }

    // The target transaction: the source's rows and the deletes.
    let (forward, backward): (Vec<Candidate>, Vec<Candidate>) =
        candidates.into_iter().partition(|c| c.from == source_side);
    let delete_ops: Vec<(&QueueEntry, Operation)> = deletes
        .iter()
        .map(|(entry, _, target_key)| {
            (
                *entry,
                Operation::Delete {
                    table: map.table(target_side).to_string(),
                    key_columns: map.keys(target_side).to_vec(),
                    key: target_key.clone(),
                },
            )
        })
        .collect();
    let written = write(engine, map, target_side, &forward, delete_ops, settled).await?;
    for (entry, key, target_key) in &deletes {
        if written.deleted.contains(&entry.id) {
            settled.deleted.push(key_text(&fno_of(key, target_key)));
            settled.applied.push(entry.id);
        }
    }
    settle_written(map, forward, written.rows, settled);
    // Conflicts the target side won: its rows go back to the source side.
    if !backward.is_empty() {
        match write(engine, map, source_side, &backward, Vec::new(), settled).await {
            Ok(written) => settle_written(map, backward, written.rows, settled),
            Err(error) => {
                tracing::debug!(map = %map.id(), %error, "conflict write-back deferred");
                settled
                    .deferred
                    .extend(backward.iter().map(|c| c.entry.clone()));
            }
        }
    }
    Ok(())
}

/// The rows of `side` with these keys, by key.
async fn rows_by_key(
    engine: &Engine,
    map: &ResolvedMap,
    side: Side,
    keys: &[Key],
) -> Result<HashMap<MatchKey, Row>, EngineError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = engine
        .endpoint(side)
        .read_by_keys(map.table(side), map.keys(side), keys)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Key::from_row(&row, map.keys(side)).map(|k| (match_key(&k), row)))
        .collect())
}

/// What one write committed: the values written per candidate (by position) and the deletes.
struct Written {
    rows: Vec<Option<Row>>,
    deleted: Vec<EntryId>,
}

/// Transforms the winning rows for `to`, resolves their lookups in one batch and writes them
/// (and `deletes`) in one transaction on `to`. Rows that fail for an application reason are
/// failed in `settled`, rows with a missing parent deferred; their position holds `None`.
async fn write(
    engine: &Engine,
    map: &ResolvedMap,
    to: Side,
    candidates: &[Candidate<'_>],
    deletes: Vec<(&QueueEntry, Operation)>,
    settled: &mut Settled,
) -> Result<Written, EngineError> {
    let mut rows: Vec<Option<Row>> = vec![None; candidates.len()];
    let mut failures: Vec<(usize, EngineError)> = Vec::new();
    let mut positions = Vec::with_capacity(candidates.len());
    let mut transformed = Vec::with_capacity(candidates.len());
    for (i, candidate) in candidates.iter().enumerate() {
        match transform_row(map, to, candidate.winning_row(), |_| true) {
            Ok(row) => {
                positions.push(i);
                transformed.push(row);
            }
            Err(error) => failures.push((i, error)),
        }
    }
    let sources: Vec<Row> = positions
        .iter()
        .map(|&i| candidates[i].winning_row().clone())
        .collect();
    let lookups = LookupResolver::new(engine.endpoint(Side::Dataverse).clone());
    let resolved = lookups
        .resolve_rows(map, to, &sources, transformed, |_| true)
        .await?;
    let mut ready: Vec<(usize, Row)> = Vec::with_capacity(resolved.len());
    for (i, result) in positions.into_iter().zip(resolved) {
        match result {
            Ok(row) => ready.push((i, row)),
            Err(error) => failures.push((i, error)),
        }
    }
    let upsert = |values: &Row| Operation::Upsert {
        table: map.table(to).to_string(),
        key_columns: map.keys(to).to_vec(),
        values: values.clone(),
    };
    // Each operation's owner: a candidate's position, or a delete entry.
    enum Owner<'e> {
        Row(usize, Row),
        Delete(&'e QueueEntry),
    }
    let mut owners: Vec<Owner> = Vec::with_capacity(ready.len() + deletes.len());
    let mut operations: Vec<Operation> = Vec::with_capacity(ready.len() + deletes.len());
    for (i, row) in ready {
        operations.push(upsert(&row));
        owners.push(Owner::Row(i, row));
    }
    for (entry, operation) in deletes {
        operations.push(operation);
        owners.push(Owner::Delete(entry));
    }
    let mut deleted = Vec::new();
    if !operations.is_empty() {
        let mut tx = engine.endpoint(to).begin().await?;
        let mut kept: Vec<bool> = vec![true; operations.len()];
        if let Err(error) = tx.apply_bulk(&operations).await {
            if error.category() != ErrorCategory::Application {
                return Err(error.into());
            }
            // One row broke the batch: write them one by one (each apply is all or nothing,
            // the transaction stays usable) and fail only the rows the target refuses.
            tracing::debug!(map = %map.id(), %error, "batch refused; isolating the failing rows");
            for (n, operation) in operations.iter().enumerate() {
                match tx.apply(std::slice::from_ref(operation)).await {
                    Ok(_) => {}
                    Err(e) if e.category() == ErrorCategory::Application => {
                        kept[n] = false;
                        match &owners[n] {
                            Owner::Row(i, _) => failures.push((*i, e.into())),
                            Owner::Delete(entry) => settled.fail(entry, &e.into()),
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        tx.commit().await?;
        for (owner, kept) in owners.into_iter().zip(kept) {
            match (owner, kept) {
                (Owner::Row(i, row), true) => rows[i] = Some(row),
                (Owner::Delete(entry), true) => deleted.push(entry.id),
                _ => {}
            }
        }
    }
    for (i, error) in failures {
        let entry = candidates[i].entry;
        if missing_parent::is_missing_parent(&error) || error.category() == ErrorCategory::System {
            settled.deferred.push(entry.clone());
        } else {
            settled.fail(entry, &error);
        }
    }
    Ok(Written { rows, deleted })
}

/// Snapshots, conflicts and hydrated placeholders of the candidates whose row was written.
fn settle_written(
    map: &ResolvedMap,
    candidates: Vec<Candidate<'_>>,
    written: Vec<Option<Row>>,
    settled: &mut Settled,
) {
    for (candidate, written) in candidates.into_iter().zip(written) {
        let Some(written) = written else {
            continue;
        };
        let source_side = candidate.entry.source_side;
        let from = candidate.from;
        let fno_text = key_text(&candidate.fno_key);
        if candidate.conflict {
            settled.conflicts.push(NewConflict {
                map_id: map.id().to_string(),
                key: fno_text.clone(),
                winning_side: from,
                winning_values: row_json(candidate.winning_row()),
                losing_values: candidate.losing_row().map(row_json).unwrap_or_default(),
            });
        }
        let written_key = if from == source_side {
            &candidate.target_key
        } else {
            &candidate.key
        };
        settled
            .written
            .push(missing_parent::hydrated_ref(map, from.other(), written_key));
        let mut to_after = candidate.losing_row().cloned().unwrap_or_default();
        to_after.extend(written);
        settled.applied.push(candidate.entry.id);
        settled.snapshots.push(process::synced_snapshot(
            map,
            fno_text,
            from,
            candidate.winning_row().clone(),
            to_after,
        ));
    }
}
