//! Bulk snapshot writes through rusqlite: the initial sync's snapshots, a million rows at a time,
//! with its progress; and the async round's claims ([`BulkWriter::transaction`], used by
//! `Store::claim_batch`), which return every entry they lease, one sqlx hand-off per entry
//! otherwise.
//!
//! Why not sqlx here, when every other write of the store goes through it: sqlx runs each SQLite
//! connection on a worker thread and sends it every statement with owned copies of its bound
//! values, one channel hand-off and wake-up per statement. For an initial sync that copy of
//! every snapshot value, and the statement's thousands of arguments built and sent per page,
//! made recording snapshots the slowest stage of the copy in a profile (malloc and free at the
//! top on both threads). Here a page's snapshots are bound straight from their texts into a
//! prepared statement on a blocking thread (`spawn_blocking`), like the SQLite endpoint's scans
//! (`src/endpoint/sqlite/scan.rs`). rusqlite links the same `libsqlite3-sys` as sqlx (one SQLite
//! library in the process).
//!
//! The connection is the store file's own second writer, kept between writes, with the store's
//! settings (WAL, the same `synchronous` level, the same busy timeout): each write is one
//! `BEGIN IMMEDIATE` transaction, so it waits for the sqlx writer (and other processes) like any
//! other writer and commits everything or nothing. It is not part of a [`super::StoreTx`]: the
//! initial sync records a backlog of pages (their snapshots and the progress they make) in one
//! transaction of this writer ([`Store::record_copied_pages`]); see `src/engine/initial/copy.rs`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{OptionalExtension, TransactionBehavior};

use super::error::StoreError;
use super::runs::{CopiedPages, RECORD_PROGRESS_SQL};
use super::snapshots::{SnapshotArrays, SnapshotLayout};
use super::types::to_sql_int;
use super::Store;
use crate::native_sqlite::LazyConnection;

/// Snapshots per INSERT statement (the better of 1 and 100 rows per statement in the bench's
/// raw measurement; 9 parameters each, far below SQLite's limit).
const ROWS_PER_STATEMENT: usize = 100;

/// The bulk writer's connection to the store file, opened on first use.
#[derive(Debug)]
pub(super) struct BulkWriter {
    connection: LazyConnection,
}

impl BulkWriter {
    /// `synchronous` is the store's `PRAGMA synchronous` value (its durability).
    pub(super) fn new(path: PathBuf, busy_timeout: Duration, synchronous: &'static str) -> Self {
        Self {
            connection: LazyConnection::new(
                path,
                busy_timeout,
                format!("PRAGMA synchronous = {synchronous}; PRAGMA foreign_keys = ON;"),
            ),
        }
    }

