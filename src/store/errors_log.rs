//! The error log: every sync failure, visible, filterable and retryable once fixed.
//!
//! Dual-write's weak spot is errors that vanish; here each one keeps its map, key, row and
//! message. An error that came from a queue entry remembers it, so "retry" simply puts that
//! entry back in line (the engine reads the latest row again, so a fixed cause is picked up).
//! Only application and system errors are retried: a concurrency skip has a newer entry of its
//! own and a conflict was resolved by the primary side. The counts per (map, category) within
//! a time window feed the alert rules that pause a map.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::types::{
    word_enum, EntryId, ErrorId, KeyText, RowReader, Timestamp, IDS_PER_STATEMENT, MAX_BINDS,
};
use super::{Store, StoreTx};

word_enum!(
    /// What kind of failure an error is; decides retries and alert rules.
    ErrorCategory, "error category" {
        /// The target refused the row (constraint, validation, lookup not found).
        Application => "application",
        /// The endpoint could not be reached or answered (connection, timeout, locked, 429/503).
        System => "system",
        /// The row's version moved on since it was queued.
        Concurrency => "concurrency",
        /// Both sides changed the row.
        Conflict => "conflict",
    }
);

word_enum!(
    /// How an error was closed.
    Resolution, "resolution" {
        /// Someone marked it resolved.
        Resolved => "resolved",
        /// Its entry was re-queued.
        Retried => "retried",
    }
);

/// An error to log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewError {
    /// The queue entry that failed, if the error came from one (needed for retry).
    pub queue_entry: Option<EntryId>,
    pub map_id: String,
    pub key: Option<KeyText>,
    pub category: ErrorCategory,
    pub message: String,
    /// The row as it was sent or read, when there was one.
    pub row: Option<serde_json::Value>,
    /// Attempts made so far.
    pub attempts: u32,
}

/// A logged error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorRecord {
    pub id: ErrorId,
    pub queue_entry: Option<EntryId>,
    pub map_id: String,
    pub key: Option<KeyText>,
    pub category: ErrorCategory,
    pub message: String,
    pub row: Option<serde_json::Value>,
    pub occurred_at: Timestamp,
    pub attempts: u32,
    pub resolved_at: Option<Timestamp>,
    pub resolution: Option<Resolution>,
}

/// Which errors to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorFilter {
    pub category: Option<ErrorCategory>,
    pub map_id: Option<String>,
    /// Only errors not yet resolved or retried.
    pub unresolved_only: bool,
    /// Only errors with a larger id (paging, tailing).
    pub after: Option<ErrorId>,
    /// At most this many (all when unset).
    pub limit: Option<u32>,
}

/// Which errors to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetrySelection {
    /// These errors (the CLI's `retry ID...`).
    Ids(Vec<ErrorId>),
    /// Every unresolved error (the CLI's `retry --all`).
    AllUnresolved,
}

/// What a retry did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RetryOutcome {
    /// Errors whose entries were re-queued (now marked `retried`).
    pub retried: Vec<ErrorId>,
    /// Queue entries put back in line.
    pub requeued_entries: u64,
    /// Errors that cannot be retried by re-queueing: no queue entry (live or initial sync) or
    /// a concurrency or conflict category. They stay as they were.
    pub not_retryable: Vec<ErrorId>,
    /// Requested ids that do not exist.
    pub unknown: Vec<ErrorId>,
}

/// Errors of one map and category (for alert rules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCount {
    pub map_id: String,
    pub category: ErrorCategory,
    pub count: u64,
}

const BINDS_PER_ERROR: usize = 8;
const COLUMNS: &str = "id, queue_entry_id, map_id, key_text, category, message, row_json, \
     occurred_at, attempts, resolved_at, resolution";

impl StoreTx {
    /// Logs errors that occurred at `now`.
    pub async fn log_errors(
        &mut self,
        errors: &[NewError],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for chunk in errors.chunks(MAX_BINDS / BINDS_PER_ERROR) {
            let mut insert = QueryBuilder::new(
                "INSERT INTO error_log (queue_entry_id, map_id, key_text, category, message, \
                 row_json, occurred_at, attempts) ",
            );
            insert.push_values(chunk, |mut row, e| {
                row.push_bind(e.queue_entry.map(|id| id.0))
                    .push_bind(e.map_id.as_str())
                    .push_bind(e.key.as_ref().map(KeyText::as_str))
                    .push_bind(e.category.as_str())
                    .push_bind(e.message.as_str())
                    .push_bind(e.row.as_ref().map(serde_json::Value::to_string))
                    .push_bind(now.as_millis())
                    .push_bind(i64::from(e.attempts));
            });
            insert
                .build()
                .execute(self.conn())
                .await
                .map_err(db("log errors"))?;
        }
        Ok(())
    }

