//! Per-row snapshots: the values and versions both sides had when a row was last synced.
//!
//! Conflict detection compares each side's current row with its snapshot: when both differ,
//! both sides changed since the last sync and the map's primary side wins. Snapshots rather
//! than clocks, because the two endpoints' clocks and version counters cannot be compared.
//! The engine writes them in the same transaction that marks the entries done.
//!
//! Stored compactly (migration 0004): each side's column names once per distinct list, as a
//! layout (`snapshot_layouts`), and per row one JSON array of values per side in the layout's
//! order, the Dataverse array left out (NULL) when it is the same text as the F&O array. About
//! a third of the bytes of the JSON objects stored before, which made recording snapshots the
//! slowest stage of an initial sync. Readers still get [`Snapshot`]s whose side values are the
//! JSON objects of column -> value, so the conflict rules compare exactly what they compared
//! before (only the columns asked for; columns a snapshot does not hold are not compared).

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::types::{json_from_stored, KeyText, RowReader, Timestamp, IDS_PER_STATEMENT, MAX_BINDS};
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

/// The column names of one side's snapshot values, in the order its value arrays hold them; stored
/// once per distinct list (`snapshot_layouts`), not in every row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SnapshotLayout {
    columns: Vec<String>,
    /// The JSON array text of `columns`: what the store keys layouts by.
    text: String,
}

impl SnapshotLayout {
    /// The layout of these column names, in this order.
    pub fn new<'c>(columns: impl IntoIterator<Item = &'c str>) -> Self {
        let columns: Vec<String> = columns.into_iter().map(str::to_string).collect();
        let text = serde_json::Value::from(columns.clone()).to_string();
        Self { columns, text }
    }

    /// The JSON array text of the column names (what the store keys layouts by).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The column names, in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Whether `columns` are this layout's, in this order.
    pub fn matches<'c>(&self, columns: impl ExactSizeIterator<Item = &'c str>) -> bool {
        columns.len() == self.columns.len() && columns.eq(self.columns.iter().map(String::as_str))
    }
}

/// A snapshot as a bulk writer such as the initial sync builds it straight from its rows: each
/// side's values as the JSON array text of the values in its layout's order (see
/// [`values_array_text`]), without a `serde_json::Value` tree per row in between. Written with
/// [`Store::write_snapshot_arrays`] (bulk, a transaction of its own) or
/// [`StoreTx::upsert_snapshot_arrays`], it reads back as the [`Snapshot`] whose side values are
/// the objects of layout column -> value.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotArrays {
    pub key: KeyText,
    pub fno_layout: Arc<SnapshotLayout>,
    pub fno_values: String,
    pub fno_version: Option<String>,
    pub dataverse_layout: Arc<SnapshotLayout>,
    /// `None`: the same array text as `fno_values` (read through the Dataverse layout); what a
    /// sync without value maps or lookups leaves, stored once.
    pub dataverse_values: Option<String>,
    pub dataverse_version: Option<String>,
    pub synced_at: Timestamp,
}

/// A snapshot whose values are JSON text of objects (column -> value, as [`SideSnapshot::values`]
/// holds them). Written with [`StoreTx::upsert_snapshot_texts`], it reads back as the same
/// [`Snapshot`]. Kept for callers that have object texts; [`SnapshotArrays`] is the cheaper bulk
/// form.
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

/// The JSON array text of `values`, in order: a side's values for [`SnapshotArrays`].
pub fn values_array_text<T: Serialize>(values: impl IntoIterator<Item = T>) -> String {
    struct Seq<I>(std::cell::Cell<Option<I>>);
    impl<I, T> Serialize for Seq<I>
    where
        I: Iterator<Item = T>,
        T: Serialize,
    {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            match self.0.take() {
                Some(values) => serializer.collect_seq(values),
                None => serializer.collect_seq(std::iter::empty::<T>()),
            }
        }
    }
    let seq = Seq(std::cell::Cell::new(Some(values.into_iter())));
    // Serialising plain values to a String cannot fail (only maps with non-string keys can).
    serde_json::to_string(&seq).unwrap_or_else(|_| "[]".to_string())
}

fn layout_id(ids: &HashMap<String, i64>, layout: Option<&str>) -> Option<i64> {
    layout.and_then(|l| ids.get(l).copied())
}

/// One side of a row as stored: its layout (`None` when the values are not an object and are
/// stored whole) and the values text.
struct StoredSide<'a> {
    layout: Option<&'a str>,
    values: Option<std::borrow::Cow<'a, str>>,
    version: Option<&'a str>,
}