    /// Closes the connection (the store is closing).
    pub(super) fn close(&self) {
        self.connection.close();
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on this connection (on the caller's
    /// blocking thread), committed when `work` succeeds and rolled back otherwise. `operation`
    /// names what the transaction does in any error of its own.
    pub(super) fn transaction<T>(
        &self,
        operation: &'static str,
        work: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let native = move |source: rusqlite::Error| StoreError::Native { operation, source };
        self.connection.with(native, |connection| {
            let tx = connection
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(native)?;
            let done = work(&tx)?;
            tx.commit().map_err(native)?;
            Ok(done)
        })
    }

    /// Writes `snapshots` of `map_id`, and `progress` when given, in one transaction.
    fn write_blocking(
        &self,
        map_id: &str,
        snapshots: &[SnapshotArrays],
        progress: Option<&CopiedPages>,
    ) -> Result<(), StoreError> {
        self.transaction("write snapshots", |tx| {
            write_snapshots(tx, map_id, snapshots)?;
            let Some(p) = progress else {
                return Ok(());
            };
            tx.prepare_cached(RECORD_PROGRESS_SQL)
                .and_then(|mut record| {
                    record.execute(rusqlite::params![
                        p.run.0,
                        p.progress_name,
                        p.legal_entity.as_deref().unwrap_or(""),
                        p.last_key.as_str(),
                        to_sql_int(p.rows_added),
                        p.now.as_millis(),
                    ])
                })
                .map(drop)
                .map_err(|source| StoreError::Native {
                    operation: "record initial sync progress",
                    source,
                })
        })
    }
}

/// Writes `snapshots` of `map_id` in `tx`, 100 rows per statement.
fn write_snapshots(
    tx: &rusqlite::Transaction<'_>,
    map_id: &str,
    snapshots: &[SnapshotArrays],
) -> Result<(), StoreError> {
    let native = |operation: &'static str| {
        move |source: rusqlite::Error| StoreError::Native { operation, source }
    };
    let ids = layout_ids(tx, snapshots)
        .map_err(|(operation, source)| StoreError::Native { operation, source })?;
    for (chunk, ids) in snapshots
        .chunks(ROWS_PER_STATEMENT)
        .zip(ids.chunks(ROWS_PER_STATEMENT))
    {
        let mut insert = tx
            .prepare_cached(&insert_sql(chunk.len()))
            .map_err(native("write snapshots"))?;
        for (i, (s, (fno_layout, dataverse_layout))) in chunk.iter().zip(ids).enumerate() {
            let at = i * 9;
            let bind = (|| {
                insert.raw_bind_parameter(at + 1, map_id)?;
                insert.raw_bind_parameter(at + 2, s.key.as_str())?;
                insert.raw_bind_parameter(at + 3, fno_layout)?;
                insert.raw_bind_parameter(at + 4, s.fno_values.as_str())?;
                insert.raw_bind_parameter(at + 5, s.fno_version.as_deref())?;
                insert.raw_bind_parameter(at + 6, dataverse_layout)?;
                insert.raw_bind_parameter(at + 7, s.dataverse_values.as_deref())?;
                insert.raw_bind_parameter(at + 8, s.dataverse_version.as_deref())?;
                insert.raw_bind_parameter(at + 9, s.synced_at.as_millis())
            })();
            bind.map_err(native("write snapshots"))?;
        }
        insert.raw_execute().map_err(native("write snapshots"))?;
    }
    Ok(())
}

/// The ids of each snapshot's two layouts (F&O, Dataverse), looked up or added once per distinct
/// layout. The rows of a page share the same two layouts (the same `Arc`s), so a row takes the
/// previous row's ids after a pointer comparison, without hashing the layout's text per row.
fn layout_ids<'s>(
    tx: &rusqlite::Transaction<'_>,
    snapshots: &'s [SnapshotArrays],
) -> Result<Vec<(i64, i64)>, (&'static str, rusqlite::Error)> {
    let mut known: HashMap<&'s str, i64> = HashMap::new();
    let mut id_of = |layout: &'s SnapshotLayout| -> Result<i64, (&'static str, rusqlite::Error)> {
        if let Some(id) = known.get(layout.text()) {
            return Ok(*id);
        }
        let mut find = tx
            .prepare_cached("SELECT id FROM snapshot_layouts WHERE columns = ?1")
            .map_err(|e| ("read snapshot layouts", e))?;
        let found: Option<i64> = find
            .query_row([layout.text()], |row| row.get(0))
            .optional()
            .map_err(|e| ("read snapshot layouts", e))?;
        let id = match found {
            Some(id) => id,
            None => tx
                .prepare_cached("INSERT INTO snapshot_layouts (columns) VALUES (?1) RETURNING id")
                .and_then(|mut add| add.query_row([layout.text()], |row| row.get(0)))
                .map_err(|e| ("write snapshot layouts", e))?,
        };
        known.insert(layout.text(), id);
        Ok(id)
    };
    let mut ids = Vec::with_capacity(snapshots.len());
    let mut previous: Option<(&SnapshotArrays, (i64, i64))> = None;
    for s in snapshots {
        let pair = match previous {
            Some((p, pair))
                if Arc::ptr_eq(&p.fno_layout, &s.fno_layout)
                    && Arc::ptr_eq(&p.dataverse_layout, &s.dataverse_layout) =>
            {
                pair
            }
            _ => (id_of(&s.fno_layout)?, id_of(&s.dataverse_layout)?),
        };
        ids.push(pair);
        previous = Some((s, pair));
    }
    Ok(ids)
}

fn insert_sql(rows: usize) -> String {
    let one = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";
    format!(
        "INSERT INTO snapshots (map_id, key_text, fno_layout, fno_values, fno_version, \
         dataverse_layout, dataverse_values, dataverse_version, synced_at) VALUES {} \
         ON CONFLICT (map_id, key_text) DO UPDATE SET \
         fno_layout = excluded.fno_layout, fno_values = excluded.fno_values, \
         fno_version = excluded.fno_version, dataverse_layout = excluded.dataverse_layout, \
         dataverse_values = excluded.dataverse_values, \
         dataverse_version = excluded.dataverse_version, synced_at = excluded.synced_at",
        vec![one; rows].join(", ")
    )
}

impl Store {
    /// Writes snapshots of `map_id` built from rows (see [`SnapshotArrays`]) in one store
    /// transaction of their own, replacing earlier ones of the same key; see the module docs.
    pub async fn write_snapshot_arrays(
        &self,
        map_id: &str,
        snapshots: Vec<SnapshotArrays>,
    ) -> Result<(), StoreError> {
        if snapshots.is_empty() {
            return Ok(());
        }
        let bulk: Arc<BulkWriter> = self.bulk.clone();
        let map_id = map_id.to_string();
        tokio::task::spawn_blocking(move || bulk.write_blocking(&map_id, &snapshots, None))
            .await
            .map_err(|e| StoreError::Worker(e.to_string()))?
    }

    /// Records pages of an initial sync's copy in one store transaction: their snapshots and
    /// the progress they make, all or nothing (a crash leaves both or neither; see
    /// `src/engine/initial/copy.rs`). Pages with rows to log in the error log go through
    /// [`super::StoreTx::record_progress`] and [`super::StoreTx::log_errors`] instead.
    pub async fn record_copied_pages(&self, pages: CopiedPages) -> Result<(), StoreError> {
        let bulk: Arc<BulkWriter> = self.bulk.clone();
        tokio::task::spawn_blocking(move || {
            bulk.write_blocking(&pages.map_id, &pages.snapshots, Some(&pages))
        })
        .await
        .map_err(|e| StoreError::Worker(e.to_string()))?
    }
}
