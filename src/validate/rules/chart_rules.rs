//! Rules read from the dependency chart: cycles (DW003), self-references (DW004), sequence
//! order inside groups (DW005), missing prerequisites (DW006) and live maps depending on
//! async ones (DW007).
//!
//! The chart owns the graph work (edges, strongly connected components, which lookup to
//! defer); these rules only turn its answers into findings that point at the field or
//! `dependsOn` entry to change.

use super::super::context::{closest, did_you_mean, path, quoted_list, Context};
use super::super::{Code, Finding, Severity};
use crate::chart::{DependencyChart, Edge, EdgeCause};
use crate::model::{SyncMode, TableMap};

/// The lookup columns among an edge's causes.
fn lookup_columns(causes: &[EdgeCause]) -> Vec<&str> {
    causes
        .iter()
        .filter_map(|c| match c {
            EdgeCause::Lookup { column, .. } => Some(column.as_str()),
            EdgeCause::DependsOn => None,
        })
        .collect()
}

/// The place to change for a dependency of map `dependent` on map `prerequisite`: its first
/// lookup field, else its `dependsOn` entry, else the map.
fn dependency_path(
    cx: &Context<'_>,
    dependent: &str,
    prerequisite: &str,
    causes: &[EdgeCause],
) -> String {
    let Some((i, map)) = cx.map(dependent) else {
        return String::from("tableMaps");
    };
    for cause in causes {
        if let EdgeCause::Lookup { field_index, .. } = cause {
            return path::field(i, *field_index);
        }
    }
    match map.depends_on.iter().position(|d| d == prerequisite) {
        Some(k) => path::depends_on(i, k),
        None => path::table_map(i),
    }
}

/// "\"to\" looks up \"from\" (column x)" or "\"to\" names \"from\" in dependsOn".
fn describe_edge(edge: &Edge) -> String {
    let columns = lookup_columns(&edge.causes);
    if columns.is_empty() {
        format!("\"{}\" names \"{}\" in dependsOn", edge.to, edge.from)
    } else {
        let noun = if columns.len() == 1 {
            "column"
        } else {
            "columns"
        };
        format!(
            "\"{}\" looks up \"{}\" ({noun} {})",
            edge.to,
            edge.from,
            quoted_list(&columns)
        )
    }
}

/// DW003: maps that depend on each other in a circle.
pub(crate) fn cycles(cx: &Context<'_>, chart: &DependencyChart, out: &mut Vec<Finding>) {
    for cycle in chart.cycles() {
        let defer = &cycle.defer;
        let columns = lookup_columns(&defer.causes);
        let (advice, hint) = if columns.is_empty() {
            (
                format!(
                    "defer the dependency of \"{}\" on \"{}\" (dependsOn) to a second pass",
                    defer.to, defer.from
                ),
                format!(
                    "Sync \"{}\" first without the columns that reference \"{}\", then fill \
                     them in a second pass; if the dependsOn entry is not a real reference, \
                     remove it.",
                    defer.to, defer.from
                ),
            )
        } else {
            let noun = if columns.len() == 1 {
                "column"
            } else {
                "columns"
            };
            (
                format!(
                    "defer the lookup {noun} {} of map \"{}\" (into \"{}\") to a second pass",
                    quoted_list(&columns),
                    defer.to,
                    defer.from
                ),
                format!(
                    "Sync \"{}\" first without {}, then run a second pass that fills {} once \
                     \"{}\" has synced.",
                    defer.to,
                    quoted_list(&columns),
                    if columns.len() == 1 { "it" } else { "them" },
                    defer.from
                ),
            )
        };
        let links: Vec<String> = cycle.edges.iter().map(describe_edge).collect();
        // A component with several loops needs more than one deferred link.
        let also: Vec<String> = cycle
            .feedback_edges
            .iter()
            .filter(|e| *e != defer)
            .map(|e| format!("the link where {}", describe_edge(e)))
            .collect();
        let advice = if also.is_empty() {
            advice
        } else {
            format!("{advice}, and also defer {}", also.join(" and "))
        };
        out.push(Finding::new(
            Code::DW003,
            Severity::Warning,
            cycle.maps.clone(),
            format!(
                "Maps {} depend on each other in a cycle ({}); no order syncs every prerequisite \
                 first: {advice}.",
                quoted_list(&cycle.maps),
                links.join("; ")
            ),
            hint,
            dependency_path(cx, &defer.to, &defer.from, &defer.causes),
        ));
    }
}

