//! PostgreSQL endpoints.
//!
//! An endpoint is one schema of a database: the first existing schema of the connection's
//! `search_path` (`current_schema()`), so a URL like `postgres://u@h/db?options=-csearch_path%3Dfno`
//! selects it. Every table is addressed as `"schema"."table"`, both quoted.
//!
//! Values travel in typed arrays: a batch of 5,000 rows is one `INSERT ... SELECT FROM UNNEST($1::int8[],
//! $2::text[], ...)`, one parameter per column whatever the number of rows. Integers, numbers and
//! booleans are sent as `int8[]`, `float8[]`, `bool[]`; everything else as `text[]` cast to the
//! column's type (`format_type(type, NULL)`, without modifiers, so a value too long for
//! `varchar(20)` is an error rather than silently truncated). Reads cast back the same way:
//! integers to `int8`, `numeric` and floats to `float8` (amounts compare equal to SQLite's REAL),
//! other types to their text form.

mod capture;
mod discover;
mod read;
mod write;

use std::time::Duration;

use sqlx::postgres::{PgArguments, PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Postgres, Row as _};

use super::ident::quote_ident;
use super::schema::SchemaCache;
use super::sql_endpoint::impl_sql_endpoint;
use super::{ColumnSchema, EndpointError, Result, Row, Value, ValueClass};
use crate::model::Side;

/// How to open a PostgreSQL endpoint.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    /// Connections in the pool (one is held by each open transaction).
    pub max_connections: u32,
    /// How long to wait for a connection before failing with a system error.
    pub connect_timeout: Duration,
    /// How long a statement waits for a lock another session holds (a table locked for
    /// maintenance, a long transaction) before failing with a retryable system error, as
    /// SQLite's busy timeout does; the server's `lock_timeout`. A URL that sets `lock_timeout`
    /// itself (`options=-clock_timeout%3D...`) keeps its own value.
    pub lock_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            connect_timeout: Duration::from_secs(10),
            lock_timeout: Duration::from_secs(5),
        }
    }
}

/// A PostgreSQL schema as an endpoint.
pub struct PostgresEndpoint {
    name: String,
    side: Side,
    pool: PgPool,
    /// The quoted schema name, ready for SQL.
    schema_sql: String,
    schema: SchemaCache,
}

impl PostgresEndpoint {
    /// Connects with `url` (already expanded; `name` labels the endpoint in messages and must not
    /// contain a password).
    pub async fn open(
        name: impl Into<String>,
        side: Side,
        url: &str,
        options: PostgresOptions,
    ) -> Result<Self> {
        let name = name.into();
        let connect: PgConnectOptions =
            url.parse()
                .map_err(|e: sqlx::Error| EndpointError::InvalidUrl {
                    environment: name.clone(),
                    url: super::redact_url(url),
                    reason: e.to_string(),
                })?;
        let connect = if url.contains("lock_timeout") {
            connect
        } else {
            let millis = options.lock_timeout.as_millis().max(1);
            connect.options([("lock_timeout", format!("{millis}ms"))])
        };
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.connect_timeout)
            .connect_with(connect)
            .await
            .map_err(|e| EndpointError::database(&name, "connect", None, e))?;
        let current: Option<String> = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(&pool)
            .await
            .map_err(|e| EndpointError::database(&name, "find the schema", None, e))?;
        let Some(current) = current else {
            return Err(EndpointError::InvalidUrl {
                environment: name,
                url: super::redact_url(url),
                reason: "the search_path names no existing schema".to_string(),
            });
        };
        Ok(Self {
            name,
            side,
            pool,
            schema_sql: quote_ident(&current),
            schema: SchemaCache::default(),
        })
    }

    /// The connection pool, for callers that need plain SQL (demo seeding, tests).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// `"schema"."table"`.
    fn qualified(&self, table: &str) -> String {
        format!("{}.{}", self.schema_sql, quote_ident(table))
    }

    fn error(
        &self,
        action: impl Into<String>,
        table: Option<&str>,
        e: sqlx::Error,
    ) -> EndpointError {
        EndpointError::database(&self.name, action, table, e)
    }
}

impl_sql_endpoint!(PostgresEndpoint, write::PostgresTransaction, discover(this) => discover::discover(this));

