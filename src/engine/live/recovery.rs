//! Settling live transactions that a crash left unfinished.
//!
//! The target commits first, then the source; the journal records each step. After a crash the
//! journal may say "prepared" or "target_committed" while the databases say otherwise (the crash
//! can fall between a commit and its journal entry), so the journal is only a list of suspects
//! and the databases decide:
//! 1. If the source holds the unit of work (every upsert's written values, every delete gone),
//!    the source committed, and the target did before it: the pair is whole -> `committed`.
//! 2. Otherwise the source rolled back. If the target holds the batch, the pair is half-written:
//!    the target is **compensated** by restoring the pre-images journaled before the write
//!    (rows that did not exist are deleted), in one engine-origin transaction -> `rolled_back`.
//! 3. Otherwise neither side kept anything -> `rolled_back`.
//!
//! "Holds" is checked against the entry's digests ([`super::journal_entry`]): the rows are read
//! by key, one query per group, and the digest of their written columns, computed as at journal
//! time, must match. That is the value-by-value comparison of the first journal format, without
//! journaling the values.
//!
//! Why that is enough, whatever the moment of a crash (kill -9 or a failed commit):
//! - The "prepared" entry is committed to the store before the target commits (the protocol
//!   awaits the entry's statement before the target's commit; it is written while the last
//!   target sub-batch is, but never after the commit). So a target commit without an entry
//!   cannot happen; a crash before the target commits leaves at most an entry whose target and
//!   source both rolled back (case 3).
//! - The source commits only after the target committed, so "source holds" implies "target
//!   holds" (case 1 needs no look at the target).
//! - No journal step after "prepared" is needed to decide: "target_committed" and "committed"
//!   are written after the commits they name, so a crash may always leave them out; the
//!   endpoints decide instead. A missing "committed" costs one check at the next start.
//! - The store, like the SQLite endpoints, runs WAL with `synchronous=NORMAL` by default
//!   ([`crate::store::Durability::ProcessCrash`]): a commit survives a process crash (the kill
//!   tests). After a power loss the latest commits of each file may be lost (never half kept),
//!   and the files lose them independently: an entry lost while the target's later commit
//!   survived would leave a half-written pair unnoticed. `Durability::PowerLoss` closes that
//!   (the store syncs each commit, so the entry is on disk before the target commits); what the
//!   endpoints' own commits survive is their databases' setting. This was so before the journal
//!   got smaller; the smaller entry changed what is written, not when.
//!
//! Compensation is chosen over "mark in doubt and report" because it leaves no half-written
//! pair at all, and it matches what live sync promises (both or neither). Its one risk, a later
//! change to the same target rows between the crash and the restart being overwritten, is small
//! because resolution runs when the engine starts, before anything else syncs.
//!
//! Only a transaction whose owner is gone is settled: "unfinished" in the journal also
//! describes a transaction another process (or another engine on the same store) is running
//! right now, between its target and its source commit, and compensating that one would undo
//! a pair that is about to commit. Each entry names its owner lock
//! ([`crate::store::LiveOwnerLock`]); recovery takes that lock first and skips the entry while
//! the owner holds it, however long the owner takes (the time limit covers the steps before the
//! target's commit, not the source's commit). Holding the lock while settling also keeps two
//! engines starting together from settling one entry twice, and the entry is read again under
//! the lock, since its owner may have settled it since the list was read. Entries journaled
//! before owners were recorded have no lock to test: they are settled once untouched for longer
//! than the live time limit plus a margin ([`UNOWNED_AFTER`]).

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

use crate::endpoint::{Endpoint, Key, Operation, Origin, Row};
use crate::store::{LiveOwnerLock, LiveState, LiveTxn, LiveTxnId, Store, StoreError, Timestamp};

use super::super::{Engine, EngineError};
use super::batch::key_text;
use super::journal_entry::{Digest, JournalEntry, OpGroup};
use super::txn_file::TxnOp;
use super::DEFAULT_TIME_LIMIT;

/// How an unfinished live transaction was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Resolution {
    /// Both sides held the rows.
    Committed,
    /// The target held the rows, the source did not: the target's pre-images were restored.
    Compensated,
    /// Neither side held the rows.
    RolledBack,
}

/// One settled journal entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedTxn {
    pub journal_id: i64,
    pub resolution: Resolution,
}

/// How long an entry without an owner must be untouched before it is settled: the live time
/// limit plus a margin for the source's commit and the journal step after it.
pub const UNOWNED_AFTER: Duration = DEFAULT_TIME_LIMIT.saturating_add(Duration::from_secs(60));

