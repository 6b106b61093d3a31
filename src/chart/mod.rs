//! The dependency chart between table maps: petgraph behind a domain type.
//!
//! An edge A -> B means A must sync before B: a field of B looks up a table that A provides
//! (on either side), or B names A in `dependsOn`. From that graph the chart answers what a
//! consultant needs to plan an initial sync and to sequence groups: a topological order,
//! waves of maps that can run in parallel, cycles (strongly connected components) with the
//! lookups to defer to a second pass, self-references, and sequence violations per group.
//!
//! Cycles never make the order fail: members of a strongly connected component share a wave
//! and are ordered by project order, and the component's feedback edges are the lookups to
//! fill in a second pass. The feedback edges are the dependencies on maps listed later in the
//! project: the consultant's order decides which lookup is deferred (move a map up to sync it
//! first), and an order taken from Microsoft's Dual-write helper defers exactly the lookups
//! Microsoft's troubleshooting guide describes. A minimum feedback arc set would be smaller
//! in contrived graphs but would ignore that intent; this one is deterministic and explainable. Lookups resolve by table
//! name case-insensitively, because F&O entity names and Dataverse logical names are
//! case-insensitive on the platform.

pub mod export;

use std::collections::{HashMap, HashSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;

use crate::model::Project;

/// Why one map must sync before another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum EdgeCause {
    /// A field of the dependent map looks up a table that the prerequisite map provides.
    #[serde(rename_all = "camelCase")]
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

impl std::fmt::Display for EdgeCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EdgeCause::Lookup { column, table, .. } => write!(f, "lookup {column} -> {table}"),
            EdgeCause::DependsOn => f.write_str("dependsOn"),
        }
    }
}

/// `from` must sync before `to`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub causes: Vec<EdgeCause>,
}

/// Maps that depend on each other in a circle (a strongly connected component of two or more).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Cycle {
    /// The maps of the cycle, in project order.
    pub maps: Vec<String>,
    /// The edges between them.
    pub edges: Vec<Edge>,
    /// The first edge whose lookup to defer to a second pass (the first of `feedback_edges`).
    pub defer: Edge,
    /// All edges to defer to a second pass so that the rest of the component has an order.
    pub feedback_edges: Vec<Edge>,
}

/// A map that looks up its own table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SelfReference {
    pub map: String,
    pub causes: Vec<EdgeCause>,
}

/// A group member sequenced before (or with) a map it depends on in the same group.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SequenceViolation {
    pub group: String,
    pub map: String,
    pub sequence: u32,
    pub depends_on: String,
    pub dependency_sequence: u32,
}

/// A field lookup into a table that no map of the project provides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UnresolvedLookup {
    pub map: String,
    pub field_index: usize,
    pub column: String,
    pub table: String,
}

/// A `dependsOn` entry naming no map of the project.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UnknownDependency {
    pub map: String,
    pub depends_on: String,
}

/// The dependency chart of a project's table maps.
#[derive(Debug, Clone)]
pub struct DependencyChart {
    /// Node weights are map ids; edge weights the causes of the dependency.
    graph: DiGraph<String, Vec<EdgeCause>>,
    index: HashMap<String, NodeIndex>,
    /// Wave per node (index = node index).
    waves: Vec<usize>,
    /// Strongly connected component id per node; components of one node are not cycles.
    component: Vec<usize>,
    cycles: Vec<Cycle>,
    /// Edges deferred to a second pass (feedback edges of the cycles).
    deferred: HashSet<EdgeIndex>,
    self_references: Vec<SelfReference>,
    unresolved: Vec<UnresolvedLookup>,
    unknown: Vec<UnknownDependency>,
}

