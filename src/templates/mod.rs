//! Built-in project templates: the out-of-box dual-write maps, or nothing.
//!
//! A consultant rarely starts from a blank page: the platform ships 93 standard table maps
//! whose keys and dependencies are the same in every project. The standard template gives
//! them as a project, so the chart and the validator work on day one and the consultant only
//! adds what is specific to the customer.
//!
//! The data is `standard_maps.json`, generated from the reference data by [`generate`] and
//! compiled into the binary with `include_str!`: the tool never reads the reference at run
//! time, and a test regenerates the file to catch drift.
//!
//! The standard template has no entity groups. The platform has no standard grouping to copy
//! (the Dual-write helper puts all 73 of its maps into one group, "All", which is a run setting
//! rather than a transaction scope), and consultants group maps per project by the transactions
//! that must commit together; a made-up grouping would be a wrong default to undo.

pub mod generate;
mod standard;

use std::sync::OnceLock;

pub use generate::standard_maps_from_reference;
pub use standard::{keys_are_company_striped, StandardMap, StandardMapsFile};

use crate::model::Project;

/// The standard template's data, as committed in the repository.
pub const STANDARD_MAPS_JSON: &str = include_str!("standard_maps.json");

/// The templates `dualwrite new` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Template {
    /// The out-of-box dual-write maps with keys and dependencies.
    Standard,
    /// No maps.
    Empty,
}

/// Why template data could not be produced or read.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The reference `oob-maps.json` is not the JSON the generator expects.
    #[error("the reference oob-maps.json cannot be read: {0}")]
    ReferenceJson(#[source] serde_json::Error),
    /// One map of the reference breaks a rule of the generator.
    #[error("the reference oob-maps.json, map {map:?}: {problem}")]
    Reference { map: String, problem: String },
    /// The generated data could not be serialised.
    #[error("cannot serialise the standard template data: {0}")]
    Serialize(#[source] serde_json::Error),
    /// The data compiled into this build is not readable (a build from an edited data file).
    #[error(
        "the standard template data built into Dual-write Studio is corrupt ({message}); \
         regenerate src/templates/standard_maps.json with \
         `UPDATE_TEMPLATES=1 cargo test --test template_data`"
    )]
    EmbeddedData { message: String },
}

/// The embedded data file, parsed once.
pub fn standard_maps_file() -> Result<&'static StandardMapsFile, TemplateError> {
    static FILE: OnceLock<Result<StandardMapsFile, String>> = OnceLock::new();
    FILE.get_or_init(|| serde_json::from_str(STANDARD_MAPS_JSON).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|message| TemplateError::EmbeddedData {
            message: message.clone(),
        })
}

/// The out-of-box maps, in the reference's order.
pub fn standard_maps() -> Result<&'static [StandardMap], TemplateError> {
    standard_maps_file().map(|f| f.maps.as_slice())
}

/// The standard map with this id (ignoring ASCII case), or else the only one with this label.
///
/// Labels alone are ambiguous for a few maps ("Customers V3" is both `accounts` and
/// `contacts`); such a label finds nothing, and the id must be used.
pub fn standard_map(id_or_label: &str) -> Option<&'static StandardMap> {
    if let Some(map) = standard_map_by_id(id_or_label) {
        return Some(map);
    }
    let maps = standard_maps().ok()?;
    let mut by_label = maps
        .iter()
        .filter(|m| m.label.eq_ignore_ascii_case(id_or_label));
    match (by_label.next(), by_label.next()) {
        (Some(map), None) => Some(map),
        _ => None,
    }
}

/// The standard map with exactly this id, ignoring ASCII case (map names are
/// case-insensitive on the platform).
pub fn standard_map_by_id(id: &str) -> Option<&'static StandardMap> {
    standard_maps()
        .ok()?
        .iter()
        .find(|m| m.id.eq_ignore_ascii_case(id))
}

/// A project holding every standard map, without groups (see the module documentation).
pub fn standard_project(name: &str) -> Result<Project, TemplateError> {
    let mut project = Project::empty(name);
    project.description = Some(
        "The out-of-box dual-write table maps with their integration keys, filters and \
         dependencies, from Microsoft's documentation and Dual-write helper. Field mappings \
         are not included."
            .into(),
    );
    project.table_maps = standard_maps()?
        .iter()
        .map(StandardMap::to_table_map)
        .collect();
    Ok(project)
}

/// A new project from a template. The standard data is compiled in and checked by the crate's
/// tests; a build carrying a corrupt data file reports it rather than silently creating an
/// empty project.
pub fn project_from_template(template: Template, name: &str) -> Result<Project, TemplateError> {
    match template {
        Template::Empty => Ok(Project::empty(name)),
        Template::Standard => standard_project(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_parses() {
        let maps = standard_maps().unwrap();
        assert!(!maps.is_empty());
    }

    #[test]
    fn lookup_by_id_ignores_case_and_ambiguous_labels_find_nothing() {
        let map = standard_map("ACCOUNTS - customers v3").unwrap();
        assert_eq!(map.id, "accounts - Customers V3");
        assert_eq!(
            standard_map("Warehouses").unwrap().id,
            "msdyn_warehouses - Warehouses"
        );
        assert!(standard_map("Customers V3").is_none());
        assert!(standard_map("no such map").is_none());
    }
}
