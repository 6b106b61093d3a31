//! Removing the owner lock files of processes that are gone.
//!
//! An owner lock file ([`super::LiveOwnerLock`]) is removed by its guard when its owner ends
//! normally, and by whoever takes it over to settle what it left (leases released, a live
//! transaction resolved). A process killed while it held a lock that nothing names any more
//! (an engine with no lease left, a live transaction killed before its journal entry) leaves
//! its file behind: small and harmless, but `queue-owners/` and `live-owners/` would grow with
//! every killed run. So an engine that opens sweeps them, after it has released orphaned leases
//! and resolved unfinished live transactions.
//!
//! A file is removed only when all of these hold:
//! - its lock can be taken, so no open file holds it: the owning process is gone;
//! - it was last modified more than [`STALE_AFTER`] before the caller's `now`: an owner creates its file and locks it right after, so a
//!   young unlocked file may be one being claimed at this moment (removing it then would let
//!   two owners hold locks under one name);
//! - nothing in the store still names it (an unexpired queue lease, an unresolved live
//!   transaction): that owner's file is taken over and removed by the step that settles it.

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use super::error::{db, StoreError};
use super::live_owner::{check_owner_id, OWNER_DIR, QUEUE_OWNER_DIR};
use super::{Store, Timestamp};

/// How old an unlocked owner file must be before it is swept.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

impl Store {
    /// Removes the owner lock files of owners that are gone and that nothing in the store
    /// names (see the module doc); returns how many were removed.
    pub async fn sweep_stale_owner_locks(&self, now: Timestamp) -> Result<usize, StoreError> {
        let leased: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT lease_owner FROM queue_entries \
             WHERE lease_owner IS NOT NULL AND leased_until IS NOT NULL AND leased_until > ?",
        )
        .bind(now.as_millis())
        .fetch_all(&self.reader)
        .await
        .map_err(db("find queue lease owners"))?;
        let journaled: HashSet<String> = self
            .unresolved_live_txns()
            .await?
            .into_iter()
            .filter_map(|txn| txn.owner)
            .collect();
        let queue = self.sweep_dir(QUEUE_OWNER_DIR, &leased.into_iter().collect(), now)?;
        let live = self.sweep_dir(OWNER_DIR, &journaled, now)?;
        Ok(queue + live)
    }

    fn sweep_dir(
        &self,
        dir: &str,
        named: &HashSet<String>,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let path = self.path.parent().unwrap_or(Path::new(".")).join(dir);
        let entries = match std::fs::read_dir(&path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(StoreError::OwnerLock { path, source: e }),
        };
        let mut removed = 0;
        for entry in entries.flatten() {
            let file = entry.path();
            let Some(owner) = file
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".lock"))
            else {
                continue;
            };
            if check_owner_id(owner, "owner lock", "file name").is_err()
                || named.contains(owner)
                || !is_stale(&file, now)
            {
                continue;
            }
            // Dropping the taken lock removes its file.
            if self.lock_in(dir, owner)?.is_some() {
                removed += 1;
                tracing::debug!(file = %file.display(), "owner lock of a process that is gone removed");
            }
        }
        Ok(removed)
    }
}

/// Whether the file was last modified more than [`STALE_AFTER`] before `now` (the store reads
/// no clock of its own: `now` is the caller's).
fn is_stale(file: &Path, now: Timestamp) -> bool {
    let Some(modified) = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|since_epoch| i64::try_from(since_epoch.as_millis()).ok())
    else {
        return false;
    };
    Timestamp::from_millis(modified).plus(STALE_AFTER) < now
}