impl DependencyChart {
    /// Builds the chart from a project's lookups and `dependsOn` lists.
    ///
    /// Maps with a duplicate id (which the loader refuses) count once, at their first place.
    pub fn build(project: &Project) -> Self {
        let mut graph = DiGraph::with_capacity(project.table_maps.len(), 0);
        let mut index = HashMap::with_capacity(project.table_maps.len());
        let mut providers: HashMap<String, Vec<NodeIndex>> = HashMap::new();
        for map in &project.table_maps {
            if index.contains_key(&map.id) {
                continue;
            }
            let node = graph.add_node(map.id.clone());
            index.insert(map.id.clone(), node);
            for table in [&map.fno.entity, &map.dataverse.table] {
                let list = providers.entry(table.to_ascii_lowercase()).or_default();
                if !list.contains(&node) {
                    list.push(node);
                }
            }
        }

        let mut edges: HashMap<(NodeIndex, NodeIndex), EdgeIndex> = HashMap::new();
        let mut self_causes: HashMap<NodeIndex, Vec<EdgeCause>> = HashMap::new();
        let mut unresolved = Vec::new();
        let mut unknown = Vec::new();
        let mut add = |graph: &mut DiGraph<String, Vec<EdgeCause>>,
                       from: NodeIndex,
                       to: NodeIndex,
                       cause: EdgeCause| {
            if from == to {
                self_causes.entry(to).or_default().push(cause);
                return;
            }
            let edge = *edges
                .entry((from, to))
                .or_insert_with(|| graph.add_edge(from, to, Vec::new()));
            graph[edge].push(cause);
        };

        let mut visited = HashSet::new();
        for map in &project.table_maps {
            let Some(&node) = index.get(&map.id) else {
                continue;
            };
            if !visited.insert(node) {
                continue;
            }
            for (field_index, field) in map.fields.iter().enumerate() {
                let Some(lookup) = &field.lookup else {
                    continue;
                };
                match providers.get(&lookup.table.to_ascii_lowercase()) {
                    Some(list) => {
                        for &provider in list {
                            let cause = EdgeCause::Lookup {
                                field_index,
                                column: field.dataverse.clone(),
                                table: lookup.table.clone(),
                            };
                            add(&mut graph, provider, node, cause);
                        }
                    }
                    None => unresolved.push(UnresolvedLookup {
                        map: map.id.clone(),
                        field_index,
                        column: field.dataverse.clone(),
                        table: lookup.table.clone(),
                    }),
                }
            }
            for dependency in &map.depends_on {
                match index.get(dependency) {
                    Some(&provider) => add(&mut graph, provider, node, EdgeCause::DependsOn),
                    None => unknown.push(UnknownDependency {
                        map: map.id.clone(),
                        depends_on: dependency.clone(),
                    }),
                }
            }
        }

        let mut self_references: Vec<SelfReference> = self_causes
            .into_iter()
            .map(|(node, causes)| SelfReference {
                map: graph[node].clone(),
                causes,
            })
            .collect();
        self_references.sort_by_key(|s| index.get(&s.map).map(|n| n.index()));

        let mut chart = Self {
            graph,
            index,
            waves: Vec::new(),
            component: Vec::new(),
            cycles: Vec::new(),
            deferred: HashSet::new(),
            self_references,
            unresolved,
            unknown,
        };
        chart.analyse();
        chart
    }

    /// Components, cycles with their feedback edges, and waves.
    fn analyse(&mut self) {
        let node_count = self.graph.node_count();
        // tarjan_scc yields components in reverse topological order.
        let mut components = tarjan_scc(&self.graph);
        components.reverse();
        self.component = vec![0; node_count];
        for (id, members) in components.iter().enumerate() {
            for node in members {
                self.component[node.index()] = id;
            }
        }

        for members in components.iter().filter(|m| m.len() > 1) {
            let cycle = self.cycle_of(members);
            self.cycles.push(cycle);
        }
        self.cycles
            .sort_by_key(|c| c.maps.first().and_then(|m| self.index.get(m)).copied());

        // Longest path over the condensation, visiting components in topological order.
        let mut component_wave = vec![0usize; components.len()];
        for (id, members) in components.iter().enumerate() {
            let mut wave = 0;
            for node in members {
                for edge in self.graph.edges_directed(*node, Direction::Incoming) {
                    let from = self.component[edge.source().index()];
                    if from != id {
                        wave = wave.max(component_wave[from] + 1);
                    }
                }
            }
            component_wave[id] = wave;
        }
        self.waves = (0..node_count)
            .map(|n| component_wave[self.component[n]])
            .collect();
    }

    fn cycle_of(&mut self, members: &[NodeIndex]) -> Cycle {
        let mut sorted = members.to_vec();
        sorted.sort();
        let inside: HashSet<NodeIndex> = sorted.iter().copied().collect();
        let mut edge_ids: Vec<EdgeIndex> = Vec::new();
        for &node in &sorted {
            for edge in self.graph.edges_directed(node, Direction::Outgoing) {
                if inside.contains(&edge.target()) {
                    edge_ids.push(edge.id());
                }
            }
        }
        // The order the consultant wrote the maps in wins: a dependency on a map listed later
        // (an edge running against project order) is the lookup deferred to a second pass.
        // Removing every such edge leaves only forward edges, so the rest has an order.
        let mut feedback: Vec<EdgeIndex> = edge_ids
            .iter()
            .copied()
            .filter(|&e| {
                self.graph
                    .edge_endpoints(e)
                    .is_some_and(|(from, to)| from > to)
            })
            .collect();
        feedback.sort_by_key(|&e| self.graph.edge_endpoints(e).map(|(from, to)| (to, from)));
        self.deferred.extend(feedback.iter().copied());
        let feedback_edges: Vec<Edge> = feedback.iter().map(|&e| self.edge(e)).collect();
        // A component of two or more maps always has an edge running backwards.
        let defer = feedback_edges.first().cloned().unwrap_or_default();
        Cycle {
            maps: sorted.iter().map(|&n| self.graph[n].clone()).collect(),
            edges: edge_ids.iter().map(|&e| self.edge(e)).collect(),
            defer,
            feedback_edges,
        }
    }

    fn edge(&self, edge: EdgeIndex) -> Edge {
        let (from, to) = self
            .graph
            .edge_endpoints(edge)
            .map(|(a, b)| (self.graph[a].clone(), self.graph[b].clone()))
            .unwrap_or_default();
        Edge {
            from,
            to,
            causes: self.graph[edge].clone(),
        }
    }

