//! Endpoint errors and their category.
//!
//! The engine treats failures in two ways, as dual-write does: a **system** failure (connection
//! refused or lost, timeout, database busy or locked, PostgreSQL serialization failure or shutdown;
//! later HTTP 429/503) is transient and retried with backoff behind a circuit breaker; an
//! **application** failure (a constraint, a trigger's business validation, a value of the wrong
//! type, an unknown column) will fail again the same way until someone fixes the data or the map,
//! so it goes to the error log. [`EndpointError::category`] is that decision, made once here from
//! the database's own error codes (SQLite extended result codes, PostgreSQL SQLSTATEs).
//!
//! Messages name the endpoint, table, column and value where they are known, because the reader
//! is a consultant looking at the error log, not at a stack trace.

use serde::Serialize;

/// Whether retrying can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "LiveErrorCategory")]
pub enum ErrorCategory {
    /// Transient: connection, timeout, busy/locked, serialization. Retry with backoff.
    System,
    /// Permanent until the data or configuration changes: constraints, validation, bad names.
    Application,
}

impl std::fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErrorCategory::System => "system",
            ErrorCategory::Application => "application",
        })
    }
}

/// Why an endpoint operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    /// `${VAR}` in an environment URL names a variable that is not set.
    #[error(
        "environment \"{environment}\": the url refers to ${{{variable}}}, which is not set; \
         set the environment variable {variable} before connecting"
    )]
    MissingVariable {
        environment: String,
        variable: String,
    },
    /// The URL cannot be used.
    #[error("environment \"{environment}\": invalid url {url}: {reason}")]
    InvalidUrl {
        environment: String,
        /// Redacted: never holds a password.
        url: String,
        reason: String,
    },
    /// The SQLite file named by the environment does not exist.
    #[error(
        "environment \"{environment}\": SQLite database {} does not exist (the url is relative to \
         the project file); fix the url or create the database", path.display()
    )]
    SqliteFileMissing {
        environment: String,
        path: std::path::PathBuf,
    },
    /// A name that no database can hold (empty, NUL character).
    #[error("{what} name \"{name}\" is not valid: {reason}")]
    InvalidName {
        what: &'static str,
        name: String,
        reason: &'static str,
    },
    /// The project names a table the endpoint does not have.
    #[error("{endpoint}: there is no table \"{table}\"{}", did_you_mean(.suggestion))]
    UnknownTable {
        endpoint: String,
        table: String,
        suggestion: Option<String>,
    },
    /// The project names a column the table does not have.
    #[error("{endpoint}: table \"{table}\" has no column \"{column}\"{}", did_you_mean(.suggestion))]
    UnknownColumn {
        endpoint: String,
        table: String,
        column: String,
        suggestion: Option<String>,
    },
    /// Upserting needs a primary key or unique index on exactly the key columns.
    #[error(
        "{endpoint}: cannot upsert into \"{table}\" by ({}): no primary key or unique index on \
         exactly these columns; {}",
        columns.join(", "), available_keys(.available)
    )]
    NoUniqueKey {
        endpoint: String,
        table: String,
        columns: Vec<String>,
        available: Vec<Vec<String>>,
    },
    /// A key has the wrong number of values for its key columns.
    #[error(
        "{endpoint}: a key of \"{table}\" needs {expected} value(s) for ({}), got {found}: {key}",
        columns.join(", ")
    )]
    KeyArity {
        endpoint: String,
        table: String,
        columns: Vec<String>,
        expected: usize,
        found: usize,
        key: String,
    },
    /// An upsert lacks the value of one of its key columns.
    #[error("{endpoint}: upsert into \"{table}\" has no value for key column \"{column}\"")]
    MissingKeyValue {
        endpoint: String,
        table: String,
        column: String,
    },
    /// An upsert that leaves out NOT NULL columns without a default found no row to update: a
    /// new row needs them.
    #[error(
        "{endpoint}: the upsert into \"{table}\" of key {key} leaves out NOT NULL column(s) \
         without a default ({}) and no row has that key; a new row needs them: give them values \
         in the row, or defaults in the table",
        quoted_list(.columns)
    )]
    MissingRequiredValue {
        endpoint: String,
        table: String,
        columns: Vec<String>,
        key: String,
    },
    /// A value cannot be converted to what its column holds.
    #[error("{endpoint}: \"{table}\".\"{column}\" holds {expected}; the value {value} cannot be stored in it")]
    ValueType {
        endpoint: String,
        table: String,
        column: String,
        value: String,
        expected: &'static str,
    },
    /// A stored value of a kind the engine does not sync (e.g. a BLOB).
    #[error("{endpoint}: \"{table}\".\"{column}\" holds a {kind} value, which cannot be synced")]
    UnsupportedValue {
        endpoint: String,
        table: String,
        column: String,
        kind: String,
    },
    /// A row of the engine's change log cannot be read back.
    #[error("{endpoint}: change {seq} in the change log is damaged: {reason}")]
    DamagedChange {
        endpoint: String,
        seq: i64,
        reason: String,
    },
    /// The blocking thread reading a page died (a panic) before returning it.
    #[error(
        "{endpoint}: the thread reading a page failed: {reason}; run again (the copy resumes)"
    )]
    ScanWorker { endpoint: String, reason: String },
    /// The blocking thread writing an initial-sync page died (a panic) before it answered.
    #[error(
        "{endpoint}: the thread writing a page failed: {reason}; run again (the copy resumes)"
    )]
    BulkWorker { endpoint: String, reason: String },
    /// The database refused or failed an operation.
    #[error(transparent)]
    Database(Box<DatabaseFailure>),
}

