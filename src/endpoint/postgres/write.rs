//! Write transactions on PostgreSQL: `UNNEST`-based multi-row upserts and deletes.
//!
//! The engine's transactions run `SET LOCAL dualwrite.origin = 'engine'` first (through
//! `set_config(..., true)`), which the capture trigger reads: the engine's writes are logged with
//! origin `engine` and never read back as changes to sync.
//!
//! A chunk of partial rows that leave out NOT NULL columns is an `UPDATE ... FROM UNNEST(...)`
//! of the rows that exist instead of an upsert (see [`crate::endpoint::write_plan`]).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::Postgres;

use super::{decode_row, select_list, unnest_source, ColumnArray, PostgresEndpoint};
use crate::endpoint::batch::{
    self, apply_under_savepoint, assignments, deleted_results, execute_each, upsert_assignments,
    upserted_results, ChunkWriter,
};
use crate::endpoint::ident::{quote_ident, quote_idents};
use crate::endpoint::read_plan::KeyRead;
use crate::endpoint::schema::column_names;
use crate::endpoint::write_plan::{refuse_new_rows, Chunk, ChunkKind, ChunkLimits, Report};
use crate::endpoint::{
    EndpointTransaction, Key, Operation, OperationResult, Origin, Result, Row, Schema,
};

/// Arrays have no parameter limit; 5,000 rows keep each statement's memory modest.
const LIMITS: ChunkLimits = ChunkLimits {
    max_parameters: usize::MAX,
    max_rows: 5_000,
};

/// An open PostgreSQL transaction.
pub(super) struct PostgresTransaction {
    name: String,
    schema_sql: String,
    schema: Arc<Schema>,
    transaction: sqlx::Transaction<'static, Postgres>,
}

impl PostgresTransaction {
    pub(super) async fn begin(
        endpoint: &PostgresEndpoint,
        schema: Arc<Schema>,
        origin: Origin,
    ) -> Result<Self> {
        let mut transaction = endpoint
            .pool
            .begin()
            .await
            .map_err(|e| endpoint.error("begin a transaction", None, e))?;
        sqlx::query("SELECT set_config('dualwrite.origin', $1, true)")
            .bind(origin.as_str())
            .execute(&mut *transaction)
            .await
            .map_err(|e| endpoint.error("mark the transaction's origin", None, e))?;
        Ok(Self {
            name: endpoint.name.clone(),
            schema_sql: endpoint.schema_sql.clone(),
            schema,
            transaction,
        })
    }
}

#[async_trait]
impl ChunkWriter for PostgresTransaction {
    const LIMITS: ChunkLimits = LIMITS;

    fn schema(&self) -> Arc<Schema> {
        self.schema.clone()
    }

