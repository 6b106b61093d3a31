//! Change capture on SQLite (design in [`crate::endpoint::capture`]).
//!
//! One AFTER trigger per operation and table. The key is recorded as `json_array(NEW."k1", ...)`;
//! the origin is taken from the `_dualwrite_applying` marker row that only the engine's own write
//! transaction can see. Table names appear in trigger bodies as quoted identifiers and string
//! literals built by [`crate::endpoint::ident`], so any name is safe.
//!
//! `captured_at` is stored as the Julian day of the write (`julianday('now')`, kept as text by
//! the column's affinity) and formatted as ISO 8601 UTC when the change is read: the triggers run
//! inside every write of the application, and formatting the time there took about 3 of the
//! 11 us per row that capture adds to a write (BENCHMARKS.md). Logs written by earlier triggers
//! hold the formatted text already; `strftime` reads both forms alike.

use sqlx::{Row as _, Sqlite};

use super::{SqliteEndpoint, Value};
use crate::endpoint::batch::execute_each;
use crate::endpoint::capture::{
    self, RawChange, APPLYING_TABLE, CAPTURED_TABLES_TABLE, CHANGES_TABLE, ROW_VERSIONS_TABLE,
};
use crate::endpoint::ident::{quote_ident, sqlite_literal};
use crate::endpoint::schema::ENGINE_PREFIX;

use crate::endpoint::{CaptureSpec, Change, ChangeQuery, EndpointError, Key, Result, Schema};

fn engine_tables() -> Vec<String> {
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {} (seq INTEGER PRIMARY KEY AUTOINCREMENT, \
             table_name TEXT NOT NULL, key TEXT NOT NULL, op TEXT NOT NULL, \
             row_version INTEGER NOT NULL, origin TEXT NOT NULL, txid INTEGER, \
             captured_at TEXT NOT NULL)",
            quote_ident(CHANGES_TABLE)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (table_name TEXT NOT NULL, key TEXT NOT NULL, \
             version INTEGER NOT NULL, PRIMARY KEY (table_name, key)) WITHOUT ROWID",
            quote_ident(ROW_VERSIONS_TABLE)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (table_name TEXT PRIMARY KEY, key_columns TEXT NOT NULL)",
            quote_ident(CAPTURED_TABLES_TABLE)
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {} (origin TEXT NOT NULL)",
            quote_ident(APPLYING_TABLE)
        ),
    ]
}

/// The trigger names of a table (insert, update, delete).
fn trigger_names(table: &str) -> [String; 3] {
    ["insert", "update", "delete"].map(|op| format!("{ENGINE_PREFIX}{op}_{table}"))
}

/// Two statements that bump the row version and log a change of the row whose key is `key`,
/// when `condition` holds.
fn log_statements(table: &str, key: &str, op: &str, condition: &str) -> String {
    let table = sqlite_literal(table);
    format!(
        "INSERT INTO {versions} (table_name, key, version) SELECT {table}, {key}, 1 WHERE {condition} \
           ON CONFLICT (table_name, key) DO UPDATE SET version = version + 1;\n\
         INSERT INTO {changes} (table_name, key, op, row_version, origin, captured_at) \
           SELECT {table}, {key}, '{op}', version, \
             COALESCE((SELECT origin FROM {applying} LIMIT 1), 'app'), julianday('now') \
           FROM {versions} WHERE table_name = {table} AND key = {key} AND {condition};\n",
        versions = quote_ident(ROW_VERSIONS_TABLE),
        changes = quote_ident(CHANGES_TABLE),
        applying = quote_ident(APPLYING_TABLE),
    )
}

