//! Change capture: how the engine learns what the application changed on an endpoint.
//!
//! # Design (shared by all database endpoints)
//! `install_capture` puts AFTER INSERT/UPDATE/DELETE triggers on each captured table. Each trigger
//! writes one row per changed row into the engine's change log on that endpoint:
//!
//! | table | columns |
//! | --- | --- |
//! | `_dualwrite_changes` | `seq` (cursor), `table_name`, `key` (JSON array of the key columns' values), `op` (`upsert`/`delete`), `row_version`, `origin` (`app`/`engine`), `txid` (source transaction, PostgreSQL), `captured_at` |
//! | `_dualwrite_row_versions` | `table_name`, `key`, `version`: a per-row counter the triggers bump on every change |
//! | `_dualwrite_captured_tables` | `table_name`, `key_columns`: what is installed, so installs are idempotent |
//!
//! The log holds references, not data: the engine reads the latest row when it processes a change
//! (as dual-write async does). An update that changes the key is logged as a delete of the old key
//! followed by an upsert of the new one.
//!
//! # Loopback control
//! Writes the engine applies are logged with origin `engine`, and [`super::Endpoint::read_changes`]
//! returns only `app` changes, so nothing the engine wrote is ever sent back:
//! - PostgreSQL: the engine's transaction runs `SET LOCAL dualwrite.origin = 'engine'`; the trigger
//!   reads `current_setting('dualwrite.origin', true)`.
//! - SQLite: triggers cannot see connection state, so the engine's transaction first inserts a row
//!   into `_dualwrite_applying` and deletes it before committing; the trigger takes the origin
//!   from that table. Only the writing transaction can see the uncommitted row, and SQLite has a
//!   single writer, so no application write is ever mistaken for the engine's.
//!
//! # The cursor never skips a change
//! A reader that remembers "everything up to seq N is done" must never later find a change with
//! a smaller seq. SQLite serialises writers, so an AUTOINCREMENT seq is in commit order. In
//! PostgreSQL a sequence is not: a transaction may take seq 5, another seq 6 and commit first.
//! There the seq is `txid << 22 | n` (the n-th change of that transaction) and readers only see
//! changes of transactions older than every transaction still running
//! (`txid < txid_snapshot_xmin(txid_current_snapshot())`): any later commit has a larger txid, so
//! a larger seq. The price: a long-open transaction delays reading until it ends.
//!
//! # Limits
//! - SQLite has no transaction id: [`Change::transaction`] is `None` there.
//! - Keys are logged as JSON of the stored values and converted to the key columns' classes when
//!   read, so text, integer, number and boolean keys compare equal to keys read from rows. Keys of
//!   other PostgreSQL types (timestamps, uuids) keep the JSON text form, which may differ from the
//!   `::text` form a scan returns; integration keys are codes and numbers in practice.
//! - PostgreSQL: at most 4,194,303 captured changes per transaction (the trigger refuses more).

use serde::{Deserialize, Serialize};

use super::write_plan::normalise_read;
use super::{EndpointError, Key, Schema, TableSchema};

/// The change-log table.
pub const CHANGES_TABLE: &str = "_dualwrite_changes";
/// The per-row version table.
pub const ROW_VERSIONS_TABLE: &str = "_dualwrite_row_versions";
/// The registry of captured tables.
pub const CAPTURED_TABLES_TABLE: &str = "_dualwrite_captured_tables";
/// SQLite only: the marker row of the engine's own write transactions.
pub const APPLYING_TABLE: &str = "_dualwrite_applying";

/// What to capture on one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureSpec {
    /// The table.
    pub table: String,
    /// The columns whose values identify a changed row in the log (the map's integration key).
    pub key_columns: Vec<String>,
}

impl CaptureSpec {
    /// Capture `table`, identifying rows by `key_columns`.
    pub fn new(table: impl Into<String>, key_columns: &[&str]) -> Self {
        Self {
            table: table.into(),
            key_columns: key_columns.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// Who made a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Origin {
    /// The application (anything but the engine).
    App,
    /// The sync engine; never read back as a change to sync.
    Engine,
}

impl Origin {
    /// The text stored in the change log.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::App => "app",
            Origin::Engine => "engine",
        }
    }

