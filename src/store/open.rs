//! Opening the store: the directory, the SQLite file, its settings and the embedded migrations.
//!
//! The migrations are compiled into the binary (`sqlx::migrate!`, with `build.rs` telling cargo
//! to rebuild when `migrations/` changes), so a store can never be opened with a schema the
//! code does not match. A store whose applied migrations are newer than this build's is refused
//! before anything is touched: running an old build against it would misread its tables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::bulk::BulkWriter;
use super::error::StoreError;
use super::Store;

/// The migrations embedded at build time.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Name of the state directory created beside the project file.
pub const STATE_DIR_NAME: &str = ".dualwrite";

/// Name of the database file inside the state directory.
pub const DATABASE_FILE: &str = "runtime.sqlite3";

/// The default state directory of a project: `.dualwrite/` beside the project file.
pub fn default_dir(project_path: &Path) -> PathBuf {
    match project_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join(STATE_DIR_NAME),
        _ => PathBuf::from(STATE_DIR_NAME),
    }
}

/// The versions of the migrations this build embeds, oldest first.
pub fn known_migrations() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

/// What a commit must survive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Committed writes survive a crash of the process (`kill -9`); a power loss may roll back
    /// the latest commits, never leave one half-written. SQLite WAL with `synchronous=NORMAL`:
    /// no fsync per commit, which keeps the live journal cheap.
    #[default]
    ProcessCrash,
    /// Committed writes also survive a power loss (`synchronous=FULL`: one fsync per commit).
    PowerLoss,
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// What a commit must survive.
    pub durability: Durability,
    /// How long a statement waits for another process's write lock before failing.
    pub busy_timeout: Duration,
    /// Connections used for reads (the single writer connection is separate).
    pub readers: u32,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            durability: Durability::default(),
            busy_timeout: Duration::from_secs(10),
            readers: 4,
        }
    }
}

impl Store {
    /// Opens (creating if needed) the store in `dir` with default options.
    pub async fn open(dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(dir, &StoreOptions::default()).await
    }

    /// Opens (creating if needed) the store in `dir`: creates the directory and the database,
    /// applies pending migrations, and refuses a store written by a newer build.
    pub async fn open_with(dir: &Path, options: &StoreOptions) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE);
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let connect = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match options.durability {
                Durability::ProcessCrash => SqliteSynchronous::Normal,
                Durability::PowerLoss => SqliteSynchronous::Full,
            })
            .busy_timeout(options.busy_timeout)
            .foreign_keys(true);
        // One writer connection: writes of this process queue up in the pool instead of
        // failing with SQLITE_BUSY; other processes wait up to busy_timeout.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(connect.clone())
            .await
            .map_err(open_error)?;
        refuse_newer_store(&writer, &path).await?;
        MIGRATOR
            .run(&writer)
            .await
            .map_err(|source| migrate_error(&path, source))?;
        let reader = SqlitePoolOptions::new()
            .max_connections(options.readers.max(1))
            .connect_with(connect.create_if_missing(false).read_only(true))
            .await
            .map_err(open_error)?;
        tracing::debug!(path = %path.display(), "runtime store open");
        let synchronous = match options.durability {
            Durability::ProcessCrash => "NORMAL",
            Durability::PowerLoss => "FULL",
        };
        let bulk = BulkWriter::new(path.clone(), options.busy_timeout, synchronous);
        Ok(Store {
            writer,
            reader,
            path,
            bulk: std::sync::Arc::new(bulk),
        })
    }

    /// The versions of the migrations applied to this store, oldest first.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        sqlx::query_scalar(
            "SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(super::error::db("read the applied migrations"))
    }
}

/// Fails when the store has a migration applied that this build does not embed.
async fn refuse_newer_store(pool: &SqlitePool, path: &Path) -> Result<(), StoreError> {
    let open_error = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let has_migrations: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await
    .map_err(open_error)?;
    if !has_migrations {
        return Ok(());
    }
    let found: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(pool)
            .await
            .map_err(open_error)?;
    let supported = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    match found {
        Some(found) if found > supported => Err(StoreError::NewerStore {
            path: path.to_path_buf(),
            found,
            supported,
        }),
        _ => Ok(()),
    }
}

fn migrate_error(path: &Path, source: MigrateError) -> StoreError {
    let path = path.to_path_buf();
    match source {
        MigrateError::VersionMissing(found) => StoreError::NewerStore {
            path,
            found,
            supported: MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0),
        },
        MigrateError::VersionMismatch(version) => StoreError::ModifiedMigration { path, version },
        source => StoreError::Migrate { path, source },
    }
}
