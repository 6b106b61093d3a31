//! The project model: the Rust form of a `NAME.dwproj.json` file.
//!
//! These types *are* the file format. Field order here is the key order on disk, so that a
//! saved project diffs cleanly in git; optional values that are unset are left out rather
//! than written as `null`. The JSON Schema shipped in `schema/` is generated from these
//! types (see [`crate::schema`]), so documentation comments here become editor tooltips.
//!
//! Every struct refuses unknown keys: a misspelt key in a hand-edited file is an error with a
//! "did you mean" (see [`crate::project_file`]), never a silently ignored setting.

mod alert_rule;
mod environment;
mod group;
mod selection;
mod table_map;

pub use alert_rule::{AlertAction, AlertCategory, AlertRule};
pub use environment::{EndpointKind, Environment, Side};
pub use group::{Group, GroupMember};
pub use selection::{closest_id, IdKind, UnknownId};
pub use table_map::{
    DataverseSide, FieldDirection, FieldMapping, FnoSide, Lookup, MapDirection, SyncMode, TableMap,
    Transform,
};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The newest project file format this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A dual-write configuration: environments, table maps and entity groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(title = "Dual-write Studio project")]
pub struct Project {
    /// Format version of this file; this build reads version 1.
    pub schema_version: u32,
    /// A name for people; shown in the title bar and reports.
    pub name: String,
    /// What this configuration is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The finance and operations and Dataverse endpoints that test syncs run against.
    #[serde(default)]
    pub environments: Vec<Environment>,
    /// Table maps: an F&O data entity paired with a Dataverse table, field by field.
    #[serde(default)]
    pub table_maps: Vec<TableMap>,
    /// Entity groups: each group is one transaction scope; members run in sequence order.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// Alert rules: "N errors of category C within T minutes -> pause the map".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alert_rules: Vec<AlertRule>,
}

impl Project {
    /// An empty project with the current schema version.
    pub fn empty(name: impl Into<String>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            name: name.into(),
            description: None,
            environments: Vec::new(),
            table_maps: Vec::new(),
            groups: Vec::new(),
            alert_rules: Vec::new(),
        }
    }

    /// The table map with this id, if any.
    pub fn map(&self, id: &str) -> Option<&TableMap> {
        self.table_maps.iter().find(|m| m.id == id)
    }

    /// The group with this id, if any.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
}