    async fn run_chunk(
        &mut self,
        chunk: &Chunk<'_, '_>,
        report: bool,
    ) -> Result<Vec<OperationResult>> {
        let table_sql = format!("{}.{}", self.schema_sql, quote_ident(&chunk.table.name));
        let table = chunk.table.name.as_str();
        match &chunk.kind {
            ChunkKind::Upsert {
                columns,
                key_columns,
                returning,
                missing_required,
            } => {
                let (source, expressions) = unnest_source(columns);
                let returned: Vec<_> = key_columns
                    .iter()
                    .chain(returning.iter())
                    .copied()
                    .collect();
                // A partial row updates the row that exists (see `write_plan`); it always
                // returns the key, which tells the rows found from the new ones.
                let partial = !missing_required.is_empty();
                let mut sql = if partial {
                    let matches: Vec<String> = key_columns
                        .iter()
                        .map(|k| {
                            let i = columns.iter().position(|c| c.name == k.name).unwrap_or(0);
                            format!("t.{} = {}", quote_ident(&k.name), expressions[i])
                        })
                        .collect();
                    format!(
                        "UPDATE {table_sql} AS t SET {} FROM {source} WHERE {}",
                        assignments(columns, key_columns, |i, _| expressions[i].clone()),
                        matches.join(" AND "),
                    )
                } else {
                    format!(
                        "INSERT INTO {table_sql} ({}) SELECT {} FROM {source} \
                         ON CONFLICT ({}) DO UPDATE SET {}",
                        quote_idents(&column_names(columns)),
                        expressions.join(", "),
                        quote_idents(&column_names(key_columns)),
                        upsert_assignments(columns, key_columns),
                    )
                };
                let qualifier = if partial { "t." } else { "" };
                if partial || !returning.is_empty() {
                    sql.push_str(&format!(" RETURNING {}", select_list(&returned, qualifier)));
                }
                let mut query = sqlx::query(&sql);
                for (i, column) in columns.iter().enumerate() {
                    query = ColumnArray::collect(column, chunk.column(i)).bind(query);
                }
                let action = format!("upsert into \"{table}\"");
                let mut generated: HashMap<Key, Row> = HashMap::new();
                if partial || !returning.is_empty() {
                    let rows = query
                        .fetch_all(&mut *self.transaction)
                        .await
                        .map_err(|e| self.error(&action, Some(table), e))?;
                    for row in &rows {
                        let key = decode_row(key_columns, row, 0)
                            .map_err(|e| self.error(&action, Some(table), e))?;
                        let values = decode_row(returning, row, key_columns.len())
                            .map_err(|e| self.error(&action, Some(table), e))?;
                        generated.insert(Key::new(key.into_values().collect()), values);
                    }
                } else {
                    query
                        .execute(&mut *self.transaction)
                        .await
                        .map_err(|e| self.error(&action, Some(table), e))?;
                }
                if partial {
                    refuse_new_rows(&self.name, chunk, &generated)?;
                }
                if !report {
                    return Ok(Vec::new());
                }
                Ok(upserted_results(chunk, generated))
            }
            ChunkKind::Delete { key_columns } => {
                let (source, expressions) = unnest_source(key_columns);
                let matches: Vec<String> = key_columns
                    .iter()
                    .zip(&expressions)
                    .map(|(c, e)| format!("t.{} = {e}", quote_ident(&c.name)))
                    .collect();
                let mut sql = format!(
                    "DELETE FROM {table_sql} AS t USING {source} WHERE {}",
                    matches.join(" AND "),
                );
                if report {
                    sql.push_str(&format!(" RETURNING {}", select_list(key_columns, "t.")));
                }
                let mut query = sqlx::query(&sql);
                for (i, column) in key_columns.iter().enumerate() {
                    query = ColumnArray::collect(column, chunk.column(i)).bind(query);
                }
                let action = format!("delete from \"{table}\"");
                if !report {
                    query
                        .execute(&mut *self.transaction)
                        .await
                        .map_err(|e| self.error(&action, Some(table), e))?;
                    return Ok(Vec::new());
                }
                let rows = query
                    .fetch_all(&mut *self.transaction)
                    .await
                    .map_err(|e| self.error(&action, Some(table), e))?;
                deleted_results(
                    chunk,
                    rows.iter().map(|row| {
                        decode_row(key_columns, row, 0)
                            .map_err(|e| self.error(&action, Some(table), e))
                    }),
                )
            }
        }
    }

    async fn execute(&mut self, sql: &str, action: &str) -> Result<()> {
        execute_each::<Postgres, _>(&self.name, &mut self.transaction, action, &[sql]).await
    }

    fn endpoint_name(&self) -> &str {
        &self.name
    }
}

#[async_trait]
impl EndpointTransaction for PostgresTransaction {
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
        super::read::fetch_by_keys(&self.name, &self.schema_sql, &read, &mut self.transaction).await
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        batch::commit(&self.name, self.transaction).await
    }

    async fn rollback(self: Box<Self>) -> Result<()> {
        batch::roll_back(&self.name, self.transaction).await
    }
}
