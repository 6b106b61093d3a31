//! Per-row snapshots: the values and versions both sides had when a row was last synced.
//!
//! Conflict detection compares each side's current row with its snapshot: when both differ,
//! both sides changed since the last sync and the map's primary side wins. Snapshots rather
//! than clocks, because the two endpoints' clocks and version counters cannot be compared.
//! The engine writes them in the same transaction that marks the entries done.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::types::{KeyText, RowReader, Timestamp, IDS_PER_STATEMENT, MAX_BINDS};
use super::{Store, StoreTx};
use crate::model::Side;

/// One side of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SideSnapshot {
    /// The row's values (column -> value) as last synced.
    pub values: serde_json::Value,
    /// The row version at that time, when the endpoint has one.
    pub version: Option<String>,
}

/// The last synced state of one row of a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub map_id: String,
    pub key: KeyText,
    pub fno: SideSnapshot,
    pub dataverse: SideSnapshot,
    pub synced_at: Timestamp,
}

impl Snapshot {
    /// The snapshot of one side.
    pub fn side(&self, side: Side) -> &SideSnapshot {
        match side {
            Side::Fno => &self.fno,
            Side::Dataverse => &self.dataverse,
        }
    }
}

/// A snapshot whose values are already JSON text (objects of column -> value, as
/// [`SideSnapshot::values`] holds them): what a bulk writer such as the initial sync builds
/// straight from its rows, without a `serde_json::Value` tree per row in between. Written with
/// [`StoreTx::upsert_snapshot_texts`], it reads back as the same [`Snapshot`].
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotText<'m> {
    pub map_id: &'m str,
    pub key: KeyText,
    pub fno_values: String,
    pub fno_version: Option<String>,
    pub dataverse_values: String,
    pub dataverse_version: Option<String>,
    pub synced_at: Timestamp,
}

const BINDS_PER_SNAPSHOT: usize = 7;
const COLUMNS: &str =
    "map_id, key_text, fno_values, fno_version, dataverse_values, dataverse_version, synced_at";

impl StoreTx {
    /// Writes snapshots, replacing earlier ones of the same (map, key).
    pub async fn upsert_snapshots(&mut self, snapshots: &[Snapshot]) -> Result<(), StoreError> {
        let texts: Vec<SnapshotText<'_>> = snapshots
            .iter()
            .map(|s| SnapshotText {
                map_id: &s.map_id,
                key: s.key.clone(),
                fno_values: s.fno.values.to_string(),
                fno_version: s.fno.version.clone(),
                dataverse_values: s.dataverse.values.to_string(),
                dataverse_version: s.dataverse.version.clone(),
                synced_at: s.synced_at,
            })
            .collect();
        self.upsert_snapshot_texts(&texts).await
    }

    /// Writes snapshots given as JSON text, replacing earlier ones of the same (map, key); many
    /// rows per statement.
    pub async fn upsert_snapshot_texts(
        &mut self,
        snapshots: &[SnapshotText<'_>],
    ) -> Result<(), StoreError> {
        for chunk in snapshots.chunks(MAX_BINDS / BINDS_PER_SNAPSHOT) {
            let mut upsert = QueryBuilder::new(format!("INSERT INTO snapshots ({COLUMNS}) "));
            upsert.push_values(chunk, |mut row, s| {
                row.push_bind(s.map_id)
                    .push_bind(s.key.as_str())
                    .push_bind(s.fno_values.as_str())
                    .push_bind(s.fno_version.as_deref())
                    .push_bind(s.dataverse_values.as_str())
                    .push_bind(s.dataverse_version.as_deref())
                    .push_bind(s.synced_at.as_millis());
            });
            upsert.push(
                " ON CONFLICT (map_id, key_text) DO UPDATE SET \
                 fno_values = excluded.fno_values, fno_version = excluded.fno_version, \
                 dataverse_values = excluded.dataverse_values, \
                 dataverse_version = excluded.dataverse_version, synced_at = excluded.synced_at",
            );
            upsert
                .build()
                .execute(self.conn())
                .await
                .map_err(db("write snapshots"))?;
        }
        Ok(())
    }

    /// Forgets the snapshots of deleted rows.
    pub async fn delete_snapshots(
        &mut self,
        map_id: &str,
        keys: &[KeyText],
    ) -> Result<u64, StoreError> {
        let mut deleted = 0;
        for chunk in keys.chunks(IDS_PER_STATEMENT) {
            let mut delete = QueryBuilder::new("DELETE FROM snapshots WHERE map_id = ");
            delete.push_bind(map_id).push(" AND key_text IN (");
            let mut list = delete.separated(", ");
            for key in chunk {
                list.push_bind(key.as_str());
            }
            delete.push(")");
            deleted += delete
                .build()
                .execute(self.conn())
                .await
                .map_err(db("delete snapshots"))?
                .rows_affected();
        }
        Ok(deleted)
    }
}

impl Store {
    /// The snapshot of one row, if it was ever synced.
    pub async fn snapshot(
        &self,
        map_id: &str,
        key: &KeyText,
    ) -> Result<Option<Snapshot>, StoreError> {
        Ok(self
            .snapshots(map_id, std::slice::from_ref(key))
            .await?
            .pop())
    }

    /// The snapshots of these rows that exist (rows never synced are left out).
    pub async fn snapshots(
        &self,
        map_id: &str,
        keys: &[KeyText],
    ) -> Result<Vec<Snapshot>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(IDS_PER_STATEMENT) {
            let mut select =
                QueryBuilder::new(format!("SELECT {COLUMNS} FROM snapshots WHERE map_id = "));
            select.push_bind(map_id).push(" AND key_text IN (");
            let mut list = select.separated(", ");
            for key in chunk {
                list.push_bind(key.as_str());
            }
            select.push(")");
            let rows = select
                .build()
                .fetch_all(&self.reader)
                .await
                .map_err(db("read snapshots"))?;
            for row in &rows {
                found.push(snapshot_from_row(row)?);
            }
        }
        Ok(found)
    }
}

fn snapshot_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Snapshot, StoreError> {
    let r = RowReader::new(row, "snapshots");
    Ok(Snapshot {
        map_id: r.text("map_id")?,
        key: r.key("key_text")?,
        fno: SideSnapshot {
            values: r.json("fno_values")?,
            version: r.opt_text("fno_version")?,
        },
        dataverse: SideSnapshot {
            values: r.json("dataverse_values")?,
            version: r.opt_text("dataverse_version")?,
        },
        synced_at: r.time("synced_at")?,
    })
}
