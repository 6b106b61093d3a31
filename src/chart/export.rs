//! Exports of the dependency chart: Graphviz DOT, Mermaid and JSON.
//!
//! DOT and Mermaid are for people (documents, wikis, pull requests): maps are boxed by group
//! and coloured by sync mode, edges labelled with the lookup that causes them. JSON is for
//! tools (and the desktop app): nodes with group, sync mode, wave and cycle flags, edges with
//! their causes. Map ids are free text (spaces, `&`, quotes), so every id is escaped for the
//! target language, and Mermaid nodes get synthetic ids (`n0`, `n1`, ...) with the map id as
//! a quoted label.

use std::collections::HashMap;
use std::fmt::Write;

use serde::Serialize;

use super::{DependencyChart, Edge, EdgeCause};
use crate::model::{Project, SyncMode};

/// A node of the JSON export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartNode {
    pub id: String,
    pub name: String,
    /// The first group the map is a member of.
    pub group: Option<String>,
    pub sync_mode: SyncMode,
    pub wave: usize,
    pub in_cycle: bool,
    pub self_reference: bool,
}

/// The JSON export: nodes, edges, waves and cycles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartExport {
    pub nodes: Vec<ChartNode>,
    pub edges: Vec<Edge>,
    pub waves: Vec<Vec<String>>,
    pub cycles: Vec<Vec<String>>,
}

fn first_group(project: &Project) -> HashMap<&str, &str> {
    let mut groups = HashMap::new();
    for group in &project.groups {
        for member in &group.members {
            groups
                .entry(member.map.as_str())
                .or_insert(group.id.as_str());
        }
    }
    groups
}

/// The chart as a serialisable structure (see [`to_json`]).
pub fn export(chart: &DependencyChart, project: &Project) -> ChartExport {
    let groups = first_group(project);
    let self_refs: Vec<String> = chart.self_references().into_iter().map(|s| s.map).collect();
    let nodes = project
        .table_maps
        .iter()
        .filter_map(|map| {
            Some(ChartNode {
                id: map.id.clone(),
                name: map.name.clone(),
                group: groups.get(map.id.as_str()).map(|g| g.to_string()),
                sync_mode: map.sync_mode,
                wave: chart.wave_of(&map.id)?,
                in_cycle: chart.in_cycle(&map.id),
                self_reference: self_refs.contains(&map.id),
            })
        })
        .collect();
    ChartExport {
        nodes,
        edges: chart.edges(),
        waves: chart
            .waves()
            .into_iter()
            .map(|w| w.into_iter().map(str::to_string).collect())
            .collect(),
        cycles: chart.cycles().into_iter().map(|c| c.maps).collect(),
    }
}

/// The chart as JSON (`{ nodes, edges, waves, cycles }`), pretty-printed.
pub fn to_json(chart: &DependencyChart, project: &Project) -> String {
    serde_json::to_string_pretty(&export(chart, project)).unwrap_or_else(|_| "{}".into())
}

fn edge_label(causes: &[EdgeCause]) -> String {
    let mut labels: Vec<String> = causes
        .iter()
        .map(|c| match c {
            EdgeCause::Lookup { column, .. } => column.clone(),
            EdgeCause::DependsOn => "dependsOn".to_string(),
        })
        .collect();
    labels.dedup();
    labels.join(", ")
}

fn dot_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn mode_colour(mode: SyncMode) -> &'static str {
    match mode {
        SyncMode::Live => "#cfe3ff",
        SyncMode::Async => "#ffe2b8",
    }
}

/// The chart as a Graphviz `digraph`, one cluster per group.
pub fn to_dot(chart: &DependencyChart, project: &Project) -> String {
    let groups = first_group(project);
    let self_refs: Vec<String> = chart.self_references().into_iter().map(|s| s.map).collect();
    let mut out = String::from(
        "digraph dependencies {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\"];\n",
    );
    let node_line = |out: &mut String, indent: &str, map: &crate::model::TableMap| {
        let mut attrs = format!("fillcolor={}", dot_string(mode_colour(map.sync_mode)));
        if chart.in_cycle(&map.id) {
            attrs.push_str(", color=\"#c62828\", penwidth=2");
        }
        let wave = chart.wave_of(&map.id).map_or(0, |w| w + 1);
        let label = format!("{}\n{} · wave {}", map.id, map.sync_mode, wave);
        let _ = writeln!(
            out,
            "{indent}{} [label={}, {attrs}];",
            dot_string(&map.id),
            dot_string(&label)
        );
    };
    for (i, group) in project.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{i} {{\n    label={};",
            dot_string(&group.name)
        );
        for map in project.table_maps.iter() {
            if groups.get(map.id.as_str()) == Some(&group.id.as_str()) {
                node_line(&mut out, "    ", map);
            }
        }
        out.push_str("  }\n");
    }
    for map in project
        .table_maps
        .iter()
        .filter(|m| !groups.contains_key(m.id.as_str()))
    {
        node_line(&mut out, "  ", map);
    }
    for edge in chart.edges() {
        let style = if chart.is_deferred(&edge.from, &edge.to) {
            ", style=dashed, color=\"#c62828\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            dot_string(&edge.from),
            dot_string(&edge.to),
            dot_string(&edge_label(&edge.causes))
        );
    }
    for map in self_refs {
        let _ = writeln!(
            out,
            "  {} -> {} [label=\"self\", color=\"#c62828\"];",
            dot_string(&map),
            dot_string(&map)
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

/// The chart as a Mermaid `flowchart`, one subgraph per group.
pub fn to_mermaid(chart: &DependencyChart, project: &Project) -> String {
    let groups = first_group(project);
    let ids: HashMap<&str, String> = project
        .table_maps
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.as_str(), format!("n{i}")))
        .collect();
    let mut out = String::from("flowchart LR\n");
    let node_line = |out: &mut String, indent: &str, map: &crate::model::TableMap| {
        if let Some(id) = ids.get(map.id.as_str()) {
            let _ = writeln!(
                out,
                "{indent}{id}[\"{}\"]:::{}",
                mermaid_text(&map.id),
                map.sync_mode
            );
        }
    };
    for (i, group) in project.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph g{i}[\"{}\"]", mermaid_text(&group.name));
        for map in &project.table_maps {
            if groups.get(map.id.as_str()) == Some(&group.id.as_str()) {
                node_line(&mut out, "    ", map);
            }
        }
        out.push_str("  end\n");
    }
    for map in project
        .table_maps
        .iter()
        .filter(|m| !groups.contains_key(m.id.as_str()))
    {
        node_line(&mut out, "  ", map);
    }
    for edge in chart.edges() {
        if let (Some(from), Some(to)) = (ids.get(edge.from.as_str()), ids.get(edge.to.as_str())) {
            let arrow = if chart.is_deferred(&edge.from, &edge.to) {
                "-.->"
            } else {
                "-->"
            };
            let _ = writeln!(
                out,
                "  {from} {arrow}|\"{}\"| {to}",
                mermaid_text(&edge_label(&edge.causes))
            );
        }
    }
    for s in chart.self_references() {
        if let Some(id) = ids.get(s.map.as_str()) {
            let _ = writeln!(out, "  {id} -->|self| {id}");
        }
    }
    out.push_str("  classDef live fill:#cfe3ff,stroke:#1e5aa8\n  classDef async fill:#ffe2b8,stroke:#b26a00\n");
    out
}
