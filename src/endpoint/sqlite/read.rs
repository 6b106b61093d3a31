//! Reading rows from SQLite: by key (in chunks within the parameter limit; committed rows through
//! rusqlite, see [`super::scan`], or inside an open transaction through sqlx), by keyset scan
//! (through rusqlite) and counting.
//!
//! What is read is planned in [`crate::endpoint::read_plan`]; this module writes it in SQLite's
//! dialect (`?` parameters, `(keys) IN (VALUES ...)`).

use super::scan::PageQuery;
use super::{bind_value, decode_row, placeholder_rows, SqliteEndpoint, MAX_PARAMETERS};
use crate::endpoint::ident::{quote_ident, quote_idents};
use crate::endpoint::read_plan::{KeyRead, ScanPlan};
use crate::endpoint::schema::column_names as names;
use crate::endpoint::{EndpointError, Key, Result, Row, ScanRequest, Schema, Value};
use sqlx::SqliteConnection;

/// Rows of `table` whose `key_columns` equal one of `keys`, as committed: read through rusqlite
/// (see [`super::scan`]), every chunk of keys on one connection in one hand-off.
pub(super) async fn read_by_keys(
    endpoint: &SqliteEndpoint,
    schema: &Schema,
    table: &str,
    key_columns: &[String],
    keys: &[Key],
) -> Result<Vec<Row>> {
    let name = endpoint.name.as_str();
    let read = KeyRead::new(name, schema, table, key_columns, keys)?;
    let columns = read.columns();
    let queries = key_chunks(&read)
        .map(|(sql, chunk)| PageQuery {
            endpoint: name.to_string(),
            table: read.table.name.clone(),
            action: format!("read \"{}\" by key", read.table.name),
            sql,
            parameters: chunk.iter().flat_map(|k| k.values()).cloned().collect(),
            columns: columns.iter().map(|c| (*c).clone()).collect(),
        })
        .collect();
    endpoint.scans.fetch_all(queries).await
}

/// The statements of a read by key: one per chunk of keys within the parameter limit, with its
/// keys, selecting every column.
fn key_chunks<'r>(read: &'r KeyRead<'_>) -> impl Iterator<Item = (String, &'r [Key])> + 'r {
    let key_columns = &read.key_columns;
    let per_statement = (MAX_PARAMETERS / key_columns.len().max(1)).clamp(1, 2_000);
    let select_list = quote_idents(&names(&read.columns()));
    read.keys.chunks(per_statement).map(move |chunk| {
        let sql = format!(
            "SELECT {select_list} FROM {} WHERE ({}) IN (VALUES {})",
            quote_ident(&read.table.name),
            quote_idents(&names(key_columns)),
            placeholder_rows(chunk.len(), key_columns.len()),
        );
        (sql, chunk)
    })
}

/// The rows `read` asks for, through an open transaction's `connection` (which sees that
/// transaction's own uncommitted writes, so it cannot go through rusqlite's own connections).
pub(super) async fn fetch_by_keys(
    name: &str,
    read: &KeyRead<'_>,
    connection: &mut SqliteConnection,
) -> Result<Vec<Row>> {
    let table = read.table;
    let columns = read.columns();
    let mut rows = Vec::with_capacity(read.keys.len());
    for (sql, chunk) in key_chunks(read) {
        let mut query = sqlx::query(&sql);
        for value in chunk.iter().flat_map(|k| k.values()) {
            query = bind_value(query, value);
        }
        let found = query.fetch_all(&mut *connection).await.map_err(|e| {
            EndpointError::database(
                name,
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

/// One page of a keyset scan, read through rusqlite a page at a time (see [`super::scan`]).
pub(super) async fn scan(
    endpoint: &SqliteEndpoint,
    schema: &Schema,
    request: &ScanRequest,
) -> Result<Vec<Row>> {
    let name = endpoint.name.as_str();
    let plan = ScanPlan::new(name, schema, request, |_, _| "?".to_string())?;
    let table = &plan.table.name;
    let query = PageQuery {
        endpoint: name.to_string(),
        table: table.clone(),
        action: plan.action(),
        sql: plan.sql(&quote_idents(&names(&plan.columns)), &quote_ident(table)),
        parameters: plan.parameters.iter().map(|(_, v)| v.clone()).collect(),
        columns: plan.columns.iter().map(|c| (*c).clone()).collect(),
    };
    endpoint.scans.fetch(query).await
}

/// The number of rows a scan would page through: one `SELECT count(*)`.
pub(super) async fn count(
    endpoint: &SqliteEndpoint,
    schema: &Schema,
    request: &ScanRequest,
) -> Result<u64> {
    let plan = ScanPlan::new(&endpoint.name, schema, request, |_, _| "?".to_string())?;
    let table = &plan.table.name;
    let sql = plan.count_sql(&quote_ident(table));
    let mut query = sqlx::query_scalar::<_, i64>(&sql);
    for (_, value) in &plan.parameters {
        query = match value {
            Value::Null => query.bind(None::<i64>),
            Value::Bool(b) => query.bind(*b),
            Value::Integer(i) => query.bind(*i),
            Value::Real(r) => query.bind(*r),
            Value::Text(t) => query.bind(t.as_str()),
        };
    }
    let count = query
        .fetch_one(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error(format!("count \"{table}\""), Some(table), e))?;
    Ok(u64::try_from(count).unwrap_or(0))
}

/// Closes the page readers' own connections.
pub(super) fn release(endpoint: &SqliteEndpoint) {
    endpoint.scans.close();
    endpoint.bulk.close();
}