fn create_triggers(table: &str, key_columns: &[String]) -> Vec<String> {
    let key_of = |row: &str| {
        let values: Vec<String> = key_columns
            .iter()
            .map(|c| format!("{row}.{}", quote_ident(c)))
            .collect();
        format!("json_array({})", values.join(", "))
    };
    let (new_key, old_key) = (key_of("NEW"), key_of("OLD"));
    let [insert, update, delete] = trigger_names(table).map(|n| quote_ident(&n));
    let target = quote_ident(table);
    vec![
        format!(
            "CREATE TRIGGER {insert} AFTER INSERT ON {target} FOR EACH ROW BEGIN\n{}END",
            log_statements(table, &new_key, "upsert", "1")
        ),
        format!(
            "CREATE TRIGGER {update} AFTER UPDATE ON {target} FOR EACH ROW BEGIN\n{}{}END",
            log_statements(
                table,
                &old_key,
                "delete",
                &format!("{old_key} IS NOT {new_key}")
            ),
            log_statements(table, &new_key, "upsert", "1")
        ),
        format!(
            "CREATE TRIGGER {delete} AFTER DELETE ON {target} FOR EACH ROW BEGIN\n{}END",
            log_statements(table, &old_key, "delete", "1")
        ),
    ]
}

fn drop_triggers(table: &str) -> Vec<String> {
    trigger_names(table)
        .iter()
        .map(|n| format!("DROP TRIGGER IF EXISTS {}", quote_ident(n)))
        .collect()
}

/// Runs `statements` in one write transaction.
async fn run_all(endpoint: &SqliteEndpoint, action: &str, statements: &[String]) -> Result<()> {
    let error = |e| endpoint.error(action, None, e);
    let mut transaction = endpoint
        .pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(error)?;
    execute_each::<Sqlite, _>(&endpoint.name, &mut transaction, action, statements).await?;
    transaction.commit().await.map_err(error)
}

pub(super) async fn install(
    endpoint: &SqliteEndpoint,
    schema: &Schema,
    tables: &[CaptureSpec],
) -> Result<()> {
    let mut statements = engine_tables();
    for spec in tables {
        let (table, key_columns) = capture::resolve_spec(&endpoint.name, schema, spec)?;
        statements.extend(drop_triggers(&table.name));
        statements.extend(create_triggers(&table.name, &key_columns));
        let key_json = serde_json::Value::from(key_columns.clone()).to_string();
        statements.push(format!(
            "INSERT INTO {} (table_name, key_columns) VALUES ({}, {}) \
             ON CONFLICT (table_name) DO UPDATE SET key_columns = excluded.key_columns",
            quote_ident(CAPTURED_TABLES_TABLE),
            sqlite_literal(&table.name),
            sqlite_literal(&key_json),
        ));
        tracing::info!(endpoint = %endpoint.name, table = %table.name, ?key_columns, "change capture installed");
    }
    run_all(endpoint, "install change capture", &statements).await
}

/// The captured tables and their key columns.
pub(super) async fn captured_tables(
    endpoint: &SqliteEndpoint,
) -> Result<Vec<(String, Vec<String>)>> {
    if !log_exists(endpoint).await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT table_name, key_columns FROM {}",
        quote_ident(CAPTURED_TABLES_TABLE)
    ))
    .fetch_all(&endpoint.pool)
    .await
    .map_err(|e| endpoint.error("read the captured tables", None, e))?;
    rows.iter()
        .map(|row| key_columns(endpoint, row.get(0), row.get(1)))
        .collect()
}

/// A captured table with its key columns, as `captured_tables` stores them (a JSON array).
fn key_columns(
    endpoint: &SqliteEndpoint,
    table: String,
    columns: &str,
) -> Result<(String, Vec<String>)> {
    let columns = serde_json::from_str(columns).map_err(|e| EndpointError::DamagedChange {
        endpoint: endpoint.name.clone(),
        seq: 0,
        reason: format!("key columns of captured table \"{table}\": {e}"),
    })?;
    Ok((table, columns))
}

/// Counts the change log's two tables (parameters: their names).
const LOG_EXISTS_SQL: &str =
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN (?1, ?2)";