/// DW004: a map that looks up its own table (a parent row of the same table).
pub(crate) fn self_references(cx: &Context<'_>, chart: &DependencyChart, out: &mut Vec<Finding>) {
    for reference in chart.self_references() {
        let columns = lookup_columns(&reference.causes);
        let through = if columns.is_empty() {
            "names itself in dependsOn".to_string()
        } else {
            let noun = if columns.len() == 1 {
                "column"
            } else {
                "columns"
            };
            format!(
                "looks up its own table through {noun} {}",
                quoted_list(&columns)
            )
        };
        out.push(Finding::new(
            Code::DW004,
            Severity::Warning,
            vec![reference.map.clone()],
            format!(
                "Map \"{}\" {through}: a row may reference a row that has not synced yet, so its \
                 initial sync needs two passes.",
                reference.map
            ),
            if columns.is_empty() {
                format!(
                    "Plan a two-pass initial sync for \"{}\": rows first without their \
                     reference to the same table, then a second pass that fills it (if the \
                     dependsOn entry is not a real self-reference, remove it).",
                    reference.map
                )
            } else {
                format!(
                    "Plan a two-pass initial sync: first without {}, then a second pass that \
                     fills it.",
                    quoted_list(&columns)
                )
            },
            dependency_path(cx, &reference.map, &reference.map, &reference.causes),
        ));
    }
}

/// DW005: a group runs a map before, or together with, a map it depends on.
pub(crate) fn sequence_order(cx: &Context<'_>, chart: &DependencyChart, out: &mut Vec<Finding>) {
    for violation in chart.sequence_violations(cx.project) {
        let located = cx.project.groups.iter().enumerate().find_map(|(g, group)| {
            (group.id == violation.group).then(|| {
                let member = group
                    .members
                    .iter()
                    .position(|m| m.map == violation.map && m.sequence == violation.sequence)
                    .or_else(|| group.members.iter().position(|m| m.map == violation.map));
                match member {
                    Some(k) => path::member(g, k),
                    None => path::group_key(g, "members"),
                }
            })
        });
        let when = if violation.sequence == violation.dependency_sequence {
            "together with"
        } else {
            "before"
        };
        out.push(Finding::new(
            Code::DW005,
            Severity::Error,
            vec![
                violation.group.clone(),
                violation.map.clone(),
                violation.depends_on.clone(),
            ],
            format!(
                "Group \"{}\" runs map \"{}\" (sequence {}) {when} \"{}\" (sequence {}), which it \
                 depends on; its rows would reference rows that do not exist yet.",
                violation.group,
                violation.map,
                violation.sequence,
                violation.depends_on,
                violation.dependency_sequence
            ),
            format!(
                "Give \"{}\" a sequence number higher than {} (the sequence of \"{}\").",
                violation.map, violation.dependency_sequence, violation.depends_on
            ),
            located.unwrap_or_else(|| String::from("groups")),
        ));
    }
}

