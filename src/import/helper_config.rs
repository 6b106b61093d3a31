//! Import of Microsoft's Dual-write helper `App.config`. STUB: being written.

use std::path::{Path, PathBuf};

use crate::model::Project;

/// Why an App.config could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum HelperConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Reads an App.config file into a new project.
pub fn import(_path: &Path) -> Result<Project, HelperConfigError> {
    todo!()
}