/// A failure reported by the database, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{endpoint}: {action}: {message}")]
pub struct DatabaseFailure {
    pub endpoint: String,
    /// What was being done, naming the table: `upsert into "account"`.
    pub action: String,
    /// The table concerned, when known.
    pub table: Option<String>,
    /// SQLite extended result code or PostgreSQL SQLSTATE.
    pub code: Option<String>,
    pub category: ErrorCategory,
    /// The database's message with its detail (constraint, column, value where given).
    pub message: String,
    /// The driver's error (sqlx; rusqlite for SQLite page reads).
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean \"{s}\"?)"),
        None => String::new(),
    }
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn available_keys(keys: &[Vec<String>]) -> String {
    if keys.is_empty() {
        return "the table has no primary key or unique index: add one".to_string();
    }
    let listed: Vec<String> = keys.iter().map(|k| format!("({})", k.join(", "))).collect();
    format!("its keys are {}", listed.join(", "))
}

impl EndpointError {
    /// Whether retrying can help.
    pub fn category(&self) -> ErrorCategory {
        match self {
            EndpointError::Database(failure) => failure.category,
            _ => ErrorCategory::Application,
        }
    }

    /// Whether this is a transient (system) failure worth retrying.
    pub fn is_retryable(&self) -> bool {
        self.category() == ErrorCategory::System
    }

    /// The table the error is about, when known.
    pub fn table(&self) -> Option<&str> {
        match self {
            EndpointError::UnknownTable { table, .. }
            | EndpointError::UnknownColumn { table, .. }
            | EndpointError::NoUniqueKey { table, .. }
            | EndpointError::KeyArity { table, .. }
            | EndpointError::MissingKeyValue { table, .. }
            | EndpointError::MissingRequiredValue { table, .. }
            | EndpointError::ValueType { table, .. }
            | EndpointError::UnsupportedValue { table, .. } => Some(table),
            EndpointError::Database(failure) => failure.table.as_deref(),
            _ => None,
        }
    }

    /// The database's error code (SQLite extended result code, PostgreSQL SQLSTATE), if any.
    pub fn code(&self) -> Option<&str> {
        match self {
            EndpointError::Database(failure) => failure.code.as_deref(),
            _ => None,
        }
    }

    /// Wraps a database error, classifying it and keeping the database's detail.
    pub fn database(
        endpoint: &str,
        action: impl Into<String>,
        table: Option<&str>,
        source: sqlx::Error,
    ) -> EndpointError {
        let (category, code, message) = describe(&source);
        failure(
            endpoint,
            action,
            table,
            category,
            code,
            message,
            Box::new(source),
        )
    }

    /// Wraps an error of rusqlite (the SQLite page reads, see `sqlite::scan`), classified by the
    /// same SQLite result codes as [`EndpointError::database`].
    pub fn sqlite_native(
        endpoint: &str,
        action: impl Into<String>,
        table: Option<&str>,
        source: rusqlite::Error,
    ) -> EndpointError {
        let (category, code) = match &source {
            rusqlite::Error::SqliteFailure(failure, _) => (
                sqlite_category(&failure.extended_code.to_string()),
                Some(failure.extended_code.to_string()),
            ),
            _ => (ErrorCategory::Application, None),
        };
        let message = source.to_string();
        failure(
            endpoint,
            action,
            table,
            category,
            code,
            message,
            Box::new(source),
        )
    }
}