/// One row of the `snapshots` table, ready to bind.
struct StoredRow<'a> {
    map_id: &'a str,
    key: &'a str,
    fno: StoredSide<'a>,
    dataverse: StoredSide<'a>,
    synced_at: Timestamp,
}

/// A side's values as stored: an object becomes its layout and the array of its values.
fn stored_side(values: &serde_json::Value) -> (Option<String>, String) {
    match values {
        serde_json::Value::Object(object) => (
            Some(serde_json::Value::from(object.keys().cloned().collect::<Vec<_>>()).to_string()),
            values_array_text(object.values()),
        ),
        other => (None, other.to_string()),
    }
}

const BINDS_PER_SNAPSHOT: usize = 9;
const COLUMNS: &str = "map_id, key_text, fno_layout, fno_values, fno_version, dataverse_layout, \
                       dataverse_values, dataverse_version, synced_at";

impl StoreTx {
    /// Writes snapshots, replacing earlier ones of the same (map, key).
    pub async fn upsert_snapshots(&mut self, snapshots: &[Snapshot]) -> Result<(), StoreError> {
        let encoded: Vec<_> = snapshots
            .iter()
            .map(|s| (stored_side(&s.fno.values), stored_side(&s.dataverse.values)))
            .collect();
        let rows: Vec<StoredRow<'_>> = snapshots
            .iter()
            .zip(&encoded)
            .map(|(s, ((fno_layout, fno_values), (dv_layout, dv_values)))| {
                let same = fno_layout.is_some() && dv_layout.is_some() && fno_values == dv_values;
                StoredRow {
                    map_id: &s.map_id,
                    key: s.key.as_str(),
                    fno: StoredSide {
                        layout: fno_layout.as_deref(),
                        values: Some(fno_values.as_str().into()),
                        version: s.fno.version.as_deref(),
                    },
                    dataverse: StoredSide {
                        layout: dv_layout.as_deref(),
                        values: (!same).then(|| dv_values.as_str().into()),
                        version: s.dataverse.version.as_deref(),
                    },
                    synced_at: s.synced_at,
                }
            })
            .collect();
        self.write_snapshot_rows(&rows).await
    }

