//! Table maps: one F&O data entity paired with one Dataverse table, field by field.
//!
//! A field's `lookup` is what ties maps together: it says the column holds a reference to a row
//! of another table, which Dataverse stores as that row's id and F&O as its natural key. The
//! dependency chart is built from these lookups (plus explicit `dependsOn`), so they are
//! modelled explicitly rather than inferred from column names.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Side;

/// Live (synchronous, one distributed transaction) or async (queued) dual-write.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum SyncMode {
    /// Synchronous dual-write: both sides commit or neither does.
    Live,
    /// Dual-write async: changes are queued as references and applied later.
    Async,
}

impl std::fmt::Display for SyncMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SyncMode::Live => "live",
            SyncMode::Async => "async",
        })
    }
}

/// Which way a table map syncs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum MapDirection {
    /// Changes flow both ways.
    Bidirectional,
    /// F&O -> Dataverse only.
    ToDataverse,
    /// Dataverse -> F&O only.
    ToFno,
}

/// Which way one field mapping writes (the platform's `=`, `>` and `<`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum FieldDirection {
    /// `=`: both ways (`><` with a value map).
    Both,
    /// `>`: F&O -> Dataverse (`>>` with a transform).
    ToDataverse,
    /// `<`: Dataverse -> F&O (`<<` with a transform).
    ToFno,
}

impl FieldDirection {
    /// Whether this field writes into the given side.
    pub fn writes_to(self, side: Side) -> bool {
        matches!(
            (self, side),
            (FieldDirection::Both, _)
                | (FieldDirection::ToDataverse, Side::Dataverse)
                | (FieldDirection::ToFno, Side::Fno)
        )
    }
}

/// The F&O side of a table map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FnoSide {
    /// Data entity name, for example `CustCustomerV3Entity`.
    pub entity: String,
    /// Entity key columns that identify a row.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Source filter in the platform's syntax, for example `((PartyType == "Organization"))`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Whether rows belong to a legal entity (DataAreaId).
    #[serde(default)]
    pub company_striped: bool,
}

/// The Dataverse side of a table map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataverseSide {
    /// Table logical name, for example `account`.
    pub table: String,
    /// Integration key columns that identify a row.
    #[serde(default)]
    pub keys: Vec<String>,
    /// Source filter as an OData expression, for example `customertypecode eq 3`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Whether rows belong to a company (`msdyn_company` / `cdm_company`).
    #[serde(default)]
    pub company_striped: bool,
}

/// A transform applied to a field's value on its way to the destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Transform {
    /// Source value -> destination value (F&O enum value -> Dataverse option value, when the
    /// field is bidirectional it is inverted for the way back).
    ValueMap(IndexMap<String, serde_json::Value>),
    /// The value written when the source value is empty.
    Default(serde_json::Value),
}

/// A reference from a field to a row of another table, by that table's key column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lookup {
    /// The referenced table or data entity (either side's name).
    pub table: String,
    /// The referenced table's key column whose value identifies the row.
    pub key: String,
}

/// One field mapping of a table map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldMapping {
    /// F&O entity column.
    pub fno: String,
    /// Dataverse column.
    pub dataverse: String,
    /// Which way the field writes.
    #[serde(default = "FieldMapping::default_direction")]
    pub direction: FieldDirection,
    /// Optional value map or default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transform: Option<Transform>,
    /// Set when the column references a row of another table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<Lookup>,
}

impl FieldMapping {
    fn default_direction() -> FieldDirection {
        FieldDirection::Both
    }

    /// The column this field writes on the given side.
    pub fn column(&self, side: Side) -> &str {
        match side {
            Side::Fno => &self.fno,
            Side::Dataverse => &self.dataverse,
        }
    }
}

/// A table map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TableMap {
    /// Unique id of the map within the project, for example `accounts - Customers V3`.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The F&O data entity.
    pub fno: FnoSide,
    /// The Dataverse table.
    pub dataverse: DataverseSide,
    /// Live or async.
    pub sync_mode: SyncMode,
    /// Which way the map syncs.
    #[serde(default = "TableMap::default_direction")]
    pub direction: MapDirection,
    /// The side whose change wins a conflict (async, bidirectional maps need one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<Side>,
    /// Whether deletes are synced (they always go live).
    #[serde(default)]
    pub sync_deletes: bool,
    /// Whether a missing referenced row may be created as a placeholder by its key.
    #[serde(default)]
    pub placeholders: bool,
    /// Field mappings.
    #[serde(default)]
    pub fields: Vec<FieldMapping>,
    /// Ids of maps that must sync before this one, beyond what lookups imply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

impl TableMap {
    fn default_direction() -> MapDirection {
        MapDirection::Bidirectional
    }

    /// The table (Dataverse) or entity (F&O) name on a side.
    pub fn table(&self, side: Side) -> &str {
        match side {
            Side::Fno => &self.fno.entity,
            Side::Dataverse => &self.dataverse.table,
        }
    }

    /// The integration key columns on a side.
    pub fn keys(&self, side: Side) -> &[String] {
        match side {
            Side::Fno => &self.fno.keys,
            Side::Dataverse => &self.dataverse.keys,
        }
    }

    /// Whether rows are company-striped on a side.
    pub fn company_striped(&self, side: Side) -> bool {
        match side {
            Side::Fno => self.fno.company_striped,
            Side::Dataverse => self.dataverse.company_striped,
        }
    }

    /// Whether the map provides a table of this name on either side.
    pub fn provides_table(&self, table: &str) -> bool {
        self.fno.entity.eq_ignore_ascii_case(table)
            || self.dataverse.table.eq_ignore_ascii_case(table)
    }
}
