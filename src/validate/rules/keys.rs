//! Integration keys (DW008): how dual-write finds the row on the other side.
//!
//! Dataverse rows are matched by the map's integration keys, so a Dataverse side without keys
//! cannot sync (error). On the finance and operations side the engine falls back to the entity
//! key it discovers, so missing keys there are a warning. A key column must also be filled by
//! the map: each key must be a field column on its side, where a dotted key such as
//! `msdyn_company.cdm_companycode` is a lookup and needs its first segment mapped. Maps without
//! any field (the standard templates carry keys only) are not checked for unmapped keys.

use super::super::context::{path, quoted_list, Context};
use super::super::{Code, Finding, Severity};
use crate::model::{Side, TableMap};

pub(crate) fn integration_keys(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        for side in [Side::Dataverse, Side::Fno] {
            check_side(i, map, side, out);
        }
    }
}

fn severity(side: Side) -> Severity {
    match side {
        Side::Dataverse => Severity::Error,
        Side::Fno => Severity::Warning,
    }
}

fn side_key(side: Side) -> &'static str {
    match side {
        Side::Dataverse => "dataverse",
        Side::Fno => "fno",
    }
}

fn check_side(i: usize, map: &TableMap, side: Side, out: &mut Vec<Finding>) {
    let keys = map.keys(side);
    if keys.is_empty() {
        let consequence = match side {
            Side::Dataverse => "dual-write cannot match its rows without integration keys",
            Side::Fno => "the engine falls back to the key it discovers on the entity",
        };
        out.push(Finding::new(
            Code::DW008,
            severity(side),
            vec![map.id.clone()],
            format!(
                "Map \"{}\" has no {} keys for {} {}: {consequence}.",
                map.id,
                side.label(),
                table_word(side),
                map.table(side)
            ),
            format!(
                "List the columns that identify a row of {} in {}.keys.",
                map.table(side),
                side_key(side)
            ),
            path::map_key(i, &format!("{}.keys", side_key(side))),
        ));
        return;
    }
    if map.fields.is_empty() {
        return;
    }
    let unmapped: Vec<(usize, &str)> = keys
        .iter()
        .enumerate()
        .filter(|(_, key)| {
            let column = key.split('.').next().unwrap_or(key);
            !map.fields
                .iter()
                .any(|f| f.column(side).eq_ignore_ascii_case(column))
        })
        .map(|(k, key)| (k, key.as_str()))
        .collect();
    let Some(&(first, _)) = unmapped.first() else {
        return;
    };
    let names: Vec<&str> = unmapped.iter().map(|(_, key)| *key).collect();
    let (noun, verb) = if names.len() == 1 {
        ("column", "is")
    } else {
        ("columns", "are")
    };
    out.push(Finding::new(
        Code::DW008,
        severity(side),
        vec![map.id.clone()],
        format!(
            "The {} key {noun} {} of map \"{}\" {verb} not mapped by any of its fields, so the \
             key is empty on rows the map writes.",
            side.label(),
            quoted_list(&names),
            map.id
        ),
        "Add a field mapping for each key column (for a dotted key such as \
         msdyn_company.cdm_companycode, map the lookup column before the dot), or change the keys."
            .to_string(),
        path::map_key(i, &format!("{}.keys[{first}]", side_key(side))),
    ));
}

fn table_word(side: Side) -> &'static str {
    match side {
        Side::Dataverse => "table",
        Side::Fno => "entity",
    }
}
