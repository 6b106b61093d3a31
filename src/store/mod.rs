//! The engine's runtime store: what the sync engine must remember between runs and across
//! crashes, in a SQLite file of its own (`.dualwrite/runtime.sqlite3` beside the project file,
//! or `--state DIR`). It never touches the endpoints' business tables.
//!
//! It holds the async queue (references, not data) and the change-log cursors, per-row
//! snapshots for conflict detection, conflicts, the error log, run history with initial-sync
//! resume points, the activity log, the live-transaction journal, per-map pause state and
//! placeholder parents. One file per concern below. Beside the database, `live-owners/` holds
//! the lock files of live transactions running right now ([`LiveOwnerLock`]), and
//! `queue-owners/` those of the engines holding queue leases right now; an engine that opens
//! removes the files that killed runs left behind ([`Store::sweep_stale_owner_locks`]).
//!
//! # Why it is shaped this way
//! - **Nothing half-written.** Every write happens in a [`StoreTx`] (`BEGIN IMMEDIATE`), and
//!   the write methods live on the transaction, not on [`Store`]: the engine composes what
//!   must be atomic (enqueue + cursor advance; mark done + snapshots + conflicts + errors)
//!   and commits once. Dropping a transaction rolls it back. A few one-shot writes that are
//!   their own unit (claiming a batch, enqueue-and-advance, pause/resume, retry, journal
//!   steps, activity lines) also exist on [`Store`] as conveniences.
//! - **No storage trait.** Atuin keeps its history behind a `Database` trait because it has
//!   several backends. This store has exactly one (the issue fixes it: SQLite through sqlx),
//!   tests run against real SQLite files rather than mocks, and async trait methods would cost
//!   boxing or `Send` gymnastics in the engine's spawned workers. A concrete type is simpler;
//!   a trait can be extracted the day a second backend exists.
//! - **One writer, several readers.** Writes go through a one-connection pool so writers of
//!   this process queue up instead of colliding; reads use a read-only pool (WAL lets them run
//!   beside the writer). Other processes (a CLI `retry` beside `sync --watch`) wait on
//!   `busy_timeout`.
//! - **Time is an argument.** Methods take `now: Timestamp`; the store never reads the clock,
//!   so backoff, leases and alert windows are deterministic in tests.
//! - **Embedded migrations** (see [`open`](Store::open)); a store from a newer build is refused.

mod activity;
mod bulk;
mod conflicts;
mod error;
mod errors_log;
mod journal;
mod live_owner;
mod map_state;
mod open;
mod owner_sweep;
mod placeholders;
mod queue;
mod runs;
mod snapshots;
mod types;

pub use activity::{ActivityLevel, ActivityLine, NewActivity};
pub use conflicts::{Conflict, ConflictFilter, NewConflict};
pub use error::{ParseWordError, StoreError};
pub use errors_log::{
    ErrorCategory, ErrorCount, ErrorFilter, ErrorRecord, NewError, Resolution, RetryOutcome,
    RetrySelection,
};
pub use journal::{LiveState, LiveTxn};
pub use live_owner::{LiveOwnerLock, OWNER_DIR, QUEUE_OWNER_DIR};
pub use map_state::{MapState, PauseReason};
pub use open::{
    default_dir, known_migrations, Durability, StoreOptions, DATABASE_FILE, STATE_DIR_NAME,
};
pub use owner_sweep::STALE_AFTER as STALE_OWNER_LOCK_AGE;
pub use placeholders::{Placeholder, PlaceholderRef};
pub use queue::{ClaimRequest, EnqueueOutcome, EntryStatus, NewEntry, Op, QueueCount, QueueEntry};
pub use runs::{CopiedPages, InitialSyncProgress, Run, RunKind, RunStatus};
pub use snapshots::{
    values_array_text, SideSnapshot, Snapshot, SnapshotArrays, SnapshotLayout, SnapshotText,
};
pub use types::{ActivityId, ConflictId, EntryId, ErrorId, KeyText, LiveTxnId, RunId, Timestamp};

use std::path::Path;

use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool};

/// An open runtime store. Cheap to clone (the pools are shared); share it between workers.
#[derive(Debug, Clone)]
pub struct Store {
    writer: SqlitePool,
    reader: SqlitePool,
    path: std::path::PathBuf,
    /// The bulk snapshot writer's own connection (see [`bulk`]).
    bulk: std::sync::Arc<bulk::BulkWriter>,
}

impl Store {
    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts a write transaction. It takes the write lock at once (`BEGIN IMMEDIATE`), so it
    /// never fails half-way for lock reasons; commit with [`StoreTx::commit`], and dropping
    /// it without committing rolls everything back.
    pub async fn begin(&self) -> Result<StoreTx, StoreError> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(error::db("start a transaction"))?;
        Ok(StoreTx { tx })
    }

    /// Closes the pools, checkpointing the WAL.
    pub async fn close(self) {
        self.bulk.close();
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// A write transaction on the store. All write methods live here.
#[derive(Debug)]
pub struct StoreTx {
    tx: sqlx::Transaction<'static, Sqlite>,
}

impl StoreTx {
    /// Makes every write of this transaction durable, all at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(error::db("commit"))
    }

    /// Discards every write of this transaction (dropping it does the same).
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await.map_err(error::db("roll back"))
    }

    fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}
