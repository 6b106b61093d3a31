//! Taking the next batch, and reading the queue.
//!
//! A claim is one `UPDATE ... RETURNING` over the next ready entries in order (lowest sequence
//! first, then wave, then FIFO by id), skipping paused maps, entries in backoff and entries
//! another worker holds. It sets a lease rather than a status, so an entry whose worker died
//! becomes claimable again when the lease runs out. Processing order between batches of one
//! group is the engine's job.
//!
//! A lease names its **owner** ([`ClaimRequest::owned_by`]): the id of an owner lock file
//! (`queue-owners/<owner>.lock`, the same OS file locks as live transactions'
//! [`super::super::LiveOwnerLock`]) that the claiming engine holds while it is open. An engine
//! that starts calls [`Store::release_orphaned_leases`], which frees at once only the leases
//! whose owner lock it can take, i.e. whose engine exited or was killed; the claims of a
//! `sync --watch` running beside it stay its own. Leases that name no owner (taken by a build
//! before owners, or by a claim without one) are treated as orphaned. [`Store::release_leases`]
//! still ends every lease, for tools that know no engine runs.

use std::time::Duration;

use sqlx::{QueryBuilder, Sqlite};

use super::claim_sql::Statement;
use super::{entry_from_row, EntryStatus, QueueCount, QueueEntry, ENTRY_COLUMNS};
use crate::store::error::{db, StoreError};
use crate::store::types::{EntryId, RowReader, Timestamp};
use crate::store::{Store, StoreTx};

/// Which entries to claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRequest {
    /// Only this entity group (the engine runs one worker per group).
    pub group: Option<String>,
    /// Only these maps (empty: all maps).
    pub maps: Vec<String>,
    /// Only this wave of the dependency chart.
    pub wave: Option<u32>,
    /// At most this many entries.
    pub limit: u32,
    /// How long the claim holds before the entries can be claimed again.
    pub lease: Duration,
    /// The owner lock id the lease names (see the module doc); `None`: orphaned at the next
    /// engine start.
    pub owner: Option<String>,
}

impl ClaimRequest {
    /// Up to `limit` entries of any group, held for `lease`.
    pub fn any(limit: u32, lease: Duration) -> Self {
        Self {
            group: None,
            maps: Vec::new(),
            wave: None,
            limit,
            lease,
            owner: None,
        }
    }

    /// The same request, with leases owned by `owner` (a [`super::super::LiveOwnerLock`] id).
    pub fn owned_by(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }
}

/// Claimed entries in claim order (`RETURNING` does not promise an order).
fn in_claim_order(mut entries: Vec<QueueEntry>) -> Vec<QueueEntry> {
    entries.sort_by_key(|e| (e.sequence, e.wave, e.id));
    entries
}

impl StoreTx {
    /// Claims the next ready entries in order: lowest sequence first, then wave, then FIFO.
    /// Each claimed entry's `attempts` goes up by one and it is leased until `now + lease`.
    pub async fn claim(
        &mut self,
        request: &ClaimRequest,
        now: Timestamp,
    ) -> Result<Vec<QueueEntry>, StoreError> {
        let claim = Statement::claim(request, now);
        let rows = sqlx::query_with(&claim.sql, claim.sqlx_arguments()?)
            .fetch_all(self.conn())
            .await
            .map_err(db("claim queue entries"))?;
        let entries = rows
            .iter()
            .map(entry_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(in_claim_order(entries))
    }

    /// Ends every lease, making claimed entries claimable at once. For the engine's start:
    /// the workers that held them are gone.
    pub async fn release_leases(&mut self, now: Timestamp) -> Result<u64, StoreError> {
        sqlx::query(
            "UPDATE queue_entries SET leased_until = NULL, updated_at = ? \
             WHERE leased_until IS NOT NULL",
        )
        .bind(now.as_millis())
        .execute(self.conn())
        .await
        .map(|done| done.rows_affected())
        .map_err(db("release queue leases"))
    }
}

impl Store {
    /// Claims the next batch in its own transaction (see [`StoreTx::claim`]), through the store's
    /// rusqlite writer (see [`super::super::bulk`]): a claim returns every entry it leases, and
    /// sqlx hands each returned row over from its worker thread on its own. The price: when
    /// another group's worker is writing through the sqlx writer at that moment, the claim
    /// waits in SQLite's busy handler (sleeps of 1, 2, 5, 10 ms...) rather than in sqlx's queue.
    pub async fn claim_batch(
        &self,
        request: &ClaimRequest,
        now: Timestamp,
    ) -> Result<Vec<QueueEntry>, StoreError> {
        let claim = Statement::claim(request, now);
        let bulk = self.bulk.clone();
        let entries = tokio::task::spawn_blocking(move || {
            bulk.transaction("claim queue entries", |tx| {
                let native = |source| StoreError::Native {
                    operation: "claim queue entries",
                    source,
                };
                let mut statement = tx.prepare_cached(&claim.sql).map_err(native)?;
                let mut rows = statement.query(claim.native_parameters()).map_err(native)?;
                let mut entries = Vec::new();
                while let Some(row) = rows.next().map_err(native)? {
                    entries.push(entry_from_row(row)?);
                }
                Ok(entries)
            })
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))??;
        Ok(in_claim_order(entries))
    }

    /// Ends every lease in its own transaction (see [`StoreTx::release_leases`]).
    pub async fn release_leases(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let released = tx.release_leases(now).await?;
        tx.commit().await?;
        Ok(released)
    }

