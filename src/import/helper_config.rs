//! Import of Microsoft's Dual-write helper `App.config` (microsoft/Dual-write-automations).
//!
//! Consultants already keep their dual-write setup in this file to move it between
//! environments: which maps, in which order, with which integration keys, in which group, and
//! which side wins conflicts. Importing it gives them a project without retyping 70 maps.
//!
//! What the file says, and how it lands in the project:
//! - `<Map mapName="<Dataverse table> - <F&O label>" keys group master>` becomes a live table
//!   map with `mapName` as id, `keys` as Dataverse integration keys, and `master` as the
//!   primary side (`CE` = Dataverse, `FO` = finance and operations; the helper's default, CE,
//!   when absent). The file's order is Microsoft's dependency order, so it becomes sequence
//!   numbers 10, 20, 30, ... within each group, leaving room to insert maps in between.
//! - The file carries no entity names, dependencies, filters or directions. When `mapName` is
//!   a standard map (see [`crate::templates`]) those come from the template, its dependencies
//!   restricted to maps the file contains; otherwise the table is the part of `mapName` before
//!   " - ", the entity is the label after it, and the map has no dependencies.
//! - `<Group name initialSync>` becomes a group. A map naming a group that `<Groups>` lacks
//!   gets that group created with the helper's defaults (initial sync off): the helper itself
//!   runs such a map with default group settings rather than refusing it, so refusing here
//!   would reject files that work. Group names match ignoring case, as in the helper.
//!
//! Everything the project has no field for (`version`, `authors`, `targetState`,
//! `exceptionHandling`, `retry`, the solutions to install, ...) is listed in the notes of
//! [`HelperConfigImport`], so the CLI can say what was not carried over. `<appSettings>`, where
//! the helper keeps credentials, is never read.

mod error;
mod xml;

use std::collections::HashMap;
use std::path::Path;

use crate::model::{
    DataverseSide, FnoSide, Group, GroupMember, MapDirection, Project, Side, SyncMode, TableMap,
};
use crate::templates::{self, keys_are_company_striped, StandardMap};
pub use error::HelperConfigError;
use xml::{RawConfig, RawMap};

/// Gap between consecutive sequence numbers of imported group members.
const SEQUENCE_STEP: u32 = 10;

/// An imported project and what the import could not carry over or had to assume.
#[derive(Debug, Clone, PartialEq)]
pub struct HelperConfigImport {
    pub project: Project,
    /// One sentence each, for people: group settings, then maps in file order, then
    /// dependencies left out, then attributes and elements not carried over.
    pub notes: Vec<String>,
}

/// Reads an App.config file into a new project.
pub fn import(path: &Path) -> Result<Project, HelperConfigError> {
    import_with_report(path).map(|import| import.project)
}

/// Reads an App.config file into a new project, with the notes of what was not carried over.
pub fn import_with_report(path: &Path) -> Result<HelperConfigImport, HelperConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| HelperConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_with_report(&text, path)
}

/// Parses App.config text; `path` names the file in errors and in the project's description.
pub fn parse(text: &str, path: &Path) -> Result<Project, HelperConfigError> {
    parse_with_report(text, path).map(|import| import.project)
}

