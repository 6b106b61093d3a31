//! Placeholder parents: rows the engine created by key only, because a child arrived before
//! its parent and the map allows placeholders.
//!
//! The store remembers them so the app can show which rows are still skeletons and so the
//! engine knows, when the real parent arrives, that it hydrates a placeholder (every column
//! written, not only the changed ones). A placeholder stays recorded after hydration, with the
//! time, as history.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::types::{side_word, KeyText, RowReader, Timestamp, IDS_PER_STATEMENT, MAX_BINDS};
use super::{Store, StoreTx};
use crate::model::Side;

/// Which row is (or was) a placeholder: the map, the side it was created on, and its key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlaceholderRef {
    pub map_id: String,
    pub side: Side,
    pub key: KeyText,
}

/// A recorded placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placeholder {
    pub map_id: String,
    pub side: Side,
    pub key: KeyText,
    pub created_at: Timestamp,
    /// When the real row arrived; `None` while it is still a placeholder.
    pub hydrated_at: Option<Timestamp>,
}

const BINDS_PER_PLACEHOLDER: usize = 4;

impl StoreTx {
    /// Records placeholders created at `now`. A placeholder recorded again after it was
    /// hydrated (its row was deleted and is referenced again) becomes unhydrated again.
    pub async fn record_placeholders(
        &mut self,
        placeholders: &[PlaceholderRef],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for chunk in placeholders.chunks(MAX_BINDS / BINDS_PER_PLACEHOLDER) {
            let mut insert =
                QueryBuilder::new("INSERT INTO placeholders (map_id, side, key_text, created_at) ");
            insert.push_values(chunk, |mut row, p| {
                row.push_bind(p.map_id.as_str())
                    .push_bind(side_word(p.side))
                    .push_bind(p.key.as_str())
                    .push_bind(now.as_millis());
            });
            insert.push(
                " ON CONFLICT (map_id, side, key_text) DO UPDATE SET \
                 created_at = excluded.created_at, hydrated_at = NULL \
                 WHERE placeholders.hydrated_at IS NOT NULL",
            );
            insert
                .build()
                .execute(self.conn())
                .await
                .map_err(db("record placeholders"))?;
        }
        Ok(())
    }

    /// Marks placeholders hydrated (the real rows arrived); rows that are not unhydrated
    /// placeholders are ignored. Returns how many were hydrated.
    pub async fn hydrate_placeholders(
        &mut self,
        rows: &[PlaceholderRef],
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let mut hydrated = 0;
        for ((map_id, side), keys) in group_keys(rows) {
            for chunk in keys.chunks(IDS_PER_STATEMENT) {
                let mut update = QueryBuilder::new("UPDATE placeholders SET hydrated_at = ");
                update
                    .push_bind(now.as_millis())
                    .push(" WHERE hydrated_at IS NULL AND map_id = ")
                    .push_bind(map_id)
                    .push(" AND side = ")
                    .push_bind(side_word(side))
                    .push(" AND key_text IN (");
                let mut list = update.separated(", ");
                for key in chunk {
                    list.push_bind(key.as_str());
                }
                update.push(")");
                hydrated += update
                    .build()
                    .execute(self.conn())
                    .await
                    .map_err(db("hydrate placeholders"))?
                    .rows_affected();
            }
        }
        Ok(hydrated)
    }
}

/// Groups rows by (map, side) so each group is one `key_text IN (...)` statement.
fn group_keys(rows: &[PlaceholderRef]) -> HashMap<(&str, Side), Vec<&KeyText>> {
    let mut groups: HashMap<(&str, Side), Vec<&KeyText>> = HashMap::new();
    for row in rows {
        groups
            .entry((row.map_id.as_str(), row.side))
            .or_default()
            .push(&row.key);
    }
    groups
}

impl Store {
    /// Placeholders of one map or all, oldest first; optionally only those not yet hydrated.
    pub async fn placeholders(
        &self,
        map_id: Option<&str>,
        unhydrated_only: bool,
    ) -> Result<Vec<Placeholder>, StoreError> {
        let mut select = QueryBuilder::new(
            "SELECT map_id, side, key_text, created_at, hydrated_at FROM placeholders WHERE 1 = 1",
        );
        if let Some(map_id) = map_id {
            select.push(" AND map_id = ").push_bind(map_id);
        }
        if unhydrated_only {
            select.push(" AND hydrated_at IS NULL");
        }
        select.push(" ORDER BY created_at, map_id, side, key_text");
        let rows = select
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(db("list placeholders"))?;
        rows.iter()
            .map(|row| {
                let r = RowReader::new(row, "placeholders");
                Ok(Placeholder {
                    map_id: r.text("map_id")?,
                    side: r.side("side")?,
                    key: r.key("key_text")?,
                    created_at: r.time("created_at")?,
                    hydrated_at: r.opt_time("hydrated_at")?,
                })
            })
            .collect()
    }

    /// Which of these keys of (map, side) are placeholders still waiting for their real row.
    pub async fn unhydrated_among(
        &self,
        map_id: &str,
        side: Side,
        keys: &[KeyText],
    ) -> Result<Vec<KeyText>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(IDS_PER_STATEMENT) {
            let mut select = QueryBuilder::new(
                "SELECT key_text FROM placeholders WHERE hydrated_at IS NULL AND map_id = ",
            );
            select
                .push_bind(map_id)
                .push(" AND side = ")
                .push_bind(side_word(side))
                .push(" AND key_text IN (");
            let mut list = select.separated(", ");
            for key in chunk {
                list.push_bind(key.as_str());
            }
            select.push(") ORDER BY key_text");
            let keys: Vec<String> = select
                .build_query_scalar()
                .fetch_all(&self.reader)
                .await
                .map_err(db("find unhydrated placeholders"))?;
            found.extend(keys.into_iter().map(KeyText::from_stored));
        }
        Ok(found)
    }
}
