//! The async queue: entries that reference a changed row (map, source side, key, version),
//! never its data, because the engine reads the latest row when it processes the entry.
//!
//! - [`enqueue`]: many entries in one transaction, deduplicated on (map, side, key, version)
//!   so that re-reading the change log after a crash does not queue a change twice, and the
//!   change-log cursor advanced in the same transaction.
//! - [`claim`]: the next batch in order (lowest sequence first, then wave, then FIFO), with
//!   a lease instead of an "in progress" status: a claimed entry stays `pending` and becomes
//!   claimable again when the lease runs out, so a crashed worker loses nothing.
//! - [`status`]: marking entries done, skipped, failed, held, or due again later.

mod claim;
mod claim_sql;
mod enqueue;
mod status;

pub use claim::ClaimRequest;
pub use enqueue::EnqueueOutcome;

use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::types::{word_enum, EntryId, KeyText, RowReader, StoredRow, Timestamp};
use crate::model::Side;

word_enum!(
    /// What happened to the row.
    Op, "operation" {
        /// The row was created or updated.
        Upsert => "upsert",
        /// The row was deleted.
        Delete => "delete",
    }
);

word_enum!(
    /// Where an entry stands.
    EntryStatus, "queue status" {
        /// Waiting to be processed (possibly claimed by a worker under a lease).
        Pending => "pending",
        /// Applied to the other side.
        Done => "done",
        /// Not applied on purpose (e.g. the row's version moved on: a newer entry exists).
        Skipped => "skipped",
        /// Failed for good; the error log says why; can be retried from there.
        Failed => "failed",
        /// Waiting for a missing parent; released back to pending when the parent arrives.
        Held => "held",
    }
);

/// An entry to enqueue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub map_id: String,
    /// The side the change was captured on.
    pub source_side: Side,
    pub key: KeyText,
    /// The row version the change log recorded (opaque to the store).
    pub row_version: String,
    pub op: Op,
    pub group_id: String,
    /// The map's sequence number in its group (lower first).
    pub sequence: u32,
    /// The map's wave in the dependency chart (lower first).
    pub wave: u32,
}

/// A queue entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub id: EntryId,
    pub map_id: String,
    pub source_side: Side,
    pub key: KeyText,
    pub row_version: String,
    pub op: Op,
    pub group_id: String,
    pub sequence: u32,
    pub wave: u32,
    pub status: EntryStatus,
    /// Times the entry was claimed for processing.
    pub attempts: u32,
    /// When the entry may next be processed (backoff).
    pub next_attempt_at: Timestamp,
    /// Set while a worker holds the entry.
    pub leased_until: Option<Timestamp>,
    pub enqueued_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Number of entries of one map in one status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCount {
    pub map_id: String,
    pub status: EntryStatus,
    pub count: u64,
}

/// The columns of [`QueueEntry`], in the order [`entry_from_row`] reads them.
pub(crate) const ENTRY_COLUMNS: &str = "id, map_id, source_side, key_text, row_version, op, \
     group_id, sequence, wave, status, attempts, next_attempt_at, leased_until, enqueued_at, updated_at";

pub(crate) fn entry_from_row<R: StoredRow>(row: &R) -> Result<QueueEntry, StoreError> {
    let r = RowReader::new(row, "queue_entries");
    Ok(QueueEntry {
        id: EntryId(r.int("id")?),
        map_id: r.text("map_id")?,
        source_side: r.side("source_side")?,
        key: r.key("key_text")?,
        row_version: r.text("row_version")?,
        op: r.word("op")?,
        group_id: r.text("group_id")?,
        sequence: r.u32("sequence")?,
        wave: r.u32("wave")?,
        status: r.word("status")?,
        attempts: r.u32("attempts")?,
        next_attempt_at: r.time("next_attempt_at")?,
        leased_until: r.opt_time("leased_until")?,
        enqueued_at: r.time("enqueued_at")?,
        updated_at: r.time("updated_at")?,
    })
}
