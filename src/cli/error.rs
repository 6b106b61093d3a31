//! Why a command failed, and which exit code that is.
//!
//! The split between 1 and 2 lets a pipeline tell "your project has a problem you must fix in
//! it" (1) from "the command or its input is wrong" (2): an unreadable or invalid file is
//! input, a project file that cannot be saved is an operation that failed.

use std::path::PathBuf;

use crate::import::helper_config::HelperConfigError;
use crate::project_file::ProjectFileError;

/// Why a `dualwrite` command failed.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A project file could not be read, was invalid, or could not be saved.
    #[error(transparent)]
    ProjectFile(#[from] ProjectFileError),
    /// The target of `new` or `import` exists and `--force` was not given.
    #[error("{} already exists; pass --force to overwrite it", .path.display())]
    WouldOverwrite { path: PathBuf },
    /// `new` was given a file name from which no project name can be derived.
    #[error("cannot derive a project name from {}; pass --name", .path.display())]
    NoProjectName { path: PathBuf },
    /// The Dual-write helper's App.config could not be imported (exit 2: the file is wrong;
    /// exit 1 only when this build's own template data is unusable).
    #[error(transparent)]
    HelperConfig(#[from] HelperConfigError),
    /// This build's own template data is unusable (a bug, not the user's input).
    #[error(transparent)]
    Template(#[from] crate::templates::TemplateError),
    /// The result could not be turned into JSON.
    #[error("cannot serialise the {what} as JSON")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The result could not be written to standard output.
    #[error("cannot write to standard output")]
    Output(#[from] std::io::Error),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::ProjectFile(ProjectFileError::Write { .. })
            | CliError::ProjectFile(ProjectFileError::Serialize { .. })
            | CliError::HelperConfig(HelperConfigError::Template(_))
            | CliError::Template(_)
            | CliError::Json { .. }
            | CliError::Output(_) => 1,
            CliError::ProjectFile(_)
            | CliError::WouldOverwrite { .. }
            | CliError::NoProjectName { .. }
            | CliError::HelperConfig(_) => 2,
        }
    }

    /// Whether stdout was closed by its reader (`dualwrite graph x | head`): not worth a
    /// message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
