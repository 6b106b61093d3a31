//! Change capture on PostgreSQL (design in [`crate::endpoint::capture`]).
//!
//! One shared trigger function per schema, `_dualwrite_capture()`, receives the key columns as
//! trigger arguments (`EXECUTE FUNCTION _dualwrite_capture(E'k1', E'k2')`), so no table or column
//! name is ever part of a function body. The bodies are passed as `E''` literals (not dollar
//! quoting, which a schema name containing `$$` could end). Installing takes an advisory lock so
//! concurrent installs in one schema do not race on `CREATE TABLE IF NOT EXISTS`.

use sqlx::{Postgres, Row as _};

use super::PostgresEndpoint;
use crate::endpoint::batch::execute_each;
use crate::endpoint::capture::{self, CAPTURED_TABLES_TABLE, CHANGES_TABLE, ROW_VERSIONS_TABLE};
use crate::endpoint::ident::{postgres_literal, quote_ident};
use crate::endpoint::schema::ENGINE_PREFIX;
use crate::endpoint::write_plan::convert_key;
use crate::endpoint::{CaptureSpec, Change, ChangeQuery, Key, Result, Schema};

const TRIGGER_NAME: &str = "_dualwrite_capture";
const CAPTURE_FUNCTION: &str = "_dualwrite_capture";
const LOG_FUNCTION: &str = "_dualwrite_log";

/// Bits of the seq that count changes within one transaction (`seq = txid << 22 | n`).
const COUNTER_BITS: u32 = 22;

fn install_statements(schema: &str) -> Vec<String> {
    let changes = format!("{schema}.{}", quote_ident(CHANGES_TABLE));
    let versions = format!("{schema}.{}", quote_ident(ROW_VERSIONS_TABLE));
    let captured = format!("{schema}.{}", quote_ident(CAPTURED_TABLES_TABLE));
    let log_function = format!("{schema}.{}", quote_ident(LOG_FUNCTION));
    let capture_function = format!("{schema}.{}", quote_ident(CAPTURE_FUNCTION));
    let limit = 1_i64 << COUNTER_BITS;
    let log_body = format!(
        "DECLARE
           tx bigint := txid_current();
           n bigint := COALESCE(NULLIF(current_setting('dualwrite.change_count', true), ''), '0')::bigint + 1;
           v bigint;
         BEGIN
           IF n >= {limit} THEN
             RAISE EXCEPTION 'dual-write change capture: more than {max} changes in one transaction';
           END IF;
           PERFORM set_config('dualwrite.change_count', n::text, true);
           INSERT INTO {versions} AS rv (table_name, key, version) VALUES (p_table, p_key, 1)
             ON CONFLICT (table_name, key) DO UPDATE SET version = rv.version + 1
             RETURNING rv.version INTO v;
           INSERT INTO {changes} (seq, table_name, key, op, row_version, origin, txid)
             VALUES ((tx << {COUNTER_BITS}) + n, p_table, p_key, p_op, v, p_origin, tx);
         END",
        max = limit - 1,
    );
    let capture_body = format!(
        "DECLARE
           origin text := COALESCE(NULLIF(current_setting('dualwrite.origin', true), ''), 'app');
           old_row jsonb; new_row jsonb;
           old_key jsonb := '[]'; new_key jsonb := '[]';
           key_column text;
         BEGIN
           IF TG_OP <> 'INSERT' THEN
             old_row := to_jsonb(OLD);
             FOREACH key_column IN ARRAY TG_ARGV LOOP
               old_key := old_key || jsonb_build_array(old_row -> key_column);
             END LOOP;
           END IF;
           IF TG_OP <> 'DELETE' THEN
             new_row := to_jsonb(NEW);
             FOREACH key_column IN ARRAY TG_ARGV LOOP
               new_key := new_key || jsonb_build_array(new_row -> key_column);
             END LOOP;
           END IF;
           IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old_key IS DISTINCT FROM new_key) THEN
             PERFORM {log_function}(TG_TABLE_NAME::text, old_key, 'delete', origin);
           END IF;
           IF TG_OP <> 'DELETE' THEN
             PERFORM {log_function}(TG_TABLE_NAME::text, new_key, 'upsert', origin);
           END IF;
           RETURN NULL;
         END"
    );
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS {changes} (seq bigint PRIMARY KEY, \
             table_name text NOT NULL, key jsonb NOT NULL, op text NOT NULL, \
             row_version bigint NOT NULL, origin text NOT NULL, txid bigint NOT NULL, \
             captured_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {versions} (table_name text NOT NULL, key jsonb NOT NULL, \
             version bigint NOT NULL, PRIMARY KEY (table_name, key))"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS {captured} (table_name text PRIMARY KEY, \
             key_columns jsonb NOT NULL)"
        ),
        format!(
            "CREATE OR REPLACE FUNCTION {log_function}(p_table text, p_key jsonb, p_op text, \
             p_origin text) RETURNS void LANGUAGE plpgsql AS {}",
            postgres_literal(&log_body)
        ),
        format!(
            "CREATE OR REPLACE FUNCTION {capture_function}() RETURNS trigger LANGUAGE plpgsql AS {}",
            postgres_literal(&capture_body)
        ),
    ]
}

