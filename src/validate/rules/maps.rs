//! Map settings that contradict the map's sync mode or its two sides: async deletes (DW002),
//! company striping (DW009) and conflict detection (DW016).

use super::super::context::{path, Context};
use super::super::{Code, Finding, Severity};
use crate::model::{MapDirection, SyncMode};

/// DW002: an async map that syncs deletes. The platform sends deletes live whatever the
/// map's mode, so they skip the async queue and can fail the source transaction.
pub(crate) fn async_deletes(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        if map.sync_mode != SyncMode::Async || !map.sync_deletes {
            continue;
        }
        out.push(Finding::new(
            Code::DW002,
            Severity::Warning,
            vec![map.id.clone()],
            format!(
                "Async map \"{}\" syncs deletes, but deletes always go live: they skip the async \
                 queue and a failed delete rolls back the source transaction.",
                map.id
            ),
            "Turn syncDeletes off and handle deletes another way, or accept that deletes of this \
             map run live."
                .to_string(),
            path::map_key(i, "syncDeletes"),
        ));
    }
}

/// DW009: one side is company-striped and the other is not. Rows could not be matched to a
/// legal entity on one side. The F&O entity's striping is a property of the entity, so the
/// place to fix is the Dataverse side (its company column).
pub(crate) fn company_striping(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        if map.fno.company_striped == map.dataverse.company_striped {
            continue;
        }
        let striped = |yes: bool| if yes { "company-striped" } else { "global" };
        out.push(Finding::new(
            Code::DW009,
            Severity::Error,
            vec![map.id.clone()],
            format!(
                "Map \"{}\" is {} on the finance and operations side (entity {}) but {} on the \
                 Dataverse side (table {}).",
                map.id,
                striped(map.fno.company_striped),
                map.fno.entity,
                striped(map.dataverse.company_striped),
                map.dataverse.table
            ),
            if map.fno.company_striped {
                "Stripe the Dataverse table by company (a company lookup such as msdyn_company \
                 in its keys) and set dataverse.companyStriped, or pair the map with a global \
                 entity."
                    .to_string()
            } else {
                "The entity is global: clear dataverse.companyStriped, or pair the table with a \
                 company-striped entity."
                    .to_string()
            },
            path::map_key(i, "dataverse.companyStriped"),
        ));
    }
}

/// DW016: a bidirectional async map needs a primary side to resolve conflicts, because both
/// sides may change a row before the queue applies either change.
pub(crate) fn async_primary(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (i, map) in cx.project.table_maps.iter().enumerate() {
        if map.sync_mode != SyncMode::Async
            || map.direction != MapDirection::Bidirectional
            || map.primary.is_some()
        {
            continue;
        }
        out.push(Finding::new(
            Code::DW016,
            Severity::Error,
            vec![map.id.clone()],
            format!(
                "Bidirectional async map \"{}\" has no primary side, so a conflict (both sides \
                 changed the row before the queue caught up) cannot be decided.",
                map.id
            ),
            "Set primary to \"fno\" or \"dataverse\" (the side whose change wins), or make the \
             map one-way."
                .to_string(),
            path::map_key(i, "primary"),
        ));
    }
}
