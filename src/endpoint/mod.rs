//! Endpoints: the databases a test sync reads from and writes to, behind one trait.
//!
//! The engine never writes SQL. It speaks to an [`Endpoint`] in terms that also fit the services
//! that come next (the Dataverse Web API with `$batch` change sets and alternate-key upserts, F&O
//! OData): discover the schema, read rows by key or in key order, apply a batch of upserts and
//! deletes atomically in a transaction that stays open until told to commit (live sync), and read
//! the changes captured since a cursor. SQLite ([`sqlite`]) and PostgreSQL ([`postgres`]) are the
//! endpoints today; [`connect`] opens the one an environment of the project describes.
//!
//! Choices the engine can rely on:
//! - Names from the project are resolved against the discovered schema and quoted ([`ident`]); an
//!   unknown name is an [`EndpointError`] naming the closest existing one.
//! - Values are converted to the column's [`ValueClass`] when that loses nothing, and refused with
//!   the table, column and value otherwise.
//! - [`EndpointTransaction::apply`] is all-or-nothing per call (a savepoint), and a transaction
//!   that failed one batch can still take another or be rolled back.
//! - Upserts report the values the target generated ([`OperationResult::Upserted::generated`]),
//!   so keys generated on the target can be propagated into children's lookups.
//! - Writes made through a transaction begun with [`Origin::Engine`] are captured with that origin
//!   and [`Endpoint::read_changes`] leaves them out: no loopback (see [`capture`]).
//!
//! Names differ from the first sketch in two places, for the engine's sake: `install_capture`
//! takes [`CaptureSpec`]s because the triggers must know which columns make the key they record,
//! and `begin_as` exists beside `begin` so the live-sync source side (and tests) can write as the
//! application.

mod batch;
pub mod capture;
mod class;
pub mod connect;
mod error;
pub mod ident;
pub mod postgres;
mod read_plan;
pub mod schema;
mod sql_endpoint;
pub mod sqlite;
mod value;
mod write_plan;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::Side;

pub use capture::{CaptureSpec, Change, ChangeOp, ChangeQuery, Origin};
pub use class::ValueClass;
pub use connect::{
    connect, connect_with_secrets, expand_env, redact_url, EnvironmentVariables, SecretSource,
};
pub use error::{DatabaseFailure, EndpointError, ErrorCategory};
pub use schema::{ColumnSchema, Schema, TableSchema};
pub use value::{ColumnName, Key, KeyParseError, Row, Value};

/// Result of endpoint operations.
pub type Result<T, E = EndpointError> = std::result::Result<T, E>;

/// One write of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Operation {
    /// Insert the row, or update it when a row with the same key exists
    /// (`INSERT ... ON CONFLICT (key_columns) DO UPDATE`). `values` must hold the key columns,
    /// which must be the primary key or a unique key of the table.
    #[serde(rename_all = "camelCase")]
    Upsert {
        table: String,
        key_columns: Vec<String>,
        values: Row,
    },
    /// Delete the row with this key, if there is one.
    #[serde(rename_all = "camelCase")]
    Delete {
        table: String,
        key_columns: Vec<String>,
        key: Key,
    },
}

impl Operation {
    /// The table the operation writes.
    pub fn table(&self) -> &str {
        match self {
            Operation::Upsert { table, .. } | Operation::Delete { table, .. } => table,
        }
    }
}

/// What one operation of a batch did, in the order of the batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum OperationResult {
    /// The row was inserted or updated.
    Upserted {
        /// The key, converted to the key columns' classes.
        key: Key,
        /// Values of the columns the database fills itself (defaults, identities, rowid aliases)
        /// that the upsert did not set, as stored after the write: for an existing row, its
        /// current values (e.g. the id the target generated when the row was first inserted).
        generated: Row,
    },
    /// The delete ran; `found` tells whether a row had that key.
    Deleted { key: Key, found: bool },
}

/// A page of rows in key order, for streaming initial syncs (keyset pagination).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRequest {
    /// The table to read.
    pub table: String,
    /// The columns that order the scan and form the cursor; a unique key, so no row is skipped
    /// or repeated between pages.
    pub key_columns: Vec<String>,
    /// Start after this key (the last key of the previous page); `None` for the first page.
    pub after: Option<Key>,
    /// At most this many rows.
    pub limit: usize,
    /// Only rows where this column equals this value (e.g. one legal entity).
    pub filter: Option<(String, Value)>,
    /// The columns to return; empty for all.
    pub columns: Vec<String>,
}