/// Parses App.config text, with the notes of what was not carried over.
pub fn parse_with_report(text: &str, path: &Path) -> Result<HelperConfigImport, HelperConfigError> {
    let config = xml::read(text, path)?;
    let standard = templates::standard_maps()?;
    let mut notes = Vec::new();

    let mut groups: Vec<Group> = config
        .groups
        .iter()
        .map(|raw| Group {
            id: raw.name.clone(),
            name: raw.name.clone(),
            members: Vec::new(),
            expected_records_per_transaction: None,
            expected_payload_bytes: None,
            legal_entities: Vec::new(),
            initial_sync: raw.initial_sync.unwrap_or(false),
        })
        .collect();
    for raw in &config.groups {
        if raw.initial_sync.is_none() {
            notes.push(format!(
                "group \"{}\" (line {}) has no initialSync; initial sync is off, as in the helper",
                raw.name, raw.at.line
            ));
        }
        if !raw.other.is_empty() {
            notes.push(format!(
                "group \"{}\" (line {}): {} not carried over; the project has no field for \
                 these Dual-write helper run settings",
                raw.name,
                raw.at.line,
                list_attributes(&raw.other)
            ));
        }
    }

    let mut table_maps = Vec::with_capacity(config.maps.len());
    let mut template_of: Vec<Option<&StandardMap>> = Vec::with_capacity(config.maps.len());
    for raw in &config.maps {
        let template = standard
            .iter()
            .find(|m| m.id.eq_ignore_ascii_case(&raw.name));
        table_maps.push(table_map(raw, template, path, &mut notes)?);
        template_of.push(template);
        if let Some(group) = &raw.group {
            join_group(&mut groups, group, raw, &mut notes);
        } else {
            notes.push(format!(
                "map \"{}\" (line {}) names no group; it is left out of every group",
                raw.name, raw.at.line
            ));
        }
    }
    link_dependencies(&mut table_maps, &template_of, &mut notes);
    notes.extend(unsupported_notes(&config));

    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let mut project = Project::empty(format!("Dual-write helper import ({file})"));
    project.description = Some(format!(
        "Imported from the Dual-write helper configuration {file}: {} maps in Microsoft's order.",
        table_maps.len()
    ));
    project.table_maps = table_maps;
    project.groups = groups;
    Ok(HelperConfigImport { project, notes })
}

/// The table map for one `<Map>`, from the template when it is a standard map.
fn table_map(
    raw: &RawMap,
    template: Option<&StandardMap>,
    path: &Path,
    notes: &mut Vec<String>,
) -> Result<TableMap, HelperConfigError> {
    let mut map = match template {
        Some(template) => {
            if !template.keys.is_empty() && template.keys != raw.keys {
                notes.push(format!(
                    "map \"{}\" (line {}): keys {:?} differ from the standard map's {:?}; the \
                     file's keys are used",
                    raw.name, raw.at.line, raw.keys, template.keys
                ));
            }
            template.to_table_map()
        }
        None => {
            let Some((table, label)) = raw.name.split_once(" - ") else {
                return Err(HelperConfigError::BadMapName {
                    path: path.to_owned(),
                    line: raw.at.line,
                    column: raw.at.column,
                    name: raw.name.clone(),
                });
            };
            let (table, label) = (table.trim(), label.trim());
            tracing::info!(
                map = %raw.name, table, entity = label,
                "not a standard map: table and entity derived from mapName"
            );
            notes.push(format!(
                "map \"{}\" (line {}) is not a standard map: Dataverse table \"{table}\", F&O \
                 entity taken from the label \"{label}\", no known dependencies, filters or \
                 direction; check them",
                raw.name, raw.at.line
            ));
            let striped = keys_are_company_striped(&raw.keys);
            TableMap {
                id: String::new(),
                name: label.to_string(),
                fno: FnoSide {
                    entity: label.to_string(),
                    keys: Vec::new(),
                    filter: None,
                    company_striped: striped,
                },
                dataverse: DataverseSide {
                    table: table.to_string(),
                    keys: Vec::new(),
                    filter: None,
                    company_striped: striped,
                },
                sync_mode: SyncMode::Live,
                direction: MapDirection::Bidirectional,
                primary: None,
                sync_deletes: false,
                placeholders: false,
                fields: Vec::new(),
                depends_on: Vec::new(),
            }
        }
    };
    map.id = raw.name.clone();
    map.dataverse.keys = raw.keys.clone();
    map.primary = Some(raw.master.unwrap_or_else(|| {
        notes.push(format!(
            "map \"{}\" (line {}) has no master; Dataverse (CE) is primary, as in the helper",
            raw.name, raw.at.line
        ));
        Side::Dataverse
    }));
    Ok(map)
}

