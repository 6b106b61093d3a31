//! Run history, and the resume points of initial syncs.
//!
//! An initial sync copies each map per legal entity in key order, in batches. After each
//! batch is upserted on the target, the engine records the batch's last key and row count
//! here; after a crash it finds the unfinished run and continues after the recorded key. A
//! batch that was written to the target but not recorded is simply written again, which is
//! harmless because the engine upserts by integration key: nothing is duplicated.

use serde::{Deserialize, Serialize};
use sqlx::QueryBuilder;

use super::error::{db, StoreError};
use super::snapshots::SnapshotArrays;
use super::types::{to_sql_int, word_enum, KeyText, RowReader, RunId, Timestamp};
use super::{Store, StoreTx};

/// Records a copy's resume point (its last key) and adds its rows; the same statement for the
/// sqlx path ([`StoreTx::record_progress`]) and the bulk writer's ([`CopiedPages`]).
pub(super) const RECORD_PROGRESS_SQL: &str = "INSERT INTO initial_sync_progress \
     (run_id, map_id, legal_entity, last_key_text, rows_done, updated_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
     ON CONFLICT (run_id, map_id, legal_entity) DO UPDATE SET \
     last_key_text = excluded.last_key_text, \
     rows_done = rows_done + excluded.rows_done, updated_at = excluded.updated_at";

/// Pages of an initial sync's copy that the target committed, to record in one store
/// transaction ([`Store::record_copied_pages`]): their snapshots, and the progress they make
/// (the last page's key, the rows of all of them), as [`StoreTx::record_progress`] would record
/// them page by page.
#[derive(Debug, Clone)]
pub struct CopiedPages {
    pub run: RunId,
    /// The map whose snapshots these are.
    pub map_id: String,
    /// The name the progress is recorded under (a second pass has its own).
    pub progress_name: String,
    pub legal_entity: Option<String>,
    pub last_key: KeyText,
    pub rows_added: u64,
    pub snapshots: Vec<SnapshotArrays>,
    pub now: Timestamp,
}

word_enum!(
    /// What a run did.
    RunKind, "run kind" {
        Initial => "initial",
        Async => "async",
        Live => "live",
    }
);

word_enum!(
    /// How a run ended, or that it has not.
    RunStatus, "run status" {
        /// Still going, or the process died (the engine resumes or interrupts it at start).
        Running => "running",
        Succeeded => "succeeded",
        Failed => "failed",
        /// Stopped before the end (crash found at restart, Ctrl-C).
        Interrupted => "interrupted",
    }
);

/// A run of the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Run {
    pub id: RunId,
    pub kind: RunKind,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub status: RunStatus,
    /// Counters the engine keeps (rows read, written, failed...), as JSON.
    pub counters: serde_json::Value,
}

/// How far an initial sync got with one map in one legal entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct InitialSyncProgress {
    pub run: RunId,
    pub map_id: String,
    /// `None` for maps that are not company-striped.
    pub legal_entity: Option<String>,
    /// The last key copied; resume after it.
    pub last_key: Option<KeyText>,
    pub rows_done: u64,
    /// Every row of this map and legal entity was copied.
    pub completed: bool,
    pub updated_at: Timestamp,
}

const RUN_COLUMNS: &str = "id, kind, started_at, finished_at, status, counters";
const PROGRESS_COLUMNS: &str =
    "run_id, map_id, legal_entity, last_key_text, rows_done, completed, updated_at";

impl StoreTx {
    /// Starts a run.
    pub async fn start_run(&mut self, kind: RunKind, now: Timestamp) -> Result<RunId, StoreError> {
        sqlx::query_scalar("INSERT INTO runs (kind, started_at) VALUES (?, ?) RETURNING id")
            .bind(kind.as_str())
            .bind(now.as_millis())
            .fetch_one(self.conn())
            .await
            .map(RunId)
            .map_err(db("start a run"))
    }

    /// Replaces a run's counters.
    pub async fn set_run_counters(
        &mut self,
        run: RunId,
        counters: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let changed = sqlx::query("UPDATE runs SET counters = ? WHERE id = ?")
            .bind(counters.to_string())
            .bind(run.0)
            .execute(self.conn())
            .await
            .map_err(db("update run counters"))?
            .rows_affected();
        found(changed, run)
    }

    /// Ends a run with its final status and counters.
    pub async fn finish_run(
        &mut self,
        run: RunId,
        status: RunStatus,
        counters: &serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let changed =
            sqlx::query("UPDATE runs SET status = ?, counters = ?, finished_at = ? WHERE id = ?")
                .bind(status.as_str())
                .bind(counters.to_string())
                .bind(now.as_millis())
                .bind(run.0)
                .execute(self.conn())
                .await
                .map_err(db("finish a run"))?
                .rows_affected();
        found(changed, run)
    }

