//! Write transactions on SQLite: multi-row upserts and deletes inside one `BEGIN IMMEDIATE`.
//!
//! Each chunk of the plan (see [`crate::endpoint::write_plan`]) is one statement of up to 8,000
//! rows (within SQLite's 32,766 bound parameters). `RETURNING` reports generated values and which
//! deletes found their row; SQLite does not promise the order of returned rows, so they are
//! matched to operations by key.
//!
//! A post-image ([`EndpointTransaction::apply_returning_rows`]) reads back only the columns the
//! rows do not write: SQLite stores a written column as bound, since its triggers cannot change
//! the values a statement writes (a `BEFORE` trigger has no writable `NEW`, unlike PostgreSQL's,
//! and `RETURNING` does not show what `AFTER` triggers change), and the plan has already converted
//! each value to its column's class. So the written columns are echoed from the statement's own
//! values, and a chunk whose rows write every column needs no `RETURNING` at all: sqlx hands each
//! returned row from its worker thread to the caller with a wake-up, which cost more than the
//! write itself for a 1,000-row live batch. Whether every row was kept (a `BEFORE` trigger's
//! `RAISE(IGNORE)` drops one) is then told by the count of changed rows, and only when it falls
//! short are the rows looked up by key. (Class conversion aside, a value keeps the form it was
//! bound in where SQLite's column affinity would store another, e.g. the text `'42'` in a
//! `NUMERIC` column; its comparable form is the same.) A chunk of partial rows that leave out NOT NULL columns is an
//! `UPDATE ... FROM (VALUES ...)` of the rows that exist instead (see
//! [`crate::endpoint::write_plan`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Sqlite;

use super::{
    bind_value, decode_row, decode_value, placeholder_rows, SqliteEndpoint, MAX_PARAMETERS,
};
use crate::endpoint::batch::{
    self, apply_under_savepoint, assignments, deleted_results, execute_each, upsert_assignments,
    upserted_results, ChunkWriter,
};
use crate::endpoint::capture::APPLYING_TABLE;
use crate::endpoint::ident::{quote_ident, quote_idents};
use crate::endpoint::read_plan::KeyRead;
use crate::endpoint::schema::column_names;
use crate::endpoint::write_plan::{refuse_new_rows, Chunk, ChunkKind, ChunkLimits, Report};
use crate::endpoint::{
    ColumnSchema, EndpointTransaction, Key, Operation, OperationResult, Origin, Result, Row,
    Schema, Value,
};

const LIMITS: ChunkLimits = ChunkLimits {
    max_parameters: MAX_PARAMETERS,
    max_rows: 8_000,
};

/// An open SQLite write transaction.
pub(super) struct SqliteTransaction {
    name: String,
    schema: Arc<Schema>,
    transaction: sqlx::Transaction<'static, Sqlite>,
    origin: Origin,
}

impl SqliteTransaction {
    /// Takes the write lock; for the engine, marks the transaction as the engine's.
    pub(super) async fn begin(
        endpoint: &SqliteEndpoint,
        schema: Arc<Schema>,
        origin: Origin,
    ) -> Result<Self> {
        let mut transaction = endpoint
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| endpoint.error("begin a write transaction", None, e))?;
        if origin == Origin::Engine {
            let marker = quote_ident(APPLYING_TABLE);
            for sql in [
                format!("CREATE TABLE IF NOT EXISTS {marker} (origin TEXT NOT NULL)"),
                format!("INSERT INTO {marker} (origin) VALUES ('engine')"),
            ] {
                sqlx::query(&sql)
                    .execute(&mut *transaction)
                    .await
                    .map_err(|e| endpoint.error("mark the transaction as the engine's", None, e))?;
            }
        }
        Ok(Self {
            name: endpoint.name.clone(),
            schema,
            transaction,
            origin,
        })
    }
}

#[async_trait]
impl ChunkWriter for SqliteTransaction {
    const LIMITS: ChunkLimits = LIMITS;

    fn schema(&self) -> Arc<Schema> {
        self.schema.clone()
    }

