//! The live-transaction journal.
//!
//! A live transaction commits on two databases that share no transaction manager: the target
//! commits first, then the source. A crash between the two commits would leave a half-written
//! pair that nobody notices, so each step is journaled here before it is taken:
//!
//! ```text
//! prepared --target commits--> target_committed --source commits--> committed
//!    |                               |
//!    +--> rolled_back                +--> in_doubt (found at restart) --> committed | rolled_back
//! ```
//!
//! At start the engine lists the unresolved transactions (prepared, target committed, in
//! doubt), checks both sides using the payload summary, and settles each one whose owner is
//! gone: each entry names the owner lock its process holds while the transaction runs
//! ([`super::LiveOwnerLock`]), so a transaction another process is running right now is never
//! settled behind its back. Transitions the diagram does not allow are refused, so a bug cannot
//! silently "un-commit" a transaction.

use serde::{Deserialize, Serialize};

use super::error::{db, StoreError};
use super::types::{side_word, word_enum, LiveTxnId, RowReader, Timestamp};
use super::{Store, StoreTx};
use crate::model::Side;

word_enum!(
    /// Where a live transaction stands.
    LiveState, "live transaction state" {
        /// Journaled; the target has not committed.
        Prepared => "prepared",
        /// The target committed; the source has not (yet).
        TargetCommitted => "target_committed",
        /// Both sides committed.
        Committed => "committed",
        /// Neither side kept the rows (rolled back, or the target compensated).
        RolledBack => "rolled_back",
        /// Found unfinished after a crash; being resolved.
        InDoubt => "in_doubt",
    }
);

impl LiveState {
    /// Whether the transaction still needs resolving after a crash.
    pub fn is_unresolved(self) -> bool {
        matches!(
            self,
            LiveState::Prepared | LiveState::TargetCommitted | LiveState::InDoubt
        )
    }

    /// Whether the journal allows going from `self` to `to` (staying put is allowed, so a
    /// step repeated after a crash is harmless).
    pub fn can_become(self, to: LiveState) -> bool {
        use LiveState::*;
        self == to
            || matches!(
                (self, to),
                (Prepared, TargetCommitted | RolledBack | InDoubt)
                    | (TargetCommitted, Committed | RolledBack | InDoubt)
                    | (InDoubt, Committed | RolledBack)
            )
    }
}

/// A journaled live transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveTxn {
    pub id: LiveTxnId,
    /// The side the unit of work was written on.
    pub source_side: Side,
    /// The side the batch was sent to.
    pub target_side: Side,
    pub state: LiveState,
    /// What the engine needs to check both sides after a crash (maps, keys, counts), as JSON.
    /// Never row data with secrets.
    pub payload_summary: serde_json::Value,
    /// The owner lock held while the transaction runs ([`super::LiveOwnerLock::owner`]);
    /// `None` for entries journaled before owners were recorded.
    pub owner: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const COLUMNS: &str =
    "id, source_side, target_side, state, payload_summary, owner, created_at, updated_at";

impl StoreTx {
    /// Journals a new live transaction from `source_side` to the other side, as prepared, run
    /// by `owner` (the id of the owner lock its process holds until it is settled).
    pub async fn journal_prepare(
        &mut self,
        source_side: Side,
        owner: &str,
        payload_summary: &serde_json::Value,
        now: Timestamp,
    ) -> Result<LiveTxnId, StoreError> {
        self.journal_prepare_text(source_side, owner, &payload_summary.to_string(), now)
            .await
    }

    /// [`Self::journal_prepare`] with the payload summary already serialized as JSON text (a
    /// large summary is written once, without building a `serde_json::Value` first).
    pub async fn journal_prepare_text(
        &mut self,
        source_side: Side,
        owner: &str,
        payload_summary: &str,
        now: Timestamp,
    ) -> Result<LiveTxnId, StoreError> {
        insert_prepared(self.conn(), source_side, owner, payload_summary, now).await
    }

    /// Moves a live transaction to `to`, refusing moves the journal does not allow. One guarded
    /// `UPDATE` in the common case (the entry is in a state that may become `to`); the entry is
    /// read only to explain a refusal.
    pub async fn journal_transition(
        &mut self,
        id: LiveTxnId,
        to: LiveState,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        transition(self.conn(), id, to, now).await
    }
}

