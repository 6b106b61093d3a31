//! SQLite endpoints: the embedded default, one database file per side.
//!
//! Connections use WAL (readers never block the writer, so the engine can read changes while the
//! application writes), a busy timeout (a locked database waits before failing with a retryable
//! system error), foreign keys on (as the application expects), and `synchronous = NORMAL`
//! (WAL's recommended level: a process crash loses nothing committed). Write transactions start
//! with `BEGIN IMMEDIATE`, so a writer gets the lock up front or waits for it, instead of failing
//! halfway when a deferred transaction cannot upgrade.

mod bulk;
mod capture;
mod discover;
mod read;
mod scan;
mod write;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Row as _, Sqlite, TypeInfo, ValueRef};

use super::schema::SchemaCache;
use super::sql_endpoint::impl_sql_endpoint;
use super::write_plan::normalise_read;
use super::{ColumnSchema, EndpointError, Result, Row, Value};
use crate::model::Side;

/// How to open a SQLite endpoint.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    /// How long a statement waits for a lock held by another connection before failing.
    pub busy_timeout: Duration,
    /// Create the file when it does not exist (demo databases, tests).
    pub create_if_missing: bool,
    /// Connections in the pool (one is held by each open transaction).
    pub max_connections: u32,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
            create_if_missing: false,
            max_connections: 4,
        }
    }
}

/// A SQLite database file as an endpoint.
pub struct SqliteEndpoint {
    name: String,
    side: Side,
    pool: SqlitePool,
    schema: SchemaCache,
    /// The keyset scans' own read-only connections (see [`scan`]).
    scans: Arc<scan::ScanConnections>,
    /// The initial sync's page writer (see [`bulk`]).
    bulk: Arc<bulk::BulkWrites>,
}

impl SqliteEndpoint {
    /// Opens the database at `path`; `name` labels it in messages.
    pub async fn open(
        name: impl Into<String>,
        side: Side,
        path: &Path,
        options: SqliteOptions,
    ) -> Result<Self> {
        let name = name.into();
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(options.create_if_missing)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(options.busy_timeout)
            .foreign_keys(true)
            // sqlx hands rows from its worker thread through a channel of this many; its default
            // (50) wakes the reader every 50 rows, which dominates reading a live batch's rows.
            .row_buffer_size(ROW_BUFFER);
        let pool = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.busy_timeout.max(Duration::from_secs(5)))
            .connect_with(connect)
            .await
            .map_err(|e| EndpointError::database(&name, "open the database", None, e))?;
        Ok(Self {
            name,
            side,
            pool,
            schema: SchemaCache::default(),
            scans: Arc::new(scan::ScanConnections::new(path, options.busy_timeout)),
            bulk: Arc::new(bulk::BulkWrites::new(path, options.busy_timeout)),
        })
    }

    /// The connection pool, for callers that need plain SQL (demo seeding, tests).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn error(
        &self,
        action: impl Into<String>,
        table: Option<&str>,
        e: sqlx::Error,
    ) -> EndpointError {
        EndpointError::database(&self.name, action, table, e)
    }
}

impl_sql_endpoint!(
    SqliteEndpoint,
    write::SqliteTransaction,
    discover(this) => discover::discover(&this.name, &this.pool),
    extra {
        async fn write_page(
            &self,
            operations: Vec<crate::endpoint::Operation>,
        ) -> (Vec<crate::endpoint::Operation>, Result<bool>) {
            match self.schema().await {
                Ok(schema) => self.bulk.upsert_page(&self.name, schema, operations).await,
                Err(e) => (operations, Err(e)),
            }
        }
    }
);

/// Binds one value; booleans are stored as 0/1 by SQLite.
fn bind_value<'q>(
    query: sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>,
    value: &'q Value,
) -> sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>> {
    match value {
        Value::Null => query.bind(None::<i64>),
        Value::Bool(b) => query.bind(*b),
        Value::Integer(i) => query.bind(*i),
        Value::Real(r) => query.bind(*r),
        Value::Text(t) => query.bind(t.as_str()),
    }
}

/// The value in column `index` of `row`, as stored, normalised to `column`'s class.
fn decode_value(
    endpoint: &str,
    table: &str,
    column: &ColumnSchema,
    row: &SqliteRow,
    index: usize,
) -> Result<Value> {
    let error = |e: sqlx::Error| {
        EndpointError::database(endpoint, format!("read \"{table}\""), Some(table), e)
    };
    let raw = row.try_get_raw(index).map_err(error)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let storage = raw.type_info();
    let value = match storage.name() {
        "INTEGER" => Value::Integer(row.try_get_unchecked::<i64, _>(index).map_err(error)?),
        "REAL" => Value::Real(row.try_get_unchecked::<f64, _>(index).map_err(error)?),
        "TEXT" => Value::Text(row.try_get_unchecked::<String, _>(index).map_err(error)?),
        other => {
            return Err(EndpointError::UnsupportedValue {
                endpoint: endpoint.to_string(),
                table: table.to_string(),
                column: column.name.clone(),
                kind: other.to_string(),
            })
        }
    };
    Ok(normalise_read(column.class, value))
}

/// A whole row of `columns`, selected in that order.
fn decode_row(
    endpoint: &str,
    table: &str,
    columns: &[&ColumnSchema],
    row: &SqliteRow,
) -> Result<Row> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok((
                c.name.as_str().into(),
                decode_value(endpoint, table, c, row, i)?,
            ))
        })
        .collect()
}

/// `(?, ?), (?, ?)`: `rows` groups of `width` placeholders.
fn placeholder_rows(rows: usize, width: usize) -> String {
    let group = format!("({})", vec!["?"; width].join(", "));
    vec![group; rows].join(", ")
}

/// Rows sqlx's worker thread may run ahead of the reader (a live batch is at most 1,000 records).
const ROW_BUFFER: usize = 2_048;

/// SQLite's limit on bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
const MAX_PARAMETERS: usize = 32_766;
