//! Building one demo database in a temporary file beside its final name.
//!
//! A seed that fails halfway must not leave a database that looks like a demo: the database is
//! built in a temporary file in the demo directory (same filesystem, so the final rename is
//! atomic), with no journal file beside it, synced, and only then renamed to `fno.db` or
//! `dataverse.db`. A temporary file that is dropped without being kept is deleted.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use tempfile::NamedTempFile;

use super::DemoError;

/// A database being built.
pub struct TempDatabase {
    file: NamedTempFile,
    pub conn: SqliteConnection,
}

impl TempDatabase {
    /// Creates an empty database in `dir` and applies `schema`.
    pub async fn create(dir: &Path, final_name: &str, schema: &str) -> Result<Self, DemoError> {
        let file = tempfile::Builder::new()
            .prefix(&format!(".{final_name}."))
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|source| DemoError::Io {
                action: "create a temporary database in",
                path: dir.to_owned(),
                source,
            })?;
        let path = file.path().to_owned();
        let database_error = |action: &str, source| DemoError::Database {
            action: action.to_string(),
            path: path.clone(),
            source,
        };
        // The file is thrown away on failure, so no rollback journal is kept on disk and nothing
        // is synced until the end.
        let mut conn = SqliteConnectOptions::from_str("sqlite:")
            .map_err(|e| database_error("open the database", e))?
            .filename(&path)
            .journal_mode(SqliteJournalMode::Memory)
            .synchronous(SqliteSynchronous::Off)
            .foreign_keys(true)
            .connect()
            .await
            .map_err(|e| database_error("open the database", e))?;
        sqlx::raw_sql(schema)
            .execute(&mut conn)
            .await
            .map_err(|e| database_error("create the schema", e))?;
        Ok(Self { file, conn })
    }

    /// The temporary file's path, for messages.
    pub fn path(&self) -> PathBuf {
        self.file.path().to_owned()
    }

    /// Closes the database, syncs it and renames it to `target`, replacing any file there
    /// together with the stale `-wal`/`-shm`/`-journal` files SQLite would otherwise apply to it.
    pub async fn finish(self, target: &Path) -> Result<(), DemoError> {
        let path = self.path();
        self.conn
            .close()
            .await
            .map_err(|source| DemoError::Database {
                action: "close the database".into(),
                path: path.clone(),
                source,
            })?;
        let io = |action, path: &Path| {
            let path = path.to_owned();
            move |source| DemoError::Io {
                action,
                path,
                source,
            }
        };
        self.file.as_file().sync_all().map_err(io("sync", &path))?;
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side_file = target.as_os_str().to_owned();
            side_file.push(suffix);
            let side_file = PathBuf::from(side_file);
            match std::fs::remove_file(&side_file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("remove", &side_file)(e)),
            }
        }
        self.file
            .persist(target)
            .map_err(|e| io("rename the new database to", target)(e.error))?;
        Ok(())
    }
}
