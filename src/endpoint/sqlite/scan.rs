//! Reads of committed SQLite data through rusqlite, a whole result per hand-off: the keyset scans
//! of the initial sync, and the async round's batch reads (rows by key, row versions, the change
//! log; see `read.rs` and `capture.rs`, which run them through [`ScanConnections::run`]).
//!
//! Why not sqlx here, when everything else on SQLite goes through it: sqlx runs each SQLite
//! connection on a worker thread and hands every fetched row to the async side over a channel,
//! as an `SqliteRow` holding its own copies of the values that are then decoded again. For an
//! initial sync of a million rows that per-row hand-off (thread wake-ups, one allocation per
//! value twice) was the largest cost of the read side in a profile, and the async round's
//! batch reads of 1,000 rows (by key, versions) took about 9 ms apiece through sqlx, 3 ms
//! through rusqlite. Here a read runs on a blocking thread (`spawn_blocking`) straight into
//! [`Row`]s (or whatever the caller decodes) and is handed over once.
//!
//! rusqlite links the same `libsqlite3-sys` as sqlx (one SQLite library in the process) and
//! reads through its own read-only connections to the same file, kept here between pages:
//! WAL lets them read committed data while the pool's connections write; a page is one
//! statement, so no read transaction is held between pages (a checkpoint is never blocked for a
//! whole copy). Values are decoded exactly as the sqlx path decodes them: integers, reals and
//! text as stored (text must be UTF-8), NULL as NULL, then normalised to the column's class; a
//! BLOB is refused naming the column.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::endpoint::write_plan::normalise_read;
use crate::endpoint::{ColumnName, ColumnSchema, EndpointError, Result, Row, Value};

/// Idle read-only connections kept between pages (one per concurrent scan is enough).
const IDLE_CONNECTIONS: usize = 4;

/// Read-only rusqlite connections to one database file, opened on demand and reused.
pub(super) struct ScanConnections {
    path: PathBuf,
    busy_timeout: Duration,
    idle: Mutex<Vec<Connection>>,
}

/// A resolved page read: the statement, its parameters and the columns it returns.
pub(super) struct PageQuery {
    pub endpoint: String,
    pub table: String,
    pub action: String,
    pub sql: String,
    pub parameters: Vec<Value>,
    pub columns: Vec<ColumnSchema>,
}

impl ScanConnections {
    pub fn new(path: &Path, busy_timeout: Duration) -> Self {
        Self {
            path: path.to_path_buf(),
            busy_timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Closes the idle connections (the endpoint is closing).
    pub fn close(&self) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Runs `query` on a blocking thread and returns its rows.
    pub async fn fetch(self: &Arc<Self>, query: PageQuery) -> Result<Vec<Row>> {
        let (endpoint, action, table) = (
            query.endpoint.clone(),
            query.action.clone(),
            query.table.clone(),
        );
        self.run(endpoint, action, Some(table), move |connection| {
            read_page(connection, &query)
        })
        .await
    }

    /// Runs `queries` one after the other on one connection, on a blocking thread, and returns
    /// their rows in order (a read by key in chunks within the parameter limit).
    pub async fn fetch_all(self: &Arc<Self>, queries: Vec<PageQuery>) -> Result<Vec<Row>> {
        let Some(first) = queries.first() else {
            return Ok(Vec::new());
        };
        let (endpoint, action, table) = (
            first.endpoint.clone(),
            first.action.clone(),
            first.table.clone(),
        );
        self.run(endpoint, action, Some(table), move |connection| {
            let mut rows = Vec::new();
            for query in &queries {
                rows.extend(read_page(connection, query)?);
            }
            Ok(rows)
        })
        .await
    }

    /// Runs `read` with one of the connections on a blocking thread: the one way every
    /// rusqlite read of the endpoint reaches the file. `action` and `table` name what failed
    /// when the connection cannot be opened or the thread is lost.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        endpoint: String,
        action: String,
        table: Option<String>,
        read: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let this = self.clone();
        let name = endpoint.clone();
        tokio::task::spawn_blocking(move || {
            let taken = this
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let connection = match taken {
                Some(connection) => connection,
                None => this.open().map_err(|e| {
                    EndpointError::sqlite_native(&endpoint, &action, table.as_deref(), e)
                })?,
            };
            let result = read(&connection);
            if result.is_ok() {
                let mut idle = this.idle.lock().unwrap_or_else(PoisonError::into_inner);
                if idle.len() < IDLE_CONNECTIONS {
                    idle.push(connection);
                }
            }
            result
        })
        .await
        .map_err(|e| EndpointError::ScanWorker {
            endpoint: name,
            reason: e.to_string(),
        })?
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(self.busy_timeout)?;
        Ok(connection)
    }
}

/// The rows of one statement, decoded by column (see the module docs).
fn read_page(connection: &Connection, query: &PageQuery) -> Result<Vec<Row>> {
    let error = |e: rusqlite::Error| {
        EndpointError::sqlite_native(&query.endpoint, &query.action, Some(&query.table), e)
    };
    let mut statement = connection.prepare_cached(&query.sql).map_err(error)?;
    let parameters = query.parameters.iter().map(|value| match value {
        Value::Null => rusqlite::types::Value::Null,
        Value::Bool(b) => rusqlite::types::Value::Integer(i64::from(*b)),
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(t.clone()),
    });
    let mut rows = statement
        .query(rusqlite::params_from_iter(parameters))
        .map_err(error)?;
    let mut page = Vec::new();
    // The names once per page; each row takes clones (inline or shared, no allocation).
    let names: Vec<ColumnName> = query
        .columns
        .iter()
        .map(|c| c.name.as_str().into())
        .collect();
    while let Some(row) = rows.next().map_err(error)? {
        let mut out = Row::with_capacity(query.columns.len());
        for (i, (column, name)) in query.columns.iter().zip(&names).enumerate() {
            let value = decode(query, column, row.get_ref(i).map_err(error)?)?;
            out.insert(name.clone(), value);
        }
        page.push(out);
    }
    Ok(page)
}

/// A stored value as a [`Value`] of `column`'s class (see the module docs).
fn decode(query: &PageQuery, column: &ColumnSchema, raw: ValueRef<'_>) -> Result<Value> {
    let unsupported = |kind: &str| EndpointError::UnsupportedValue {
        endpoint: query.endpoint.clone(),
        table: query.table.clone(),
        column: column.name.clone(),
        kind: kind.to_string(),
    };
    let value = match raw {
        ValueRef::Null => return Ok(Value::Null),
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(bytes) => Value::Text(
            std::str::from_utf8(bytes)
                .map_err(|_| unsupported("TEXT (not valid UTF-8)"))?
                .to_string(),
        ),
        ValueRef::Blob(_) => return Err(unsupported("BLOB")),
    };
    Ok(normalise_read(column.class, value))
}
