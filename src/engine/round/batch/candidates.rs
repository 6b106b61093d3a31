//! Reading a batch and deciding each row: skip, unchanged, delete, or a write with its winner.
//!
//! Each read is one round trip for the whole batch (row versions, source rows, snapshots,
//! target rows, open placeholders), and the rows are matched back to their entries by key value
//! text ([`match_key`]). The decision per row is the one the per-entry path takes
//! ([`super::super::rules`]); nothing is written here, so an error leaves the target untouched
//! and the caller can hand the whole batch to the per-entry path.

use std::collections::HashMap;

use tracing::Instrument;

use crate::endpoint::Key;
use crate::model::Side;
use crate::store::{KeyText, Op, QueueEntry, Snapshot};

use super::super::super::rows::{key_of, key_text, translate_key};
use super::super::super::{Engine, EngineError, ResolvedMap};
use super::super::missing_parent;
use super::super::reads::{match_key, rows_by_key, MatchKey};
use super::super::rules::{self, Candidate};
use super::settled::Settled;

/// A delete entry to apply: the entry, its key on the source side and on the target side.
pub(super) type Delete<'a> = (&'a QueueEntry, Key, Key);

/// What a batch is to write.
pub(super) struct Plan<'a> {
    pub(super) deletes: Vec<Delete<'a>>,
    pub(super) candidates: Vec<Candidate<'a>>,
}

/// Reads the batch and decides each entry: skipped, unchanged and deferred entries go to
/// `settled`, the rest to the plan.
pub(super) async fn read<'a>(
    engine: &Engine,
    map: &ResolvedMap,
    source_side: Side,
    entries: &'a [QueueEntry],
    settled: &mut Settled,
) -> Result<Plan<'a>, EngineError> {
    let target_side = source_side.other();
    let current = current(engine, map, source_side, entries, settled).await?;

    let mut deletes: Vec<Delete> = Vec::new();
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

    // The latest source rows; a row deleted since has a delete entry of its own.
    let upsert_keys: Vec<Key> = upserts.iter().map(|(_, k, _)| k.clone()).collect();
    let mut source_rows = rows_by_key(engine, map, source_side, &upsert_keys)
        .instrument(tracing::debug_span!("round_source_rows"))
        .await?;
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
        .map(|(_, k, t, _)| key_text(&rules::fno_key(source_side, k, t)))
        .collect();
    let snapshots: HashMap<KeyText, Snapshot> = engine
        .store
        .snapshots(map.id(), &fno_texts)
        .instrument(tracing::debug_span!("round_snapshots"))
        .await?
        .into_iter()
        .map(|s| (s.key.clone(), s))
        .collect();
    let mut changed = Vec::with_capacity(present.len());
    for ((entry, key, target_key, row), fno_text) in present.into_iter().zip(fno_texts) {
        let snapshot = snapshots.get(&fno_text);
        if rules::source_changed(map, source_side, &row, snapshot) {
            changed.push((entry, key, target_key, row, snapshot));
        } else {
            settled.unchanged.push(entry.id);
        }
    }

    // Conflict detection against the target rows.
    let target_keys: Vec<Key> = changed.iter().map(|(_, _, t, _, _)| t.clone()).collect();
    let mut target_rows = rows_by_key(engine, map, target_side, &target_keys)
        .instrument(tracing::debug_span!("round_target_rows"))
        .await?;
    let unsnapshotted: Vec<KeyText> = changed
        .iter()
        .filter(|(_, _, t, _, s)| rules::asks_placeholder(map, target_rows.get(&match_key(t)), *s))
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
    let mut candidates = Vec::with_capacity(changed.len());
    for (entry, key, target_key, source_row, snapshot) in changed {
        let placeholder = !placeholders.is_empty() && placeholders.contains(&key_text(&target_key));
        let rows = (source_row, target_rows.remove(&match_key(&target_key)));
        let keys = (key, target_key);
        candidates.push(Candidate::new(
            map,
            entry,
            keys,
            rows,
            snapshot,
            placeholder,
        ));
    }
    Ok(Plan {
        deletes,
        candidates,
    })
}

/// The entries whose row is still at the queued version (concurrency skip), one per key, in
/// queue order; the others are skipped in `settled`, and entries whose key cannot be read are
/// deferred.
async fn current<'a>(
    engine: &Engine,
    map: &ResolvedMap,
    source_side: Side,
    entries: &'a [QueueEntry],
    settled: &mut Settled,
) -> Result<Vec<(&'a QueueEntry, Key)>, EngineError> {
    let mut live: Vec<(&QueueEntry, Key)> = Vec::with_capacity(entries.len());
    for entry in entries {
        match key_of(&entry.key) {
            Some(key) => live.push((entry, key)),
            None => settled.deferred.push(entry.clone()),
        }
    }
    let keys: Vec<Key> = live.iter().map(|(_, k)| k.clone()).collect();
    let versions = engine
        .endpoint(source_side)
        .row_versions(map.table(source_side), &keys)
        .instrument(tracing::debug_span!("round_versions"))
        .await?;
    let mut by_key: HashMap<MatchKey, (&QueueEntry, Key)> = HashMap::new();
    for ((entry, key), version) in live.into_iter().zip(versions) {
        if rules::moved_on(entry, version) {
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
    Ok(current)
}
