//! Keyset scans of SQLite through rusqlite, a whole page per hand-off.
//!
//! Why not sqlx here, when everything else on SQLite goes through it: sqlx runs each SQLite
//! connection on a worker thread and hands every fetched row to the async side over a channel,
//! as an `SqliteRow` holding its own copies of the values that are then decoded again. For an
//! initial sync of a million rows that per-row hand-off (thread wake-ups, one allocation per
//! value twice) was the largest cost of the read side in a profile. Here a page is read on a
//! blocking thread (`spawn_blocking`) straight into [`Row`]s and handed over once.
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
use crate::endpoint::{ColumnSchema, EndpointError, Result, Row, Value};

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
        let this = self.clone();
        let endpoint = query.endpoint.clone();
        tokio::task::spawn_blocking(move || this.fetch_blocking(&query))
            .await
            .map_err(|e| EndpointError::ScanWorker {
                endpoint,
                reason: e.to_string(),
            })?
    }

    fn fetch_blocking(&self, query: &PageQuery) -> Result<Vec<Row>> {
        let error = |e: rusqlite::Error| {
            EndpointError::sqlite_native(&query.endpoint, &query.action, Some(&query.table), e)
        };
        let taken = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let connection = match taken {
            Some(connection) => connection,
            None => self.open().map_err(error)?,
        };
        let rows = read_page(&connection, query);
        if rows.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < IDLE_CONNECTIONS {
                idle.push(connection);
            }
        }
        rows
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
    while let Some(row) = rows.next().map_err(error)? {
        let mut out = Row::with_capacity(query.columns.len());
        for (i, column) in query.columns.iter().enumerate() {
            let value = decode(query, column, row.get_ref(i).map_err(error)?)?;
            out.insert(column.name.clone(), value);
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
