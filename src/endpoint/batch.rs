//! The savepoint protocol every SQL backend applies a batch with.
//!
//! [`EndpointTransaction::apply`](super::EndpointTransaction::apply) promises "all or nothing per
//! call, and the transaction stays usable after a failed batch". That promise is kept here, once:
//! a backend only says how to run one SQL statement and one planned chunk ([`ChunkWriter`]), and
//! [`apply_under_savepoint`] plans the batch, opens the savepoint, runs the chunks, and on failure
//! rolls back to the savepoint so earlier batches of the transaction stay. Keeping it in one place
//! means SQLite and PostgreSQL cannot drift apart on what a failed batch leaves behind.
//!
//! The per-row result building that is the same for every dialect ([`upserted_results`],
//! [`deleted_results`]) lives here too: results follow the chunk's row order, whatever order the
//! database returned rows in.
//!
//! So do the few sqlx calls that do not depend on the dialect: running statements that return
//! nothing ([`execute_each`], also used to install capture), commit and roll back.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;

use super::write_plan::{plan, Chunk, ChunkLimits, Report};
use super::{ColumnSchema, EndpointError, Key, Operation, OperationResult, Result, Row, Schema};
use crate::endpoint::ident::quote_ident;

/// The savepoint a batch runs under (one batch at a time per transaction).
const SAVEPOINT: &str = "dualwrite_batch";

/// What a backend's open transaction provides to run a planned batch.
#[async_trait]
pub(crate) trait ChunkWriter: Send {
    /// How large one statement may be on this backend.
    const LIMITS: ChunkLimits;

    /// The schema the transaction resolves names against.
    fn schema(&self) -> Arc<Schema>;

    /// Runs one chunk; with `report`, returns one result per row (otherwise none).
    async fn run_chunk(
        &mut self,
        chunk: &Chunk<'_, '_>,
        report: bool,
    ) -> Result<Vec<OperationResult>>;

    /// Runs one SQL statement that returns nothing (savepoint control).
    async fn execute(&mut self, sql: &str, action: &str) -> Result<()>;

    /// The endpoint's label, for errors and logs.
    fn endpoint_name(&self) -> &str;

    /// A database error while doing `action` (on `table`), labelled with the endpoint.
    fn error(
        &self,
        action: impl Into<String>,
        table: Option<&str>,
        e: sqlx::Error,
    ) -> EndpointError {
        EndpointError::database(self.endpoint_name(), action, table, e)
    }
}

/// Runs `statements` in order on `connection` (a transaction's), stopping at the first error,
/// which is labelled with `endpoint` and `action`. The same for every sqlx database.
pub(crate) async fn execute_each<DB, S>(
    endpoint: &str,
    connection: &mut DB::Connection,
    action: &str,
    statements: &[S],
) -> Result<()>
where
    DB: sqlx::Database,
    S: AsRef<str> + Sync,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    for sql in statements {
        sqlx::query::<DB>(sql.as_ref())
            .execute(&mut *connection)
            .await
            .map_err(|e| EndpointError::database(endpoint, action, None, e))?;
    }
    Ok(())
}

/// Plans `operations` against `schema` and runs them under a savepoint: on error, everything this
/// batch did is undone and the transaction can still be used or rolled back. `report` says what
/// upserts read back; [`Report::Nothing`] returns no results at all.
pub(crate) async fn apply_under_savepoint<W: ChunkWriter>(
    writer: &mut W,
    operations: &[Operation],
    report: Report,
) -> Result<Vec<OperationResult>> {
    let schema = writer.schema();
    let chunks = plan(
        writer.endpoint_name(),
        &schema,
        operations,
        W::LIMITS,
        report,
    )?;
    let report = report.results();
    writer
        .execute(&format!("SAVEPOINT {SAVEPOINT}"), "start the batch")
        .await?;
    let mut results = Vec::with_capacity(operations.len());
    for chunk in &chunks {
        match writer.run_chunk(chunk, report).await {
            Ok(chunk_results) => results.extend(chunk_results),
            Err(error) => {
                if let Err(undo) = undo_batch(writer).await {
                    tracing::warn!(endpoint = %writer.endpoint_name(), error = %undo, "could not undo a failed batch; roll the transaction back");
                }
                return Err(error);
            }
        }
    }
    writer
        .execute(
            &format!("RELEASE SAVEPOINT {SAVEPOINT}"),
            "finish the batch",
        )
        .await?;
    Ok(results)
}