    fn parse(text: &str) -> Option<Origin> {
        match text {
            "app" => Some(Origin::App),
            "engine" => Some(Origin::Engine),
            _ => None,
        }
    }
}

/// What happened to a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeOp {
    /// Inserted or updated: sync the row as it is when the change is processed.
    Upsert,
    /// Deleted.
    Delete,
}

impl ChangeOp {
    fn parse(text: &str) -> Option<ChangeOp> {
        match text {
            "upsert" => Some(ChangeOp::Upsert),
            "delete" => Some(ChangeOp::Delete),
            _ => None,
        }
    }
}

/// One captured change.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Position in the log; increasing in commit order; the cursor for the next read.
    pub seq: i64,
    /// The table as the database spells it.
    pub table: String,
    /// The row's key on the captured key columns.
    pub key: Key,
    /// Upsert or delete.
    pub op: ChangeOp,
    /// The row's version after this change (increases with every change of the row).
    pub row_version: i64,
    /// Who wrote it.
    pub origin: Origin,
    /// The source transaction id, where the database has one (PostgreSQL); changes of one
    /// transaction share it.
    pub transaction: Option<i64>,
    /// When it was captured (UTC, ISO 8601).
    pub captured_at: String,
}

/// Which changes to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeQuery {
    /// Only changes with a larger seq.
    pub after_seq: i64,
    /// At most this many.
    pub limit: usize,
    /// Also return the engine's own writes (for diagnostics and tests).
    pub include_engine: bool,
}

impl ChangeQuery {
    /// The application's changes after `after_seq`.
    pub fn application(after_seq: i64, limit: usize) -> Self {
        Self {
            after_seq,
            limit,
            include_engine: false,
        }
    }

    /// The condition a change-log query appends to its `WHERE` to leave out the engine's writes
    /// (empty when they are included); the same SQL in every dialect.
    pub(crate) fn origin_condition(&self) -> &'static str {
        if self.include_engine {
            ""
        } else {
            "AND origin = 'app'"
        }
    }

    /// Every change after `after_seq`, the engine's included.
    pub fn all(after_seq: i64, limit: usize) -> Self {
        Self {
            after_seq,
            limit,
            include_engine: true,
        }
    }
}

/// A change-log row as the database returns it, before validation.
pub(crate) struct RawChange {
    pub seq: i64,
    pub table: String,
    pub key: String,
    pub op: String,
    pub row_version: i64,
    pub origin: String,
    pub transaction: Option<i64>,
    pub captured_at: String,
}

/// A change-log result row of either driver: sqlx's (PostgreSQL) or rusqlite's (SQLite reads
/// its change log through rusqlite, see `sqlite/scan.rs`). [`RawChange::from_row`] reads both.
pub(crate) trait ChangeRow {
    type Error;
    fn int(&self, index: usize) -> Result<i64, Self::Error>;
    fn opt_int(&self, index: usize) -> Result<Option<i64>, Self::Error>;
    fn text(&self, index: usize) -> Result<String, Self::Error>;
}

impl ChangeRow for sqlx::postgres::PgRow {
    type Error = sqlx::Error;
    fn int(&self, index: usize) -> Result<i64, sqlx::Error> {
        sqlx::Row::try_get(self, index)
    }
    fn opt_int(&self, index: usize) -> Result<Option<i64>, sqlx::Error> {
        sqlx::Row::try_get(self, index)
    }
    fn text(&self, index: usize) -> Result<String, sqlx::Error> {
        sqlx::Row::try_get(self, index)
    }
}

impl ChangeRow for rusqlite::Row<'_> {
    type Error = rusqlite::Error;
    fn int(&self, index: usize) -> Result<i64, rusqlite::Error> {
        self.get(index)
    }
    fn opt_int(&self, index: usize) -> Result<Option<i64>, rusqlite::Error> {
        self.get(index)
    }
    fn text(&self, index: usize) -> Result<String, rusqlite::Error> {
        self.get(index)
    }
}

