//! One rusqlite connection to a SQLite file, opened on first use and kept between uses: what the
//! bulk writers of the SQLite endpoint (`endpoint::sqlite::bulk`) and of the runtime store
//! (`store::bulk`) write through on a blocking thread, bypassing sqlx's per-statement hand-off
//! (each module's doc says why). One place for opening it with the file's settings, reusing it
//! and closing it, so the two writers only differ in what they write.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;

/// A lazily opened connection; callers on blocking threads take turns through its lock.
#[derive(Debug)]
pub(crate) struct LazyConnection {
    path: PathBuf,
    busy_timeout: Duration,
    /// Run once after opening: the file's `PRAGMA`s.
    pragmas: String,
    connection: Mutex<Option<Connection>>,
}

impl LazyConnection {
    pub(crate) fn new(path: PathBuf, busy_timeout: Duration, pragmas: String) -> Self {
        Self {
            path,
            busy_timeout,
            pragmas,
            connection: Mutex::new(None),
        }
    }

    /// Runs `work` on the connection, opening it first if needed; `open_error` maps a failure
    /// to open it.
    pub(crate) fn with<T, E>(
        &self,
        open_error: impl FnOnce(rusqlite::Error) -> E,
        work: impl FnOnce(&mut Connection) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut slot = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let connection = match slot.take() {
            Some(connection) => connection,
            None => self.open().map_err(open_error)?,
        };
        let connection = slot.insert(connection);
        work(connection)
    }

    /// Closes the connection (its owner is closing); a later use opens it again.
    pub(crate) fn close(&self) {
        self.connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(self.busy_timeout)?;
        connection.execute_batch(&self.pragmas)?;
        Ok(connection)
    }
}
