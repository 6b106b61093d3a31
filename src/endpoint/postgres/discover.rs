//! Schema discovery for PostgreSQL, from the catalogs of the endpoint's schema.
//!
//! Unique keys are the unique indexes an `ON CONFLICT` can use as arbiter: full (no predicate),
//! on plain columns (no expressions), not deferrable; INCLUDE columns are left out.

use sqlx::Row as _;

use super::PostgresEndpoint;
use crate::endpoint::schema::ENGINE_PREFIX;
use crate::endpoint::{ColumnSchema, EndpointError, Result, Schema, TableSchema, ValueClass};

const COLUMNS_SQL: &str = "\
SELECT c.relname::text AS table_name, a.attname::text AS column_name,
       format_type(a.atttypid, a.atttypmod) AS declared_type,
       format_type(a.atttypid, NULL) AS base_type,
       NOT a.attnotnull AS nullable,
       (a.atthasdef OR a.attidentity <> '') AND a.attgenerated = '' AS has_default,
       a.attgenerated <> '' AS computed
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum";

const KEYS_SQL: &str = "\
SELECT c.relname::text AS table_name, i.indisprimary AS is_primary,
       ARRAY(SELECT a.attname::text
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= i.indnkeyatts
             ORDER BY k.ord) AS columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
  AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
ORDER BY c.relname, NOT i.indisprimary, i.indexrelid";

/// Reads every table of the schema (the engine's own excepted) with columns and keys.
pub(super) async fn discover(endpoint: &PostgresEndpoint) -> Result<Schema> {
    let error = |e| EndpointError::database(&endpoint.name, "discover the schema", None, e);
    let mut schema = Schema::default();
    let rows = sqlx::query(COLUMNS_SQL)
        .fetch_all(&endpoint.pool)
        .await
        .map_err(error)?;
    for row in &rows {
        let table: String = row.try_get("table_name").map_err(error)?;
        if table.starts_with(ENGINE_PREFIX) {
            continue;
        }
        let base_type: String = row.try_get("base_type").map_err(error)?;
        let column = ColumnSchema {
            name: row.try_get("column_name").map_err(error)?,
            declared_type: row.try_get("declared_type").map_err(error)?,
            class: ValueClass::of_postgres_type(&base_type),
            base_type,
            nullable: row.try_get("nullable").map_err(error)?,
            has_default: row.try_get("has_default").map_err(error)?,
            computed: row.try_get("computed").map_err(error)?,
        };
        schema
            .tables
            .entry(table.clone())
            .or_insert_with(|| TableSchema {
                name: table,
                columns: Vec::new(),
                primary_key: Vec::new(),
                unique_keys: Vec::new(),
            })
            .columns
            .push(column);
    }
    let keys = sqlx::query(KEYS_SQL)
        .fetch_all(&endpoint.pool)
        .await
        .map_err(error)?;
    for row in &keys {
        let table: String = row.try_get("table_name").map_err(error)?;
        let is_primary: bool = row.try_get("is_primary").map_err(error)?;
        let columns: Vec<String> = row.try_get("columns").map_err(error)?;
        let Some(table) = schema.tables.get_mut(&table) else {
            continue;
        };
        if is_primary {
            table.primary_key = columns;
        } else if !columns.is_empty()
            && columns != table.primary_key
            && !table.unique_keys.contains(&columns)
        {
            table.unique_keys.push(columns);
        }
    }
    Ok(schema)
}
