//! Moving queue entries between statuses, in batches.
//!
//! Only entries still waiting (pending or held) can be finished: a worker whose lease ran out
//! and whose entry was meanwhile finished by another cannot overwrite that outcome. Every
//! method returns how many entries actually changed.

use sqlx::QueryBuilder;

use super::EntryStatus;
use crate::store::error::{db, StoreError};
use crate::store::types::{EntryId, Timestamp, IDS_PER_STATEMENT};
use crate::store::{Store, StoreTx};

impl StoreTx {
    /// Marks entries applied.
    pub async fn mark_done(&mut self, ids: &[EntryId], now: Timestamp) -> Result<u64, StoreError> {
        self.finish(ids, EntryStatus::Done, now, "mark queue entries done")
            .await
    }

    /// Marks entries not applied on purpose (e.g. a concurrency skip: a newer entry exists).
    pub async fn mark_skipped(
        &mut self,
        ids: &[EntryId],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.finish(ids, EntryStatus::Skipped, now, "mark queue entries skipped")
            .await
    }

    /// Marks entries failed for good (log the reason with [`StoreTx::log_errors`] in the same
    /// transaction; retrying the error re-queues the entry).
    pub async fn mark_failed(
        &mut self,
        ids: &[EntryId],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.finish(ids, EntryStatus::Failed, now, "mark queue entries failed")
            .await
    }

    /// Holds pending entries whose parent row is missing, until [`StoreTx::release_held`].
    pub async fn hold(&mut self, ids: &[EntryId], now: Timestamp) -> Result<u64, StoreError> {
        self.update_ids(
            ids,
            "status = 'held', leased_until = NULL",
            "status = 'pending'",
            now,
            "hold queue entries",
        )
        .await
    }

    /// Puts held entries (of one map, or all) back in line, in their original FIFO place.
    pub async fn release_held(
        &mut self,
        map_id: Option<&str>,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut release = QueryBuilder::new(
            "UPDATE queue_entries SET status = 'pending', leased_until = NULL, next_attempt_at = ",
        );
        release
            .push_bind(now.as_millis())
            .push(", updated_at = ")
            .push_bind(now.as_millis())
            .push(" WHERE status = 'held'");
        if let Some(map_id) = map_id {
            release.push(" AND map_id = ").push_bind(map_id);
        }
        release
            .build()
            .execute(self.conn())
            .await
            .map(|done| done.rows_affected())
            .map_err(db("release held queue entries"))
    }

    /// Leaves entries pending but not before `next_attempt_at` (backoff after a system
    /// failure), ending their lease.
    pub async fn schedule_retry(
        &mut self,
        ids: &[EntryId],
        next_attempt_at: Timestamp,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let set = format!(
            "leased_until = NULL, next_attempt_at = {}",
            next_attempt_at.as_millis()
        );
        self.update_ids(
            ids,
            &set,
            "status = 'pending'",
            now,
            "schedule queue retries",
        )
        .await
    }

    /// Puts failed, skipped or held entries back in line as new (attempts reset to zero).
    pub async fn requeue(&mut self, ids: &[EntryId], now: Timestamp) -> Result<u64, StoreError> {
        let set = format!(
            "status = 'pending', attempts = 0, leased_until = NULL, next_attempt_at = {}",
            now.as_millis()
        );
        self.update_ids(
            ids,
            &set,
            "status IN ('failed', 'skipped', 'held')",
            now,
            "re-queue entries",
        )
        .await
    }

    async fn finish(
        &mut self,
        ids: &[EntryId],
        status: EntryStatus,
        now: Timestamp,
        operation: &'static str,
    ) -> Result<u64, StoreError> {
        let set = format!("status = '{}', leased_until = NULL", status.as_str());
        self.update_ids(ids, &set, "status IN ('pending', 'held')", now, operation)
            .await
    }

    /// `UPDATE queue_entries SET {set}, updated_at = now WHERE {only_if} AND id IN (ids)`,
    /// chunked. `set` and `only_if` are fixed SQL built in this file, never user input.
    async fn update_ids(
        &mut self,
        ids: &[EntryId],
        set: &str,
        only_if: &str,
        now: Timestamp,
        operation: &'static str,
    ) -> Result<u64, StoreError> {
        let mut changed = 0;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut update = QueryBuilder::new("UPDATE queue_entries SET ");
            update
                .push(set)
                .push(", updated_at = ")
                .push_bind(now.as_millis())
                .push(" WHERE ")
                .push(only_if)
                .push(" AND id IN (");
            let mut list = update.separated(", ");
            for id in chunk {
                list.push_bind(id.0);
            }
            update.push(")");
            changed += update
                .build()
                .execute(self.conn())
                .await
                .map_err(db(operation))?
                .rows_affected();
        }
        Ok(changed)
    }
}

impl Store {
    /// Marks entries applied, in its own transaction.
    pub async fn mark_done(&self, ids: &[EntryId], now: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let changed = tx.mark_done(ids, now).await?;
        tx.commit().await?;
        Ok(changed)
    }
}
