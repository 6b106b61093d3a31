//! The demo's project file: the shipped Contoso example, pointed at the demo databases.
//!
//! The example in `examples/contoso.dwproj.json` is the one place the demo's maps are written
//! down; it is embedded rather than copied so the demo and the documented example cannot drift
//! apart, and its table and column names are exactly those of the demo schemas.

use std::path::Path;

use crate::model::{EndpointKind, Project, Side};
use crate::project_file::{self, ProjectFileError};

/// The example project, as shipped.
const EXAMPLE: &str = include_str!("../../examples/contoso.dwproj.json");

/// File name of the demo project in the demo directory.
pub const PROJECT_FILE: &str = "contoso.dwproj.json";
/// File name of the F&O database in the demo directory.
pub const FNO_FILE: &str = "fno.db";
/// File name of the Dataverse database in the demo directory.
pub const DATAVERSE_FILE: &str = "dataverse.db";

/// The demo project: the example, with its environments as SQLite files beside the project.
pub fn demo_project() -> Result<Project, ProjectFileError> {
    let mut project = project_file::parse(EXAMPLE, Path::new("examples/contoso.dwproj.json"))?;
    for environment in &mut project.environments {
        environment.kind = EndpointKind::Sqlite;
        environment.url = match environment.side {
            Side::Fno => FNO_FILE,
            Side::Dataverse => DATAVERSE_FILE,
        }
        .to_string();
    }
    Ok(project)
}

/// Writes the demo project to `path` (atomically).
pub fn write_project(path: &Path) -> Result<(), ProjectFileError> {
    project_file::save(&demo_project()?, path)
}
