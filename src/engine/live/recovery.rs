//! Settling live transactions that a crash left unfinished.
//!
//! The target commits first, then the source; the journal records each step. After a crash the
//! journal may say "prepared" or "target_committed" while the databases say otherwise (the crash
//! can fall between a commit and its journal entry), so the journal is only a list of suspects
//! and the databases decide:
//! 1. If the source holds the unit of work (every upsert's values, every delete gone), the
//!    source committed, and the target did before it: the pair is whole -> `committed`.
//! 2. Otherwise the source rolled back. If the target holds the batch, the pair is half-written:
//!    the target is **compensated** by restoring the pre-images journaled before the write
//!    (rows that did not exist are deleted), in one engine-origin transaction -> `rolled_back`.
//! 3. Otherwise neither side kept anything -> `rolled_back`.
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

use std::time::Duration;

use serde::Serialize;

use crate::endpoint::{Endpoint, Key, Operation, Origin};
use crate::store::{LiveOwnerLock, LiveState, LiveTxn, LiveTxnId, Store, StoreError, Timestamp};

use super::super::rows::comparable;
use super::super::{Engine, EngineError};
use super::batch::key_text;
use super::journal_summary::{row_from_json, JournalOp, JournalSummary};
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
    let summary: JournalSummary =
        serde_json::from_value(txn.payload_summary.clone()).map_err(|e| StoreError::Corrupt {
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
    let resolution = if holds(source.as_ref(), &summary.source).await? {
        Resolution::Committed
    } else if holds(target.as_ref(), &summary.target).await? {
        compensate(target.as_ref(), &summary.target).await?;
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

/// Whether the endpoint holds every operation's result.
async fn holds(endpoint: &dyn Endpoint, ops: &[JournalOp]) -> Result<bool, EngineError> {
    if ops.is_empty() {
        return Ok(false);
    }
    for op in ops {
        let key = parse_key(op)?;
        let rows = endpoint
            .read_by_keys(&op.table, &op.key_columns, std::slice::from_ref(&key))
            .await?;
        let wanted = key_text(&key);
        let row = rows
            .iter()
            .find(|r| Key::from_row(r, &op.key_columns).is_some_and(|k| key_text(&k) == wanted));
        let matches = match (op.op, row) {
            (TxnOp::Delete, row) => row.is_none(),
            (TxnOp::Upsert, None) => false,
            (TxnOp::Upsert, Some(row)) => {
                let values = op.values.as_ref().map(row_from_json).unwrap_or_default();
                values.iter().all(|(column, value)| {
                    row.get(column).map(comparable) == Some(comparable(value))
                })
            }
        };
        if !matches {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Restores the target's pre-images, last operation first, in one engine-origin transaction.
async fn compensate(endpoint: &dyn Endpoint, ops: &[JournalOp]) -> Result<(), EngineError> {
    let mut operations = Vec::with_capacity(ops.len());
    for op in ops.iter().rev() {
        operations.push(match &op.pre_image {
            Some(pre_image) => Operation::Upsert {
                table: op.table.clone(),
                key_columns: op.key_columns.clone(),
                values: row_from_json(pre_image),
            },
            None => Operation::Delete {
                table: op.table.clone(),
                key_columns: op.key_columns.clone(),
                key: parse_key(op)?,
            },
        });
    }
    let mut tx = endpoint.begin_as(Origin::Engine).await?;
    tx.apply(&operations).await?;
    tx.commit().await?;
    Ok(())
}

fn parse_key(op: &JournalOp) -> Result<Key, EngineError> {
    Key::parse(&op.key).map_err(|e| {
        StoreError::Corrupt {
            table: "live_journal",
            column: "payload_summary",
            value: format!("key {} of table {}", op.key, op.table),
            reason: e.to_string(),
        }
        .into()
    })
}
