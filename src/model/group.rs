//! Entity groups: the unit of transaction scope and of sequencing.
//!
//! In dual-write a group's maps are processed in sequence order (lower first); a group's sync
//! mode is that of its members, which is why mixing live and async maps is a finding rather
//! than a setting. The expected volumes are the consultant's estimate of one source
//! transaction, used to check the platform's live-sync limits before anything runs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An entity group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Group {
    /// Unique id of the group within the project.
    pub id: String,
    /// A name for people.
    pub name: String,
    /// The group's table maps with their sequence numbers (lower runs first).
    #[serde(default)]
    pub members: Vec<GroupMember>,
    /// Records one source transaction of this group is expected to carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_records_per_transaction: Option<u64>,
    /// Payload in bytes one source transaction of this group is expected to carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_payload_bytes: Option<u64>,
    /// Legal entities (company codes) a transaction of this group spans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_entities: Vec<String>,
    /// Whether the group's maps get an initial sync when they are started.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initial_sync: bool,
}

/// A table map's place in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupMember {
    /// Id of the table map.
    pub map: String,
    /// Sequence number; lower runs first, equal numbers may run in parallel.
    pub sequence: u32,
}

impl Group {
    /// Members sorted by sequence number (stable for equal numbers).
    pub fn members_in_sequence(&self) -> Vec<&GroupMember> {
        let mut members: Vec<&GroupMember> = self.members.iter().collect();
        members.sort_by_key(|m| m.sequence);
        members
    }

    /// The member maps' ids in sequence order: what a run of the whole group syncs.
    pub fn map_ids_in_sequence(&self) -> Vec<String> {
        self.members_in_sequence()
            .into_iter()
            .map(|m| m.map.clone())
            .collect()
    }
}