pub(super) async fn log_exists(endpoint: &SqliteEndpoint) -> Result<bool> {
    let count: i64 = sqlx::query_scalar(LOG_EXISTS_SQL)
        .bind(CHANGES_TABLE)
        .bind(CAPTURED_TABLES_TABLE)
        .fetch_one(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error("look for the change log", None, e))?;
    Ok(count == 2)
}

pub(super) async fn remove(endpoint: &SqliteEndpoint, tables: &[String]) -> Result<()> {
    let captured = captured_tables(endpoint).await?;
    let mut statements = Vec::new();
    for wanted in tables {
        let name = capture::captured_name(&captured, wanted);
        statements.extend(drop_triggers(&name));
        if !captured.is_empty() {
            statements.push(format!(
                "DELETE FROM {} WHERE table_name = {}",
                quote_ident(CAPTURED_TABLES_TABLE),
                sqlite_literal(&name)
            ));
        }
    }
    run_all(endpoint, "remove change capture", &statements).await
}

pub(super) async fn drop_all(endpoint: &SqliteEndpoint) -> Result<()> {
    let triggers: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '\\_dualwrite\\_%' ESCAPE '\\'",
    )
    .fetch_all(&endpoint.pool)
    .await
    .map_err(|e| endpoint.error("list capture triggers", None, e))?;
    let mut statements: Vec<String> = triggers
        .iter()
        .map(|t| format!("DROP TRIGGER IF EXISTS {}", quote_ident(t)))
        .collect();
    for table in [CHANGES_TABLE, ROW_VERSIONS_TABLE, CAPTURED_TABLES_TABLE] {
        statements.push(format!("DROP TABLE IF EXISTS {}", quote_ident(table)));
    }
    run_all(endpoint, "drop the change log", &statements).await
}

/// The changes `query` asks for, after its position (none before capture is installed), read
/// through rusqlite (see [`super::scan`]): the captured tables and the changes in one hand-off,
/// rather than one per change row.
pub(super) async fn read_changes(
    endpoint: &SqliteEndpoint,
    query: &ChangeQuery,
    schema: &Schema,
) -> Result<Vec<Change>> {
    let sql = format!(
        "SELECT seq, table_name, key, op, row_version, origin, txid, \
           COALESCE(strftime('%Y-%m-%dT%H:%M:%fZ', captured_at), captured_at) FROM {} \
         WHERE seq > ?1 {} ORDER BY seq LIMIT ?2",
        quote_ident(CHANGES_TABLE),
        query.origin_condition()
    );
    let captured_sql = format!(
        "SELECT table_name, key_columns FROM {}",
        quote_ident(CAPTURED_TABLES_TABLE)
    );
    let (after, limit) = (
        query.after_seq,
        i64::try_from(query.limit).unwrap_or(i64::MAX),
    );
    let name = endpoint.name.clone();
    let (captured, raw) = endpoint
        .scans
        .run(
            name.clone(),
            "read changes".into(),
            None,
            move |connection| {
                let error = |e| EndpointError::sqlite_native(&name, "read changes", None, e);
                if !log_exists_native(connection).map_err(error)? {
                    return Ok((Vec::new(), Vec::new()));
                }
                let mut statement = connection.prepare_cached(&captured_sql).map_err(error)?;
                let captured = statement
                    .query_map([], |row| {
                        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                    })
                    .map_err(error)?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(error)?;
                let mut statement = connection.prepare_cached(&sql).map_err(error)?;
                let raw = statement
                    .query_map(rusqlite::params![after, limit], |row| {
                        RawChange::from_row(row)
                    })
                    .map_err(error)?
                    .collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(error)?;
                Ok((captured, raw))
            },
        )
        .await?;
    let captured = captured
        .into_iter()
        .map(|(table, columns)| key_columns(endpoint, table, &columns))
        .collect::<Result<Vec<_>>>()?;
    raw.into_iter()
        .map(|raw| {
            let mut change = raw.into_change(&endpoint.name)?;
            capture::normalise_key(schema, &captured, &mut change);
            Ok(change)
        })
        .collect()
}

