//! Why a demo could not be created.
//!
//! Each variant names the file it is about, so the CLI can say what to remove, free or fix.

use std::path::PathBuf;

use crate::project_file::ProjectFileError;

/// Why [`create`](super::create) failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// A demo file is already there and `force` was not set.
    #[error(
        "{path} already exists; choose an empty directory, or pass --force to replace the demo \
         (its databases and sync state are rebuilt)"
    )]
    AlreadyExists { path: PathBuf },
    /// The options cannot produce a demo.
    #[error("invalid demo option {option}: {reason}")]
    InvalidOption {
        option: &'static str,
        reason: String,
    },
    /// A file or directory could not be created, written or renamed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite refused a statement while building a database.
    #[error("cannot {action} in {path}: {source}")]
    Database {
        action: String,
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    /// The embedded example project could not be read or the project file not written.
    #[error(transparent)]
    Project(#[from] ProjectFileError),
}