/// Adds the map to its group (created when `<Groups>` lacks it) at the next sequence number.
fn join_group(groups: &mut Vec<Group>, name: &str, raw: &RawMap, notes: &mut Vec<String>) {
    let index = match groups.iter().position(|g| g.id.eq_ignore_ascii_case(name)) {
        Some(index) => index,
        None => {
            notes.push(format!(
                "map \"{}\" (line {}) names group \"{name}\", which <Groups> does not define; the \
                 group was created with the helper's defaults (initial sync off)",
                raw.name, raw.at.line
            ));
            groups.push(Group {
                id: name.to_string(),
                name: name.to_string(),
                members: Vec::new(),
                expected_records_per_transaction: None,
                expected_payload_bytes: None,
                legal_entities: Vec::new(),
                initial_sync: false,
            });
            groups.len() - 1
        }
    };
    let group = &mut groups[index];
    let position = u32::try_from(group.members.len() + 1).unwrap_or(u32::MAX);
    group.members.push(GroupMember {
        map: raw.name.clone(),
        sequence: position.saturating_mul(SEQUENCE_STEP),
    });
}

/// Template dependencies, renamed to the file's spelling; those on maps the file lacks are
/// dropped and noted (a dependency on a missing map is not something the project can hold).
fn link_dependencies(
    maps: &mut [TableMap],
    template_of: &[Option<&StandardMap>],
    notes: &mut Vec<String>,
) {
    let by_lowercase: HashMap<String, String> = maps
        .iter()
        .map(|m| (m.id.to_lowercase(), m.id.clone()))
        .collect();
    for (map, template) in maps.iter_mut().zip(template_of) {
        let Some(template) = template else {
            continue;
        };
        let mut kept = Vec::new();
        for dependency in &template.depends_on {
            match by_lowercase.get(&dependency.to_lowercase()) {
                Some(id) => kept.push(id.clone()),
                None => notes.push(format!(
                    "map \"{}\": the standard dependency on \"{dependency}\" was left out because \
                     the file does not configure that map",
                    map.id
                )),
            }
        }
        map.depends_on = kept;
    }
}

/// Notes for map attributes, solutions and elements the project does not hold.
fn unsupported_notes(config: &RawConfig) -> Vec<String> {
    let mut notes = Vec::new();
    // Attribute -> value -> number of maps, in first-seen order, so 73 `version="latest"`
    // make one note rather than 73.
    let mut seen: Vec<(String, Vec<(String, usize)>)> = Vec::new();
    for map in &config.maps {
        for (attribute, value) in &map.other {
            let index = match seen.iter().position(|(a, _)| a == attribute) {
                Some(index) => index,
                None => {
                    seen.push((attribute.clone(), Vec::new()));
                    seen.len() - 1
                }
            };
            let values = &mut seen[index].1;
            match values.iter_mut().find(|(v, _)| v == value) {
                Some((_, count)) => *count += 1,
                None => values.push((value.clone(), 1)),
            }
        }
    }
    for (attribute, values) in seen {
        let why = match attribute.as_str() {
            "version" => "the project does not pin map versions",
            "authors" => "the project does not record map authors",
            _ => "the project has no field for it",
        };
        let counts: Vec<String> = values
            .iter()
            .map(|(value, count)| format!("\"{value}\" on {count} {}", plural(*count, "map")))
            .collect();
        notes.push(format!(
            "map attribute {attribute} ({}) not carried over: {why}",
            counts.join(", ")
        ));
    }
    if !config.solutions.is_empty() {
        notes.push(format!(
            "solutions to install not carried over: {}",
            config.solutions.join(", ")
        ));
    }
    for (at, element) in &config.ignored_elements {
        notes.push(format!(
            "line {}: <{element}> ignored; only <Map> and <Group> entries are imported, so the \
             project may differ from what the helper would deploy",
            at.line
        ));
    }
    notes
}

fn list_attributes(attributes: &[(String, String)]) -> String {
    attributes
        .iter()
        .map(|(name, value)| format!("{name}=\"{value}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
