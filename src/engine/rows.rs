//! Small conversions shared by the initial sync and the async round: keys to the store's key
//! text, rows to JSON for snapshots and the error log, and keys from one side's integration key
//! to the other's through the map's key fields.

use crate::endpoint::{Key, Row, Value};
use crate::model::Side;
use crate::store::{values_array_text, KeyText};

use super::resolve::ResolvedMap;

/// The store's canonical text of a key: the text of [`KeyText::from_values`] of the values'
/// JSON, serialised straight from the values (no JSON tree per key: a million of them in an
/// initial sync).
pub fn key_text(key: &Key) -> KeyText {
    KeyText::from_canonical(values_array_text(key.values()))
}

/// A key read back from the store.
pub fn key_of(text: &KeyText) -> Option<Key> {
    Key::parse(text.as_str()).ok()
}

/// A row as a JSON object.
pub fn row_json(row: &Row) -> serde_json::Value {
    serde_json::Value::Object(
        row.iter()
            .map(|(column, value)| (column.to_string(), value.to_json()))
            .collect(),
    )
}

/// The key of the same row on the other side: each of the other side's key columns takes the
/// value of the field that maps it (`None` when a key column has no field).
pub fn translate_key(map: &ResolvedMap, from: Side, key: &Key) -> Option<Key> {
    let to = from.other();
    let values = map
        .keys(to)
        .iter()
        .map(|column| {
            let field = map.fields.iter().find(|f| f.column(to) == column)?;
            let position = map
                .keys(from)
                .iter()
                .position(|k| k == field.column(from))?;
            key.values().get(position).cloned()
        })
        .collect::<Option<Vec<Value>>>()?;
    Some(Key::new(values))
}

/// The text two values are compared by (classes differ between endpoints: `1` and `1.0`, `true`
/// and `1` are not changes).
pub fn comparable(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(b) => i64::from(*b).to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) if r.fract() == 0.0 && r.abs() < 1e15 => format!("{}", *r as i64),
        Value::Real(r) => r.to_string(),
        Value::Text(t) => t.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_text_is_the_text_of_the_values_json() {
        let values = vec![
            Value::Null,
            Value::Bool(false),
            Value::Integer(-12),
            Value::Real(2.5),
            Value::Real(3.0),
            Value::Real(f64::NAN),
            Value::from("U\"S\u{e9}\\MF"),
        ];
        let json: Vec<serde_json::Value> = values.iter().map(Value::to_json).collect();
        assert_eq!(key_text(&Key::new(values)), KeyText::from_values(&json));
    }
}
