//! The initial sync's page writes on SQLite through rusqlite: a page of upserts in one
//! transaction, bound straight from the rows into prepared statements on a blocking thread.
//!
//! Why not sqlx here, when every other write on SQLite goes through it: sqlx runs each SQLite
//! connection on a worker thread and sends it every statement with owned copies of its bound
//! values (a page of 1,000 five-column rows is 5,000 arguments built, copied and sent), and a
//! transaction costs a channel round trip and a wake-up per statement (begin, the engine marker,
//! savepoint, the upsert, release, unmark, commit). For an initial sync of a million rows that
//! made writing the target the slowest stage of the copy in a profile, with malloc and free at
//! the top of both threads. Here the values are bound from the rows where they are, 100 rows
//! per prepared (and cached) statement: the fastest plain insert the engine's benchmark measured
//! (`benches/engine_throughput.rs`, its raw limit).
//!
//! What is written is exactly what the sqlx path writes: the same write plan (column checks and
//! value conversions, [`crate::endpoint::write_plan`]), the same `INSERT ... ON CONFLICT DO
//! UPDATE` statement, the engine marker of [`crate::endpoint::capture`] inside the transaction
//! (so capture triggers know the engine's writes), `BEGIN IMMEDIATE`, all or nothing. Pages the
//! fast path does not cover (partial rows that update by key, deletes) are left to the sqlx path:
//! [`upsert_page`] answers `Ok(false)` without writing anything. The connection is the file's own
//! second writer, with the endpoint's settings, kept between pages; it waits for the pool's
//! writers (and other processes) through the busy timeout like any other writer.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::TransactionBehavior;

use crate::endpoint::capture::APPLYING_TABLE;
use crate::endpoint::ident::quote_ident;
use crate::endpoint::write_plan::{plan, Chunk, ChunkKind, ChunkLimits, Report};
use crate::endpoint::{EndpointError, Operation, Result, Schema, Value};

use super::MAX_PARAMETERS;
use crate::native_sqlite::LazyConnection;

/// Rows per statement: the better of 1 and 100 rows per statement in the raw measurement.
const LIMITS: ChunkLimits = ChunkLimits {
    max_parameters: MAX_PARAMETERS,
    max_rows: 100,
};

/// The bulk writer's connection to one database file, opened on first use.
pub(super) struct BulkWrites {
    connection: LazyConnection,
}

impl BulkWrites {
    pub fn new(path: &Path, busy_timeout: Duration) -> Self {
        Self {
            connection: LazyConnection::new(
                path.to_path_buf(),
                busy_timeout,
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                    .to_string(),
            ),
        }
    }

    /// Closes the connection (the endpoint is closing).
    pub fn close(&self) {
        self.connection.close();
    }

    /// Writes `operations` as the engine in one transaction and commits it; `Ok(false)` when they
    /// need the general path (nothing written). The operations come back either way.
    pub async fn upsert_page(
        self: &Arc<Self>,
        endpoint: &str,
        schema: Arc<Schema>,
        operations: Vec<Operation>,
    ) -> (Vec<Operation>, Result<bool>) {
        let this = self.clone();
        let name = endpoint.to_string();
        let joined = tokio::task::spawn_blocking(move || {
            let written = this.upsert_blocking(&name, &schema, &operations);
            (operations, written)
        })
        .await;
        match joined {
            Ok(done) => done,
            Err(e) => (
                Vec::new(),
                Err(EndpointError::BulkWorker {
                    endpoint: endpoint.to_string(),
                    reason: e.to_string(),
                }),
            ),
        }
    }

    fn upsert_blocking(
        &self,
        endpoint: &str,
        schema: &Schema,
        operations: &[Operation],
    ) -> Result<bool> {
        let chunks = plan(endpoint, schema, operations, LIMITS, Report::Nothing)?;
        let covered = chunks.iter().all(|chunk| {
            matches!(&chunk.kind, ChunkKind::Upsert { returning, missing_required, .. }
                if returning.is_empty() && missing_required.is_empty())
        });
        if !covered {
            return Ok(false);
        }
        let native = |action: &str, table: Option<&str>| {
            let action = action.to_string();
            let table = table.map(str::to_string);
            move |e: rusqlite::Error| {
                EndpointError::sqlite_native(endpoint, action.as_str(), table.as_deref(), e)
            }
        };
        self.connection
            .with(native("open the bulk writer", None), |connection| {
                let tx = connection
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(native("begin a write transaction", None))?;
                let marker = quote_ident(APPLYING_TABLE);
                tx.execute_batch(&format!(
                    "CREATE TABLE IF NOT EXISTS {marker} (origin TEXT NOT NULL); \
                 INSERT INTO {marker} (origin) VALUES ('engine');"
                ))
                .map_err(native("mark the transaction as the engine's", None))?;
                let mut statements = StatementTexts::default();
                for chunk in &chunks {
                    let table = chunk.table.name.as_str();
                    let action = format!("upsert into \"{table}\"");
                    let error = native(&action, Some(table));
                    let mut statement = tx.prepare_cached(statements.of(chunk)).map_err(&error)?;
                    for (i, value) in chunk.values.iter().enumerate() {
                        let at = i + 1;
                        match value.as_ref() {
                            Value::Null => statement.raw_bind_parameter(at, rusqlite::types::Null),
                            Value::Bool(b) => statement.raw_bind_parameter(at, i64::from(*b)),
                            Value::Integer(n) => statement.raw_bind_parameter(at, *n),
                            Value::Real(r) => statement.raw_bind_parameter(at, *r),
                            Value::Text(t) => statement.raw_bind_parameter(at, t.as_str()),
                        }
                        .map_err(&error)?;
                    }
                    statement.raw_execute().map_err(&error)?;
                }
                tx.execute_batch(&format!("DELETE FROM {marker}"))
                    .map_err(native("unmark the engine's transaction", None))?;
                tx.commit().map_err(native("commit", None))?;
                Ok(true)
            })
    }
}

/// The statement text of the last chunk, reused while the chunks keep its shape (table, columns,
/// key columns, row count): the chunks of a page of whole rows share one, so its
/// `INSERT ... ON CONFLICT DO UPDATE` (the sqlx path's statement) is built once per page rather
/// than once per 100 rows (it showed in a profile of the initial sync).
#[derive(Default)]
struct StatementTexts {
    /// The table, the columns, then the key columns.
    shape: Vec<String>,
    columns: usize,
    rows: usize,
    sql: String,
}

impl StatementTexts {
    fn of(&mut self, chunk: &Chunk<'_, '_>) -> &str {
        let ChunkKind::Upsert {
            columns,
            key_columns,
            ..
        } = &chunk.kind
        else {
            return "";
        };
        let names = || {
            std::iter::once(chunk.table.name.as_str())
                .chain(columns.iter().map(|c| c.name.as_str()))
                .chain(key_columns.iter().map(|c| c.name.as_str()))
        };
        let same = self.rows == chunk.len()
            && self.columns == columns.len()
            && names().eq(self.shape.iter().map(String::as_str));
        if !same {
            self.shape = names().map(str::to_string).collect();
            self.columns = columns.len();
            self.rows = chunk.len();
            self.sql = super::write::upsert_sql(chunk, columns, key_columns);
        }
        &self.sql
    }
}
