//! What can be wrong with an App.config, each case with the place to fix and what to do.

use std::path::PathBuf;

use crate::templates::TemplateError;

/// Why an App.config could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum HelperConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not well-formed XML.
    #[error("{path}:{line}:{column}: not well-formed XML: {message}")]
    NotXml {
        path: PathBuf,
        line: u32,
        column: u32,
        message: String,
    },
    /// The file has no `<MapConfigs>`: it is not a Dual-write helper configuration.
    #[error(
        "{path}: no <MapConfigs> element; a Dual-write helper App.config lists its maps in \
         <DWSettings><MapConfigs><Map mapName=\"...\"/>"
    )]
    NoMapConfigs { path: PathBuf },
    /// `<MapConfigs>`, `<Groups>` or `<Solutions>` appears twice.
    #[error(
        "{path}:{line}:{column}: a second <{element}> (the first is on line {first_line}); \
         merge them into one"
    )]
    RepeatedSection {
        path: PathBuf,
        line: u32,
        column: u32,
        element: String,
        first_line: u32,
    },
    /// A `<Map>` without a (non-empty) `mapName`.
    #[error(
        "{path}:{line}:{column}: <Map> has no mapName; give it the map's name, \
         \"<Dataverse table> - <F&O entity label>\""
    )]
    MissingMapName {
        path: PathBuf,
        line: u32,
        column: u32,
    },
    /// A `mapName` that is neither a standard map nor `<table> - <label>`.
    #[error(
        "{path}:{line}:{column}: mapName=\"{name}\" is not \"<Dataverse table> - <F&O entity \
         label>\" (for example \"accounts - Customers V3\")"
    )]
    BadMapName {
        path: PathBuf,
        line: u32,
        column: u32,
        name: String,
    },
    /// A `<Group>` without a (non-empty) `name`.
    #[error("{path}:{line}:{column}: <Group> has no name; maps refer to groups by name")]
    MissingGroupName {
        path: PathBuf,
        line: u32,
        column: u32,
    },
    /// An attribute value the helper would not accept either.
    #[error("{path}:{line}:{column}: {element} {attribute}=\"{value}\": allowed are {allowed}")]
    BadAttribute {
        path: PathBuf,
        line: u32,
        column: u32,
        element: String,
        attribute: &'static str,
        value: String,
        allowed: &'static str,
    },
    /// Two maps with the same `mapName` (ignoring case).
    #[error(
        "{path}:{line}:{column}: mapName=\"{name}\" is already listed on line {first_line}; \
         a map can be configured once"
    )]
    DuplicateMap {
        path: PathBuf,
        line: u32,
        column: u32,
        name: String,
        first_line: u32,
    },
    /// Two groups with the same `name` (ignoring case, as the helper matches them).
    #[error(
        "{path}:{line}:{column}: group name=\"{name}\" is already defined on line {first_line}; \
         give each group its own name"
    )]
    DuplicateGroup {
        path: PathBuf,
        line: u32,
        column: u32,
        name: String,
        first_line: u32,
    },
    /// The standard template, used to enrich standard maps, is unavailable.
    #[error(transparent)]
    Template(#[from] TemplateError),
}