impl ScanRequest {
    /// The first page of all columns of `table`, in order of `key_columns`.
    pub fn new(table: impl Into<String>, key_columns: Vec<String>, limit: usize) -> Self {
        Self {
            table: table.into(),
            key_columns,
            after: None,
            limit,
            filter: None,
            columns: Vec::new(),
        }
    }
}

/// A database (or later a service) that one side of a test sync reads and writes.
///
/// Implementations are cheap to share (`Arc<dyn Endpoint>`); every method may run concurrently
/// with the others.
#[async_trait]
pub trait Endpoint: Send + Sync {
    /// The dual-write side this endpoint plays.
    fn side(&self) -> Side;

    /// A label for messages and logs: the environment id and where it is (never a password).
    fn name(&self) -> &str;

    /// Reads the schema from the database (tables, columns, keys) and caches it.
    async fn discover(&self) -> Result<Arc<Schema>>;

    /// The cached schema, discovering it on first use.
    async fn schema(&self) -> Result<Arc<Schema>>;

    /// The rows with these keys on `key_columns` (all columns; rows that do not exist are simply
    /// absent; order unspecified: match them with [`Key::from_row`]).
    async fn read_by_keys(
        &self,
        table: &str,
        key_columns: &[String],
        keys: &[Key],
    ) -> Result<Vec<Row>>;

    /// One page of rows in key order after `request.after`.
    async fn scan(&self, request: &ScanRequest) -> Result<Vec<Row>>;

    /// How many rows a scan of `request` would return over all its pages (`table`, `filter`
    /// and `after` count; `limit` and `columns` do not): the total an initial sync's progress
    /// and ETA are measured against. SQL endpoints answer with one `SELECT count(*)`; the
    /// default pages through the keys.
    async fn count(&self, request: &ScanRequest) -> Result<u64> {
        let mut request = ScanRequest {
            limit: 10_000,
            columns: request.key_columns.clone(),
            ..request.clone()
        };
        let mut count = 0u64;
        loop {
            let page = self.scan(&request).await?;
            let Some(last) = page.last() else {
                return Ok(count);
            };
            count += page.len() as u64;
            request.after = Key::from_row(last, &request.key_columns);
            if request.after.is_none() {
                return Ok(count);
            }
        }
    }

    /// Writes a page of the initial sync in a transaction of its own, as the engine
    /// ([`Origin::Engine`]), all or nothing, and commits it: `Ok(true)` when written,
    /// `Ok(false)` when this endpoint has no faster way than [`begin`](Self::begin) and
    /// `apply_bulk` for these operations (nothing written; the default). The operations come
    /// back either way, so a refused page can be written row by row. SQLite binds the rows
    /// straight into prepared statements (`src/endpoint/sqlite/bulk.rs`).
    async fn write_page(&self, operations: Vec<Operation>) -> (Vec<Operation>, Result<bool>) {
        (operations, Ok(false))
    }

    /// Begins a transaction whose writes are the engine's ([`Origin::Engine`]).
    async fn begin(&self) -> Result<Box<dyn EndpointTransaction>> {
        self.begin_as(Origin::Engine).await
    }

    /// Begins a transaction whose writes are captured with `origin`.
    async fn begin_as(&self, origin: Origin) -> Result<Box<dyn EndpointTransaction>>;

    /// Installs change capture on these tables (idempotent; re-installing with other key columns
    /// replaces the triggers).
    async fn install_capture(&self, tables: &[CaptureSpec]) -> Result<()>;

    /// Removes change capture from these tables (the change log itself stays).
    async fn remove_capture(&self, tables: &[String]) -> Result<()>;

    /// Removes all capture triggers and the engine's change-log tables from the endpoint.
    async fn drop_change_log(&self) -> Result<()>;