    async fn run_chunk(
        &mut self,
        chunk: &Chunk<'_, '_>,
        report: bool,
    ) -> Result<Vec<OperationResult>> {
        match &chunk.kind {
            ChunkKind::Upsert {
                columns,
                key_columns,
                returning,
                missing_required,
            } => {
                // Only the columns the rows do not write are read back: a written column is
                // stored as bound (see the module doc), so it is echoed from the chunk.
                let read_back: Vec<&ColumnSchema> = returning
                    .iter()
                    .filter(|c| !columns.iter().any(|w| w.name == c.name))
                    .copied()
                    .collect();
                let echoes = report && read_back.len() < returning.len();
                let returned: Vec<_> = key_columns
                    .iter()
                    .chain(read_back.iter())
                    .copied()
                    .collect();
                // A partial row updates the row that exists (see `write_plan`); it always
                // returns the key, which tells the rows found from the new ones.
                let partial = !missing_required.is_empty();
                let returns = partial || !read_back.is_empty();
                let mut sql = if partial {
                    update_sql(chunk, columns, key_columns)
                } else {
                    upsert_sql(chunk, columns, key_columns)
                };
                if returns {
                    sql.push_str(&format!(
                        " RETURNING {}",
                        quote_idents(&column_names(&returned))
                    ));
                }
                let action = format!("upsert into \"{}\"", chunk.table.name);
                let mut query = sqlx::query(&sql);
                for value in &chunk.values {
                    query = bind_value(query, value.as_ref());
                }
                let (rows, changed) = if returns {
                    let rows = query
                        .fetch_all(&mut *self.transaction)
                        .await
                        .map_err(|e| self.error(&action, Some(&chunk.table.name), e))?;
                    (rows, None)
                } else {
                    let done = query
                        .execute(&mut *self.transaction)
                        .await
                        .map_err(|e| self.error(&action, Some(&chunk.table.name), e))?;
                    (Vec::new(), Some(done.rows_affected()))
                };
                let mut generated: HashMap<Key, Row> = HashMap::with_capacity(rows.len());
                for row in &rows {
                    let key = key_columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| decode_value(&self.name, &chunk.table.name, c, row, i))
                        .collect::<Result<Vec<_>>>()?;
                    let values = decode_row(&self.name, &chunk.table.name, &returned, row)?
                        .into_iter()
                        .skip(key_columns.len())
                        .collect();
                    generated.insert(Key::new(key), values);
                }
                if partial {
                    refuse_new_rows(&self.name, chunk, &generated)?;
                }
                if !report {
                    return Ok(Vec::new());
                }
                if !echoes {
                    return Ok(upserted_results(chunk, generated));
                }
                // Which rows the statement kept: those it returned, or, without RETURNING, all
                // of them when it changed as many rows as it wrote (the usual case); otherwise a
                // trigger dropped some, and the rows are looked up.
                let kept: Option<HashSet<Key>> = match changed {
                    Some(n) if n < chunk.len() as u64 => Some(self.existing_keys(chunk).await?),
                    Some(_) => None,
                    None => Some(generated.keys().cloned().collect()),
                };
                Ok(echoed_results(chunk, columns, returning, generated, kept))
            }
            ChunkKind::Delete { key_columns } => {
                let mut sql = format!(
                    "DELETE FROM {} WHERE ({}) IN (VALUES {})",
                    quote_ident(&chunk.table.name),
                    quote_idents(&column_names(key_columns)),
                    placeholder_rows(chunk.len(), key_columns.len()),
                );
                if report {
                    sql.push_str(&format!(
                        " RETURNING {}",
                        quote_idents(&column_names(key_columns))
                    ));
                }
                let mut query = sqlx::query(&sql);
                for value in &chunk.values {
                    query = bind_value(query, value.as_ref());
                }
                let action = format!("delete from \"{}\"", chunk.table.name);
                if !report {
                    query
                        .execute(&mut *self.transaction)
                        .await
                        .map_err(|e| self.error(&action, Some(&chunk.table.name), e))?;
                    return Ok(Vec::new());
                }
                let rows = query
                    .fetch_all(&mut *self.transaction)
                    .await
                    .map_err(|e| self.error(&action, Some(&chunk.table.name), e))?;
                deleted_results(
                    chunk,
                    rows.iter()
                        .map(|row| decode_row(&self.name, &chunk.table.name, key_columns, row)),
                )
            }
        }
    }

    async fn execute(&mut self, sql: &str, action: &str) -> Result<()> {
        execute_each::<Sqlite, _>(&self.name, &mut self.transaction, action, &[sql]).await
    }

    fn endpoint_name(&self) -> &str {
        &self.name
    }
}

impl SqliteTransaction {
    /// The keys of the chunk's rows that exist, as this transaction sees them.
    async fn existing_keys(&mut self, chunk: &Chunk<'_, '_>) -> Result<HashSet<Key>> {
        let keys: Vec<Key> = chunk.keys().collect();
        let ChunkKind::Upsert { key_columns, .. } = &chunk.kind else {
            return Ok(HashSet::new());
        };
        let key_names: Vec<String> = key_columns.iter().map(|c| c.name.clone()).collect();
        let schema = self.schema.clone();
        let read = KeyRead::new(&self.name, &schema, &chunk.table.name, &key_names, &keys)?;
        let rows = super::read::fetch_by_keys(&self.name, &read, &mut self.transaction).await?;
        Ok(rows
            .iter()
            .filter_map(|row| Key::from_row(row, &key_names))
            .collect())
    }
}