    /// Records that `rows_added` more rows of (map, legal entity) were copied, up to and
    /// including `last_key`. Write it in the transaction of the batch's snapshots.
    pub async fn record_progress(
        &mut self,
        run: RunId,
        map_id: &str,
        legal_entity: Option<&str>,
        last_key: &KeyText,
        rows_added: u64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(RECORD_PROGRESS_SQL)
            .bind(run.0)
            .bind(map_id)
            .bind(legal_entity.unwrap_or(""))
            .bind(last_key.as_str())
            .bind(to_sql_int(rows_added))
            .bind(now.as_millis())
            .execute(self.conn())
            .await
            .map_err(db("record initial sync progress"))?;
        Ok(())
    }

    /// Records that every row of (map, legal entity) was copied.
    pub async fn complete_progress(
        &mut self,
        run: RunId,
        map_id: &str,
        legal_entity: Option<&str>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO initial_sync_progress \
             (run_id, map_id, legal_entity, completed, updated_at) VALUES (?, ?, ?, 1, ?) \
             ON CONFLICT (run_id, map_id, legal_entity) DO UPDATE SET \
             completed = 1, updated_at = excluded.updated_at",
        )
        .bind(run.0)
        .bind(map_id)
        .bind(legal_entity.unwrap_or(""))
        .bind(now.as_millis())
        .execute(self.conn())
        .await
        .map_err(db("complete initial sync progress"))?;
        Ok(())
    }
}

fn found(changed: u64, run: RunId) -> Result<(), StoreError> {
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "run",
            id: run.0,
        });
    }
    Ok(())
}

impl Store {
    /// Starts a run in its own transaction.
    pub async fn start_run(&self, kind: RunKind, now: Timestamp) -> Result<RunId, StoreError> {
        let mut tx = self.begin().await?;
        let run = tx.start_run(kind, now).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// Ends a run in its own transaction.
    pub async fn finish_run(
        &self,
        run: RunId,
        status: RunStatus,
        counters: &serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.finish_run(run, status, counters, now).await?;
        tx.commit().await
    }

    /// One run.
    pub async fn run(&self, run: RunId) -> Result<Option<Run>, StoreError> {
        let row = sqlx::query(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?"))
            .bind(run.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db("read a run"))?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// The latest runs, newest first, optionally of one kind and/or only unfinished ones
    /// (status `running`: at start, the engine resumes or interrupts these).
    pub async fn list_runs(
        &self,
        kind: Option<RunKind>,
        unfinished_only: bool,
        limit: u32,
    ) -> Result<Vec<Run>, StoreError> {
        let mut select = QueryBuilder::new(format!("SELECT {RUN_COLUMNS} FROM runs WHERE 1 = 1"));
        if let Some(kind) = kind {
            select.push(" AND kind = ").push_bind(kind.as_str());
        }
        if unfinished_only {
            select.push(" AND status = 'running'");
        }
        select
            .push(" ORDER BY id DESC LIMIT ")
            .push_bind(i64::from(limit));
        let rows = select
            .build()
            .fetch_all(&self.reader)
            .await
            .map_err(db("list runs"))?;
        rows.iter().map(run_from_row).collect()
    }

    /// The progress of every (map, legal entity) of a run.
    pub async fn progress(&self, run: RunId) -> Result<Vec<InitialSyncProgress>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {PROGRESS_COLUMNS} FROM initial_sync_progress WHERE run_id = ? \
             ORDER BY map_id, legal_entity"
        ))
        .bind(run.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db("read initial sync progress"))?;
        rows.iter().map(progress_from_row).collect()
    }

    /// Where a run got with one map and legal entity (`None`: not started, begin at the start).
    pub async fn progress_of(
        &self,
        run: RunId,
        map_id: &str,
        legal_entity: Option<&str>,
    ) -> Result<Option<InitialSyncProgress>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {PROGRESS_COLUMNS} FROM initial_sync_progress \
             WHERE run_id = ? AND map_id = ? AND legal_entity = ?"
        ))
        .bind(run.0)
        .bind(map_id)
        .bind(legal_entity.unwrap_or(""))
        .fetch_optional(&self.reader)
        .await
        .map_err(db("read initial sync progress"))?;
        row.as_ref().map(progress_from_row).transpose()
    }
}

fn run_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Run, StoreError> {
    let r = RowReader::new(row, "runs");
    Ok(Run {
        id: RunId(r.int("id")?),
        kind: r.word("kind")?,
        started_at: r.time("started_at")?,
        finished_at: r.opt_time("finished_at")?,
        status: r.word("status")?,
        counters: r.json("counters")?,
    })
}

fn progress_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<InitialSyncProgress, StoreError> {
    let r = RowReader::new(row, "initial_sync_progress");
    let legal_entity = r.text("legal_entity")?;
    Ok(InitialSyncProgress {
        run: RunId(r.int("run_id")?),
        map_id: r.text("map_id")?,
        legal_entity: (!legal_entity.is_empty()).then_some(legal_entity),
        last_key: r.opt_key("last_key_text")?,
        rows_done: r.u64("rows_done")?,
        completed: r.bool("completed")?,
        updated_at: r.time("updated_at")?,
    })
}