    /// Map ids in the chart's node order (project order).
    pub fn maps(&self) -> Vec<&str> {
        self.graph.node_weights().map(String::as_str).collect()
    }

    /// All edges between distinct maps (self-references are reported separately).
    pub fn edges(&self) -> Vec<Edge> {
        self.graph.edge_indices().map(|e| self.edge(e)).collect()
    }

    /// Number of edges between distinct maps.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Whether the edge `from -> to` is deferred to a second pass to break a cycle.
    pub fn is_deferred(&self, from: &str, to: &str) -> bool {
        match (self.index.get(from), self.index.get(to)) {
            (Some(&a), Some(&b)) => self
                .graph
                .find_edge(a, b)
                .is_some_and(|e| self.deferred.contains(&e)),
            _ => false,
        }
    }

    fn neighbours(&self, map: &str, direction: Direction) -> Vec<&str> {
        let Some(&node) = self.index.get(map) else {
            return Vec::new();
        };
        let mut list: Vec<NodeIndex> = self.graph.neighbors_directed(node, direction).collect();
        list.sort();
        list.into_iter().map(|n| self.graph[n].as_str()).collect()
    }

    /// Ids of the maps `map` directly depends on (excluding itself), in project order.
    pub fn dependencies_of(&self, map: &str) -> Vec<&str> {
        self.neighbours(map, Direction::Incoming)
    }

    /// Ids of the maps that directly depend on `map` (excluding itself), in project order.
    pub fn dependents_of(&self, map: &str) -> Vec<&str> {
        self.neighbours(map, Direction::Outgoing)
    }

    /// All maps in an order that syncs prerequisites first: by wave, then project order.
    /// Members of a cycle share a wave; their deferred lookups are filled in a second pass.
    pub fn topological_order(&self) -> Vec<&str> {
        let mut nodes: Vec<usize> = (0..self.graph.node_count()).collect();
        nodes.sort_by_key(|&n| (self.waves[n], n));
        nodes
            .into_iter()
            .map(|n| self.graph[NodeIndex::new(n)].as_str())
            .collect()
    }

    /// Waves of maps that can sync in parallel; wave 0 first, project order within a wave.
    pub fn waves(&self) -> Vec<Vec<&str>> {
        let count = self.waves.iter().max().map_or(0, |w| w + 1);
        let mut waves = vec![Vec::new(); count];
        for (n, &wave) in self.waves.iter().enumerate() {
            waves[wave].push(self.graph[NodeIndex::new(n)].as_str());
        }
        waves
    }

    /// The wave of a map.
    pub fn wave_of(&self, map: &str) -> Option<usize> {
        self.index.get(map).map(|n| self.waves[n.index()])
    }

    /// Whether the map is part of a cycle of two or more maps.
    pub fn in_cycle(&self, map: &str) -> bool {
        self.cycles.iter().any(|c| c.maps.iter().any(|m| m == map))
    }

    /// Dependency cycles between two or more maps, in project order of their first map.
    pub fn cycles(&self) -> Vec<Cycle> {
        self.cycles.clone()
    }

    /// Maps that reference their own table, in project order.
    pub fn self_references(&self) -> Vec<SelfReference> {
        self.self_references.clone()
    }

    /// Per group: members sequenced before or with a map they directly depend on in the same
    /// group. Deferred cycle edges are exempt: they are filled in a second pass.
    pub fn sequence_violations(&self, project: &Project) -> Vec<SequenceViolation> {
        let mut violations = Vec::new();
        for group in &project.groups {
            let mut sequence: HashMap<NodeIndex, u32> = HashMap::new();
            for member in &group.members {
                if let Some(&node) = self.index.get(&member.map) {
                    sequence.entry(node).or_insert(member.sequence);
                }
            }
            for member in &group.members {
                let Some(&node) = self.index.get(&member.map) else {
                    continue;
                };
                if sequence.get(&node) != Some(&member.sequence) {
                    continue;
                }
                let mut incoming: Vec<_> = self
                    .graph
                    .edges_directed(node, Direction::Incoming)
                    .filter(|e| !self.deferred.contains(&e.id()))
                    .filter_map(|e| sequence.get(&e.source()).map(|s| (e.source(), *s)))
                    .filter(|(_, s)| *s >= member.sequence)
                    .collect();
                incoming.sort();
                for (dependency, dependency_sequence) in incoming {
                    violations.push(SequenceViolation {
                        group: group.id.clone(),
                        map: member.map.clone(),
                        sequence: member.sequence,
                        depends_on: self.graph[dependency].clone(),
                        dependency_sequence,
                    });
                }
            }
        }
        violations
    }

    /// Lookups into tables no map provides.
    pub fn unresolved_lookups(&self) -> &[UnresolvedLookup] {
        &self.unresolved
    }

    /// `dependsOn` entries naming no map.
    pub fn unknown_dependencies(&self) -> &[UnknownDependency] {
        &self.unknown
    }
}