/// Runs `statements` in one transaction, serialised with other installs on this schema.
async fn run_all(endpoint: &PostgresEndpoint, action: &str, statements: &[String]) -> Result<()> {
    let error = |e| endpoint.error(action, None, e);
    let mut transaction = endpoint.pool.begin().await.map_err(error)?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('dualwrite capture ' || current_schema()))")
        .execute(&mut *transaction)
        .await
        .map_err(error)?;
    execute_each::<Postgres, _>(&endpoint.name, &mut transaction, action, statements).await?;
    transaction.commit().await.map_err(error)
}

pub(super) async fn install(
    endpoint: &PostgresEndpoint,
    schema: &Schema,
    tables: &[CaptureSpec],
) -> Result<()> {
    let mut statements = install_statements(&endpoint.schema_sql);
    let trigger = quote_ident(TRIGGER_NAME);
    let function = format!("{}.{}", endpoint.schema_sql, quote_ident(CAPTURE_FUNCTION));
    for spec in tables {
        let (table, key_columns) = capture::resolve_spec(&endpoint.name, schema, spec)?;
        let target = endpoint.qualified(&table.name);
        let arguments: Vec<String> = key_columns.iter().map(|c| postgres_literal(c)).collect();
        statements.push(format!("DROP TRIGGER IF EXISTS {trigger} ON {target}"));
        statements.push(format!(
            "CREATE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON {target} \
             FOR EACH ROW EXECUTE FUNCTION {function}({})",
            arguments.join(", ")
        ));
        statements.push(format!(
            "INSERT INTO {}.{} (table_name, key_columns) VALUES ({}, {}::jsonb) \
             ON CONFLICT (table_name) DO UPDATE SET key_columns = EXCLUDED.key_columns",
            endpoint.schema_sql,
            quote_ident(CAPTURED_TABLES_TABLE),
            postgres_literal(&table.name),
            postgres_literal(&serde_json::Value::from(key_columns.clone()).to_string()),
        ));
        tracing::info!(endpoint = %endpoint.name, table = %table.name, ?key_columns, "change capture installed");
    }
    run_all(endpoint, "install change capture", &statements).await
}

/// The captured tables and their key columns (empty when capture was never installed).
pub(super) async fn captured_tables(
    endpoint: &PostgresEndpoint,
) -> Result<Vec<(String, Vec<String>)>> {
    if !log_exists(endpoint).await? {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT table_name, ARRAY(SELECT jsonb_array_elements_text(key_columns)) FROM {}.{}",
        endpoint.schema_sql,
        quote_ident(CAPTURED_TABLES_TABLE)
    ))
    .fetch_all(&endpoint.pool)
    .await
    .map_err(|e| endpoint.error("read the captured tables", None, e))?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get(0)
                    .map_err(|e| endpoint.error("read the captured tables", None, e))?,
                row.try_get(1)
                    .map_err(|e| endpoint.error("read the captured tables", None, e))?,
            ))
        })
        .collect()
}

pub(super) async fn log_exists(endpoint: &PostgresEndpoint) -> Result<bool> {
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relname IN ($1, $2)",
    )
    .bind(CHANGES_TABLE)
    .bind(CAPTURED_TABLES_TABLE)
    .fetch_one(&endpoint.pool)
    .await
    .map_err(|e| endpoint.error("look for the change log", None, e))?;
    Ok(count == 2)
}

pub(super) async fn remove(endpoint: &PostgresEndpoint, tables: &[String]) -> Result<()> {
    let captured = captured_tables(endpoint).await?;
    let existing: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')",
    )
    .fetch_all(&endpoint.pool)
    .await
    .map_err(|e| endpoint.error("list tables", None, e))?;
    let mut statements = Vec::new();
    for wanted in tables {
        let name = capture::captured_name(&captured, wanted);
        if existing.contains(&name) {
            statements.push(format!(
                "DROP TRIGGER IF EXISTS {} ON {}",
                quote_ident(TRIGGER_NAME),
                endpoint.qualified(&name)
            ));
        }
        if !captured.is_empty() {
            statements.push(format!(
                "DELETE FROM {}.{} WHERE table_name = {}",
                endpoint.schema_sql,
                quote_ident(CAPTURED_TABLES_TABLE),
                postgres_literal(&name)
            ));
        }
    }
    run_all(endpoint, "remove change capture", &statements).await
}