    /// Changes made by the application after `after_seq`, in seq order, at most `limit`.
    async fn read_changes(&self, after_seq: i64, limit: usize) -> Result<Vec<Change>> {
        self.read_changes_matching(&ChangeQuery::application(after_seq, limit))
            .await
    }

    /// Changes after a cursor, optionally including the engine's own writes.
    async fn read_changes_matching(&self, query: &ChangeQuery) -> Result<Vec<Change>>;

    /// The current row version of each key (`None` when no change of that row was captured).
    async fn row_versions(&self, table: &str, keys: &[Key]) -> Result<Vec<Option<i64>>>;

    /// Deletes captured changes up to and including `upto_seq`; returns how many.
    async fn trim_changes(&self, upto_seq: i64) -> Result<u64>;

    /// Closes the connections (waits for open transactions to end).
    async fn close(&self);
}

/// An open transaction on an endpoint.
///
/// Dropping it without [`commit`](Self::commit) rolls it back.
#[async_trait]
pub trait EndpointTransaction: Send {
    /// Applies a batch in order, all or nothing: on error nothing of this batch stays (earlier
    /// batches of the transaction do) and the transaction can still be used or rolled back.
    /// Consecutive operations on the same table and columns are sent as multi-row statements.
    async fn apply(&mut self, operations: &[Operation]) -> Result<Vec<OperationResult>>;

    /// Like [`apply`](Self::apply), but each upsert's [`OperationResult::Upserted::generated`]
    /// holds every column of its row but the key, as stored after the write (its post-image),
    /// read back by the write itself (`RETURNING`) where the backend can. A row the write did
    /// not keep (a trigger dropped it) has none. This default reads the rows back by key.
    async fn apply_returning_rows(
        &mut self,
        operations: &[Operation],
    ) -> Result<Vec<OperationResult>> {
        let mut results = self.apply(operations).await?;
        let mut tables: Vec<(&str, &[String])> = Vec::new();
        for operation in operations {
            if let Operation::Upsert {
                table, key_columns, ..
            } = operation
            {
                if !tables.contains(&(table.as_str(), key_columns.as_slice())) {
                    tables.push((table, key_columns));
                }
            }
        }
        for (table, key_columns) in tables {
            let positions: Vec<usize> = operations
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    matches!(o, Operation::Upsert { table: t, key_columns: k, .. }
                        if t == table && k.as_slice() == key_columns)
                })
                .map(|(i, _)| i)
                .collect();
            let keys: Vec<Key> = positions
                .iter()
                .filter_map(|&i| match results.get(i) {
                    Some(OperationResult::Upserted { key, .. }) => Some(key.clone()),
                    _ => None,
                })
                .collect();
            let rows: std::collections::HashMap<Key, Row> = self
                .read_by_keys(table, key_columns, &keys)
                .await?
                .into_iter()
                .filter_map(|row| Key::from_row(&row, key_columns).map(|k| (k, row)))
                .collect();
            for i in positions {
                if let Some(OperationResult::Upserted { key, generated }) = results.get_mut(i) {
                    if let Some(row) = rows.get(key) {
                        *generated = row
                            .iter()
                            .filter(|(c, _)| !key_columns.iter().any(|k| k == c.as_str()))
                            .map(|(c, v)| (c.clone(), v.clone()))
                            .collect();
                    }
                }
            }
        }
        Ok(results)
    }

    /// Like [`apply`](Self::apply), but reads nothing back: no generated values, no per-operation
    /// results (no `RETURNING`). For bulk loads (initial sync) where they are not needed.
    async fn apply_bulk(&mut self, operations: &[Operation]) -> Result<()> {
        self.apply(operations).await.map(|_| ())
    }

    /// The rows with these keys on `key_columns` as this transaction sees them, its own
    /// uncommitted writes included (all columns; rows that do not exist are absent; order
    /// unspecified: match them with [`Key::from_row`]). Live sync reads the post-image of what
    /// the source just wrote this way, before either side commits.
    async fn read_by_keys(
        &mut self,
        table: &str,
        key_columns: &[String],
        keys: &[Key],
    ) -> Result<Vec<Row>>;

    /// Commits everything applied.
    async fn commit(self: Box<Self>) -> Result<()>;

    /// Rolls everything back.
    async fn rollback(self: Box<Self>) -> Result<()>;
}
