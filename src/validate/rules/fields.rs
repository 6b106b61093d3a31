//! Field mapping rules: one writer per destination column (DW010) and value maps that can be
//! read backwards (DW011).
//!
//! When two fields write the same column, the value that lands depends on the order the
//! platform applies them; when a bidirectional value map sends two source values to one
//! destination value, the way back cannot know which source value to restore.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::super::context::{path, quoted_list, Context};
use super::super::{Code, Finding, Severity};
use crate::model::{FieldDirection, MapDirection, Side, TableMap, Transform};

/// DW010: two field mappings of a map write the same destination column.
pub(crate) fn duplicate_destinations(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut writers: Vec<usize> = Vec::new();
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        for side in [Side::Dataverse, Side::Fno] {
            writers.clear();
            writers.extend(
                map.fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.direction.writes_to(side))
                    .map(|(j, _)| j),
            );
            // Stable: fields writing one column stay in project order.
            writers.sort_by(|&a, &b| {
                cmp_ignore_case(map.fields[a].column(side), map.fields[b].column(side))
            });
            for same in writers.chunk_by(|&a, &b| {
                cmp_ignore_case(map.fields[a].column(side), map.fields[b].column(side))
                    == Ordering::Equal
            }) {
                if let [_, second, ..] = same {
                    out.push(duplicate_finding(i, map, side, same, *second));
                }
            }
        }
    }
}

fn duplicate_finding(
    i: usize,
    map: &TableMap,
    side: Side,
    same: &[usize],
    second: usize,
) -> Finding {
    let column = map.fields[same[0]].column(side);
    let writers: Vec<String> = same
        .iter()
        .map(|&j| format!("fields[{j}] (from {})", map.fields[j].column(side.other())))
        .collect();
    Finding::new(
        Code::DW010,
        Severity::Error,
        vec![map.id.clone()],
        format!(
            "Map \"{}\" writes the {} column \"{column}\" {} times: {}; which value lands \
             depends on the order the platform applies them.",
            map.id,
            side.label(),
            same.len(),
            writers.join(", ")
        ),
        format!(
            "Keep one field writing \"{column}\": remove the others or change their direction so \
             they no longer write to {}.",
            side.label()
        ),
        path::field(i, second),
    )
}

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// DW011: a bidirectional field's value map sends two source values to one destination value.
pub(crate) fn value_map_inversion(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        if map.direction != MapDirection::Bidirectional {
            continue;
        }
        for (j, field) in map.fields.iter().enumerate() {
            let (FieldDirection::Both, Some(Transform::ValueMap(values))) =
                (field.direction, &field.transform)
            else {
                continue;
            };
            // Destination value (as JSON text) -> source values mapping to it.
            let mut sources: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for (source, destination) in values {
                sources
                    .entry(destination.to_string())
                    .or_default()
                    .push(source);
            }
            let collisions: Vec<String> = sources
                .iter()
                .filter(|(_, from)| from.len() > 1)
                .map(|(to, from)| {
                    let quantifier = if from.len() == 2 { "both" } else { "all" };
                    format!("{} {quantifier} map to {to}", quoted_list(from))
                })
                .collect();
            if collisions.is_empty() {
                continue;
            }
            out.push(Finding::new(
                Code::DW011,
                Severity::Error,
                vec![map.id.clone()],
                format!(
                    "The value map of field \"{}\" ({} <-> {}) of map \"{}\" cannot be inverted \
                     for the way back: {}.",
                    field.dataverse,
                    field.fno,
                    field.dataverse,
                    map.id,
                    collisions.join("; ")
                ),
                "Give each source value its own destination value, or make the field one-way \
                 (direction toDataverse or toFno)."
                    .to_string(),
                path::map_key(i, &format!("fields[{j}].transform.valueMap")),
            ));
        }
    }
}