/// A classified database failure of either driver.
fn failure(
    endpoint: &str,
    action: impl Into<String>,
    table: Option<&str>,
    category: ErrorCategory,
    code: Option<String>,
    message: String,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> EndpointError {
    EndpointError::Database(Box::new(DatabaseFailure {
        endpoint: endpoint.to_string(),
        action: action.into(),
        table: table.map(str::to_string),
        code,
        category,
        message,
        source,
    }))
}

/// Category, code and message of a sqlx error.
fn describe(error: &sqlx::Error) -> (ErrorCategory, Option<String>, String) {
    match error {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned());
            let category = match code.as_deref() {
                Some(code) if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() => {
                    sqlite_category(code)
                }
                Some(code) => postgres_category(code),
                None => ErrorCategory::Application,
            };
            let mut message = db.message().to_string();
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                if let Some(detail) = pg.detail() {
                    message.push_str(" (");
                    message.push_str(detail);
                    message.push(')');
                }
                if let Some(column) = pg.column() {
                    message.push_str(&format!(" [column {column}]"));
                }
            }
            (category, code, message)
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => (ErrorCategory::System, None, error.to_string()),
        _ => (ErrorCategory::Application, None, error.to_string()),
    }
}

/// SQLite extended result codes: busy, locked, I/O, full, cannot open, interrupted are transient.
fn sqlite_category(code: &str) -> ErrorCategory {
    const BUSY: i64 = 5;
    const LOCKED: i64 = 6;
    const NOMEM: i64 = 7;
    const INTERRUPT: i64 = 9;
    const IOERR: i64 = 10;
    const FULL: i64 = 13;
    const CANTOPEN: i64 = 14;
    const PROTOCOL: i64 = 15;
    match code.parse::<i64>().map(|c| c & 0xff) {
        Ok(BUSY | LOCKED | NOMEM | INTERRUPT | IOERR | FULL | CANTOPEN | PROTOCOL) => {
            ErrorCategory::System
        }
        _ => ErrorCategory::Application,
    }
}

/// PostgreSQL SQLSTATEs: connection (08), serialization/deadlock (40001, 40P01), resources (53),
/// operator intervention (57: shutdown, cancel/statement timeout), lock not available (55P03),
/// system errors (58) are transient; everything else (integrity 23, data 22, raise P0001,
/// undefined names 42) is the application's.
fn postgres_category(sqlstate: &str) -> ErrorCategory {
    let class = sqlstate.get(..2).unwrap_or_default();
    match (class, sqlstate) {
        ("08" | "53" | "57" | "58", _) | (_, "40001" | "40P01" | "55P03" | "55006") => {
            ErrorCategory::System
        }
        _ => ErrorCategory::Application,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_are_classified() {
        assert_eq!(sqlite_category("5"), ErrorCategory::System);
        assert_eq!(sqlite_category("517"), ErrorCategory::System); // BUSY_SNAPSHOT
        assert_eq!(sqlite_category("262"), ErrorCategory::System); // LOCKED_SHAREDCACHE
        assert_eq!(sqlite_category("2067"), ErrorCategory::Application); // CONSTRAINT_UNIQUE
        assert_eq!(sqlite_category("1811"), ErrorCategory::Application); // CONSTRAINT_TRIGGER
    }

    #[test]
    fn postgres_sqlstates_are_classified() {
        assert_eq!(postgres_category("40001"), ErrorCategory::System);
        assert_eq!(postgres_category("57P01"), ErrorCategory::System);
        assert_eq!(postgres_category("08006"), ErrorCategory::System);
        assert_eq!(postgres_category("23505"), ErrorCategory::Application);
        assert_eq!(postgres_category("P0001"), ErrorCategory::Application);
        assert_eq!(postgres_category("42703"), ErrorCategory::Application);
    }

    #[test]
    fn io_errors_are_system_failures() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = EndpointError::database("pg", "connect", None, sqlx::Error::Io(refused));
        assert_eq!(error.category(), ErrorCategory::System);
        assert!(error.is_retryable());
    }
}
