//! Reading rows from SQLite: by key (in chunks within the parameter limit) and by keyset scan.

use super::{bind_value, decode_row, placeholder_rows, SqliteEndpoint, MAX_PARAMETERS};
use crate::endpoint::ident::{quote_ident, quote_idents};
use crate::endpoint::schema::column_names as names;
use crate::endpoint::write_plan::{convert_key, convert_value};
use crate::endpoint::{ColumnSchema, Key, Result, Row, ScanRequest, Schema};

/// Rows of `table` whose `key_columns` equal one of `keys`.
pub(super) async fn read_by_keys(
    endpoint: &SqliteEndpoint,
    schema: &Schema,
    table: &str,
    key_columns: &[String],
    keys: &[Key],
) -> Result<Vec<Row>> {
    let name = endpoint.name.as_str();
    let table = schema.table(name, table)?;
    let key_columns = table.columns_named(name, key_columns)?;
    let keys = keys
        .iter()
        .map(|k| convert_key(name, table, &key_columns, k))
        .collect::<Result<Vec<_>>>()?;
    let columns: Vec<&ColumnSchema> = table.columns.iter().collect();
    let per_statement = (MAX_PARAMETERS / key_columns.len().max(1)).clamp(1, 2_000);
    let mut rows = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(per_statement) {
        let sql = format!(
            "SELECT {} FROM {} WHERE ({}) IN (VALUES {})",
            quote_idents(&names(&columns)),
            quote_ident(&table.name),
            quote_idents(&names(&key_columns)),
            placeholder_rows(chunk.len(), key_columns.len()),
        );
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flat_map(|k| k.values()) {
            query = bind_value(query, value);
        }
        let found = query.fetch_all(&endpoint.pool).await.map_err(|e| {
            endpoint.error(
                format!("read \"{}\" by key", table.name),
                Some(&table.name),
                e,
            )
        })?;
        for row in &found {
            rows.push(decode_row(name, &table.name, &columns, row)?);
        }
    }
    Ok(rows)
}

/// One page of a keyset scan.
pub(super) async fn scan(
    endpoint: &SqliteEndpoint,
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
        conditions.push(format!(
            "({}) > ({})",
            quote_idents(&names(&key_columns)),
            vec!["?"; key_columns.len()].join(", ")
        ));
        parameters.extend(after.into_values());
    }
    if let Some((column, value)) = &request.filter {
        let column = table.column(name, column)?;
        conditions.push(format!("{} = ?", quote_ident(&column.name)));
        parameters.push(convert_value(name, &table.name, column, value)?);
    }
    let sql = format!(
        "SELECT {} FROM {}{} ORDER BY {} LIMIT {}",
        quote_idents(&names(&columns)),
        quote_ident(&table.name),
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        },
        quote_idents(&names(&key_columns)),
        request.limit,
    );
    let mut query = sqlx::query(&sql);
    for value in &parameters {
        query = bind_value(query, value);
    }
    let found = query
        .fetch_all(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error(format!("scan \"{}\"", table.name), Some(&table.name), e))?;
    found
        .iter()
        .map(|row| decode_row(name, &table.name, &columns, row))
        .collect()
}
