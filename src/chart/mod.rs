//! Dependency chart between table maps (petgraph behind a domain type). STUB: being written.

use crate::model::Project;

/// Why one map must sync before another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum EdgeCause {
    /// A field of the dependent map looks up a table that the prerequisite map provides.
    Lookup {
        /// Index of the field in the dependent map's `fields`.
        field_index: usize,
        /// The field's Dataverse column (how consultants name a field).
        column: String,
        /// The looked-up table.
        table: String,
    },
    /// The dependent map names the prerequisite in `dependsOn`.
    DependsOn,
}

/// `from` must sync before `to`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub causes: Vec<EdgeCause>,
}

/// Maps that depend on each other in a circle (a strongly connected component of two or more).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cycle {
    /// The maps of the cycle, in chart order.
    pub maps: Vec<String>,
    /// The edges between them.
    pub edges: Vec<Edge>,
    /// The edge whose lookup to defer to a second pass to break the cycle.
    pub defer: Edge,
}

/// A map that looks up its own table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfReference {
    pub map: String,
    pub causes: Vec<EdgeCause>,
}

/// A group member sequenced before (or with) a map it depends on in the same group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SequenceViolation {
    pub group: String,
    pub map: String,
    pub sequence: u32,
    pub depends_on: String,
    pub dependency_sequence: u32,
}

/// A field lookup into a table that no map of the project provides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnresolvedLookup {
    pub map: String,
    pub field_index: usize,
    pub column: String,
    pub table: String,
}

/// A `dependsOn` entry naming no map of the project.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnknownDependency {
    pub map: String,
    pub depends_on: String,
}

/// The dependency chart of a project's table maps.
#[derive(Debug, Clone)]
pub struct DependencyChart {}

impl DependencyChart {
    /// Builds the chart from a project's lookups and `dependsOn` lists.
    pub fn build(_project: &Project) -> Self {
        todo!()
    }
    /// Map ids in the chart's node order (project order).
    pub fn maps(&self) -> Vec<&str> {
        todo!()
    }
    /// All edges between distinct maps (self-references are reported separately).
    pub fn edges(&self) -> Vec<Edge> {
        todo!()
    }
    /// Ids of the maps `map` directly depends on (excluding itself).
    pub fn dependencies_of(&self, _map: &str) -> Vec<&str> {
        todo!()
    }
    /// Ids of the maps that directly depend on `map` (excluding itself).
    pub fn dependents_of(&self, _map: &str) -> Vec<&str> {
        todo!()
    }
    /// All maps in an order that syncs prerequisites first; cycles are kept together.
    pub fn topological_order(&self) -> Vec<&str> {
        todo!()
    }
    /// Waves of maps that can sync in parallel; wave 0 first. Members of a cycle share a wave.
    pub fn waves(&self) -> Vec<Vec<&str>> {
        todo!()
    }
    /// The wave of a map.
    pub fn wave_of(&self, _map: &str) -> Option<usize> {
        todo!()
    }
    /// Dependency cycles between two or more maps.
    pub fn cycles(&self) -> Vec<Cycle> {
        todo!()
    }
    /// Maps that reference their own table.
    pub fn self_references(&self) -> Vec<SelfReference> {
        todo!()
    }
    /// Per group: members sequenced before or with a map they depend on.
    pub fn sequence_violations(&self, _project: &Project) -> Vec<SequenceViolation> {
        todo!()
    }
    /// Lookups into tables no map provides.
    pub fn unresolved_lookups(&self) -> &[UnresolvedLookup] {
        todo!()
    }
    /// `dependsOn` entries naming no map.
    pub fn unknown_dependencies(&self) -> &[UnknownDependency] {
        todo!()
    }
}
