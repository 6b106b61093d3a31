//! Checks a unit of work against the platform's live-sync limits and the project's maps before
//! anything is sent, and pairs each row with the map that carries it.
//!
//! Every refusal says how to split the transaction, because the fix is always on the sender's
//! side. Deletes of async maps are allowed: the platform sends deletes live whatever the map's
//! mode ("deletes always go live"), so only creates and updates of async maps count as mixing
//! live and async maps.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::endpoint::schema::resolve_name;
use crate::endpoint::{Key, Row, Value};
use crate::model::{Side, SyncMode};
use crate::validate::platform_limits::{
    MAX_LIVE_LEGAL_ENTITIES, MAX_LIVE_PAYLOAD_BYTES, MAX_LIVE_RECORDS_PER_TRANSACTION,
};

use super::super::resolve::ResolvedMap;
use super::txn_file::{TxnOp, TxnRow};

/// The limits a live transaction is checked against (the platform's by default).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveLimits {
    /// Records per transaction.
    pub max_records: usize,
    /// Serialized JSON size of the unit of work, in bytes.
    pub max_payload_bytes: u64,
    /// Distinct legal entities per transaction.
    pub max_legal_entities: usize,
}

impl Default for LiveLimits {
    fn default() -> Self {
        Self {
            max_records: MAX_LIVE_RECORDS_PER_TRANSACTION as usize,
            max_payload_bytes: MAX_LIVE_PAYLOAD_BYTES,
            max_legal_entities: MAX_LIVE_LEGAL_ENTITIES,
        }
    }
}

/// Why a unit of work was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("the transaction has no rows; list at least one row")]
    Empty,
    #[error(
        "the transaction has {count} records, more than the {limit} one live transaction may \
         carry; split it into transactions of at most {limit} records (e.g. `--split {limit}`)"
    )]
    TooManyRecords { count: usize, limit: usize },
    #[error(
        "the transaction's payload is {bytes} bytes, more than the {limit} bytes (116.85 MB) one \
         live transaction may carry; split it into smaller transactions (`--split N`)"
    )]
    PayloadTooLarge { bytes: u64, limit: u64 },
    #[error(
        "the transaction spans {count} legal entities, more than the {limit} one live \
         transaction may span; split it by legal entity"
    )]
    TooManyLegalEntities { count: usize, limit: usize },
    #[error(
        "the transaction mixes live maps ({}) and creates/updates of async maps ({}); send the \
         async maps' rows through the queue (`dualwrite sync`) and only the live maps' rows live",
        live.join(", "), asynchronous.join(", ")
    )]
    MixedModes {
        live: Vec<String>,
        asynchronous: Vec<String>,
    },
    #[error(
        "rows [{}] create or update async maps ({}), which sync through the queue, not live; send \
         them with `dualwrite sync` or make the maps live",
        rows.iter().map(usize::to_string).collect::<Vec<_>>().join(", "), maps.join(", ")
    )]
    AsyncOnly { rows: Vec<usize>, maps: Vec<String> },
    #[error(
        "row [{index}]: no table map covers table \"{table}\" on the {side} side; add a map for it \
         or send this row separately"
    )]
    NoMap {
        index: usize,
        table: String,
        side: Side,
    },
    #[error("row [{index}].values.{column}: {reason}")]
    BadValue {
        index: usize,
        column: String,
        reason: String,
    },
}

/// A row of the unit of work with its map, as a source-side row.
#[derive(Debug, Clone)]
pub struct PlannedRow {
    /// Position in the transaction file.
    pub index: usize,
    pub map: Arc<ResolvedMap>,
    pub op: TxnOp,
    /// The values in the source side's column names (generated values merged in after the
    /// source applied them).
    pub source: Row,
}

impl PlannedRow {
    /// The row's integration key on the source side.
    pub fn source_key(&self, source: Side) -> Option<Key> {
        Key::from_row(&self.source, self.map.keys(source))
    }
}

/// Checks the limits and pairs rows with maps; nothing is sent.
pub fn plan(
    maps: &[Arc<ResolvedMap>],
    source: Side,
    rows: &[TxnRow],
    limits: &LiveLimits,
) -> Result<Vec<PlannedRow>, Refusal> {
    if rows.is_empty() {
        return Err(Refusal::Empty);
    }
    if rows.len() > limits.max_records {
        return Err(Refusal::TooManyRecords {
            count: rows.len(),
            limit: limits.max_records,
        });
    }
    // The exact size is only needed to refuse: a bound above it that fits settles it without
    // serialising the rows.
    if payload_bound(rows) > limits.max_payload_bytes {
        let bytes = serde_json::to_vec(rows).map_or(u64::MAX, |b| b.len() as u64);
        if bytes > limits.max_payload_bytes {
            return Err(Refusal::PayloadTooLarge {
                bytes,
                limit: limits.max_payload_bytes,
            });
        }
    }
    let mut planned = Vec::with_capacity(rows.len());
    let mut companies = BTreeSet::new();
    let mut seen = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        let map = maps
            .iter()
            .find(|m| m.table(source).eq_ignore_ascii_case(&row.table))
            .ok_or_else(|| Refusal::NoMap {
                index,
                table: row.table.clone(),
                side: source,
            })?;
        let values = source_row(index, map, source, row, &mut seen)?;
        if let Some(company) = map.company_column(source).and_then(|c| values.get(c)) {
            if !company.is_null() {
                companies.insert(company.to_string());
            }
        }
        planned.push(PlannedRow {
            index,
            map: Arc::clone(map),
            op: row.op,
            source: values,
        });
    }
    if companies.len() > limits.max_legal_entities {
        return Err(Refusal::TooManyLegalEntities {
            count: companies.len(),
            limit: limits.max_legal_entities,
        });
    }
    check_modes(&planned)?;
    Ok(planned)
}

