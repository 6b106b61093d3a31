//! Who owns a live transaction while it runs.
//!
//! The engine settles unfinished live transactions when it starts ([`super::LiveTxn`]), and
//! settling may compensate the target. Another process (the app and a CLI run, two app
//! windows) may be in the middle of one of those transactions right now, between its target
//! and its source commit; compensating it then would break the pair it is about to commit. So
//! each transaction holds an **owner lock** from before it is journaled until it is settled,
//! and the journal row names its owner; only a transaction whose owner lock can be taken is
//! settled by someone else.
//!
//! The lock is an exclusive OS file lock (`fs4`, as `std::fs::File::try_lock` does from Rust
//! 1.89, above this crate's minimum: `flock` on Unix, `LockFileEx` on Windows) on
//! `live-owners/<owner>.lock` beside the store's database. The
//! operating system releases it when the owning process exits or is killed, so "the owner is
//! gone" is exact: no heartbeat to tune, no clock to trust, and a transaction that is slow
//! but alive is never touched. Dropping the guard (the transaction finished, failed or was
//! abandoned) removes the file and releases the lock. A lock in the SQLite store itself was
//! not chosen: the store has one writer, and a write lock held for a whole live transaction
//! would stall every other process's queue. Locks are per open file, so two engines in one
//! process exclude each other as two processes do.

use std::fs::{File, OpenOptions};

use fs4::{FileExt, TryLockError};
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::Store;

/// Directory of the owner locks, beside the database file.
pub const OWNER_DIR: &str = "live-owners";

/// Directory of the queue owner locks (engines holding queue leases), beside the database file.
pub const QUEUE_OWNER_DIR: &str = "queue-owners";

/// An owner lock held for one live transaction, or by an engine for the queue leases it takes
/// (see `queue::claim`); released (and its file removed) on drop.
#[derive(Debug)]
pub struct LiveOwnerLock {
    owner: String,
    path: PathBuf,
    // Held open for the lock; closing it releases the lock.
    _file: File,
}

impl LiveOwnerLock {
    /// The owner id the journal records.
    pub fn owner(&self) -> &str {
        &self.owner
    }
}

impl Drop for LiveOwnerLock {
    fn drop(&mut self) {
        // Removed while still locked, so nobody takes over a file that is about to go; a
        // process that opened it just before takes the lock of an unlinked file, and then
        // finds the journal entry settled.
        if let Err(e) = std::fs::remove_file(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %self.path.display(), error = %e, "could not remove a live owner lock");
            }
        }
    }
}

impl Store {
    /// Takes a new owner lock for a live transaction that is about to start.
    pub fn claim_live_owner(&self) -> Result<LiveOwnerLock, StoreError> {
        let owner = new_owner_id();
        match self.lock_owner(&owner)? {
            Some(lock) => Ok(lock),
            None => Err(owner_error(
                &self.owner_path(&owner),
                std::io::Error::other("a fresh owner lock is already held"),
            )),
        }
    }

    /// Takes over the owner lock of a journaled transaction: `Some` when its owner is gone
    /// (the caller then holds the lock while it settles the entry), `None` while it runs.
    pub fn take_over_live_owner(&self, owner: &str) -> Result<Option<LiveOwnerLock>, StoreError> {
        check_owner_id(owner, "live_journal", "owner")?;
        self.lock_owner(owner)
    }

    /// Takes a new owner lock for the queue leases an engine is about to take.
    pub fn claim_queue_owner(&self) -> Result<LiveOwnerLock, StoreError> {
        let owner = new_owner_id();
        match self.lock_in(QUEUE_OWNER_DIR, &owner)? {
            Some(lock) => Ok(lock),
            None => Err(owner_error(
                &self.owner_path_in(QUEUE_OWNER_DIR, &owner),
                std::io::Error::other("a fresh owner lock is already held"),
            )),
        }
    }

    /// Takes over the lock of a queue lease owner: `Some` when that engine is gone.
    pub(crate) fn take_over_queue_owner(
        &self,
        owner: &str,
    ) -> Result<Option<LiveOwnerLock>, StoreError> {
        check_owner_id(owner, "queue_entries", "lease_owner")?;
        self.lock_in(QUEUE_OWNER_DIR, owner)
    }

    fn owner_path(&self, owner: &str) -> PathBuf {
        self.owner_path_in(OWNER_DIR, owner)
    }

    fn owner_path_in(&self, dir: &str, owner: &str) -> PathBuf {
        self.path
            .parent()
            .unwrap_or(Path::new("."))
            .join(dir)
            .join(format!("{owner}.lock"))
    }

    fn lock_owner(&self, owner: &str) -> Result<Option<LiveOwnerLock>, StoreError> {
        self.lock_in(OWNER_DIR, owner)
    }

    pub(super) fn lock_in(
        &self,
        dir: &str,
        owner: &str,
    ) -> Result<Option<LiveOwnerLock>, StoreError> {
        let path = self.owner_path_in(dir, owner);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| owner_error(&path, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| owner_error(&path, e))?;
        // Called through the trait: `File` has an inherent `try_lock` from Rust 1.89.
        match FileExt::try_lock(&file) {
            Ok(()) => Ok(Some(LiveOwnerLock {
                owner: owner.to_string(),
                path,
                _file: file,
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(owner_error(&path, e)),
        }
    }
}

/// A fresh owner id: the process id and a random part.
fn new_owner_id() -> String {
    format!("{}-{:016x}", std::process::id(), rand::random::<u64>())
}

/// Refuses an owner id read from the store that is no plain file name.
pub(super) fn check_owner_id(
    owner: &str,
    table: &'static str,
    column: &'static str,
) -> Result<(), StoreError> {
    if owner.is_empty()
        || !owner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(StoreError::Corrupt {
            table,
            column,
            value: owner.to_string(),
            reason: "an owner id is letters, digits, '-' and '_'".to_string(),
        });
    }
    Ok(())
}

fn owner_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::OwnerLock {
        path: path.to_path_buf(),
        source,
    }
}