/// One `Upserted` result per row of the chunk whose `generated` holds the `returning` columns:
/// the written ones echoed from the chunk's values, the others from `read` (by key). A row not in
/// `kept` (when given) was dropped by a trigger and has none.
fn echoed_results(
    chunk: &Chunk<'_, '_>,
    columns: &[&ColumnSchema],
    returning: &[&ColumnSchema],
    mut read: HashMap<Key, Row>,
    kept: Option<HashSet<Key>>,
) -> Vec<OperationResult> {
    let positions: Vec<Option<usize>> = returning
        .iter()
        .map(|c| columns.iter().position(|w| w.name == c.name))
        .collect();
    (0..chunk.len())
        .map(|i| {
            let key = chunk.key(i);
            if kept.as_ref().is_some_and(|kept| !kept.contains(&key)) {
                return OperationResult::Upserted {
                    key,
                    generated: Row::new(),
                };
            }
            let mut from_read = read.remove(&key).unwrap_or_default();
            let row = &chunk.values[i * chunk.width..(i + 1) * chunk.width];
            let generated = returning
                .iter()
                .zip(&positions)
                .map(|(column, position)| {
                    let value = match position {
                        Some(p) => row[*p].as_ref().clone(),
                        None => from_read
                            .swap_remove(column.name.as_str())
                            .unwrap_or(Value::Null),
                    };
                    (column.name.as_str().into(), value)
                })
                .collect();
            OperationResult::Upserted { key, generated }
        })
        .collect()
}

/// `INSERT ... ON CONFLICT DO UPDATE` of the chunk's whole rows (also the statement of the
/// initial sync's page writes, [`super::bulk`]).
pub(super) fn upsert_sql(
    chunk: &Chunk<'_, '_>,
    columns: &[&ColumnSchema],
    key_columns: &[&ColumnSchema],
) -> String {
    format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
        quote_ident(&chunk.table.name),
        quote_idents(&column_names(columns)),
        placeholder_rows(chunk.len(), columns.len()),
        quote_idents(&column_names(key_columns)),
        upsert_assignments(columns, key_columns),
    )
}

/// `UPDATE` of the chunk's rows that exist, matched by key: the rows are a `VALUES` list whose
/// columns SQLite names `column1`, `column2`, ... in the order of `columns`.
fn update_sql(
    chunk: &Chunk<'_, '_>,
    columns: &[&ColumnSchema],
    key_columns: &[&ColumnSchema],
) -> String {
    let table = quote_ident(&chunk.table.name);
    let position = |name: &str| columns.iter().position(|c| c.name == name).unwrap_or(0) + 1;
    let matches: Vec<String> = key_columns
        .iter()
        .map(|k| {
            format!(
                "{table}.{} = {UPDATE_ROWS}.column{}",
                quote_ident(&k.name),
                position(&k.name)
            )
        })
        .collect();
    format!(
        "UPDATE {table} SET {} FROM (VALUES {}) AS {UPDATE_ROWS} WHERE {}",
        assignments(columns, key_columns, |i, _| format!(
            "{UPDATE_ROWS}.column{}",
            i + 1
        )),
        placeholder_rows(chunk.len(), columns.len()),
        matches.join(" AND "),
    )
}

/// The alias of the rows an `UPDATE ... FROM` reads (engine-prefixed: no application table's).
const UPDATE_ROWS: &str = "_dualwrite_rows";

#[async_trait]
impl EndpointTransaction for SqliteTransaction {
    async fn apply(&mut self, operations: &[Operation]) -> Result<Vec<OperationResult>> {
        apply_under_savepoint(self, operations, Report::Generated).await
    }

    async fn apply_returning_rows(
        &mut self,
        operations: &[Operation],
    ) -> Result<Vec<OperationResult>> {
        apply_under_savepoint(self, operations, Report::Rows).await
    }

    async fn apply_bulk(&mut self, operations: &[Operation]) -> Result<()> {
        apply_under_savepoint(self, operations, Report::Nothing)
            .await
            .map(|_| ())
    }

    async fn read_by_keys(
        &mut self,
        table: &str,
        key_columns: &[String],
        keys: &[Key],
    ) -> Result<Vec<Row>> {
        let schema = self.schema.clone();
        let read = KeyRead::new(&self.name, &schema, table, key_columns, keys)?;
        super::read::fetch_by_keys(&self.name, &read, &mut self.transaction).await
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        if self.origin == Origin::Engine {
            let sql = format!("DELETE FROM {}", quote_ident(APPLYING_TABLE));
            self.execute(&sql, "unmark the engine's transaction")
                .await?;
        }
        batch::commit(&self.name, self.transaction).await
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        batch::roll_back(&self.name, self.transaction).await
    }
}
