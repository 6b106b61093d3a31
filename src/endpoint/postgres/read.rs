//! Reading rows from PostgreSQL: by key (a join with `UNNEST` of the keys) and by keyset scan.

use std::collections::HashSet;

use super::{
    bind_scalar, cast_to_column, decode_row, select_list, typed_parameter, unnest_source,
    ColumnArray, PostgresEndpoint,
};
use crate::endpoint::ident::{quote_ident, quote_idents};
use crate::endpoint::schema::column_names;
use crate::endpoint::write_plan::{convert_key, convert_value};
use crate::endpoint::{ColumnSchema, Key, Result, Row, ScanRequest, Schema};

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
    let table = schema.table(name, table)?;
    let key_columns = table.columns_named(name, key_columns)?;
    let mut seen = HashSet::with_capacity(keys.len());
    let mut unique_keys = Vec::with_capacity(keys.len());
    for key in keys {
        let key = convert_key(name, table, &key_columns, key)?;
        if seen.insert(key.clone()) {
            unique_keys.push(key.into_values());
        }
    }
    let columns: Vec<&ColumnSchema> = table.columns.iter().collect();
    let (source, expressions) = unnest_source(&key_columns);
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
    let table = schema.table(name, &request.table)?;
    let key_columns = table.columns_named(name, &request.key_columns)?;
    let columns = table.selected_columns(name, &request.columns)?;
    let mut conditions = Vec::new();
    let mut parameters = Vec::new();
    if let Some(after) = &request.after {
        let after = convert_key(name, table, &key_columns, after)?;
        let placeholders: Vec<String> = key_columns
            .iter()
            .enumerate()
            .map(|(i, c)| cast_to_column(c, &typed_parameter(c, i + 1, false)))
            .collect();
        conditions.push(format!(
            "({}) > ({})",
            quote_idents(&column_names(&key_columns)),
            placeholders.join(", ")
        ));
        parameters.extend(key_columns.iter().copied().zip(after.into_values()));
    }
    if let Some((column, value)) = &request.filter {
        let column = table.column(name, column)?;
        let value = convert_value(name, &table.name, column, value)?;
        let placeholder = cast_to_column(
            column,
            &typed_parameter(column, parameters.len() + 1, false),
        );
        conditions.push(format!("{} = {placeholder}", quote_ident(&column.name)));
        parameters.push((column, value));
    }
    let sql = format!(
        "SELECT {} FROM {}{} ORDER BY {} LIMIT {}",
        select_list(&columns, ""),
        endpoint.qualified(&table.name),
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        },
        quote_idents(&column_names(&key_columns)),
        request.limit,
    );
    let mut query = sqlx::query(&sql);
    for (column, value) in &parameters {
        query = bind_scalar(query, column, value);
    }
    let action = format!("scan \"{}\"", table.name);
    let found = query
        .fetch_all(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error(&action, Some(&table.name), e))?;
    found
        .iter()
        .map(|row| {
            decode_row(&columns, row, 0).map_err(|e| endpoint.error(&action, Some(&table.name), e))
        })
        .collect()
}