    /// Writes snapshots given as JSON object texts, replacing earlier ones of the same (map, key).
    pub async fn upsert_snapshot_texts(
        &mut self,
        snapshots: &[SnapshotText<'_>],
    ) -> Result<(), StoreError> {
        let parse = |text: &str| -> Result<serde_json::Value, StoreError> {
            serde_json::from_str(text).map_err(|source| StoreError::Json {
                what: "snapshot values",
                source,
            })
        };
        let parsed = snapshots
            .iter()
            .map(|s| {
                Ok(Snapshot {
                    map_id: s.map_id.to_string(),
                    key: s.key.clone(),
                    fno: SideSnapshot {
                        values: parse(&s.fno_values)?,
                        version: s.fno_version.clone(),
                    },
                    dataverse: SideSnapshot {
                        values: parse(&s.dataverse_values)?,
                        version: s.dataverse_version.clone(),
                    },
                    synced_at: s.synced_at,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.upsert_snapshots(&parsed).await
    }

    /// Writes snapshots built from rows (see [`SnapshotArrays`]), replacing earlier ones of the
    /// same (map, key); many rows per statement.
    pub async fn upsert_snapshot_arrays(
        &mut self,
        map_id: &str,
        snapshots: &[SnapshotArrays],
    ) -> Result<(), StoreError> {
        let rows: Vec<StoredRow<'_>> = snapshots
            .iter()
            .map(|s| StoredRow {
                map_id,
                key: s.key.as_str(),
                fno: StoredSide {
                    layout: Some(&s.fno_layout.text),
                    values: Some(s.fno_values.as_str().into()),
                    version: s.fno_version.as_deref(),
                },
                dataverse: StoredSide {
                    layout: Some(&s.dataverse_layout.text),
                    values: s.dataverse_values.as_deref().map(Into::into),
                    version: s.dataverse_version.as_deref(),
                },
                synced_at: s.synced_at,
            })
            .collect();
        self.write_snapshot_rows(&rows).await
    }

    /// The ids of these layouts, adding the ones the store does not have yet: one query for
    /// them all, and an insert per new layout (not per row).
    async fn layout_ids(&mut self, layouts: Vec<&str>) -> Result<HashMap<String, i64>, StoreError> {
        let mut ids = HashMap::new();
        if layouts.is_empty() {
            return Ok(ids);
        }
        let mut select =
            QueryBuilder::new("SELECT id, columns FROM snapshot_layouts WHERE columns IN (");
        let mut list = select.separated(", ");
        for layout in &layouts {
            list.push_bind(*layout);
        }
        select.push(")");
        let found: Vec<(i64, String)> = select
            .build_query_as()
            .fetch_all(self.conn())
            .await
            .map_err(db("read snapshot layouts"))?;
        for (id, columns) in found {
            ids.insert(columns, id);
        }
        for layout in layouts {
            if ids.contains_key(layout) {
                continue;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO snapshot_layouts (columns) VALUES (?) RETURNING id",
            )
            .bind(layout)
            .fetch_one(self.conn())
            .await
            .map_err(db("write snapshot layouts"))?;
            ids.insert(layout.to_string(), id);
        }
        Ok(ids)
    }

    async fn write_snapshot_rows(&mut self, rows: &[StoredRow<'_>]) -> Result<(), StoreError> {
        let mut layouts: Vec<&str> = Vec::new();
        for row in rows {
            for layout in [row.fno.layout, row.dataverse.layout].into_iter().flatten() {
                if !layouts.contains(&layout) {
                    layouts.push(layout);
                }
            }
        }
        let ids = self.layout_ids(layouts).await?;
        for chunk in rows.chunks(MAX_BINDS / BINDS_PER_SNAPSHOT) {
            let mut upsert = QueryBuilder::new(format!("INSERT INTO snapshots ({COLUMNS}) "));
            upsert.push_values(chunk, |mut row, s| {
                row.push_bind(s.map_id)
                    .push_bind(s.key)
                    .push_bind(layout_id(&ids, s.fno.layout))
                    .push_bind(s.fno.values.as_deref().unwrap_or("null"))
                    .push_bind(s.fno.version)
                    .push_bind(layout_id(&ids, s.dataverse.layout))
                    .push_bind(s.dataverse.values.as_deref())
                    .push_bind(s.dataverse.version)
                    .push_bind(s.synced_at.as_millis());
            });
            upsert.push(
                " ON CONFLICT (map_id, key_text) DO UPDATE SET \
                 fno_layout = excluded.fno_layout, fno_values = excluded.fno_values, \
                 fno_version = excluded.fno_version, dataverse_layout = excluded.dataverse_layout, \
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
            let mut select = QueryBuilder::new(
                "SELECT s.map_id, s.key_text, s.fno_values, s.fno_version, \
                 s.dataverse_values, s.dataverse_version, s.synced_at, \
                 f.columns AS fno_columns, d.columns AS dataverse_columns \
                 FROM snapshots s \
                 LEFT JOIN snapshot_layouts f ON f.id = s.fno_layout \
                 LEFT JOIN snapshot_layouts d ON d.id = s.dataverse_layout \
                 WHERE s.map_id = ",
            );
            select.push_bind(map_id).push(" AND s.key_text IN (");
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
    let fno_values = r.text("fno_values")?;
    let dataverse_values = r.opt_text("dataverse_values")?;
    let dataverse_text = dataverse_values.as_deref().unwrap_or(&fno_values);
    Ok(Snapshot {
        map_id: r.text("map_id")?,
        key: r.key("key_text")?,
        fno: SideSnapshot {
            values: side_values(r.opt_text("fno_columns")?, &fno_values, "fno_values")?,
            version: r.opt_text("fno_version")?,
        },
        dataverse: SideSnapshot {
            values: side_values(
                r.opt_text("dataverse_columns")?,
                dataverse_text,
                "dataverse_values",
            )?,
            version: r.opt_text("dataverse_version")?,
        },
        synced_at: r.time("synced_at")?,
    })
}

/// A side's values read back: the object of layout column -> value, or the stored value whole
/// when the side has no layout.
fn side_values(
    columns: Option<String>,
    values: &str,
    column: &'static str,
) -> Result<serde_json::Value, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        table: "snapshots",
        column,
        value: values.to_string(),
        reason,
    };
    let values = json_from_stored("snapshots", column, values)?;
    let Some(columns) = columns else {
        return Ok(values);
    };
    let names: Vec<String> = serde_json::from_str(&columns).map_err(|e| {
        corrupt(format!(
            "its layout {columns:?} is not a list of names: {e}"
        ))
    })?;
    let serde_json::Value::Array(values) = values else {
        return Err(corrupt(
            "a side with a layout must hold an array".to_string(),
        ));
    };
    if values.len() != names.len() {
        return Err(corrupt(format!(
            "{} values for the {} columns of its layout {columns:?}",
            values.len(),
            names.len()
        )));
    }
    Ok(serde_json::Value::Object(
        names.into_iter().zip(values).collect(),
    ))
}