/// A bound above the size of the rows as JSON: per row its punctuation and table name, per value
/// its name and value, each text escaped at worst (6 bytes per byte, `\u00XX`), each number at
/// most 32 characters. Lists and objects (refused later) make it unbounded.
fn payload_bound(rows: &[TxnRow]) -> u64 {
    let text = |s: &str| 2 + 6 * s.len() as u64;
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::Null | serde_json::Value::Bool(_) => 5,
        serde_json::Value::Number(_) => 32,
        serde_json::Value::String(s) => text(s),
        serde_json::Value::Array(_) | serde_json::Value::Object(_) => u64::MAX / 4,
    };
    rows.iter()
        .map(|row| {
            row.values
                .iter()
                .fold(64 + text(&row.table), |sum, (column, v)| {
                    sum.saturating_add(2 + text(column))
                        .saturating_add(value(v))
                })
        })
        .fold(2, u64::saturating_add)
}

/// Creates and updates of async maps may not ride in a live transaction; deletes may.
fn check_modes(planned: &[PlannedRow]) -> Result<(), Refusal> {
    let mut live = BTreeSet::new();
    let mut asynchronous = BTreeSet::new();
    let mut async_rows = Vec::new();
    for row in planned {
        match (row.map.map.sync_mode, row.op) {
            (SyncMode::Async, TxnOp::Upsert) => {
                asynchronous.insert(row.map.id().to_string());
                async_rows.push(row.index);
            }
            (SyncMode::Live, _) => {
                live.insert(row.map.id().to_string());
            }
            (SyncMode::Async, TxnOp::Delete) => {}
        }
    }
    match (live.is_empty(), asynchronous.is_empty()) {
        (_, true) => Ok(()),
        (false, false) => Err(Refusal::MixedModes {
            live: live.into_iter().collect(),
            asynchronous: asynchronous.into_iter().collect(),
        }),
        (true, false) => Err(Refusal::AsyncOnly {
            rows: async_rows,
            maps: asynchronous.into_iter().collect(),
        }),
    }
}

/// The row's values as endpoint values in the table's own column names; the key must be there.
///
/// Column names are matched as SQLite, SQL Server (F&O) and Dataverse match them, ignoring ASCII
/// case: a column the map knows (a key or a field) takes the map's spelling, so the key, the
/// company and the fields are found however the file spells them; any other column keeps the
/// file's spelling and the endpoint resolves it against the table the same way. A column given
/// twice under two spellings is refused, naming both.
///
/// `seen` is scratch space the caller reuses from row to row (cleared here).
fn source_row<'r>(
    index: usize,
    map: &ResolvedMap,
    source: Side,
    row: &'r TxnRow,
    seen: &mut HashMap<Folded<'r>, &'r str>,
) -> Result<Row, Refusal> {
    let mut values = Row::with_capacity(row.values.len());
    seen.clear();
    for (column, json) in &row.values {
        let value = Value::from_json(json).ok_or_else(|| Refusal::BadValue {
            index,
            column: column.clone(),
            reason: "expected a scalar (text, number, boolean or null), not a list or object"
                .into(),
        })?;
        if let Some(first) = seen.insert(Folded(column), column) {
            return Err(Refusal::BadValue {
                index,
                column: column.clone(),
                reason: format!(
                    "the same column as \"{first}\" (column names are not case-sensitive); give \
                     it once"
                ),
            });
        }
        let name = map_spelling(map, source, column).unwrap_or(column);
        values.insert(name.into(), value);
    }
    for key in map.keys(source) {
        if values.get(key.as_str()).is_none_or(Value::is_null) {
            return Err(Refusal::BadValue {
                index,
                column: key.clone(),
                reason: format!(
                    "the key column of map \"{}\" is missing; every row needs its integration key ({})",
                    map.id(),
                    map.keys(source).join(", ")
                ),
            });
        }
    }
    Ok(values)
}

/// A column name that compares and hashes ignoring ASCII case, as the databases compare names.
#[derive(Clone, Copy)]
struct Folded<'a>(&'a str);

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl Hash for Folded<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
    }
}

/// The map's spelling of `column` on `source` (its keys and fields), matched as the endpoint
/// matches names ([`resolve_name`]).
fn map_spelling<'m>(map: &'m ResolvedMap, source: Side, column: &str) -> Option<&'m str> {
    let known = map
        .keys(source)
        .iter()
        .map(String::as_str)
        .chain(map.fields.iter().map(|f| f.column(source)));
    resolve_name(known, |name| name, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_bound_is_never_below_the_json_size() {
        let rows: Vec<TxnRow> = serde_json::from_value(serde_json::json!([
            { "table": "T", "op": "upsert", "values": {} },
            { "table": "Items\u{1}", "op": "delete", "values": {
                "a\"b": "\u{0}\u{1f}\n\"\\ é", "n": -1.797_693_134_862_315_7e308, "i": i64::MIN,
                "b": false, "z": null } }
        ]))
        .expect("rows");
        let exact = serde_json::to_vec(&rows).expect("json").len() as u64;
        assert!(
            payload_bound(&rows) >= exact,
            "{} < {exact}",
            payload_bound(&rows)
        );
        let nested: Vec<TxnRow> = serde_json::from_value(serde_json::json!([
            { "table": "T", "op": "upsert", "values": { "a": [1] } }
        ]))
        .expect("rows");
        assert!(payload_bound(&nested) > MAX_LIVE_PAYLOAD_BYTES);
    }
}