/// Rolls back to the batch's savepoint and releases it.
async fn undo_batch<W: ChunkWriter>(writer: &mut W) -> Result<()> {
    writer
        .execute(
            &format!("ROLLBACK TO SAVEPOINT {SAVEPOINT}"),
            "undo the failed batch",
        )
        .await?;
    writer
        .execute(
            &format!("RELEASE SAVEPOINT {SAVEPOINT}"),
            "undo the failed batch",
        )
        .await
}

/// `"c" = excluded."c"` for each column an upsert updates on conflict: the non-key columns, or
/// the first key column when there are none (so `DO UPDATE` still touches the row and `RETURNING`
/// reports it).
pub(crate) fn upsert_assignments(
    columns: &[&ColumnSchema],
    key_columns: &[&ColumnSchema],
) -> String {
    assignments(columns, key_columns, |_, c| {
        format!("excluded.{}", quote_ident(&c.name))
    })
}

/// `"c" = <value of c>` for the columns [`upsert_assignments`] updates, where `value(i, c)` is
/// the expression of `columns[i]` in the statement (an `UPDATE ... FROM` of the rows).
pub(crate) fn assignments(
    columns: &[&ColumnSchema],
    key_columns: &[&ColumnSchema],
    value: impl Fn(usize, &ColumnSchema) -> String,
) -> String {
    let only_keys = columns.len() == key_columns.len();
    let first_key = key_columns.first().map(|k| k.name.as_str());
    columns
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let is_key = key_columns.iter().any(|k| k.name == c.name);
            !is_key || (only_keys && first_key == Some(c.name.as_str()))
        })
        .map(|(i, c)| format!("{} = {}", quote_ident(&c.name), value(i, c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One `Upserted` result per row of the chunk, with the generated values returned for its key.
pub(crate) fn upserted_results(
    chunk: &Chunk<'_, '_>,
    mut generated: HashMap<Key, Row>,
) -> Vec<OperationResult> {
    chunk
        .keys()
        .map(|key| OperationResult::Upserted {
            generated: generated.remove(&key).unwrap_or_default(),
            key,
        })
        .collect()
}

/// One `Deleted` result per row of the chunk; `returned` are the key rows the delete returned
/// (decoded by the backend), in any order.
pub(crate) fn deleted_results(
    chunk: &Chunk<'_, '_>,
    returned: impl IntoIterator<Item = Result<Row>>,
) -> Result<Vec<OperationResult>> {
    let found = returned
        .into_iter()
        .map(|row| row.map(|values| Key::new(values.into_values().collect())))
        .collect::<Result<HashSet<Key>>>()?;
    Ok(chunk
        .keys()
        .map(|key| OperationResult::Deleted {
            found: found.contains(&key),
            key,
        })
        .collect())
}

/// Commits `transaction`; a failure is labelled with `endpoint`.
pub(crate) async fn commit<DB: sqlx::Database>(
    endpoint: &str,
    transaction: sqlx::Transaction<'static, DB>,
) -> Result<()> {
    transaction
        .commit()
        .await
        .map_err(|e| EndpointError::database(endpoint, "commit", None, e))
}

/// Rolls `transaction` back; a failure is labelled with `endpoint`.
pub(crate) async fn roll_back<DB: sqlx::Database>(
    endpoint: &str,
    transaction: sqlx::Transaction<'static, DB>,
) -> Result<()> {
    transaction
        .rollback()
        .await
        .map_err(|e| EndpointError::database(endpoint, "roll back", None, e))
}
