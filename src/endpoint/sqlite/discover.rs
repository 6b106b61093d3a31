//! Schema discovery for SQLite, from `sqlite_schema` and the table-valued pragmas.
//!
//! Table names are passed to the pragmas as bound parameters, never spliced into SQL.

use sqlx::sqlite::SqlitePool;
use sqlx::Row as _;

use crate::endpoint::schema::ENGINE_PREFIX;
use crate::endpoint::{ColumnSchema, EndpointError, Result, Schema, TableSchema, ValueClass};

/// Reads every table (the engine's own excepted) with columns and keys.
pub(super) async fn discover(endpoint: &str, pool: &SqlitePool) -> Result<Schema> {
    let error = |e| EndpointError::database(endpoint, "discover the schema", None, e);
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(error)?;
    let mut schema = Schema::default();
    for name in names.into_iter().filter(|n| !n.starts_with(ENGINE_PREFIX)) {
        let table = discover_table(endpoint, pool, &name).await?;
        schema.tables.insert(name, table);
    }
    Ok(schema)
}

async fn discover_table(endpoint: &str, pool: &SqlitePool, table: &str) -> Result<TableSchema> {
    let error = |e| {
        EndpointError::database(
            endpoint,
            format!("discover table \"{table}\""),
            Some(table),
            e,
        )
    };
    let column_rows = sqlx::query(
        "SELECT name, type, \"notnull\", dflt_value IS NOT NULL AS has_default, pk, hidden \
         FROM pragma_table_xinfo(?1) WHERE hidden <> 1 ORDER BY cid",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .map_err(error)?;

    let mut primary: Vec<(i64, String)> = Vec::new();
    let mut columns = Vec::with_capacity(column_rows.len());
    for row in &column_rows {
        let name: String = row.try_get("name").map_err(error)?;
        let declared: String = row.try_get("type").map_err(error)?;
        let pk: i64 = row.try_get("pk").map_err(error)?;
        let hidden: i64 = row.try_get("hidden").map_err(error)?;
        if pk > 0 {
            primary.push((pk, name.clone()));
        }
        columns.push(ColumnSchema {
            class: ValueClass::of_sqlite_type(&declared),
            base_type: declared.clone(),
            declared_type: declared,
            nullable: row.try_get::<i64, _>("notnull").map_err(error)? == 0,
            has_default: row.try_get::<bool, _>("has_default").map_err(error)?,
            computed: hidden == 2 || hidden == 3,
            name,
        });
    }
    primary.sort();
    let primary_key: Vec<String> = primary.into_iter().map(|(_, n)| n).collect();
    // INTEGER PRIMARY KEY is an alias of the rowid: SQLite generates it when left out.
    if let [only] = primary_key.as_slice() {
        if let Some(column) = columns.iter_mut().find(|c| &c.name == only) {
            if column.declared_type.eq_ignore_ascii_case("INTEGER") {
                column.has_default = true;
                column.nullable = false;
            }
        }
    }

    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM pragma_index_list(?1) \
         WHERE \"unique\" = 1 AND partial = 0 AND origin <> 'pk' ORDER BY seq",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .map_err(error)?;
    let mut unique_keys = Vec::new();
    for index in indexes {
        let key: Vec<Option<String>> =
            sqlx::query_scalar("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                .bind(&index)
                .fetch_all(pool)
                .await
                .map_err(error)?;
        // An expression index (a NULL column name) cannot serve as an upsert key.
        if let Some(key) = key.into_iter().collect::<Option<Vec<_>>>() {
            if !key.is_empty() && !unique_keys.contains(&key) && key != primary_key {
                unique_keys.push(key);
            }
        }
    }
    Ok(TableSchema {
        name: table.to_string(),
        columns,
        primary_key,
        unique_keys,
    })
}