    /// Ends the leases whose owner is gone (its owner lock can be taken) or unknown, in one
    /// transaction; leases of a running engine stay. For an engine's start.
    pub async fn release_orphaned_leases(&self, now: Timestamp) -> Result<u64, StoreError> {
        let owners: Vec<Option<String>> = sqlx::query_scalar(
            "SELECT DISTINCT lease_owner FROM queue_entries \
             WHERE leased_until IS NOT NULL AND leased_until > ? AND status = 'pending'",
        )
        .bind(now.as_millis())
        .fetch_all(&self.reader)
        .await
        .map_err(db("find queue lease owners"))?;
        let mut taken = Vec::new();
        let mut orphaned = Vec::new();
        let mut unowned = false;
        for owner in owners {
            match owner {
                None => unowned = true,
                Some(owner) => {
                    // Held until the leases are released, so the owner id is not reused.
                    if let Some(lock) = self.take_over_queue_owner(&owner)? {
                        taken.push(lock);
                        orphaned.push(owner);
                    }
                }
            }
        }
        if orphaned.is_empty() && !unowned {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let mut release = QueryBuilder::<Sqlite>::new(
            "UPDATE queue_entries SET leased_until = NULL, lease_owner = NULL, updated_at = ",
        );
        release
            .push_bind(now.as_millis())
            .push(" WHERE leased_until IS NOT NULL AND (");
        if unowned {
            release.push("lease_owner IS NULL");
        } else {
            release.push("0");
        }
        for owner in &orphaned {
            release.push(" OR lease_owner = ").push_bind(owner.as_str());
        }
        release.push(")");
        let released = release
            .build()
            .execute(tx.conn())
            .await
            .map_err(db("release orphaned queue leases"))?
            .rows_affected();
        tx.commit().await?;
        drop(taken);
        Ok(released)
    }

    /// The entity groups that have entries ready to claim at `now`, in claim order (the group of
    /// the lowest sequence, wave and id first): one worker each. With `maps`, only entries of
    /// those maps count (as [`ClaimRequest::maps`] claims them).
    pub async fn ready_groups(
        &self,
        now: Timestamp,
        maps: &[String],
    ) -> Result<Vec<String>, StoreError> {
        let mut select = Statement::new("SELECT group_id FROM queue_entries WHERE");
        select
            .ready_conditions(now)
            .map_filter(maps)
            .push(" GROUP BY group_id ORDER BY MIN(sequence), MIN(wave), MIN(id)");
        sqlx::query_scalar_with(&select.sql, select.sqlx_arguments()?)
            .fetch_all(&self.reader)
            .await
            .map_err(db("find the groups with ready queue entries"))
    }

    /// One entry, if it exists.
    pub async fn queue_entry(&self, id: EntryId) -> Result<Option<QueueEntry>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ENTRY_COLUMNS} FROM queue_entries WHERE id = ?"
        ))
        .bind(id.0)
        .fetch_optional(&self.reader)
        .await
        .map_err(db("read a queue entry"))?;
        row.as_ref().map(entry_from_row).transpose()
    }

    /// Entries in FIFO order, optionally of one map and/or status, at most `limit`.
    pub async fn list_entries(
        &self,
        map_id: Option<&str>,
        status: Option<EntryStatus>,
        limit: u32,
    ) -> Result<Vec<QueueEntry>, StoreError> {
        let mut query = QueryBuilder::new(format!(
            "SELECT {ENTRY_COLUMNS} FROM queue_entries WHERE 1 = 1"
        ));
        if let Some(map_id) = map_id {
            query.push(" AND map_id = ").push_bind(map_id);
        }
        if let Some(status) = status {
            query.push(" AND status = ").push_bind(status.as_str());
        }
        query
            .push(" ORDER BY id LIMIT ")
            .push_bind(i64::from(limit));
        let rows = query
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(db("list queue entries"))?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Entry counts per map and status (maps and statuses without entries are left out).
    pub async fn queue_counts(&self) -> Result<Vec<QueueCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT map_id, status, COUNT(*) AS count FROM queue_entries \
             GROUP BY map_id, status ORDER BY map_id, status",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db("count queue entries"))?;
        rows.iter()
            .map(|row| {
                let r = RowReader::new(row, "queue_entries");
                Ok(QueueCount {
                    map_id: r.text("map_id")?,
                    status: r.word("status")?,
                    count: r.u64("count")?,
                })
            })
            .collect()
    }

    /// When the next pending entry of an unpaused map becomes ready (now or in the past when
    /// one is ready already); `None` when nothing is pending. Lets a watcher sleep until then.
    pub async fn next_ready_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(leased_until, 0))) FROM queue_entries \
             WHERE status = 'pending' \
             AND map_id NOT IN (SELECT map_id FROM map_state WHERE paused = 1)",
        )
        .fetch_one(&self.reader)
        .await
        .map_err(db("find the next ready queue entry"))?;
        Ok(next.map(Timestamp::from_millis))
    }

    /// Deletes done and skipped entries last updated before `before`, returning how many.
    /// Safe for dedupe: the cursors guarantee those changes are never read again.
    pub async fn purge_finished(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let purged = sqlx::query(
            "DELETE FROM queue_entries WHERE status IN ('done', 'skipped') AND updated_at < ?",
        )
        .bind(before.as_millis())
        .execute(tx.conn())
        .await
        .map_err(db("purge finished queue entries"))?
        .rows_affected();
        tx.commit().await?;
        Ok(purged)
    }
}
