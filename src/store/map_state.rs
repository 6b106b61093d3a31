//! Per-map pause state.
//!
//! Pausing a map does not touch its queue: entries keep arriving and stay pending (claims skip
//! paused maps), and on resume they are processed in their original order, which is how
//! dual-write's pause/resume catches up. The reason records whether a person or an alert rule
//! ("N errors of category C within T minutes") paused it, so the app can say why.

use serde::{Deserialize, Serialize};

use super::error::{db, StoreError};
use super::types::{RowReader, Timestamp};
use super::{Store, StoreTx};

/// Why a map is paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum PauseReason {
    /// Someone paused it (CLI or app).
    Manual,
    /// An alert rule fired; `rule` describes it for people.
    AlertRule { rule: String },
}

/// A map's recorded state (maps never paused have none and are running).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MapState {
    pub map_id: String,
    pub paused: bool,
    /// Why it is paused; `None` when running.
    pub reason: Option<PauseReason>,
    pub changed_at: Timestamp,
}

impl StoreTx {
    /// Pauses a map (again, with the new reason, if it already is).
    pub async fn pause_map(
        &mut self,
        map_id: &str,
        reason: &PauseReason,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let (kind, detail) = match reason {
            PauseReason::Manual => ("manual", None),
            PauseReason::AlertRule { rule } => ("alert_rule", Some(rule.as_str())),
        };
        sqlx::query(
            "INSERT INTO map_state (map_id, paused, reason_kind, reason_detail, changed_at) \
             VALUES (?, 1, ?, ?, ?) ON CONFLICT (map_id) DO UPDATE SET paused = 1, \
             reason_kind = excluded.reason_kind, reason_detail = excluded.reason_detail, \
             changed_at = excluded.changed_at",
        )
        .bind(map_id)
        .bind(kind)
        .bind(detail)
        .bind(now.as_millis())
        .execute(self.conn())
        .await
        .map_err(db("pause a map"))?;
        Ok(())
    }

    /// Resumes a map; returns whether it was paused.
    pub async fn resume_map(&mut self, map_id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE map_state SET paused = 0, reason_kind = NULL, reason_detail = NULL, \
             changed_at = ? WHERE map_id = ? AND paused = 1",
        )
        .bind(now.as_millis())
        .bind(map_id)
        .execute(self.conn())
        .await
        .map_err(db("resume a map"))?
        .rows_affected();
        Ok(changed > 0)
    }
}

impl Store {
    /// Pauses a map in its own transaction.
    pub async fn pause_map(
        &self,
        map_id: &str,
        reason: &PauseReason,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.pause_map(map_id, reason, now).await?;
        tx.commit().await
    }

    /// Resumes a map in its own transaction; returns whether it was paused.
    pub async fn resume_map(&self, map_id: &str, now: Timestamp) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let was_paused = tx.resume_map(map_id, now).await?;
        tx.commit().await?;
        Ok(was_paused)
    }

    /// The recorded state of every map that was ever paused, by map id.
    pub async fn map_states(&self) -> Result<Vec<MapState>, StoreError> {
        let rows = sqlx::query(
            "SELECT map_id, paused, reason_kind, reason_detail, changed_at FROM map_state \
             ORDER BY map_id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db("read map states"))?;
        rows.iter().map(map_state_from_row).collect()
    }

    /// Whether a map is paused.
    pub async fn is_paused(&self, map_id: &str) -> Result<bool, StoreError> {
        let paused: Option<i64> =
            sqlx::query_scalar("SELECT paused FROM map_state WHERE map_id = ?")
                .bind(map_id)
                .fetch_optional(&self.reader)
                .await
                .map_err(db("read a map state"))?;
        Ok(paused == Some(1))
    }
}

fn map_state_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<MapState, StoreError> {
    let r = RowReader::new(row, "map_state");
    let reason = match r.opt_text("reason_kind")?.as_deref() {
        None => None,
        Some("manual") => Some(PauseReason::Manual),
        Some("alert_rule") => Some(PauseReason::AlertRule {
            rule: r.opt_text("reason_detail")?.unwrap_or_default(),
        }),
        Some(other) => {
            return Err(StoreError::Corrupt {
                table: "map_state",
                column: "reason_kind",
                value: other.to_string(),
                reason: "expected manual or alert_rule".to_string(),
            })
        }
    };
    Ok(MapState {
        map_id: r.text("map_id")?,
        paused: r.bool("paused")?,
        reason,
        changed_at: r.time("changed_at")?,
    })
}
