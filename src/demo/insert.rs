//! Bulk inserts for seeding: multi-row `INSERT` statements of up to 500 rows, bound parameters.
//!
//! One statement per row through sqlx manages some 17,000 rows a second; a few hundred rows per
//! statement inside one transaction is an order of magnitude faster and keeps seeding the default
//! demo to a second or two. Full chunks share one SQL text, so sqlx prepares it once.

use std::path::Path;

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{DemoError, SeedProgress};
use crate::endpoint::ident::{quote_ident, quote_idents};
use crate::endpoint::Value;
use crate::model::Side;

/// Rows per statement (fewer for wide tables, to stay far below SQLite's parameter limit).
const ROWS_PER_STATEMENT: usize = 500;
const MAX_PARAMETERS: usize = 30_000;

/// Reports progress across all tables of both databases.
pub struct ProgressTracker<'a> {
    done: u64,
    total: u64,
    callback: &'a mut (dyn FnMut(&SeedProgress) + Send),
}

impl<'a> ProgressTracker<'a> {
    pub fn new(total: u64, callback: &'a mut (dyn FnMut(&SeedProgress) + Send)) -> Self {
        Self {
            done: 0,
            total,
            callback,
        }
    }

    fn report(&mut self, side: Side, table: &'static str, table_done: u64, table_total: u64) {
        (self.callback)(&SeedProgress {
            side,
            table,
            table_rows_done: table_done,
            table_rows_total: table_total,
            rows_done: self.done,
            rows_total: self.total,
        });
    }
}

/// One table to fill.
pub struct TableInsert<'t> {
    pub side: Side,
    pub table: &'static str,
    pub columns: &'t [&'t str],
    /// How many rows `rows` yields (for progress).
    pub total: u64,
}

/// Inserts `rows` into the table in multi-row statements; returns how many were inserted.
pub async fn insert_rows(
    conn: &mut SqliteConnection,
    path: &Path,
    target: &TableInsert<'_>,
    rows: impl Iterator<Item = Vec<Value>>,
    progress: &mut ProgressTracker<'_>,
) -> Result<u64, DemoError> {
    let per_statement = (MAX_PARAMETERS / target.columns.len().max(1)).clamp(1, ROWS_PER_STATEMENT);
    let head = format!(
        "INSERT INTO {} ({}) ",
        quote_ident(target.table),
        quote_idents(target.columns)
    );
    let mut inserted = 0u64;
    let mut chunk = Vec::with_capacity(per_statement);
    let mut rows = rows.peekable();
    progress.report(target.side, target.table, 0, target.total);
    while rows.peek().is_some() {
        chunk.extend(rows.by_ref().take(per_statement));
        let count = chunk.len() as u64;
        let mut query = QueryBuilder::<Sqlite>::new(head.as_str());
        query.push_values(chunk.drain(..), |mut builder, row| {
            for value in row {
                match value {
                    Value::Null => builder.push_bind(None::<String>),
                    Value::Bool(b) => builder.push_bind(b),
                    Value::Integer(i) => builder.push_bind(i),
                    Value::Real(r) => builder.push_bind(r),
                    Value::Text(t) => builder.push_bind(t),
                };
            }
        });
        query
            .build()
            .execute(&mut *conn)
            .await
            .map_err(|source| DemoError::Database {
                action: format!("insert rows into {}", target.table),
                path: path.to_owned(),
                source,
            })?;
        inserted += count;
        progress.done += count;
        progress.report(target.side, target.table, inserted, target.total);
    }
    tracing::debug!(table = target.table, rows = inserted, "seeded table");
    Ok(inserted)
}
