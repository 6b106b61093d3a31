//! Reading a side's rows by key, for both paths of the round.
//!
//! The batched path ([`super::batch`]) reads many keys per round trip and matches the rows back
//! to their entries by key value text ([`MatchKey`]): the two endpoints may type a key column
//! differently, and a row comes back in no particular order. The per-entry path
//! ([`super::process`]) reads one key and takes the row the endpoint returns.

use std::collections::HashMap;

use crate::endpoint::{Key, Row};
use crate::model::Side;

use super::super::rows::comparable;
use super::super::{Engine, EngineError, ResolvedMap};

/// A key compared by value text (the two endpoints may type a key column differently).
pub(super) type MatchKey = Vec<String>;

pub(super) fn match_key(key: &Key) -> MatchKey {
    key.values().iter().map(comparable).collect()
}

/// The rows of `side` with these keys, by key.
pub(super) async fn rows_by_key(
    engine: &Engine,
    map: &ResolvedMap,
    side: Side,
    keys: &[Key],
) -> Result<HashMap<MatchKey, Row>, EngineError> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = read(engine, map, side, keys).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Key::from_row(&row, map.keys(side)).map(|k| (match_key(&k), row)))
        .collect())
}

/// The row of `side` with this key, if there is one.
pub(super) async fn read_one(
    engine: &Engine,
    map: &ResolvedMap,
    side: Side,
    key: &Key,
) -> Result<Option<Row>, EngineError> {
    let rows = read(engine, map, side, std::slice::from_ref(key)).await?;
    Ok(rows.into_iter().next())
}

async fn read(
    engine: &Engine,
    map: &ResolvedMap,
    side: Side,
    keys: &[Key],
) -> Result<Vec<Row>, EngineError> {
    Ok(engine
        .endpoint(side)
        .read_by_keys(map.table(side), map.keys(side), keys)
        .await?)
}
