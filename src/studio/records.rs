//! One record on both endpoints, side by side, field by field.
//!
//! After a test sync a consultant checks a record: the row on the side it came from, the row the
//! map's keys lead to on the other side, and for every field mapping the two values and whether
//! they agree. The other side's key comes from the map's key fields, as the engine finds it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::endpoint::{Endpoint, Key, Value, ValueClass};
use crate::engine::resolve::ResolvedMap;
use crate::engine::rows::{comparable, row_json, translate_key};
use crate::engine::Engine;
use crate::model::{IdKind, Side, UnknownId};

use super::error::StudioError;
use super::secrets::KeychainSecrets;

/// Which record to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordRequest {
    pub project_path: String,
    pub map: String,
    /// The side the key belongs to.
    pub side: Side,
    /// The key values in the order of that side's key columns (as text; numbers are read as
    /// numbers where the column holds numbers).
    pub key: Vec<String>,
}

/// One field mapping's two values.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldPair {
    pub fno: String,
    pub dataverse: String,
    pub fno_value: Option<serde_json::Value>,
    pub dataverse_value: Option<serde_json::Value>,
    /// Both rows exist and the values compare equal (lookups compare ids with keys, so they
    /// are shown but not compared).
    pub same: bool,
    pub lookup: bool,
}

/// A record on both sides.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RecordPair {
    pub map: String,
    pub fno_table: String,
    pub dataverse_table: String,
    /// The whole rows, when they exist.
    pub fno_row: Option<serde_json::Value>,
    pub dataverse_row: Option<serde_json::Value>,
    pub fields: Vec<FieldPair>,
}

/// Reads the record on both sides.
pub async fn record_pair(request: &RecordRequest) -> Result<RecordPair, StudioError> {
    let path = Path::new(&request.project_path);
    let engine = Engine::open_with_secrets(path, None, &KeychainSecrets).await?;
    let result = read_pair(&engine, request).await;
    engine.close().await;
    result
}

async fn read_pair(engine: &Engine, request: &RecordRequest) -> Result<RecordPair, StudioError> {
    engine.project().require_map(&request.map)?;
    let map = engine
        .map(&request.map)
        .ok_or_else(|| UnknownId {
            kind: IdKind::Map,
            id: request.map.clone(),
            closest: None,
        })?
        .clone();
    let schema = engine.endpoint(request.side).schema().await?;
    let table = schema.table(
        engine.endpoint(request.side).name(),
        map.table(request.side),
    )?;
    let key = Key::new(
        map.keys(request.side)
            .iter()
            .zip(&request.key)
            .map(|(column, text)| {
                let class = table
                    .column(engine.endpoint(request.side).name(), column)
                    .map(|c| c.class);
                key_value(text, class.ok())
            })
            .collect(),
    );
    let other_key = match translate_key(&map, request.side, &key) {
        Some(other) => Some(resolve_key_lookups(engine, &map, request.side.other(), other).await?),
        None => None,
    };
    let mut rows = [None, None];
    for (side, key) in [(request.side, Some(key)), (request.side.other(), other_key)] {
        let Some(key) = key else { continue };
        let endpoint: &dyn Endpoint = engine.endpoint(side).as_ref();
        let found = endpoint
            .read_by_keys(map.table(side), map.keys(side), std::slice::from_ref(&key))
            .await?;
        let row = found.into_iter().next().or(None);
        rows[usize::from(side == Side::Dataverse)] = row;
    }
    let [fno_row, dataverse_row] = rows;
    let fields = map
        .fields
        .iter()
        .map(|field| {
            let fno_value = fno_row.as_ref().and_then(|r| r.get(field.fno.as_str()));
            let dataverse_value = dataverse_row
                .as_ref()
                .and_then(|r| r.get(field.dataverse.as_str()));
            let same = match (fno_value, dataverse_value) {
                (Some(a), Some(b)) => comparable(a) == comparable(b),
                _ => false,
            };
            FieldPair {
                fno: field.fno.to_string(),
                dataverse: field.dataverse.to_string(),
                fno_value: fno_value.map(Value::to_json),
                dataverse_value: dataverse_value.map(Value::to_json),
                same: same && field.lookup.is_none(),
                lookup: field.lookup.is_some(),
            }
        })
        .collect();
    Ok(RecordPair {
        map: map.id().to_string(),
        fno_table: map.fno_table.clone(),
        dataverse_table: map.dataverse_table.clone(),
        fno_row: fno_row.as_ref().map(row_json),
        dataverse_row: dataverse_row.as_ref().map(row_json),
        fields,
    })
}

/// A key carried over by [`translate_key`] holds the source side's representation of lookup
/// columns (a company code from F&O, a company id from Dataverse); each such column is converted
/// through the referenced Dataverse table. A value with no match is kept, and simply finds no row.
async fn resolve_key_lookups(
    engine: &Engine,
    map: &ResolvedMap,
    to: Side,
    key: Key,
) -> Result<Key, StudioError> {
    let dataverse = engine.endpoint(Side::Dataverse);
    let mut values = key.values().to_vec();
    for (position, column) in map.keys(to).iter().enumerate() {
        let Some(lookup) = map
            .fields
            .iter()
            .find(|f| f.column(to) == column)
            .and_then(|f| f.lookup.as_ref())
        else {
            continue;
        };
        let Some(value) = values.get(position).cloned() else {
            continue;
        };
        // To Dataverse: natural key -> id; to F&O: id -> natural key.
        let (by, take) = match to {
            Side::Dataverse => (&lookup.natural_key, &lookup.id_column),
            Side::Fno => (&lookup.id_column, &lookup.natural_key),
        };
        let found = dataverse
            .read_by_keys(
                &lookup.dataverse_table,
                std::slice::from_ref(by),
                &[Key::new(vec![value])],
            )
            .await?;
        if let Some(resolved) = found.first().and_then(|row| row.get(take.as_str())) {
            values[position] = resolved.clone();
        }
    }
    Ok(Key::new(values))
}

/// A key value typed in a form, read as the column's kind of value.
fn key_value(text: &str, class: Option<ValueClass>) -> Value {
    let number = match class {
        Some(ValueClass::Integer) => text.trim().parse::<i64>().ok().map(Value::Integer),
        Some(ValueClass::Real) => text.trim().parse::<f64>().ok().map(Value::Real),
        _ => None,
    };
    number.unwrap_or_else(|| Value::Text(text.to_string()))
}
