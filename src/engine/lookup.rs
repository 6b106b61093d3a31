//! Lookups between the two representations of a reference.
//!
//! F&O holds the referenced row's natural key (a customer group code), Dataverse the referenced
//! row's GUID id. Both representations live side by side in the referenced Dataverse table
//! (its id column and its natural-key column), so the engine always asks that table:
//! - to Dataverse: natural key -> id, by reading the table by its natural-key column;
//! - to F&O: id -> natural key, by reading the table by its id.
//!
//! Reads are batched per page and per field (one `read_by_keys` for all distinct values not yet
//! known) and cached for the whole run, because the same few parents (currencies, groups,
//! companies) are referenced by thousands of rows.
//!
//! # Company-qualified lookups
//! When the referencing map is company-striped (its F&O `dataAreaId` field) and the referenced
//! map is too, a natural key only identifies a row within a company (customer group `10` exists in
//! USMF and in DEMF). The lookup then reads the referenced table by (company column, natural key),
//! where the company value is the referencing row's company in the Dataverse representation: the
//! destination row's company column on the way to Dataverse (its company field is resolved first
//! when it is a lookup itself), the source row's on the way to F&O. Ids are unique on their own, so
//! the way back needs no qualification.
//!
//! A value that finds no row is the familiar "lookup not found" application error, naming the
//! table, column and value (and company). NULL stays NULL: an empty reference is not an error.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use crate::endpoint::{Endpoint, Key, Row, Value};
use crate::model::Side;

use super::resolve::{ResolvedField, ResolvedLookup, ResolvedMap};
use super::EngineError;

/// Resolves lookups against the Dataverse endpoint, with a cache for the run.
pub struct LookupResolver {
    dataverse: Arc<dyn Endpoint>,
    /// (table, direction, company text, value text) -> the other representation.
    cache: Mutex<HashMap<CacheKey, Value>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    table: String,
    to_id: bool,
    company: Option<String>,
    value: String,
}