/// Settles every unresolved journal entry whose owner is gone, oldest first; entries still
/// owned by a running transaction are left alone (and logged).
pub(super) async fn resolve_all(engine: &Engine) -> Result<Vec<ResolvedTxn>, EngineError> {
    let mut settled = Vec::new();
    let store = engine.store();
    for txn in store.unresolved_live_txns().await? {
        let Some(_owner) = take_over(store, &txn)? else {
            tracing::info!(journal = txn.id.0, owner = ?txn.owner, "live transaction still running elsewhere; left alone");
            continue;
        };
        let still_unresolved = store
            .live_txn(txn.id)
            .await?
            .is_some_and(|t| t.state.is_unresolved());
        if !still_unresolved {
            continue;
        }
        let resolution = resolve_one(engine, txn.id).await?;
        tracing::info!(journal = txn.id.0, ?resolution, "live transaction resolved");
        settled.push(ResolvedTxn {
            journal_id: txn.id.0,
            resolution,
        });
    }
    Ok(settled)
}

/// Whether this process may settle the entry: `Some` (holding its owner lock, when it has
/// one) when its owner is gone, `None` while it may still be running.
fn take_over(store: &Store, txn: &LiveTxn) -> Result<Option<Option<LiveOwnerLock>>, StoreError> {
    match &txn.owner {
        Some(owner) => Ok(store.take_over_live_owner(owner)?.map(Some)),
        None => Ok((txn.updated_at <= Timestamp::now().minus(UNOWNED_AFTER)).then_some(None)),
    }
}

/// Settles one journal entry by looking at both sides (the caller owns it: its own
/// transaction, or one whose owner is gone).
pub(super) async fn resolve_one(engine: &Engine, id: LiveTxnId) -> Result<Resolution, EngineError> {
    let Some(txn) = engine.store().live_txn(id).await? else {
        return Err(StoreError::NotFound {
            what: "live transaction",
            id: id.0,
        }
        .into());
    };
    let entry = JournalEntry::from_json(&txn.payload_summary).map_err(|e| StoreError::Corrupt {
        table: "live_journal",
        column: "payload_summary",
        value: format!("live transaction {}", id.0),
        reason: e.to_string(),
    })?;
    let store = engine.store();
    store
        .journal_transition(id, LiveState::InDoubt, Timestamp::now())
        .await?;
    let source = engine.endpoint(txn.source_side);
    let target = engine.endpoint(txn.target_side);
    let resolution = if holds(source.as_ref(), &entry.source).await? {
        Resolution::Committed
    } else if holds(target.as_ref(), &entry.target).await? {
        compensate(target.as_ref(), &entry.target).await?;
        Resolution::Compensated
    } else {
        Resolution::RolledBack
    };
    let state = match resolution {
        Resolution::Committed => LiveState::Committed,
        Resolution::Compensated | Resolution::RolledBack => LiveState::RolledBack,
    };
    store
        .journal_transition(id, state, Timestamp::now())
        .await?;
    Ok(resolution)
}

/// Whether the endpoint holds every group's result: no deleted key left, and every upserted
/// row there with the journaled digest of its written columns. One read per group.
async fn holds(endpoint: &dyn Endpoint, groups: &[OpGroup]) -> Result<bool, EngineError> {
    if groups.iter().all(|g| g.keys.is_empty()) {
        return Ok(false);
    }
    for group in groups {
        let rows = endpoint
            .read_by_keys(&group.table, &group.key_columns, &group.keys)
            .await?;
        let found: HashMap<String, &Row> = rows
            .iter()
            .filter_map(|r| Key::from_row(r, &group.key_columns).map(|k| (key_text(&k), r)))
            .collect();
        let matches = match group.op {
            TxnOp::Delete => !group.keys.iter().any(|k| found.contains_key(&key_text(k))),
            TxnOp::Upsert => group.digest.is_some() && digest_of(group, &found) == group.digest,
        };
        if !matches {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The digest of the group's columns as the rows `found` hold them; `None` when a row or a
/// column is missing.
fn digest_of(group: &OpGroup, found: &HashMap<String, &Row>) -> Option<String> {
    let mut digest = Digest::default();
    for key in &group.keys {
        let row = found.get(&key_text(key))?;
        for column in &group.columns {
            digest.value(row.get(column.as_str())?);
        }
    }
    Some(digest.hex())
}

/// Restores the target's pre-images, last operation first, in one engine-origin transaction:
/// a row that existed gets its journaled pre-image back, a new row is deleted.
async fn compensate(endpoint: &dyn Endpoint, groups: &[OpGroup]) -> Result<(), EngineError> {
    let mut operations = Vec::new();
    for group in groups.iter().rev() {
        let pre_images: HashMap<usize, &Row> =
            group.pre_images.iter().map(|(i, row)| (*i, row)).collect();
        for (i, key) in group.keys.iter().enumerate().rev() {
            operations.push(match pre_images.get(&i) {
                Some(pre_image) => Operation::Upsert {
                    table: group.table.clone(),
                    key_columns: group.key_columns.clone(),
                    values: (*pre_image).clone(),
                },
                None => Operation::Delete {
                    table: group.table.clone(),
                    key_columns: group.key_columns.clone(),
                    key: key.clone(),
                },
            });
        }
    }
    let mut tx = endpoint.begin_as(Origin::Engine).await?;
    tx.apply(&operations).await?;
    tx.commit().await?;
    Ok(())
}
