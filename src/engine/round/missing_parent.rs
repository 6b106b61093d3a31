//! A child that arrives before its parent.
//!
//! Async entries are processed in group and wave order, but a parent row created on the source
//! after its child (or in a map of a later group) is still missing on the destination when the
//! child is written, and the lookup finds no row. Dual-write offers two answers, chosen per map:
//! - `placeholders: true`: create the parent on the destination by its natural key alone (the
//!   other columns empty or their defaults), record it in the store, and write the child. When
//!   the parent's own entry arrives, its upsert by the same key fills in the real values and the
//!   store marks the placeholder hydrated ([`hydrated_ref`]).
//! - otherwise the child is held (not failed, not logged as an error) and released, in its
//!   original place in the queue, when an entry of the referenced map is applied.
//!
//! Only references written to Dataverse can get a placeholder: there the engine knows the
//! parent's natural key (and company). A Dataverse id that finds no row on the way to F&O names
//! no key to create, so such a child is held.

use crate::endpoint::{Key, Operation, Row, Value};
use crate::model::Side;
use crate::store::{PlaceholderRef, Timestamp};

use super::super::rows::key_text;
use super::super::{Engine, EngineError, ResolvedMap};

/// A parent row to create on Dataverse because a lookup found no row.
#[derive(Debug, Clone)]
struct MissingParent {
    provider_map: String,
    table: String,
    key_columns: Vec<String>,
    key: Key,
    /// Position of the company column in `key`, when the lookup is company-qualified.
    company_index: Option<usize>,
}

/// The Dataverse id of the company a child row names by code, through the child map's company
/// lookup; the value itself when the company field is no lookup (it already is the id).
async fn company_id(
    engine: &Engine,
    map: &ResolvedMap,
    code: &Value,
) -> Result<Option<Value>, EngineError> {
    let lookup = map
        .company_field
        .and_then(|i| map.fields.get(i))
        .and_then(|f| f.lookup.as_ref());
    let Some(lookup) = lookup else {
        return Ok(Some(code.clone()));
    };
    let rows = engine
        .endpoint(Side::Dataverse)
        .read_by_keys(
            &lookup.dataverse_table,
            std::slice::from_ref(&lookup.natural_key),
            &[Key::new(vec![code.clone()])],
        )
        .await?;
    Ok(rows
        .first()
        .and_then(|row| row.get(lookup.id_column.as_str()))
        .filter(|v| !v.is_null())
        .cloned())
}

/// Whether this failure means the referenced parent row is not on the destination yet.
pub(super) fn is_missing_parent(error: &EngineError) -> bool {
    matches!(error, EngineError::LookupNotFound { .. })
}

/// Creates a placeholder for the parent that `error` says is missing, from the child row
/// `transformed` for Dataverse (its lookup columns still holding natural keys), and records it.
/// Returns `false` when no placeholder can be made (then the child is held).
pub(super) async fn create_placeholder(
    engine: &Engine,
    map: &ResolvedMap,
    transformed: &Row,
    error: &EngineError,
) -> Result<bool, EngineError> {
    let Some(mut parent) = missing_parent(engine, map, transformed, error) else {
        return Ok(false);
    };
    // The child's company column still holds the company code (its own lookup is resolved
    // later); the placeholder's company column is a lookup too and needs the company's id.
    if let Some(i) = parent.company_index {
        let Some(code) = parent.key.values().get(i).cloned() else {
            return Ok(false);
        };
        match company_id(engine, map, &code).await? {
            Some(id) => {
                let mut values = parent.key.values().to_vec();
                values[i] = id;
                parent.key = Key::new(values);
            }
            None => return Ok(false),
        }
    }
    let values: Row = parent
        .key_columns
        .iter()
        .map(|column| column.as_str().into())
        .zip(parent.key.values().iter().cloned())
        .collect();
    let mut tx = engine.endpoint(Side::Dataverse).begin().await?;
    tx.apply_bulk(&[Operation::Upsert {
        table: parent.table.clone(),
        key_columns: parent.key_columns.clone(),
        values,
    }])
    .await?;
    tx.commit().await?;
    tracing::info!(map = %map.id(), parent = %parent.provider_map, key = %key_text(&parent.key),
        "created a placeholder parent");
    let mut store = engine.store.begin().await?;
    store
        .record_placeholders(
            &[PlaceholderRef {
                map_id: parent.provider_map,
                side: Side::Dataverse,
                key: key_text(&parent.key),
            }],
            Timestamp::now(),
        )
        .await?;
    store.commit().await?;
    Ok(true)
}

/// The parent named by a "lookup not found" on the way to Dataverse, keyed by its map's
/// Dataverse integration key (natural key, plus company when the lookup is qualified).
fn missing_parent(
    engine: &Engine,
    map: &ResolvedMap,
    transformed: &Row,
    error: &EngineError,
) -> Option<MissingParent> {
    let EngineError::LookupNotFound { table, column, .. } = error else {
        return None;
    };
    let (field, lookup) = map.fields_to(Side::Dataverse).find_map(|f| {
        let lookup = f.lookup.as_ref()?;
        (&lookup.dataverse_table == table && &lookup.natural_key == column).then_some((f, lookup))
    })?;
    let provider = engine.map(&lookup.provider_map)?;
    let natural = transformed
        .get(field.column(Side::Dataverse))
        .filter(|v| !v.is_null())?;
    let company = map
        .company_column(Side::Dataverse)
        .and_then(|c| transformed.get(c))
        .filter(|_| lookup.company_column.is_some());
    let key_columns = provider.keys(Side::Dataverse).to_vec();
    let values: Option<Vec<Value>> = key_columns
        .iter()
        .map(|c| {
            if c == &lookup.natural_key {
                Some(natural.clone())
            } else if Some(c) == lookup.company_column.as_ref() {
                company.cloned()
            } else {
                None
            }
        })
        .collect();
    let company_index = lookup
        .company_column
        .as_ref()
        .and_then(|c| key_columns.iter().position(|k| k == c));
    Some(MissingParent {
        provider_map: provider.id().to_string(),
        table: provider.table(Side::Dataverse).to_string(),
        key_columns,
        key: Key::new(values?),
        company_index,
    })
}

/// The placeholder a row written by `map` on `side` with this key would hydrate.
pub(super) fn hydrated_ref(map: &ResolvedMap, side: Side, key: &Key) -> PlaceholderRef {
    PlaceholderRef {
        map_id: map.id().to_string(),
        side,
        key: key_text(key),
    }
}

/// The maps whose lookups reference `parent_map`: their held children may now resolve.
pub(super) fn child_maps<'a>(engine: &'a Engine, parent_map: &'a str) -> Vec<&'a str> {
    engine
        .maps
        .iter()
        .filter(|m| {
            m.fields.iter().any(|f| {
                f.lookup
                    .as_ref()
                    .is_some_and(|l| l.provider_map == parent_map)
            })
        })
        .map(|m| m.id())
        .collect()
}
