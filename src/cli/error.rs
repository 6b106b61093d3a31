//! Why a command failed, and which exit code that is.
//!
//! The split between 1 and 2 lets a pipeline tell "your project has a problem you must fix in
//! it" (1) from "the command or its input is wrong" (2): an unreadable or invalid file is
//! input, a project file that cannot be saved is an operation that failed.

use std::path::PathBuf;

use crate::demo::DemoError;
use crate::engine::EngineError;
use crate::import::helper_config::HelperConfigError;
use crate::model::UnknownId;
use crate::project_file::ProjectFileError;
use crate::store::StoreError;

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
    /// A live transaction file could not be read or parsed.
    #[error(transparent)]
    TxnFile(#[from] crate::engine::live::TxnFileError),
    /// The result could not be turned into JSON.
    #[error("cannot serialise the {what} as JSON")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The sync engine could not open the project or failed while syncing.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The engine's runtime store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The demo environments could not be created.
    #[error(transparent)]
    Demo(#[from] DemoError),
    /// A `--map` or `--group` names no table map or entity group of the project.
    #[error("{}: {source}", .project.display())]
    Unknown {
        project: PathBuf,
        #[source]
        source: UnknownId,
    },
    /// The async runtime that engine commands run on could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
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
            | CliError::Output(_)
            | CliError::Store(_)
            | CliError::Runtime(_) => 1,
            CliError::Engine(e) => engine_exit_code(e),
            CliError::Demo(DemoError::AlreadyExists { .. } | DemoError::InvalidOption { .. }) => 2,
            CliError::Demo(_) => 1,
            CliError::Unknown { .. } => 2,
            CliError::ProjectFile(_)
            | CliError::WouldOverwrite { .. }
            | CliError::NoProjectName { .. }
            | CliError::HelperConfig(_)
            | CliError::TxnFile(_) => 2,
        }
    }

    /// Whether stdout was closed by its reader (`dualwrite graph x | head`): not worth a
    /// message.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// An engine error is the input's fault (exit 2) when the project cannot be loaded or does not
/// fit its endpoints; a failure while syncing (endpoint, store, worker) is the operation's (1).
fn engine_exit_code(error: &EngineError) -> u8 {
    match error {
        EngineError::Project(e) if matches!(**e, ProjectFileError::Write { .. }) => 1,
        EngineError::Project(_)
        | EngineError::MissingEnvironment { .. }
        | EngineError::Resolve { .. }
        | EngineError::InvalidMap { .. }
        | EngineError::UnknownMap(_) => 2,
        _ => 1,
    }
}
