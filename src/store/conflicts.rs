//! Conflicts: rows both sides changed since the last sync, where the primary side won.
//!
//! A conflict is an outcome, not a failure: the row was synced (the winner's values), so it is
//! kept apart from the error log, with both versions of the values so that a consultant can
//! see what was overwritten and redo it by hand if needed.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::types::{side_word, ConflictId, KeyText, RowReader, Timestamp, MAX_BINDS};
use super::{Store, StoreTx};
use crate::model::Side;

/// A conflict to record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewConflict {
    pub map_id: String,
    pub key: KeyText,
    /// The side whose change was kept (the map's primary side).
    pub winning_side: Side,
    pub winning_values: serde_json::Value,
    /// The other side's change, which was overwritten.
    pub losing_values: serde_json::Value,
}

/// A recorded conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Conflict {
    pub id: ConflictId,
    pub map_id: String,
    pub key: KeyText,
    pub winning_side: Side,
    pub winning_values: serde_json::Value,
    pub losing_values: serde_json::Value,
    pub detected_at: Timestamp,
}

/// Which conflicts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConflictFilter {
    /// Only this map.
    pub map_id: Option<String>,
    /// Only conflicts with a larger id (for paging or tailing).
    pub after: Option<ConflictId>,
    /// At most this many (all when unset).
    pub limit: Option<u32>,
}

const BINDS_PER_CONFLICT: usize = 6;

impl StoreTx {
    /// Records conflicts detected at `now`.
    pub async fn record_conflicts(
        &mut self,
        conflicts: &[NewConflict],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for chunk in conflicts.chunks(MAX_BINDS / BINDS_PER_CONFLICT) {
            let mut insert = QueryBuilder::new(
                "INSERT INTO conflicts (map_id, key_text, winning_side, winning_values, \
                 losing_values, detected_at) ",
            );
            insert.push_values(chunk, |mut row, c| {
                row.push_bind(c.map_id.as_str())
                    .push_bind(c.key.as_str())
                    .push_bind(side_word(c.winning_side))
                    .push_bind(c.winning_values.to_string())
                    .push_bind(c.losing_values.to_string())
                    .push_bind(now.as_millis());
            });
            insert
                .build()
                .execute(self.conn())
                .await
                .map_err(db("record conflicts"))?;
        }
        Ok(())
    }
}

impl Store {
    /// Conflicts in the order they were detected.
    pub async fn list_conflicts(
        &self,
        filter: &ConflictFilter,
    ) -> Result<Vec<Conflict>, StoreError> {
        let mut select = QueryBuilder::new(
            "SELECT id, map_id, key_text, winning_side, winning_values, losing_values, \
             detected_at FROM conflicts WHERE 1 = 1",
        );
        if let Some(map_id) = &filter.map_id {
            select.push(" AND map_id = ").push_bind(map_id.as_str());
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
            .map_err(db("list conflicts"))?;
        rows.iter()
            .map(|row| {
                let r = RowReader::new(row, "conflicts");
                Ok(Conflict {
                    id: ConflictId(r.int("id")?),
                    map_id: r.text("map_id")?,
                    key: r.key("key_text")?,
                    winning_side: r.side("winning_side")?,
                    winning_values: r.json("winning_values")?,
                    losing_values: r.json("losing_values")?,
                    detected_at: r.time("detected_at")?,
                })
            })
            .collect()
    }
}
