//! Swapping lookups inside one live batch (see [`super::batch`]): the two representations of
//! rows written earlier in the same batch are remembered by natural key or id, because no other
//! connection can read them before the commit; the rest goes through the [`LookupResolver`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::endpoint::{Row, Value};
use crate::model::Side;

use super::super::lookup::LookupResolver;
use super::super::resolve::{ResolvedLookup, ResolvedMap};
use super::super::rows::comparable;
use super::super::transform::transform_row;
use super::super::EngineError;

/// (referenced Dataverse table, towards the id?, company, value) -> the other representation.
pub(super) type IdKey = (String, bool, Option<String>, String);

/// The fields of `map` towards Dataverse whose lookup refers to the map itself, when a row of
/// `sources` uses one (they need a second pass); empty otherwise.
pub(super) fn self_references(map: &ResolvedMap, target: Side, sources: &[Row]) -> BTreeSet<usize> {
    if target != Side::Dataverse {
        return BTreeSet::new();
    }
    map.fields_to(target)
        .filter(|f| {
            f.lookup
                .as_ref()
                .is_some_and(|l| l.provider_map == map.id())
        })
        .filter(|f| {
            sources.iter().any(|s| {
                s.get(f.column(target.other()))
                    .is_some_and(|v| !v.is_null())
            })
        })
        .map(|f| f.index)
        .collect()
}

/// Every lookup of the project with the map that provides it.
pub(super) fn all_lookups(maps: &[Arc<ResolvedMap>]) -> Vec<ResolvedLookup> {
    let mut seen = BTreeSet::new();
    maps.iter()
        .flat_map(|m| m.fields.iter())
        .filter_map(|f| f.lookup.clone())
        .filter(|l| seen.insert((l.dataverse_table.clone(), l.natural_key.clone())))
        .collect()
}

/// Records the two representations of a row of `map` written in this batch.
pub(super) fn remember_ids(
    lookups: &[ResolvedLookup],
    map: &str,
    row: &Row,
    generated: &Row,
    to_id: bool,
    ids: &mut HashMap<IdKey, Value>,
) {
    for lookup in lookups.iter().filter(|l| l.provider_map == map) {
        let natural = row
            .get(lookup.natural_key.as_str())
            .filter(|v| !v.is_null());
        let id = generated
            .get(lookup.id_column.as_str())
            .or_else(|| row.get(lookup.id_column.as_str()))
            .filter(|v| !v.is_null());
        let (Some(natural), Some(id)) = (natural, id) else {
            continue;
        };
        let table = lookup.dataverse_table.clone();
        if to_id {
            // The unqualified entry serves children whose company is not in the id form yet;
            // the same natural key with two ids (two companies) makes it ambiguous (Null), so
            // such a child falls back to the qualified entry or the resolver.
            let unqualified = (table.clone(), true, None, comparable(natural));
            match ids.get(&unqualified) {
                Some(existing) if existing != id => {
                    ids.insert(unqualified, Value::Null);
                }
                Some(_) => {}
                None => {
                    ids.insert(unqualified, id.clone());
                }
            }
            if let Some(company) = lookup
                .company_column
                .as_ref()
                .and_then(|c| row.get(c.as_str()))
            {
                ids.insert(
                    (table, true, Some(comparable(company)), comparable(natural)),
                    id.clone(),
                );
            }
        } else {
            ids.insert((table, false, None, comparable(id)), natural.clone());
        }
    }
}

/// Transforms a map's rows for the target and swaps their lookups: first from the batch's own
/// rows, then through the resolver for the rest. Fields in `skip` are left out.
pub(super) async fn transform_with_lookups(
    map: &ResolvedMap,
    target: Side,
    sources: &[Row],
    ids: &HashMap<IdKey, Value>,
    resolver: &LookupResolver,
    skip: &BTreeSet<usize>,
) -> Result<Vec<Row>, EngineError> {
    let to_id = target == Side::Dataverse;
    let mut rows = Vec::with_capacity(sources.len());
    let mut swapped_sets: Vec<BTreeSet<usize>> = Vec::with_capacity(sources.len());
    for source in sources {
        let mut row = transform_row(map, target, source, |f| !skip.contains(&f.index))?;
        let mut swapped = BTreeSet::new();
        for field in map.fields_to(target).filter(|f| !skip.contains(&f.index)) {
            let Some(lookup) = &field.lookup else {
                continue;
            };
            let column = field.column(target);
            let Some(value) = row.get(column).filter(|v| !v.is_null()) else {
                continue;
            };
            let qualified = to_id
                && lookup.company_column.is_some()
                && map.company_field.is_some()
                && Some(field.index) != map.company_field;
            let company = if qualified {
                map.company_column(Side::Dataverse)
                    .and_then(|c| row.get(c))
                    .map(comparable)
            } else {
                None
            };
            let value = comparable(value);
            let table = lookup.dataverse_table.clone();
            let qualified_hit = ids.get(&(table.clone(), to_id, company, value.clone()));
            // A child's own company column may still hold the company code (it is resolved to
            // an id later), so fall back to the batch's unqualified entry when it is unique.
            let hit = qualified_hit.or_else(|| ids.get(&(table, to_id, None, value)));
            if let Some(resolved) = hit.filter(|v| !v.is_null()) {
                row.insert(column.into(), resolved.clone());
                swapped.insert(field.index);
            }
        }
        rows.push(row);
        swapped_sets.push(swapped);
    }
    // The rest through the resolver, grouped by which fields the batch already swapped; rows
    // that all swapped the same fields (the usual case) go as they are, without copies.
    if swapped_sets.windows(2).all(|w| w[0] == w[1]) {
        let swapped = swapped_sets.pop().unwrap_or_default();
        return resolver
            .resolve_rows(map, target, sources, rows, |f| {
                !swapped.contains(&f.index) && !skip.contains(&f.index)
            })
            .await?
            .into_iter()
            .collect();
    }
    let mut out: Vec<Option<Row>> = vec![None; rows.len()];
    let mut groups: Vec<(BTreeSet<usize>, Vec<usize>)> = Vec::new();
    for (i, set) in swapped_sets.iter().enumerate() {
        match groups.iter_mut().find(|(s, _)| s == set) {
            Some((_, members)) => members.push(i),
            None => groups.push((set.clone(), vec![i])),
        }
    }
    for (swapped, members) in groups {
        let group_sources: Vec<Row> = members.iter().map(|&i| sources[i].clone()).collect();
        let group_rows: Vec<Row> = members.iter().map(|&i| rows[i].clone()).collect();
        let resolved = resolver
            .resolve_rows(map, target, &group_sources, group_rows, |f| {
                !swapped.contains(&f.index) && !skip.contains(&f.index)
            })
            .await?;
        for (&i, result) in members.iter().zip(resolved) {
            out[i] = Some(result?);
        }
    }
    Ok(out.into_iter().flatten().collect())
}
