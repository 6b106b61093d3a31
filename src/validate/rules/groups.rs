//! Group membership rules: one sync mode per group (DW001), each map in exactly one group and
//! every member naming a map (DW015).
//!
//! A group is one transaction scope, and the platform fails a transaction that mixes live and
//! async maps; a map in two groups would be sequenced twice with two different scopes.

use std::collections::BTreeMap;

use super::super::context::{did_you_mean, path, quoted_list, Context};
use super::super::{Code, Finding, Severity};
use crate::model::SyncMode;

/// DW001: a group mixes live and async maps. The maps of the minority mode are the ones
/// named as misconfigured (on a tie, those that differ from the member that runs first).
pub(crate) fn mixed_sync_modes(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (g, group) in cx.project.groups.iter().enumerate() {
        let Some(group_mode) = cx.group_mode(g) else {
            continue;
        };
        let odd: Vec<(usize, &str)> = cx
            .group_maps(group)
            .filter(|(_, map)| map.sync_mode != group_mode)
            .map(|(k, map)| (k, map.id.as_str()))
            .collect();
        let Some(&(first_member, _)) = odd.first() else {
            continue;
        };
        let odd_ids: Vec<&str> = odd.iter().map(|(_, id)| *id).collect();
        let odd_mode = match group_mode {
            SyncMode::Live => SyncMode::Async,
            SyncMode::Async => SyncMode::Live,
        };
        let mut subjects = vec![group.id.clone()];
        subjects.extend(odd_ids.iter().map(|id| id.to_string()));
        let (verb, pronoun) = if odd_ids.len() == 1 {
            ("is", "it")
        } else {
            ("are", "them")
        };
        out.push(Finding::new(
            Code::DW001,
            Severity::Error,
            subjects,
            format!(
                "Group \"{}\" mixes live and async maps: {} {verb} {odd_mode} while the group's \
                 other maps are {group_mode}; the platform fails a transaction that mixes live \
                 and async maps.",
                group.id,
                quoted_list(&odd_ids),
            ),
            format!(
                "Move {} to a group of {odd_mode} maps, or make {pronoun} {group_mode}.",
                quoted_list(&odd_ids)
            ),
            path::member(g, first_member),
        ));
    }
}

/// DW015: a map listed in more than one group (or twice in one), and a member naming no map.
pub(crate) fn membership(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // Per map index: its first listing; maps listed more than once also collect every
    // (group, member) listing them, in project order. Only repeats allocate.
    let mut first: Vec<Option<(usize, usize)>> = vec![None; cx.project.table_maps.len()];
    let mut repeated: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    for (g, group) in cx.project.groups.iter().enumerate() {
        for (k, member) in group.members.iter().enumerate() {
            if let Some(i) = cx.map_index(&member.map) {
                match first[i] {
                    None => first[i] = Some((g, k)),
                    Some(earlier) => repeated
                        .entry(i)
                        .or_insert_with(|| vec![earlier])
                        .push((g, k)),
                }
                continue;
            }
            let suggestion = cx.closest_map_id(&member.map);
            out.push(Finding::new(
                Code::DW015,
                Severity::Error,
                vec![group.id.clone(), member.map.clone()],
                format!(
                    "Group \"{}\" has a member \"{}\" that is not a table map of the project.",
                    group.id, member.map
                ),
                format!(
                    "Name an existing map's id, or remove the member.{}",
                    did_you_mean(suggestion)
                ),
                path::member(g, k),
            ));
        }
    }
    for (i, places) in repeated {
        let map_id = cx.project.table_maps[i].id.as_str();
        let mut group_ids: Vec<&str> = places
            .iter()
            .map(|&(g, _)| cx.project.groups[g].id.as_str())
            .collect();
        group_ids.dedup();
        let mut subjects = vec![map_id.to_string()];
        subjects.extend(group_ids.iter().map(|id| id.to_string()));
        let (g, k) = places[1];
        let message = if group_ids.len() == 1 {
            format!(
                "Map \"{map_id}\" is listed {} times in group \"{}\".",
                places.len(),
                group_ids[0]
            )
        } else {
            format!(
                "Map \"{map_id}\" is a member of {} groups: {}; a map belongs to exactly one \
                 group (one transaction scope, one sequence).",
                group_ids.len(),
                quoted_list(&group_ids)
            )
        };
        out.push(Finding::new(
            Code::DW015,
            Severity::Error,
            subjects,
            message,
            format!(
                "Keep \"{map_id}\" in one group and remove its other listings (this one first)."
            ),
            path::member(g, k),
        ));
    }
}