impl RawChange {
    /// Reads a change-log row selected as `seq, table_name, key, op, row_version, origin, txid,
    /// captured_at` (in that order; each backend selects its own dialect's expressions).
    pub fn from_row<R: ChangeRow>(row: &R) -> Result<Self, R::Error> {
        Ok(Self {
            seq: row.int(0)?,
            table: row.text(1)?,
            key: row.text(2)?,
            op: row.text(3)?,
            row_version: row.int(4)?,
            origin: row.text(5)?,
            transaction: row.opt_int(6)?,
            captured_at: row.text(7)?,
        })
    }

    /// Validates the row; a damaged row is an error naming its seq.
    pub fn into_change(self, endpoint: &str) -> Result<Change, EndpointError> {
        let damaged = |reason: String| EndpointError::DamagedChange {
            endpoint: endpoint.to_string(),
            seq: self.seq,
            reason,
        };
        let key = Key::parse(&self.key).map_err(|e| damaged(e.to_string()))?;
        let op = ChangeOp::parse(&self.op)
            .ok_or_else(|| damaged(format!("unknown operation \"{}\"", self.op)))?;
        let origin = Origin::parse(&self.origin)
            .ok_or_else(|| damaged(format!("unknown origin \"{}\"", self.origin)))?;
        Ok(Change {
            seq: self.seq,
            table: self.table,
            key,
            op,
            row_version: self.row_version,
            origin,
            transaction: self.transaction,
            captured_at: self.captured_at,
        })
    }
}

/// Converts a logged key to the key columns' classes, as rows read from the table are, so the
/// same row has the same key whether it came from a scan or from the change log.
pub(crate) fn normalise_key(
    schema: &Schema,
    captured: &[(String, Vec<String>)],
    change: &mut Change,
) {
    let Some(table) = schema.tables.get(&change.table) else {
        return;
    };
    let Some((_, key_columns)) = captured.iter().find(|(t, _)| *t == change.table) else {
        return;
    };
    let values = key_columns
        .iter()
        .zip(change.key.values())
        .map(
            |(name, value)| match table.columns.iter().find(|c| &c.name == name) {
                Some(column) => normalise_read(column.class, value.clone()),
                None => value.clone(),
            },
        )
        .collect();
    change.key = Key::new(values);
}

/// Runs a backend's change-log `sql` (parameters: `query.after_seq`, then `query.limit`; columns
/// as [`RawChange::from_row`] reads them) and returns the changes, validated, with keys
/// converted to the key columns' classes.
pub(crate) async fn fetch_changes<DB>(
    endpoint: &str,
    pool: &sqlx::Pool<DB>,
    sql: &str,
    query: &ChangeQuery,
    schema: &Schema,
    captured: &[(String, Vec<String>)],
) -> Result<Vec<Change>, EndpointError>
where
    DB: sqlx::Database,
    DB::Row: ChangeRow<Error = sqlx::Error>,
    for<'c> &'c sqlx::Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    let error = |e| EndpointError::database(endpoint, "read changes", None, e);
    let rows = sqlx::query::<DB>(sql)
        .bind(query.after_seq)
        .bind(i64::try_from(query.limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await
        .map_err(error)?;
    rows.iter()
        .map(|row| {
            let mut change = RawChange::from_row(row)
                .map_err(error)?
                .into_change(endpoint)?;
            normalise_key(schema, captured, &mut change);
            Ok(change)
        })
        .collect()
}

/// The table a capture spec names and its key columns, as the schema spells them.
pub(crate) fn resolve_spec<'s>(
    endpoint: &str,
    schema: &'s Schema,
    spec: &CaptureSpec,
) -> Result<(&'s TableSchema, Vec<String>), EndpointError> {
    let table = schema.table(endpoint, &spec.table)?;
    let key_columns = table
        .columns_named(endpoint, &spec.key_columns)?
        .iter()
        .map(|c| c.name.clone())
        .collect();
    Ok((table, key_columns))
}

/// The captured table `wanted` names: the exact name, else one that differs only in case, else
/// `wanted` as given (removing capture from a table never captured is not an error).
pub(crate) fn captured_name(captured: &[(String, Vec<String>)], wanted: &str) -> String {
    let names = || captured.iter().map(|(t, _)| t);
    names()
        .find(|t| *t == wanted)
        .or_else(|| names().find(|t| t.eq_ignore_ascii_case(wanted)))
        .cloned()
        .unwrap_or_else(|| wanted.to_string())
}
