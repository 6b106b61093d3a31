//! Enqueueing changes and advancing the change-log cursors.
//!
//! The engine reads an endpoint's change log after its cursor, turns the changes into entries
//! and must then record both "these entries exist" and "the log was consumed up to here" as one
//! fact: if only the entries were written a restart would read them again (the dedupe catches
//! that), if only the cursor moved the changes would be lost. So both go in one transaction
//! ([`Store::enqueue_changes`]), and the cursor never moves backwards.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::NewEntry;
use crate::store::error::{db, StoreError};
use crate::store::types::{side_word, Timestamp, MAX_BINDS};
use crate::store::{Store, StoreTx};

/// Bound parameters per enqueued row (the columns of the multi-row INSERT).
const BINDS_PER_ENTRY: usize = 11;

/// What an enqueue did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EnqueueOutcome {
    /// Entries added.
    pub inserted: u64,
    /// Entries ignored because the same (map, side, key, version) is already queued.
    pub duplicates: u64,
}

impl StoreTx {
    /// Adds entries (multi-row inserts, chunked), ignoring any already queued with the same
    /// (map, source side, key, version), whatever its status.
    pub async fn enqueue(
        &mut self,
        entries: &[NewEntry],
        now: Timestamp,
    ) -> Result<EnqueueOutcome, StoreError> {
        let mut inserted = 0;
        for chunk in entries.chunks(MAX_BINDS / BINDS_PER_ENTRY) {
            let mut insert = QueryBuilder::new(
                "INSERT INTO queue_entries (map_id, source_side, key_text, row_version, op, \
                 group_id, sequence, wave, next_attempt_at, enqueued_at, updated_at) ",
            );
            insert.push_values(chunk, |mut row, entry| {
                row.push_bind(entry.map_id.as_str())
                    .push_bind(side_word(entry.source_side))
                    .push_bind(entry.key.as_str())
                    .push_bind(entry.row_version.as_str())
                    .push_bind(entry.op.as_str())
                    .push_bind(entry.group_id.as_str())
                    .push_bind(i64::from(entry.sequence))
                    .push_bind(i64::from(entry.wave))
                    .push_bind(now.as_millis())
                    .push_bind(now.as_millis())
                    .push_bind(now.as_millis());
            });
            insert.push(" ON CONFLICT (map_id, source_side, key_text, row_version) DO NOTHING");
            inserted += insert
                .build()
                .execute(self.conn())
                .await
                .map_err(db("enqueue changes"))?
                .rows_affected();
        }
        let total = u64::try_from(entries.len()).unwrap_or(u64::MAX);
        Ok(EnqueueOutcome {
            inserted,
            duplicates: total.saturating_sub(inserted),
        })
    }

    /// Records that the change log of `endpoint_id` was consumed up to `last_seq`.
    /// Refuses to move the cursor backwards; the same position again is accepted.
    pub async fn advance_cursor(
        &mut self,
        endpoint_id: &str,
        last_seq: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let current: Option<i64> =
            sqlx::query_scalar("SELECT last_seq FROM cursors WHERE endpoint_id = ?")
                .bind(endpoint_id)
                .fetch_optional(self.conn())
                .await
                .map_err(db("read a change-log cursor"))?;
        if let Some(current) = current.filter(|current| *current > last_seq) {
            return Err(StoreError::CursorBackwards {
                endpoint_id: endpoint_id.to_string(),
                current,
                requested: last_seq,
            });
        }
        sqlx::query(
            "INSERT INTO cursors (endpoint_id, last_seq, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (endpoint_id) DO UPDATE SET last_seq = excluded.last_seq, \
             updated_at = excluded.updated_at",
        )
        .bind(endpoint_id)
        .bind(last_seq)
        .bind(now.as_millis())
        .execute(self.conn())
        .await
        .map_err(db("advance a change-log cursor"))?;
        Ok(())
    }
}

impl Store {
    /// Enqueues the entries read from `endpoint_id`'s change log and advances its cursor to
    /// `last_seq`, in one transaction: either both happen or neither does.
    pub async fn enqueue_changes(
        &self,
        endpoint_id: &str,
        last_seq: i64,
        entries: &[NewEntry],
        now: Timestamp,
    ) -> Result<EnqueueOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = tx.enqueue(entries, now).await?;
        tx.advance_cursor(endpoint_id, last_seq, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The last change-log position consumed from `endpoint_id`, if any.
    pub async fn cursor(&self, endpoint_id: &str) -> Result<Option<i64>, StoreError> {
        sqlx::query_scalar("SELECT last_seq FROM cursors WHERE endpoint_id = ?")
            .bind(endpoint_id)
            .fetch_optional(&self.reader)
            .await
            .map_err(db("read a change-log cursor"))
    }
}