/// `"c"::int8 AS "c"`-style select expressions that decode into [`Value`]s by class.
fn select_list(columns: &[&ColumnSchema], qualifier: &str) -> String {
    columns
        .iter()
        .map(|c| {
            let column = format!("{qualifier}{}", quote_ident(&c.name));
            match c.class {
                ValueClass::Integer => format!("{column}::int8"),
                ValueClass::Real => format!("{column}::float8"),
                ValueClass::Bool => column,
                ValueClass::Text | ValueClass::Any => format!("{column}::text"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The value of column `index`, selected with [`select_list`].
fn decode_value(column: &ColumnSchema, row: &PgRow, index: usize) -> Result<Value, sqlx::Error> {
    Ok(match column.class {
        ValueClass::Integer => row.try_get::<Option<i64>, _>(index)?.into(),
        ValueClass::Real => row.try_get::<Option<f64>, _>(index)?.into(),
        ValueClass::Bool => row.try_get::<Option<bool>, _>(index)?.into(),
        ValueClass::Text | ValueClass::Any => row.try_get::<Option<String>, _>(index)?.into(),
    })
}

/// A row of `columns`, selected with [`select_list`] from index `offset` on.
fn decode_row(columns: &[&ColumnSchema], row: &PgRow, offset: usize) -> Result<Row, sqlx::Error> {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| Ok((c.name.as_str().into(), decode_value(c, row, offset + i)?)))
        .collect()
}

/// One column of a batch as a typed array parameter.
enum ColumnArray {
    Integer(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
}

impl ColumnArray {
    /// One column's values (already converted to the column's class).
    fn collect<'v>(column: &ColumnSchema, values: impl Iterator<Item = &'v Value>) -> Self {
        match column.class {
            ValueClass::Integer => ColumnArray::Integer(
                values
                    .map(|v| match v {
                        Value::Integer(i) => Some(*i),
                        _ => None,
                    })
                    .collect(),
            ),
            ValueClass::Real => ColumnArray::Real(
                values
                    .map(|v| match v {
                        Value::Real(r) => Some(*r),
                        _ => None,
                    })
                    .collect(),
            ),
            ValueClass::Bool => ColumnArray::Bool(
                values
                    .map(|v| match v {
                        Value::Bool(b) => Some(*b),
                        _ => None,
                    })
                    .collect(),
            ),
            ValueClass::Text | ValueClass::Any => {
                ColumnArray::Text(values.map(value_as_text).collect())
            }
        }
    }

    fn bind(self, query: PgQuery<'_>) -> PgQuery<'_> {
        match self {
            ColumnArray::Integer(v) => query.bind(v),
            ColumnArray::Real(v) => query.bind(v),
            ColumnArray::Bool(v) => query.bind(v),
            ColumnArray::Text(v) => query.bind(v),
        }
    }
}

type PgQuery<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

fn value_as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(r) => Some(r.to_string()),
        Value::Text(t) => Some(t.clone()),
    }
}

/// The parameter `$n` typed for `column`: `$1::int8[]` (arrays) or `$1::int8` (scalars).
fn typed_parameter(column: &ColumnSchema, n: usize, array: bool) -> String {
    let suffix = if array { "[]" } else { "" };
    match column.class {
        ValueClass::Integer => format!("${n}::int8{suffix}"),
        ValueClass::Real => format!("${n}::float8{suffix}"),
        ValueClass::Bool => format!("${n}::bool{suffix}"),
        ValueClass::Text | ValueClass::Any => format!("${n}::text{suffix}"),
    }
}

/// `expr` (text) cast to the column's type where the column is not of a native class.
fn cast_to_column(column: &ColumnSchema, expr: &str) -> String {
    match column.class {
        ValueClass::Text | ValueClass::Any => format!("{expr}::{}", column.base_type),
        _ => expr.to_string(),
    }
}

/// Binds one scalar converted to the column's class.
fn bind_scalar<'q>(query: PgQuery<'q>, column: &ColumnSchema, value: &Value) -> PgQuery<'q> {
    match ColumnArray::collect(column, std::iter::once(value)) {
        ColumnArray::Integer(mut v) => query.bind(v.pop().flatten()),
        ColumnArray::Real(mut v) => query.bind(v.pop().flatten()),
        ColumnArray::Bool(mut v) => query.bind(v.pop().flatten()),
        ColumnArray::Text(mut v) => query.bind(v.pop().flatten()),
    }
}

/// `UNNEST($1::int8[], $2::text[]) AS u(c1, c2)` and the matching `u.cN` expressions, cast to
/// the columns' types.
fn unnest_source(columns: &[&ColumnSchema]) -> (String, Vec<String>) {
    let parameters: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| typed_parameter(c, i + 1, true))
        .collect();
    let aliases: Vec<String> = (1..=columns.len()).map(|i| format!("c{i}")).collect();
    let expressions = columns
        .iter()
        .zip(&aliases)
        .map(|(c, a)| cast_to_column(c, &format!("u.{a}")))
        .collect();
    (
        format!(
            "UNNEST({}) AS u({})",
            parameters.join(", "),
            aliases.join(", ")
        ),
        expressions,
    )
}
