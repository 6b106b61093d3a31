//! The activity log: short lines for the app's activity view ("map X paused by an alert rule",
//! "initial sync of Y finished"). It is persisted, unlike `tracing` output, so the app shows
//! what a CLI run or a crashed session did; it is not a debug log.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::types::{word_enum, ActivityId, RowReader, Timestamp, MAX_BINDS};
use super::{Store, StoreTx};

word_enum!(
    /// How important a line is.
    ActivityLevel, "activity level" {
        Info => "info",
        Warning => "warning",
        Error => "error",
    }
);

/// A line to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewActivity {
    pub level: ActivityLevel,
    /// The map the line is about, if any.
    pub map_id: Option<String>,
    pub message: String,
}

/// A stored line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityLine {
    pub id: ActivityId,
    pub at: Timestamp,
    pub level: ActivityLevel,
    pub map_id: Option<String>,
    pub message: String,
}

const BINDS_PER_LINE: usize = 4;

impl StoreTx {
    /// Adds lines that happened at `now`.
    pub async fn log_activity(
        &mut self,
        lines: &[NewActivity],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for chunk in lines.chunks(MAX_BINDS / BINDS_PER_LINE) {
            let mut insert =
                QueryBuilder::new("INSERT INTO activity_log (at, level, map_id, message) ");
            insert.push_values(chunk, |mut row, line| {
                row.push_bind(now.as_millis())
                    .push_bind(line.level.as_str())
                    .push_bind(line.map_id.as_deref())
                    .push_bind(line.message.as_str());
            });
            insert
                .build()
                .execute(self.conn())
                .await
                .map_err(db("write the activity log"))?;
        }
        Ok(())
    }
}

impl Store {
    /// Adds one line in its own transaction.
    pub async fn log_activity(
        &self,
        level: ActivityLevel,
        map_id: Option<&str>,
        message: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        let line = NewActivity {
            level,
            map_id: map_id.map(str::to_string),
            message: message.to_string(),
        };
        tx.log_activity(std::slice::from_ref(&line), now).await?;
        tx.commit().await
    }

    /// Lines oldest first: the `limit` latest ones, or with `after`, the (at most `limit`)
    /// lines written after that one (for tailing).
    pub async fn activity(
        &self,
        after: Option<ActivityId>,
        limit: u32,
    ) -> Result<Vec<ActivityLine>, StoreError> {
        let mut select =
            QueryBuilder::new("SELECT id, at, level, map_id, message FROM activity_log");
        match after {
            Some(after) => {
                select
                    .push(" WHERE id > ")
                    .push_bind(after.0)
                    .push(" ORDER BY id");
            }
            None => {
                select.push(" ORDER BY id DESC");
            }
        }
        select.push(" LIMIT ").push_bind(i64::from(limit));
        let rows = select
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(db("read the activity log"))?;
        let mut lines = rows
            .iter()
            .map(|row| {
                let r = RowReader::new(row, "activity_log");
                Ok(ActivityLine {
                    id: ActivityId(r.int("id")?),
                    at: r.time("at")?,
                    level: r.word("level")?,
                    map_id: r.opt_text("map_id")?,
                    message: r.text("message")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        lines.sort_by_key(|line| line.id);
        Ok(lines)
    }
}
