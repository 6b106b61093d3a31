//! Reading rows from PostgreSQL: by key (a join with `UNNEST` of the keys) and by keyset scan.
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
use crate::endpoint::{Key, Result, Row, ScanRequest, Schema};

const KEYS_PER_STATEMENT: usize = 10_000;

/// Rows of `table` whose `key_columns` equal one of `keys`.
pub(super) async fn read_by_keys(
    endpoint: &PostgresEndpoint,
    schema: &Schema,
    table: &str,
    key_columns: &[String],
    keys: &[Key],
) -> Result<Vec<Row>> {
    let name = endpoint.name.as_str();
    let read = KeyRead::new(name, schema, table, key_columns, keys)?;
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
        "SELECT {} FROM {} AS t JOIN {source} ON {}",
        select_list(&columns, "t."),
        endpoint.qualified(&table.name),
        join.join(" AND "),
    );
    let mut rows = Vec::with_capacity(unique_keys.len());
    for chunk in unique_keys.chunks(KEYS_PER_STATEMENT) {
        let mut query = sqlx::query(&sql);
        for (i, column) in key_columns.iter().enumerate() {
            query = ColumnArray::collect(column, chunk.iter().map(|k| &k[i])).bind(query);
        }
        let action = format!("read \"{}\" by key", table.name);
        let found = query
            .fetch_all(&endpoint.pool)
            .await
            .map_err(|e| endpoint.error(&action, Some(&table.name), e))?;
        for row in &found {
            rows.push(
                decode_row(&columns, row, 0)
                    .map_err(|e| endpoint.error(&action, Some(&table.name), e))?,
            );
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