pub(super) async fn drop_all(endpoint: &PostgresEndpoint) -> Result<()> {
    let schema = &endpoint.schema_sql;
    let statements = vec![
        // Dropping the function drops every trigger that uses it.
        format!(
            "DROP FUNCTION IF EXISTS {schema}.{}() CASCADE",
            quote_ident(CAPTURE_FUNCTION)
        ),
        format!(
            "DROP FUNCTION IF EXISTS {schema}.{}(text, jsonb, text, text)",
            quote_ident(LOG_FUNCTION)
        ),
        format!(
            "DROP TABLE IF EXISTS {schema}.{}",
            quote_ident(CHANGES_TABLE)
        ),
        format!(
            "DROP TABLE IF EXISTS {schema}.{}",
            quote_ident(ROW_VERSIONS_TABLE)
        ),
        format!(
            "DROP TABLE IF EXISTS {schema}.{}",
            quote_ident(CAPTURED_TABLES_TABLE)
        ),
    ];
    debug_assert!(CAPTURE_FUNCTION.starts_with(ENGINE_PREFIX));
    run_all(endpoint, "drop the change log", &statements).await
}

/// The changes `query` asks for, after its position (none before capture is installed).
pub(super) async fn read_changes(
    endpoint: &PostgresEndpoint,
    query: &ChangeQuery,
    schema: &Schema,
) -> Result<Vec<Change>> {
    let captured = captured_tables(endpoint).await?;
    if captured.is_empty() && !log_exists(endpoint).await? {
        return Ok(Vec::new());
    }
    let sql = changes_sql(endpoint, query);
    capture::fetch_changes(
        &endpoint.name,
        &endpoint.pool,
        &sql,
        query,
        schema,
        &captured,
    )
    .await
}

/// The change-log query for `query` (parameters: after seq, limit); see
/// [`capture::fetch_changes`].
fn changes_sql(endpoint: &PostgresEndpoint, query: &ChangeQuery) -> String {
    // Only transactions older than every running one: nothing committed later can sort before.
    format!(
        "SELECT seq, table_name, key::text, op, row_version, origin, txid, \
           to_char(captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') \
         FROM {}.{} \
         WHERE seq > $1 AND txid < txid_snapshot_xmin(txid_current_snapshot()) {} \
         ORDER BY seq LIMIT $2",
        endpoint.schema_sql,
        quote_ident(CHANGES_TABLE),
        query.origin_condition()
    )
}

pub(super) async fn row_versions(
    endpoint: &PostgresEndpoint,
    schema: &Schema,
    table: &str,
    keys: &[Key],
) -> Result<Vec<Option<i64>>> {
    let table_schema = schema.table(&endpoint.name, table)?;
    if !log_exists(endpoint).await? {
        return Ok(vec![None; keys.len()]);
    }
    let captured = captured_tables(endpoint).await?;
    let key_columns = captured
        .iter()
        .find(|(t, _)| *t == table_schema.name)
        .map(|(_, k)| table_schema.columns_named(&endpoint.name, k))
        .transpose()?;
    let texts = keys
        .iter()
        .map(|key| match &key_columns {
            Some(columns) => {
                convert_key(&endpoint.name, table_schema, columns, key).map(|k| k.canonical())
            }
            None => Ok(key.canonical()),
        })
        .collect::<Result<Vec<_>>>()?;
    let sql = format!(
        "SELECT k.version FROM unnest($2::text[]) WITH ORDINALITY AS w(key, ord) \
         LEFT JOIN {}.{} AS k ON k.table_name = $1 AND k.key = w.key::jsonb ORDER BY w.ord",
        endpoint.schema_sql,
        quote_ident(ROW_VERSIONS_TABLE)
    );
    sqlx::query_scalar(&sql)
        .bind(&table_schema.name)
        .bind(texts)
        .fetch_all(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error("read row versions", Some(&table_schema.name), e))
}

pub(super) async fn trim(endpoint: &PostgresEndpoint, upto_seq: i64) -> Result<u64> {
    if !log_exists(endpoint).await? {
        return Ok(0);
    }
    let sql = format!(
        "DELETE FROM {}.{} WHERE seq <= $1",
        endpoint.schema_sql,
        quote_ident(CHANGES_TABLE)
    );
    let done = sqlx::query(&sql)
        .bind(upto_seq)
        .execute(&endpoint.pool)
        .await
        .map_err(|e| endpoint.error("trim the change log", None, e))?;
    Ok(done.rows_affected())
}
