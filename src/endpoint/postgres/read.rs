//! Reading rows from PostgreSQL: by key (a join with `UNNEST` of the keys, on the pool or inside
//! an open transaction) and by keyset scan.
//!
//! What is read is planned in [`crate::endpoint::read_plan`]; this module writes it in
//! PostgreSQL's dialect (typed `$n` parameters, arrays, casts back to the value classes).

use std::collections::HashSet;

use super::{
    bind_scalar, cast_to_column, decode_row, select_list, typed_parameter, unnest_source,
    ColumnArray, PostgresEndpoint,
};
use crate::endpoint::ident::quote_ident;
use crate::endpoint::read_plan::{KeyRead, ScanPlan};
use crate::endpoint::{EndpointError, Key, Result, Row, ScanRequest, Schema};
use sqlx::PgConnection;

const KEYS_PER_STATEMENT: usize = 10_000;

/// Rows of `table` whose `key_columns` equal one of `keys`, as committed (a pooled connection).
pub(super) async fn read_by_keys(
    endpoint: &PostgresEndpoint,
    schema: &Schema,
    table: &str,
    key_columns: &[String],
    keys: &[Key],
) -> Result<Vec<Row>> {
    let read = KeyRead::new(&endpoint.name, schema, table, key_columns, keys)?;
    let mut connection = endpoint.pool.acquire().await.map_err(|e| {
        endpoint.error(
            format!("read \"{}\" by key", read.table.name),
            Some(&read.table.name),
            e,
        )
    })?;
    fetch_by_keys(&endpoint.name, &endpoint.schema_sql, &read, &mut connection).await
}

/// The rows `read` asks for in the schema `schema_sql` (quoted), through `connection` (a pooled
/// one, or an open transaction's, which sees that transaction's own uncommitted writes).
pub(super) async fn fetch_by_keys(
    name: &str,
    schema_sql: &str,
    read: &KeyRead<'_>,
    connection: &mut PgConnection,
) -> Result<Vec<Row>> {
    let (table, key_columns) = (read.table, read.key_columns.as_slice());
    let mut seen = HashSet::with_capacity(read.keys.len());
    let mut unique_keys = Vec::with_capacity(read.keys.len());
    for key in &read.keys {
        if seen.insert(key) {
            unique_keys.push(key.values());
        }
    }
    let columns = read.columns();
    let (source, expressions) = unnest_source(key_columns);
    let join: Vec<String> = key_columns
        .iter()
        .zip(&expressions)
        .map(|(c, e)| format!("t.{} = {e}", quote_ident(&c.name)))
        .collect();
    let sql = format!(
        "SELECT {} FROM {schema_sql}.{} AS t JOIN {source} ON {}",
        select_list(&columns, "t."),
        quote_ident(&table.name),
        join.join(" AND "),
    );
    let action = format!("read \"{}\" by key", table.name);
    let error = |e| EndpointError::database(name, &action, Some(&table.name), e);
    let mut rows = Vec::with_capacity(unique_keys.len());
    for chunk in unique_keys.chunks(KEYS_PER_STATEMENT) {
        let mut query = sqlx::query(&sql);
        for (i, column) in key_columns.iter().enumerate() {
            query = ColumnArray::collect(column, chunk.iter().map(|k| &k[i])).bind(query);
        }
        let found = query.fetch_all(&mut *connection).await.map_err(error)?;
        for row in &found {
            rows.push(decode_row(&columns, row, 0).map_err(error)?);
        }
    }
    Ok(rows)
}

/// One page of a keyset scan.
pub(super) async fn scan(
    endpoint: &PostgresEndpoint,
    schema: &Schema,
    request: &ScanRequest,
) -> Result<Vec<Row>> {
    let name = endpoint.name.as_str();
    let plan = ScanPlan::new(name, schema, request, |column, n| {
        cast_to_column(column, &typed_parameter(column, n, false))
    })?;
    let table = &plan.table.name;
    let sql = plan.sql(&select_list(&plan.columns, ""), &endpoint.qualified(table));
    let mut query = sqlx::query(&sql);
    for (column, value) in &plan.parameters {
        query = bind_scalar(query, column, value);
    }
    let action = plan.action();
    let found = query
        .fetch_all(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error(&action, Some(table), e))?;
    found
        .iter()
        .map(|row| {
            decode_row(&plan.columns, row, 0).map_err(|e| endpoint.error(&action, Some(table), e))
        })
        .collect()
}

/// The number of rows a scan would page through: one `SELECT count(*)`.
pub(super) async fn count(
    endpoint: &PostgresEndpoint,
    schema: &Schema,
    request: &ScanRequest,
) -> Result<u64> {
    let plan = ScanPlan::new(&endpoint.name, schema, request, |column, n| {
        cast_to_column(column, &typed_parameter(column, n, false))
    })?;
    let table = &plan.table.name;
    let sql = plan.count_sql(&endpoint.qualified(table));
    let mut query = sqlx::query(&sql);
    for (column, value) in &plan.parameters {
        query = bind_scalar(query, column, value);
    }
    let action = format!("count \"{table}\"");
    let row = query
        .fetch_one(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error(&action, Some(table), e))?;
    let count: i64 =
        sqlx::Row::try_get(&row, 0).map_err(|e| endpoint.error(&action, Some(table), e))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Nothing to let go of: every read goes through the pool.
pub(super) fn release(_endpoint: &PostgresEndpoint) {}