impl Store {
    /// Journals a new live transaction in its own (durable) transaction.
    pub async fn journal_prepare(
        &self,
        source_side: Side,
        owner: &str,
        payload_summary: &serde_json::Value,
        now: Timestamp,
    ) -> Result<LiveTxnId, StoreError> {
        let mut tx = self.begin().await?;
        let id = tx
            .journal_prepare(source_side, owner, payload_summary, now)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// [`Self::journal_prepare`] with the summary already serialized as JSON text: one
    /// statement, its own (durable) transaction.
    pub async fn journal_prepare_text(
        &self,
        source_side: Side,
        owner: &str,
        payload_summary: &str,
        now: Timestamp,
    ) -> Result<LiveTxnId, StoreError> {
        insert_prepared(&self.writer, source_side, owner, payload_summary, now).await
    }

    /// Moves a live transaction to `to` in its own (durable) transaction: one guarded
    /// statement in the common case.
    pub async fn journal_transition(
        &self,
        id: LiveTxnId,
        to: LiveState,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut conn = self
            .writer
            .acquire()
            .await
            .map_err(db("start a transaction"))?;
        transition(&mut conn, id, to, now).await
    }

    /// One journaled live transaction.
    pub async fn live_txn(&self, id: LiveTxnId) -> Result<Option<LiveTxn>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM live_journal WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db("read a live transaction"))?;
        row.as_ref().map(live_txn_from_row).transpose()
    }

    /// Live transactions that are prepared, target-committed or in doubt, oldest first: what
    /// the engine must resolve when it starts (those whose owner is gone).
    pub async fn unresolved_live_txns(&self) -> Result<Vec<LiveTxn>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM live_journal \
             WHERE state IN ('prepared', 'target_committed', 'in_doubt') ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await
        .map_err(db("list unresolved live transactions"))?;
        rows.iter().map(live_txn_from_row).collect()
    }
}

/// The `INSERT` of a prepared entry, in `executor`'s transaction (a single statement outside
/// one is a transaction of its own: the store's one writer connection runs it and commits it
/// with the store's durability, see [`super::Durability`]).
async fn insert_prepared<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    source_side: Side,
    owner: &str,
    payload_summary: &str,
    now: Timestamp,
) -> Result<LiveTxnId, StoreError> {
    sqlx::query_scalar(
        "INSERT INTO live_journal \
         (source_side, target_side, state, payload_summary, owner, created_at, updated_at) \
         VALUES (?, ?, 'prepared', ?, ?, ?, ?) RETURNING id",
    )
    .bind(side_word(source_side))
    .bind(side_word(source_side.other()))
    .bind(payload_summary)
    .bind(owner)
    .bind(now.as_millis())
    .bind(now.as_millis())
    .fetch_one(executor)
    .await
    .map(LiveTxnId)
    .map_err(db("journal a live transaction"))
}

/// The guarded `UPDATE` of [`StoreTx::journal_transition`] on `conn` (a transaction's, or the
/// writer's outside a transaction, where the statement is a transaction of its own); the entry
/// is read only to explain a refusal.
async fn transition(
    conn: &mut sqlx::SqliteConnection,
    id: LiveTxnId,
    to: LiveState,
    now: Timestamp,
) -> Result<(), StoreError> {
    let from_states: Vec<&str> = LiveState::ALL
        .iter()
        .filter(|from| from.can_become(to))
        .map(|from| from.as_str())
        .collect();
    let sql = format!(
        "UPDATE live_journal SET state = ?, updated_at = ? WHERE id = ? AND state IN ({})",
        vec!["?"; from_states.len()].join(", ")
    );
    let updated = sqlx::query(&sql)
        .bind(to.as_str())
        .bind(now.as_millis())
        .bind(id.0);
    let updated = from_states
        .iter()
        .fold(updated, |query, state| query.bind(*state))
        .execute(&mut *conn)
        .await
        .map_err(db("update a live transaction"))?;
    if updated.rows_affected() == 1 {
        return Ok(());
    }
    let current: Option<String> = sqlx::query_scalar("SELECT state FROM live_journal WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db("read a live transaction"))?;
    let Some(current) = current else {
        return Err(StoreError::NotFound {
            what: "live transaction",
            id: id.0,
        });
    };
    let from: LiveState =
        current
            .parse()
            .map_err(|e: super::ParseWordError| StoreError::Corrupt {
                table: "live_journal",
                column: "state",
                value: current.clone(),
                reason: e.to_string(),
            })?;
    Err(StoreError::InvalidTransition {
        id: id.0,
        from: from.as_str(),
        to: to.as_str(),
    })
}

fn live_txn_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<LiveTxn, StoreError> {
    let r = RowReader::new(row, "live_journal");
    Ok(LiveTxn {
        id: LiveTxnId(r.int("id")?),
        source_side: r.side("source_side")?,
        target_side: r.side("target_side")?,
        state: r.word("state")?,
        payload_summary: r.json("payload_summary")?,
        owner: r.opt_text("owner")?,
        created_at: r.time("created_at")?,
        updated_at: r.time("updated_at")?,
    })
}
