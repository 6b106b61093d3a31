//! Platform limits per transaction (DW012, DW013, DW014), checked against the consultant's
//! expected volumes before anything runs.
//!
//! A live group is one distributed transaction, so its volume limits apply to the group as a
//! whole; an async group queues references and is not bound by them. The legal-entity limit
//! of initial sync applies to any group that gets an initial sync. The numbers live in
//! [`crate::validate::platform_limits`].

use std::collections::BTreeSet;

use super::super::context::{path, thousands, Context};
use super::super::platform_limits::{
    BYTES_PER_MB, MAX_INITIAL_SYNC_LEGAL_ENTITIES, MAX_LIVE_LEGAL_ENTITIES, MAX_LIVE_PAYLOAD_BYTES,
    MAX_LIVE_PAYLOAD_MB, MAX_LIVE_RECORDS_PER_TRANSACTION,
};
use super::super::{Code, Finding, Severity};
use crate::model::{Group, SyncMode};

const SPLIT_HINT: &str = "Split the group so that each transaction stays under the limit, or \
                          make its maps async.";

/// DW012 and DW013: expected records and payload of a live group's transaction.
pub(crate) fn live_transaction_volume(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (g, group) in cx.project.groups.iter().enumerate() {
        if cx.group_mode(g) != Some(SyncMode::Live) {
            continue;
        }
        if let Some(records) = group.expected_records_per_transaction {
            if records > MAX_LIVE_RECORDS_PER_TRANSACTION {
                out.push(Finding::new(
                    Code::DW012,
                    Severity::Error,
                    vec![group.id.clone()],
                    format!(
                        "Live group \"{}\" expects {} records per transaction; live sync carries \
                         at most {} records per transaction and fails the whole transaction \
                         above that.",
                        group.id,
                        thousands(records),
                        thousands(MAX_LIVE_RECORDS_PER_TRANSACTION)
                    ),
                    SPLIT_HINT.to_string(),
                    path::group_key(g, "expectedRecordsPerTransaction"),
                ));
            }
        }
        if let Some(bytes) = group.expected_payload_bytes {
            if bytes > MAX_LIVE_PAYLOAD_BYTES {
                out.push(Finding::new(
                    Code::DW013,
                    Severity::Error,
                    vec![group.id.clone()],
                    format!(
                        "Live group \"{}\" expects {} bytes ({:.2} MB) per transaction; live sync \
                         carries at most {MAX_LIVE_PAYLOAD_MB} MB ({} bytes) and fails with \
                         \"Message size exceeded\" above that.",
                        group.id,
                        thousands(bytes),
                        bytes as f64 / BYTES_PER_MB,
                        thousands(MAX_LIVE_PAYLOAD_BYTES)
                    ),
                    SPLIT_HINT.to_string(),
                    path::group_key(g, "expectedPayloadBytes"),
                ));
            }
        }
    }
}

/// DW014: legal entities a live transaction or an initial sync of the group spans.
pub(crate) fn legal_entities(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (g, group) in cx.project.groups.iter().enumerate() {
        let live = cx.group_mode(g) == Some(SyncMode::Live);
        if !live && !group.initial_sync {
            continue;
        }
        let Some((count, source)) = legal_entity_count(cx, group) else {
            continue;
        };
        let mut check = |limit: usize, what: &str, hint: &str| {
            if count > limit {
                out.push(Finding::new(
                    Code::DW014,
                    Severity::Error,
                    vec![group.id.clone()],
                    format!(
                        "Group \"{}\" spans {count} legal entities ({source}); {what} supports at \
                         most {limit}.",
                        group.id
                    ),
                    hint.to_string(),
                    path::group_key(g, "legalEntities"),
                ));
            }
        };
        if live {
            check(
                MAX_LIVE_LEGAL_ENTITIES,
                "a live-sync transaction",
                "Split the legal entities over several groups (list them in legalEntities), or \
                 make the group's maps async.",
            );
        }
        if group.initial_sync {
            check(
                MAX_INITIAL_SYNC_LEGAL_ENTITIES,
                "initial sync",
                "Run the initial sync in batches of legal entities (list at most 40 in \
                 legalEntities per run), or turn initialSync off and load the data another way.",
            );
        }
    }
}

/// The distinct legal entities (company codes compare case-insensitively) the group spans,
/// and where that number comes from: the group's own list, or, when it names none and has
/// company-striped members, every legal entity of the project's environments.
fn legal_entity_count(cx: &Context<'_>, group: &Group) -> Option<(usize, &'static str)> {
    let distinct = |codes: &mut dyn Iterator<Item = &String>| {
        codes
            .map(|c| c.trim().to_ascii_uppercase())
            .collect::<BTreeSet<_>>()
            .len()
    };
    if !group.legal_entities.is_empty() {
        return Some((
            distinct(&mut group.legal_entities.iter()),
            "its legalEntities",
        ));
    }
    let striped = cx
        .group_maps(group)
        .any(|(_, map)| map.fno.company_striped || map.dataverse.company_striped);
    if !striped {
        return None;
    }
    let mut all = cx
        .project
        .environments
        .iter()
        .flat_map(|e| e.legal_entities.iter());
    Some((
        distinct(&mut all),
        "it names none and has company-striped maps, so every legal entity of the environments",
    ))
}
