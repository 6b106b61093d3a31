//! Built-in project templates. STUB: being written.

use crate::model::Project;

/// The templates `dualwrite new` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// The out-of-box dual-write maps with keys and dependencies.
    Standard,
    /// No maps.
    Empty,
}

/// A new project from a template.
pub fn project_from_template(_template: Template, _name: &str) -> Project {
    todo!()
}
