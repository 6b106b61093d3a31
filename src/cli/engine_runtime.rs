//! What the engine commands share: a tokio runtime, the engine or the store of a project, map
//! and group checks, and JSON output.
//!
//! The CLI stays synchronous for the commands that only read files; the engine is async, so
//! each engine command builds its own runtime here and blocks on it. Commands that only read or
//! change the runtime store (status, errors, pause...) open the store without connecting the
//! endpoints, so they work while a database is locked or unreachable.

use std::io::Write;
use std::path::Path;

use serde::Serialize;
use tokio::runtime::Runtime;

use super::{CliError, ProjectStateArgs};
use crate::engine::Engine;
use crate::model::Project;
use crate::store::Store;

/// A multi-threaded runtime for one engine command.
pub fn runtime() -> Result<Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)
}

/// Opens the engine on the project: endpoints connected, maps resolved, store open.
pub async fn open_engine(args: &ProjectStateArgs) -> Result<Engine, CliError> {
    Ok(Engine::open(&args.project, args.state.as_deref()).await?)
}

/// Loads the project and opens its runtime store, without touching the endpoints.
pub async fn open_store(args: &ProjectStateArgs) -> Result<(Project, Store), CliError> {
    let project = crate::project_file::load(&args.project)?;
    let dir = args
        .state
        .clone()
        .unwrap_or_else(|| crate::store::default_dir(&args.project));
    let store = Store::open(&dir).await?;
    Ok((project, store))
}

/// The maps `--group` or `--map` select, each checked against the project (see
/// [`Project::selected_maps`]).
pub fn selected_maps(
    project: &Project,
    path: &Path,
    group: Option<&str>,
    maps: &[String],
) -> Result<Vec<String>, CliError> {
    project
        .selected_maps(group, maps)
        .map_err(|source| CliError::Unknown {
            project: path.to_path_buf(),
            source,
        })
}

/// Writes `value` as pretty JSON and a newline.
pub fn print_json(
    out: &mut dyn Write,
    what: &'static str,
    value: &impl Serialize,
) -> Result<(), CliError> {
    let text =
        serde_json::to_string_pretty(value).map_err(|source| CliError::Json { what, source })?;
    writeln!(out, "{text}")?;
    Ok(())
}
