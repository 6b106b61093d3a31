//! The recent projects list, kept in the app's configuration directory.
//!
//! A small JSON file, newest first, at most [`MAX_RECENT`] entries, written atomically. A
//! missing or unreadable file is an empty list (a corrupt list must not stop the app from
//! starting; the problem is logged), and entries whose file is gone are dropped when listed.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::project_file::write_atomically;
use crate::store::Timestamp;

use super::error::StudioError;

/// How many projects the list keeps.
pub const MAX_RECENT: usize = 10;

/// One recently opened or saved project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecentProject {
    pub path: String,
    pub name: String,
    /// Milliseconds since the Unix epoch.
    pub opened_at: Timestamp,
}

/// The list's file.
#[derive(Debug, Clone)]
pub struct RecentProjects {
    file: PathBuf,
}

impl RecentProjects {
    /// The list stored in `config_dir`.
    pub fn new(config_dir: &Path) -> Self {
        RecentProjects {
            file: config_dir.join("recent-projects.json"),
        }
    }

    /// The projects, newest first, without those whose file no longer exists.
    pub fn list(&self) -> Vec<RecentProject> {
        self.read()
            .into_iter()
            .filter(|p| Path::new(&p.path).is_file())
            .collect()
    }

    /// Puts `path` at the top of the list.
    pub fn add(&self, path: &Path, name: &str, now: Timestamp) -> Result<(), StudioError> {
        let path_text = path.display().to_string();
        let mut list = self.read();
        list.retain(|p| p.path != path_text);
        list.insert(
            0,
            RecentProject {
                path: path_text,
                name: name.to_string(),
                opened_at: now,
            },
        );
        list.truncate(MAX_RECENT);
        let text = serde_json::to_string_pretty(&list).unwrap_or_else(|_| "[]".into());
        let io = |source| StudioError::File {
            what: "recent projects list",
            path: self.file.clone(),
            source,
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        write_atomically(&self.file, text.as_bytes()).map_err(io)
    }

    fn read(&self) -> Vec<RecentProject> {
        let Ok(text) = std::fs::read_to_string(&self.file) else {
            return Vec::new();
        };
        serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(file = %self.file.display(), %error, "ignoring an unreadable recent projects list");
            Vec::new()
        })
    }
}
