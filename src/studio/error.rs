//! What goes wrong in the app's use cases, and how it crosses the IPC boundary.
//!
//! The front end gets `{ code, message }`: a stable code to branch on (`project-file`,
//! `endpoint`, `unsaved-project`...) and a sentence for people that already names the file,
//! environment or map and says what to do, because the underlying errors do.

use std::path::PathBuf;

use serde::Serialize;

use crate::demo::DemoError;
use crate::endpoint::EndpointError;
use crate::engine::EngineError;
use crate::import::helper_config::HelperConfigError;
use crate::model::{IdKind, UnknownId};
use crate::project_file::ProjectFileError;
use crate::store::StoreError;
use crate::templates::TemplateError;

use super::secrets::SecretError;

/// A failed use case of the app.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error(transparent)]
    ProjectFile(#[from] ProjectFileError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    HelperConfig(#[from] HelperConfigError),
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Demo(#[from] DemoError),
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// A file of the app's own (recent projects list, exports) could not be read or written.
    #[error("{what} {}: {source}", path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A test sync needs the project on disk, where the engine and its runtime store live.
    #[error("the project has not been saved yet: save it, then run the test sync again")]
    UnsavedProject,
    /// The request names a map or group the project does not have (a stale request: the
    /// project changed on disk since the app listed it).
    #[error("{0}; pick one from the list")]
    Unknown(#[from] UnknownId),
    /// The project has no environment with this id.
    #[error("the project has no environment \"{0}\"; add it under Environments")]
    UnknownEnvironment(String),
    /// Only one test sync runs at a time.
    #[error("a test sync is already running; stop it or wait for it to finish")]
    RunInProgress,
    /// A background task of the app was cancelled or panicked.
    #[error("a background task stopped unexpectedly: {0}")]
    Interrupted(String),
    /// Exports are SVG or PNG files only.
    #[error("{}: the chart is exported as an .svg or .png file; choose a name with one of those extensions", .0.display())]
    ExportKind(PathBuf),
    /// The chart's SVG could not be read to draw the PNG.
    #[error("{}: the chart could not be drawn as PNG because its SVG is not valid ({source}); export it as .svg and report the problem", path.display())]
    ExportSvg {
        path: PathBuf,
        #[source]
        source: resvg::usvg::Error,
    },
    /// The PNG could not be made from a valid SVG.
    #[error("{}: the chart could not be drawn as PNG: {reason}; export it as .svg instead", path.display())]
    ExportPng { path: PathBuf, reason: String },
    /// A live test transaction with nothing in it.
    #[error("the live test transaction has no rows; add at least one row")]
    EmptyTransaction,
    /// The demo's live examples do not fit this project, or their data is not there yet.
    #[error("{0}")]
    LiveExampleUnavailable(String),
}

impl StudioError {
    /// The stable code the front end branches on.
    pub fn code(&self) -> &'static str {
        match self {
            StudioError::ProjectFile(_) => "project-file",
            StudioError::Template(_) => "template",
            StudioError::HelperConfig(_) => "helper-config",
            StudioError::Endpoint(_) => "endpoint",
            StudioError::Engine(_) => "engine",
            StudioError::Store(_) => "runtime-store",
            StudioError::Demo(_) => "demo",
            StudioError::Secret(_) => "secret",
            StudioError::File { .. } => "file",
            StudioError::UnsavedProject => "unsaved-project",
            StudioError::Unknown(UnknownId {
                kind: IdKind::Map, ..
            }) => "unknown-map",
            StudioError::Unknown(UnknownId {
                kind: IdKind::Group,
                ..
            }) => "unknown-group",
            StudioError::UnknownEnvironment(_) => "unknown-environment",
            StudioError::RunInProgress => "run-in-progress",
            StudioError::EmptyTransaction => "empty-transaction",
            StudioError::LiveExampleUnavailable(_) => "live-example-unavailable",
            StudioError::ExportKind(_) => "export-kind",
            StudioError::ExportSvg { .. } => "export-svg",
            StudioError::ExportPng { .. } => "export-png",
            StudioError::Interrupted(_) => "interrupted",
        }
    }
}

/// An error as the front end receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AppError {
    pub code: String,
    pub message: String,
}

impl From<StudioError> for AppError {
    fn from(error: StudioError) -> Self {
        tracing::warn!(code = error.code(), %error, "command failed");
        AppError {
            code: error.code().to_string(),
            message: error.to_string(),
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for AppError {}