impl LookupResolver {
    /// A resolver reading from the Dataverse endpoint.
    pub fn new(dataverse: Arc<dyn Endpoint>) -> Self {
        Self {
            dataverse,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the lookup columns of rows transformed for `destination` (still holding the
    /// source representation) by the destination's representation. One result per row: a row
    /// whose reference cannot be resolved gets the error, the others go on. `include` selects
    /// the fields as for the transform.
    pub async fn resolve_rows(
        &self,
        map: &ResolvedMap,
        destination: Side,
        sources: &[impl std::borrow::Borrow<Row>],
        rows: Vec<Row>,
        include: impl Fn(&ResolvedField) -> bool,
    ) -> Result<Vec<Result<Row, EngineError>>, EngineError> {
        let mut results: Vec<Result<Row, EngineError>> = rows.into_iter().map(Ok).collect();
        let mut fields: Vec<&ResolvedField> = map
            .fields_to(destination)
            .filter(|f| f.lookup.is_some() && include(f))
            .collect();
        // The company field first: other lookups are qualified by its resolved value.
        fields.sort_by_key(|f| Some(f.index) != map.company_field);
        for field in fields {
            let Some(lookup) = &field.lookup else {
                continue;
            };
            let column = field.column(destination);
            let qualified = destination == Side::Dataverse
                && lookup.company_column.is_some()
                && map.company_field.is_some()
                && Some(field.index) != map.company_field;
            let company_of = |index: usize, row: &Row| -> Option<Value> {
                if !qualified {
                    return None;
                }
                let company_column = map.company_column(Side::Dataverse)?;
                match destination {
                    Side::Dataverse => row.get(company_column).cloned(),
                    Side::Fno => sources.get(index)?.borrow().get(company_column).cloned(),
                }
            };
            let wanted: Vec<(Option<Value>, Value)> = results
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.as_ref().ok().map(|row| (i, row)))
                .filter_map(|(i, row)| {
                    let value = row.get(column).filter(|v| !v.is_null())?;
                    Some((company_of(i, row), value.clone()))
                })
                .collect();
            let to_id = destination == Side::Dataverse;
            self.fill_cache(lookup, to_id, &wanted).await?;
            for (i, result) in results.iter_mut().enumerate() {
                let Ok(row) = result else {
                    continue;
                };
                let Some(value) = row.get(column).filter(|v| !v.is_null()).cloned() else {
                    continue;
                };
                let company = company_of(i, row);
                match self.cached(lookup, to_id, company.as_ref(), &value) {
                    Some(resolved) => {
                        // The column is there (its value was just read): replace in place.
                        if let Some(slot) = row.get_mut(column) {
                            *slot = resolved;
                        }
                    }
                    None => {
                        *result = Err(EngineError::LookupNotFound {
                            table: lookup.dataverse_table.clone(),
                            column: if to_id {
                                lookup.natural_key.clone()
                            } else {
                                lookup.id_column.clone()
                            },
                            value: value.to_string(),
                            company: company.map(|c| c.to_string()),
                        })
                    }
                }
            }
        }
        Ok(results)
    }

    fn cached(
        &self,
        lookup: &ResolvedLookup,
        to_id: bool,
        company: Option<&Value>,
        value: &Value,
    ) -> Option<Value> {
        let key = cache_key(lookup, to_id, company, value);
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned()
    }

    /// Reads the referenced rows of every value not in the cache yet, in one batch.
    async fn fill_cache(
        &self,
        lookup: &ResolvedLookup,
        to_id: bool,
        wanted: &[(Option<Value>, Value)],
    ) -> Result<(), EngineError> {
        let mut seen = HashSet::new();
        let missing: Vec<&(Option<Value>, Value)> = wanted
            .iter()
            .filter(|(company, value)| {
                self.cached(lookup, to_id, company.as_ref(), value)
                    .is_none()
                    && seen.insert(cache_key(lookup, to_id, company.as_ref(), value))
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let by_company = to_id && missing.iter().any(|(c, _)| c.is_some());
        let (key_columns, keys): (Vec<String>, Vec<Key>) = match (to_id, by_company) {
            (true, true) => (
                vec![
                    lookup.company_column.clone().unwrap_or_default(),
                    lookup.natural_key.clone(),
                ],
                missing
                    .iter()
                    .map(|(c, v)| Key::new(vec![c.clone().unwrap_or(Value::Null), v.clone()]))
                    .collect(),
            ),
            (true, false) => (
                vec![lookup.natural_key.clone()],
                missing
                    .iter()
                    .map(|(_, v)| Key::new(vec![v.clone()]))
                    .collect(),
            ),
            (false, _) => (
                vec![lookup.id_column.clone()],
                missing
                    .iter()
                    .map(|(_, v)| Key::new(vec![v.clone()]))
                    .collect(),
            ),
        };
        let rows = self
            .dataverse
            .read_by_keys(&lookup.dataverse_table, &key_columns, &keys)
            .await?;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        for row in rows {
            let (Some(natural), Some(id)) = (
                row.get(lookup.natural_key.as_str()),
                row.get(lookup.id_column.as_str()),
            ) else {
                continue;
            };
            let company = if by_company {
                lookup
                    .company_column
                    .as_ref()
                    .and_then(|c| row.get(c.as_str()))
            } else {
                None
            };
            let (from, to) = if to_id { (natural, id) } else { (id, natural) };
            cache
                .entry(cache_key(lookup, to_id, company, from))
                .or_insert_with(|| to.clone());
        }
        Ok(())
    }
}

fn cache_key(
    lookup: &ResolvedLookup,
    to_id: bool,
    company: Option<&Value>,
    value: &Value,
) -> CacheKey {
    CacheKey {
        table: lookup.dataverse_table.clone(),
        to_id,
        company: company.map(text_of),
        value: text_of(value),
    }
}

/// Values compare by their text, so `42` read back from an integer column matches `"42"`.
fn text_of(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        other => other.to_string(),
    }
}
