//! Errors of the runtime store.
//!
//! Every variant says which store (its path) or which operation failed, so a message in the
//! activity view or on the CLI tells the user where to look without a backtrace. Database errors
//! keep their `sqlx` source so the engine can still recognise a busy or unavailable database.

use std::path::PathBuf;

/// Why the runtime store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The state directory could not be created.
    #[error("cannot create the runtime store directory {dir}: {source} (check the permissions, or pass --state DIR)")]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened or configured.
    #[error("cannot open the runtime store {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    /// The store was written by a newer build with migrations this build does not know.
    #[error(
        "the runtime store {path} was written by a newer version of Dual-write Studio \
         (schema migration {found}; this build knows up to {supported}); update Dual-write \
         Studio, or point --state at another directory"
    )]
    NewerStore {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    /// An applied migration differs from the one embedded in this build.
    #[error(
        "the runtime store {path} was created by a different build of Dual-write Studio \
         (migration {version} differs from this build's); move the directory aside to start afresh"
    )]
    ModifiedMigration { path: PathBuf, version: i64 },
    /// Applying the migrations failed.
    #[error("cannot upgrade the runtime store {path}: {source}")]
    Migrate {
        path: PathBuf,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed; `operation` says what the store was doing.
    #[error("runtime store: cannot {operation}: {source}")]
    Database {
        operation: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A statement run through rusqlite (the bulk writer, a claim) failed; `operation` says what.
    #[error("runtime store: cannot {operation}: {source}")]
    Native {
        operation: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The blocking thread of the rusqlite writer (bulk snapshots, claims) panicked or was
    /// cancelled.
    #[error("runtime store: the rusqlite writer stopped: {0}")]
    Worker(String),
    /// A stored value is not what this build writes (the file was edited or damaged).
    #[error(
        "runtime store: {table}.{column} holds {value:?}, which this build cannot read ({reason})"
    )]
    Corrupt {
        table: &'static str,
        column: &'static str,
        value: String,
        reason: String,
    },
    /// A row key text is not a JSON array of key values.
    #[error("row key {text:?} is not a JSON array of key values: {reason}")]
    InvalidKey { text: String, reason: String },
    /// A value could not be serialised as JSON for storage.
    #[error("runtime store: cannot store {what} as JSON: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// A change-log cursor was asked to move backwards (changes would be read twice).
    #[error(
        "the change-log cursor of endpoint {endpoint_id} is at {current}; refusing to move it \
         back to {requested}"
    )]
    CursorBackwards {
        endpoint_id: String,
        current: i64,
        requested: i64,
    },
    /// A live transaction was asked to move to a state its current state does not allow.
    #[error("live transaction {id} is {from}; it cannot become {to}")]
    InvalidTransition {
        id: i64,
        from: &'static str,
        to: &'static str,
    },
    /// The lock file that marks a live transaction's owner could not be created or locked.
    #[error(
        "cannot lock the live transaction owner file {path}: {source} (the runtime store's \
         directory must be writable and on a file system with file locks)"
    )]
    OwnerLock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// No record has this id.
    #[error("runtime store: there is no {what} with id {id}")]
    NotFound { what: &'static str, id: i64 },
}

/// A word that is not one of a fixed set (a status, category, level...), e.g. on the CLI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}; use one of: {expected}")]
pub struct ParseWordError {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

/// Wraps a database error with the operation that failed (`.map_err(db("..."))`).
pub(crate) fn db(operation: &'static str) -> impl Fn(sqlx::Error) -> StoreError + Copy {
    move |source| StoreError::Database { operation, source }
}
