//! The typed form of `standard_maps.json`, and how one entry becomes a [`TableMap`].
//!
//! The data file is written by [`super::generate`] and read here; both sides share these
//! types, so the file cannot hold a key that the template would silently ignore
//! (`deny_unknown_fields`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::model::{DataverseSide, FnoSide, MapDirection, SyncMode, TableMap};

/// The whole data file: where it comes from, how it was derived, and the maps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StandardMapsFile {
    /// What the file is, for someone who opens it.
    pub about: String,
    /// The rules the generator applied to the reference data, in words.
    pub derivation: Vec<String>,
    /// Source id (`S1`...) -> the public document it stands for.
    pub sources: IndexMap<String, String>,
    /// The out-of-box maps, in the reference's order.
    pub maps: Vec<StandardMap>,
}

/// One out-of-box dual-write table map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StandardMap {
    /// The platform's map name, `<Dataverse table> - <F&O entity label>`.
    pub id: String,
    /// The F&O entity label (what consultants call the map).
    pub label: String,
    /// The F&O data entity; the label when the sources name none (see `notes`).
    pub fno_entity: String,
    /// The Dataverse table (entity set name, as the platform names maps).
    pub dataverse_table: String,
    /// Integration key columns on the Dataverse side.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// Whether rows belong to a company (a key goes through `.cdm_companycode`).
    pub company_striped: bool,
    /// Which way the map syncs.
    pub direction: MapDirection,
    /// Source filter on the F&O side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fno_filter: Option<String>,
    /// Source filter on the Dataverse side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataverse_filter: Option<String>,
    /// Ids of maps that must sync before this one; the map's own id marks a self-reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// What a consultant should know, including every deviation from the reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Source ids (keys of [`StandardMapsFile::sources`]) the entry rests on.
    pub provenance: Vec<String>,
}

impl StandardMap {
    /// Whether the map references rows of its own table.
    pub fn is_self_referencing(&self) -> bool {
        self.depends_on.iter().any(|d| d == &self.id)
    }

    /// The map as a live table map without field mappings (the sources carry none).
    pub fn to_table_map(&self) -> TableMap {
        TableMap {
            id: self.id.clone(),
            name: self.label.clone(),
            fno: FnoSide {
                entity: self.fno_entity.clone(),
                // The sources give integration keys for the Dataverse side only.
                keys: Vec::new(),
                filter: self.fno_filter.clone(),
                company_striped: self.company_striped,
            },
            dataverse: DataverseSide {
                table: self.dataverse_table.clone(),
                keys: self.keys.clone(),
                filter: self.dataverse_filter.clone(),
                company_striped: self.company_striped,
            },
            // Live is what the platform starts a map in.
            sync_mode: SyncMode::Live,
            direction: self.direction,
            primary: None,
            sync_deletes: false,
            placeholders: false,
            fields: Vec::new(),
            depends_on: self.depends_on.clone(),
        }
    }
}

/// Whether integration keys make a map company striped: a key column reached through a
/// company lookup (`msdyn_company.cdm_companycode`, `msdyn_companyid.cdm_companycode`,
/// `msdyn_associatedcompanyid.cdm_companycode`, or the same one level further down).
pub fn keys_are_company_striped(keys: &[String]) -> bool {
    keys.iter().any(|k| k.contains(".cdm_companycode"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_striping_needs_a_company_lookup_in_a_key() {
        let keys = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(keys_are_company_striped(&keys(&[
            "accountnumber",
            "msdyn_company.cdm_companycode"
        ])));
        assert!(keys_are_company_striped(&keys(&[
            "msdyn_associatedcompanyid.cdm_companycode"
        ])));
        // The legal entity map's own key is the company code itself, not a lookup.
        assert!(!keys_are_company_striped(&keys(&["cdm_companycode"])));
        assert!(!keys_are_company_striped(&keys(&["msdyn_partynumber"])));
        assert!(!keys_are_company_striped(&[]));
    }
}