/// DW006: lookups into tables no map provides, and `dependsOn` entries naming no map.
pub(crate) fn missing_prerequisites(
    cx: &Context<'_>,
    chart: &DependencyChart,
    out: &mut Vec<Finding>,
) {
    let lookups = chart.unresolved_lookups();
    let mut tables: Vec<&str> = Vec::new();
    if !lookups.is_empty() {
        tables = cx
            .project
            .table_maps
            .iter()
            .flat_map(|m| [m.dataverse.table.as_str(), m.fno.entity.as_str()])
            .collect();
        tables.sort_unstable();
        tables.dedup();
    }
    for lookup in lookups {
        let suggestion = closest(&lookup.table, tables.iter().copied());
        out.push(Finding::new(
            Code::DW006,
            Severity::Error,
            vec![lookup.map.clone()],
            format!(
                "Field \"{}\" of map \"{}\" looks up table \"{}\", which no map of the project \
                 provides: the prerequisite is missing and the lookup cannot be resolved.",
                lookup.column, lookup.map, lookup.table
            ),
            format!(
                "Add a map for \"{}\" (for example from the standard templates) and sequence it \
                 first, or correct the lookup's table.{}",
                lookup.table,
                did_you_mean(suggestion)
            ),
            match cx.map_index(&lookup.map) {
                Some(i) => path::field(i, lookup.field_index),
                None => String::from("tableMaps"),
            },
        ));
    }
    for unknown in chart.unknown_dependencies() {
        let suggestion = cx.closest_map_id(&unknown.depends_on);
        out.push(Finding::new(
            Code::DW006,
            Severity::Error,
            vec![unknown.map.clone()],
            format!(
                "Map \"{}\" depends on \"{}\", which is not a table map of the project.",
                unknown.map, unknown.depends_on
            ),
            format!(
                "Name an existing map's id in dependsOn, add the missing map, or remove the \
                 entry.{}",
                did_you_mean(suggestion)
            ),
            dependency_path(cx, &unknown.map, &unknown.depends_on, &[]),
        ));
    }
}

/// DW007: a live map that depends on an async map. At live time the async parent may still be
/// queued, so the live transaction finds no row to reference; placeholders cover that.
///
/// Walks the live maps' direct dependencies rather than every edge of the chart (most maps
/// are fine), and rebuilds the causes of the few offending edges from the child's fields the
/// way the chart does (lookups by table name on either side, case-insensitively, and
/// `dependsOn`).
pub(crate) fn live_on_async(cx: &Context<'_>, chart: &DependencyChart, out: &mut Vec<Finding>) {
    for (i, child) in cx.project.table_maps.iter().enumerate() {
        if child.sync_mode != SyncMode::Live
            || child.placeholders
            || cx.map_index(&child.id) != Some(i)
        {
            continue;
        }
        for parent_id in chart.dependencies_of(&child.id) {
            let Some((_, parent)) = cx.map(parent_id) else {
                continue;
            };
            if parent.sync_mode != SyncMode::Async {
                continue;
            }
            let edge = Edge {
                from: parent.id.clone(),
                to: child.id.clone(),
                causes: causes_between(parent, child),
            };
            out.push(Finding::new(
                Code::DW007,
                Severity::Warning,
                vec![edge.to.clone(), edge.from.clone()],
                format!(
                    "Live map {}, which is async: when a live transaction runs, the referenced \
                     row may still be waiting in the async queue and not exist yet.",
                    describe_edge(&edge)
                ),
                format!(
                    "Set placeholders on \"{}\" so a missing parent is created by its key, or \
                     make \"{}\" live.",
                    edge.to, edge.from
                ),
                dependency_path(cx, &edge.to, &edge.from, &edge.causes),
            ));
        }
    }
}

/// Why `child` depends on `parent`, in the chart's terms.
fn causes_between(parent: &TableMap, child: &TableMap) -> Vec<EdgeCause> {
    let mut causes: Vec<EdgeCause> = child
        .fields
        .iter()
        .enumerate()
        .filter_map(|(field_index, field)| {
            let lookup = field.lookup.as_ref()?;
            parent
                .provides_table(&lookup.table)
                .then(|| EdgeCause::Lookup {
                    field_index,
                    column: field.dataverse.clone(),
                    table: lookup.table.clone(),
                })
        })
        .collect();
    if child.depends_on.contains(&parent.id) {
        causes.push(EdgeCause::DependsOn);
    }
    causes
}
