//! Field mapping rules: one writer per destination column (DW010) and value maps that can be
//! read backwards (DW011).
//!
//! When two fields write the same column, the value that lands depends on the order the
//! platform applies them; when a bidirectional value map sends two source values to one
//! destination value, the way back cannot know which source value to restore.

use std::collections::BTreeMap;

use super::super::context::{path, quoted_list, Context};
use super::super::{Code, Finding, Severity};
use crate::model::{FieldDirection, MapDirection, Side, TableMap, Transform};

/// DW010: two field mappings of a map write the same destination column.
///
/// Runs over every field of every map, so it is written to stay cheap on large projects:
/// columns are bucketed by a case-insensitive key and only names in one bucket are compared.
pub(crate) fn duplicate_destinations(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut writers: Vec<(u64, usize)> = Vec::new();
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        for side in [Side::Dataverse, Side::Fno] {
            writers.clear();
            writers.extend(
                map.fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.direction.writes_to(side))
                    .map(|(j, f)| (bucket_key(f.column(side)), j)),
            );
            writers.sort_unstable();
            for bucket in writers.chunk_by(|a, b| a.0 == b.0) {
                if bucket.len() > 1 {
                    report_bucket(i, map, side, bucket, out);
                }
            }
        }
    }
}

/// Fields whose columns share a bucket key: group them by the actual column (a bucket may
/// mix two columns), in field order, and report each column written more than once.
fn report_bucket(
    i: usize,
    map: &TableMap,
    side: Side,
    bucket: &[(u64, usize)],
    out: &mut Vec<Finding>,
) {
    let mut remaining: Vec<usize> = bucket.iter().map(|&(_, j)| j).collect();
    while let Some(&first) = remaining.first() {
        let column = map.fields[first].column(side);
        let (same, rest): (Vec<usize>, Vec<usize>) = remaining
            .iter()
            .partition(|&&j| map.fields[j].column(side).eq_ignore_ascii_case(column));
        if let [_, second, ..] = same[..] {
            out.push(duplicate_finding(i, map, side, &same, second));
        }
        remaining = rest;
    }
}

/// A cheap bucket key for a column name, equal for names that differ only in ASCII case:
/// the length and the first and last eight bytes with the ASCII case bit cleared. Names in
/// one bucket are compared in full, so a shared key costs a comparison, never a wrong finding.
fn bucket_key(name: &str) -> u64 {
    const CASE_BITS: u64 = !0x2020_2020_2020_2020;
    let bytes = name.as_bytes();
    let word = |chunk: &[u8]| {
        let mut padded = [0u8; 8];
        padded[..chunk.len()].copy_from_slice(chunk);
        u64::from_le_bytes(padded) & CASE_BITS
    };
    let head = word(&bytes[..bytes.len().min(8)]);
    let tail = word(&bytes[bytes.len().saturating_sub(8)..]);
    (head ^ tail.rotate_left(29) ^ (bytes.len() as u64).rotate_left(58))
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DataverseSide, FieldMapping, FnoSide, SyncMode};

    fn map_with_dataverse_columns(columns: &[&str]) -> TableMap {
        TableMap {
            id: "m".into(),
            name: "m".into(),
            fno: FnoSide {
                entity: "E".into(),
                keys: vec![],
                filter: None,
                company_striped: false,
            },
            dataverse: DataverseSide {
                table: "t".into(),
                keys: vec![],
                filter: None,
                company_striped: false,
            },
            sync_mode: SyncMode::Live,
            direction: MapDirection::Bidirectional,
            primary: None,
            sync_deletes: false,
            placeholders: false,
            fields: columns
                .iter()
                .enumerate()
                .map(|(j, c)| FieldMapping {
                    fno: format!("F{j}"),
                    dataverse: c.to_string(),
                    direction: FieldDirection::Both,
                    transform: None,
                    lookup: None,
                })
                .collect(),
            depends_on: vec![],
        }
    }

    #[test]
    fn a_hash_collision_between_two_columns_is_not_a_duplicate() {
        let map = map_with_dataverse_columns(&["name", "other", "NAME"]);
        // Pretend all three columns share a bucket key.
        let bucket = [(7, 0), (7, 1), (7, 2)];
        let mut out = Vec::new();
        report_bucket(3, &map, Side::Dataverse, &bucket, &mut out);
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].path.as_deref(), Some("tableMaps[3].fields[2]"));
        assert!(
            out[0].message.contains("\"name\" 2 times"),
            "{}",
            out[0].message
        );
    }

    #[test]
    fn the_bucket_key_ignores_case() {
        assert_eq!(bucket_key("AccountNumber"), bucket_key("accountnumber"));
        assert_ne!(bucket_key("accountnumber"), bucket_key("accountnumbr"));
        assert_ne!(bucket_key("dw_col1"), bucket_key("dw_col2"));
    }
}