/// The captured version of each key's row (`None`: never captured), through rusqlite (see
/// [`super::scan`]): one statement per chunk of keys, the keys numbered in a VALUES list and
/// joined to the versions on their primary key (a per-key query cost a round trip per queued
/// entry), all chunks in one hand-off.
pub(super) async fn row_versions(
    endpoint: &SqliteEndpoint,
    schema: &Schema,
    table: &str,
    keys: &[Key],
) -> Result<Vec<Option<i64>>> {
    const KEYS_PER_STATEMENT: usize = 2_000;
    let table = schema.table(&endpoint.name, table)?.name.clone();
    // The triggers log values as stored: booleans as 0/1.
    let stored: Vec<String> = keys
        .iter()
        .map(|key| {
            Key::new(
                key.values()
                    .iter()
                    .map(|v| match v {
                        Value::Bool(b) => Value::Integer(i64::from(*b)),
                        other => other.clone(),
                    })
                    .collect(),
            )
            .canonical()
        })
        .collect();
    let name = endpoint.name.clone();
    let action = "read row versions".to_string();
    endpoint
        .scans
        .run(
            name.clone(),
            action,
            Some(table.clone()),
            move |connection| {
                let error =
                    |e| EndpointError::sqlite_native(&name, "read row versions", Some(&table), e);
                let mut versions = vec![None; stored.len()];
                if !log_exists_native(connection).map_err(error)? {
                    return Ok(versions);
                }
                for (chunk_index, chunk) in stored.chunks(KEYS_PER_STATEMENT).enumerate() {
                    let list = (0..chunk.len())
                        .map(|i| format!("({i}, json(?{}))", i + 2))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let sql = format!(
                        "WITH wanted(ord, key) AS (VALUES {list}) \
                     SELECT wanted.ord, v.version FROM wanted JOIN {} AS v \
                     ON v.table_name = ?1 AND v.key = wanted.key",
                        quote_ident(ROW_VERSIONS_TABLE)
                    );
                    let mut statement = connection.prepare_cached(&sql).map_err(error)?;
                    let parameters =
                        std::iter::once(table.as_str()).chain(chunk.iter().map(String::as_str));
                    let mut rows = statement
                        .query(rusqlite::params_from_iter(parameters))
                        .map_err(error)?;
                    let offset = chunk_index * KEYS_PER_STATEMENT;
                    while let Some(row) = rows.next().map_err(error)? {
                        let ord: i64 = row.get(0).map_err(error)?;
                        let version: i64 = row.get(1).map_err(error)?;
                        if let Some(slot) = usize::try_from(ord)
                            .ok()
                            .and_then(|i| versions.get_mut(offset + i))
                        {
                            *slot = Some(version);
                        }
                    }
                }
                Ok(versions)
            },
        )
        .await
}

/// Whether the change log exists, asked on a rusqlite connection.
fn log_exists_native(connection: &rusqlite::Connection) -> rusqlite::Result<bool> {
    let count: i64 = connection.query_row(
        LOG_EXISTS_SQL,
        [CHANGES_TABLE, CAPTURED_TABLES_TABLE],
        |row| row.get(0),
    )?;
    Ok(count == 2)
}

pub(super) async fn trim(endpoint: &SqliteEndpoint, upto_seq: i64) -> Result<u64> {
    if !log_exists(endpoint).await? {
        return Ok(0);
    }
    let sql = format!("DELETE FROM {} WHERE seq <= ?1", quote_ident(CHANGES_TABLE));
    let done = sqlx::query(&sql)
        .bind(upto_seq)
        .execute(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error("trim the change log", None, e))?;
    Ok(done.rows_affected())
}