    /// Re-queues the entries of the selected errors and marks those errors `retried`.
    pub async fn retry_errors(
        &mut self,
        selection: &RetrySelection,
        now: Timestamp,
    ) -> Result<RetryOutcome, StoreError> {
        let mut outcome = RetryOutcome::default();
        let candidates = match selection {
            RetrySelection::AllUnresolved => {
                let rows = sqlx::query(
                    "SELECT id, queue_entry_id, category FROM error_log \
                     WHERE resolved_at IS NULL ORDER BY id",
                )
                .fetch_all(self.conn())
                .await
                .map_err(db("select errors to retry"))?;
                read_candidates(&rows)?
            }
            RetrySelection::Ids(ids) => {
                let mut found = Vec::new();
                for chunk in ids.chunks(IDS_PER_STATEMENT) {
                    let mut select = QueryBuilder::new(
                        "SELECT id, queue_entry_id, category FROM error_log WHERE id IN (",
                    );
                    let mut list = select.separated(", ");
                    for id in chunk {
                        list.push_bind(id.0);
                    }
                    select.push(") ORDER BY id");
                    let rows = select
                        .build()
                        .fetch_all(self.conn())
                        .await
                        .map_err(db("select errors to retry"))?;
                    found.extend(read_candidates(&rows)?);
                }
                let known: BTreeSet<ErrorId> = found.iter().map(|c| c.0).collect();
                let requested: BTreeSet<ErrorId> = ids.iter().copied().collect();
                outcome.unknown = requested.difference(&known).copied().collect();
                found
            }
        };
        let mut entries = BTreeSet::new();
        for (error, entry, category) in candidates {
            let retryable = matches!(category, ErrorCategory::Application | ErrorCategory::System);
            match entry {
                Some(entry) if retryable => {
                    entries.insert(entry);
                    outcome.retried.push(error);
                }
                _ => outcome.not_retryable.push(error),
            }
        }
        let entries: Vec<EntryId> = entries.into_iter().collect();
        outcome.requeued_entries = self.requeue(&entries, now).await?;
        self.close_errors(&outcome.retried, Resolution::Retried, now)
            .await?;
        Ok(outcome)
    }

    /// Marks errors resolved (the cause was dealt with another way); returns how many changed.
    pub async fn resolve_errors(
        &mut self,
        ids: &[ErrorId],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        self.close_errors(ids, Resolution::Resolved, now).await
    }

    async fn close_errors(
        &mut self,
        ids: &[ErrorId],
        resolution: Resolution,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut changed = 0;
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let mut update = QueryBuilder::new("UPDATE error_log SET resolved_at = ");
            update
                .push_bind(now.as_millis())
                .push(", resolution = ")
                .push_bind(resolution.as_str())
                .push(" WHERE resolved_at IS NULL AND id IN (");
            let mut list = update.separated(", ");
            for id in chunk {
                list.push_bind(id.0);
            }
            update.push(")");
            changed += update
                .build()
                .execute(self.conn())
                .await
                .map_err(db("close errors"))?
                .rows_affected();
        }
        Ok(changed)
    }
}

type Candidate = (ErrorId, Option<EntryId>, ErrorCategory);

fn read_candidates(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<Candidate>, StoreError> {
    rows.iter()
        .map(|row| {
            let r = RowReader::new(row, "error_log");
            Ok((
                ErrorId(r.int("id")?),
                r.opt_int("queue_entry_id")?.map(EntryId),
                r.word("category")?,
            ))
        })
        .collect()
}

impl Store {
    /// Errors in the order they occurred.
    pub async fn list_errors(&self, filter: &ErrorFilter) -> Result<Vec<ErrorRecord>, StoreError> {
        let mut select = QueryBuilder::new(format!("SELECT {COLUMNS} FROM error_log WHERE 1 = 1"));
        if let Some(category) = filter.category {
            select.push(" AND category = ").push_bind(category.as_str());
        }
        if let Some(map_id) = &filter.map_id {
            select.push(" AND map_id = ").push_bind(map_id.as_str());
        }
        if filter.unresolved_only {
            select.push(" AND resolved_at IS NULL");
        }
        if let Some(after) = filter.after {
            select.push(" AND id > ").push_bind(after.0);
        }
        select.push(" ORDER BY id");
        if let Some(limit) = filter.limit {
            select.push(" LIMIT ").push_bind(i64::from(limit));
        }
        let rows = select
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(db("list errors"))?;
        rows.iter().map(error_from_row).collect()
    }

    /// Re-queues the selected errors' entries in its own transaction.
    pub async fn retry_errors(
        &self,
        selection: &RetrySelection,
        now: Timestamp,
    ) -> Result<RetryOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = tx.retry_errors(selection, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Marks errors resolved in its own transaction.
    pub async fn resolve_errors(&self, ids: &[ErrorId], now: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let changed = tx.resolve_errors(ids, now).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Errors per (map, category) that occurred at or after `since`, resolved or not: what an
    /// alert rule "N errors of category C within T minutes" counts (`since = now - T`).
    pub async fn error_counts_since(
        &self,
        since: Timestamp,
    ) -> Result<Vec<ErrorCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT map_id, category, COUNT(*) AS count FROM error_log WHERE occurred_at >= ? \
             GROUP BY map_id, category ORDER BY map_id, category",
        )
        .bind(since.as_millis())
        .fetch_all(&self.reader)
        .await
        .map_err(db("count recent errors"))?;
        rows.iter()
            .map(|row| {
                let r = RowReader::new(row, "error_log");
                Ok(ErrorCount {
                    map_id: r.text("map_id")?,
                    category: r.word("category")?,
                    count: r.u64("count")?,
                })
            })
            .collect()
    }
}

fn error_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<ErrorRecord, StoreError> {
    let r = RowReader::new(row, "error_log");
    let resolution = r
        .opt_text("resolution")?
        .map(|_| r.word::<Resolution>("resolution"))
        .transpose()?;
    Ok(ErrorRecord {
        id: ErrorId(r.int("id")?),
        queue_entry: r.opt_int("queue_entry_id")?.map(EntryId),
        map_id: r.text("map_id")?,
        key: r.opt_key("key_text")?,
        category: r.word("category")?,
        message: r.text("message")?,
        row: r.opt_json("row_json")?,
        occurred_at: r.time("occurred_at")?,
        attempts: r.u32("attempts")?,
        resolved_at: r.opt_time("resolved_at")?,
        resolution,
    })
}
