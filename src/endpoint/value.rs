//! Values, rows and keys as the engine sees them, independent of the database behind an endpoint.
//!
//! Five kinds of value are enough for dual-write data (codes, names, amounts, flags, ids): every
//! endpoint converts its own types to and from these. Keeping the set small is what lets a row read
//! from SQLite be compared with, and written to, PostgreSQL or (later) the Dataverse Web API.
//!
//! Equality of reals is bit equality (`NaN == NaN`, `0.0 != -0.0`): the engine compares values to
//! decide whether a row changed, and "the same bits" is the only answer that never ping-pongs.
//!
//! A [`Key`] is the ordered values of a table's key columns. Its canonical text form is a compact
//! JSON array (`["USMF","C-0001"]`): unambiguous for any value, parseable back, and stable across
//! endpoints, so the engine can use it as the key of queue entries and snapshots.

use std::fmt;
use std::hash::{Hash, Hasher};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// One column value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// SQL NULL (JSON `null`).
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Integer(i64),
    /// A double-precision number (SQL REAL, DOUBLE, NUMERIC/DECIMAL amounts).
    Real(f64),
    /// Text (also dates, GUIDs and other types an endpoint renders as text).
    Text(String),
}

/// A column's name in a [`Row`]. Names up to 23 bytes (nearly all column names) are stored inline
/// and longer ones shared, so building a row allocates nothing per column name: the scan and the
/// transform build a row per source row, and at a million rows the `String` keys they allocated
/// were among the largest costs in a profile of the initial sync (`smol_str`, maintained with
/// rust-analyzer, rather than a hand-written small string).
pub type ColumnName = smol_str::SmolStr;

/// A row: column name -> value, in column order.
pub type Row = IndexMap<ColumnName, Value>;

impl Value {
    /// Whether this is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as a `serde_json` value (reals that JSON cannot hold become `null`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Integer(i) => serde_json::Value::from(*i),
            Value::Real(r) => serde_json::Number::from_f64(*r)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(t) => serde_json::Value::String(t.clone()),
        }
    }

    /// The value of a JSON scalar; `None` for arrays and objects.
    pub fn from_json(json: &serde_json::Value) -> Option<Value> {
        Some(match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Integer(i),
                None => Value::Real(n.as_f64()?),
            },
            serde_json::Value::String(s) => Value::Text(s.clone()),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => return None,
        })
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Real(a), Value::Real(b)) => a.to_bits() == b.to_bits(),
            (Value::Text(a), Value::Text(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Bool(b) => b.hash(state),
            Value::Integer(i) => i.hash(state),
            Value::Real(r) => r.to_bits().hash(state),
            Value::Text(t) => t.hash(state),
        }
    }
}

impl fmt::Display for Value {
    /// How a value appears in messages: text quoted, NULL as `NULL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Real(r) => write!(f, "{r}"),
            Value::Text(t) => write!(f, "'{t}'"),
        }
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(value.to_string())
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}

impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Integer(value)
    }
}

impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Real(value)
    }
}

impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map(Into::into).unwrap_or(Value::Null)
    }
}

/// The ordered values of a row's key columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Key(Vec<Value>);

/// Why a canonical key text could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum KeyParseError {
    /// Not a JSON array of scalars.
    #[error(
        "\"{text}\" is not a key (expected a JSON array of values such as [\"USMF\",42]): {reason}"
    )]
    Invalid { text: String, reason: String },
}

impl Key {
    /// A key from its values, in key-column order.
    pub fn new(values: Vec<Value>) -> Self {
        Key(values)
    }

    /// The key values, in key-column order.
    pub fn values(&self) -> &[Value] {
        &self.0
    }

    /// Consumes the key into its values.
    pub fn into_values(self) -> Vec<Value> {
        self.0
    }

    /// The number of key values.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the key has no values.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The key of `row` on `key_columns`; `None` when the row lacks one of them.
    pub fn from_row(row: &Row, key_columns: &[impl AsRef<str>]) -> Option<Key> {
        key_columns
            .iter()
            .map(|c| row.get(c.as_ref()).cloned())
            .collect::<Option<Vec<_>>>()
            .map(Key)
    }

    /// The canonical text form: a compact JSON array, e.g. `["USMF","C-0001"]`.
    pub fn canonical(&self) -> String {
        let array: Vec<serde_json::Value> = self.0.iter().map(Value::to_json).collect();
        serde_json::Value::Array(array).to_string()
    }

    /// Parses a canonical text form (any JSON array of scalars is accepted).
    pub fn parse(text: &str) -> Result<Key, KeyParseError> {
        let invalid = |reason: String| KeyParseError::Invalid {
            text: text.to_string(),
            reason,
        };
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let serde_json::Value::Array(items) = json else {
            return Err(invalid("not an array".to_string()));
        };
        items
            .iter()
            .map(|item| {
                Value::from_json(item).ok_or_else(|| invalid(format!("{item} is not a scalar")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Key)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl From<Vec<Value>> for Key {
    fn from(values: Vec<Value>) -> Self {
        Key(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_json() {
        let row: Row = [
            ("n".into(), Value::Null),
            ("b".into(), Value::Bool(true)),
            ("i".into(), Value::Integer(-7)),
            ("r".into(), Value::Real(2.0)),
            ("r2".into(), Value::Real(0.1)),
            ("t".into(), Value::Text("x\"y".to_string())),
        ]
        .into_iter()
        .collect();
        let text = serde_json::to_string(&row).unwrap();
        let back: Row = serde_json::from_str(&text).unwrap();
        assert_eq!(back, row);
        assert_eq!(back["r"], Value::Real(2.0));
        assert_ne!(back["r"], Value::Integer(2));
    }

    #[test]
    fn key_canonical_form_is_compact_json_and_parses_back() {
        let key = Key::new(vec!["USMF".into(), Value::Integer(42), Value::Null]);
        assert_eq!(key.canonical(), r#"["USMF",42,null]"#);
        assert_eq!(Key::parse(&key.canonical()).unwrap(), key);
        assert_eq!(Key::parse(r#"[ "USMF", 42, null ]"#).unwrap(), key);
        assert!(Key::parse(r#"{"a":1}"#).is_err());
        assert!(Key::parse(r#"[[1]]"#).is_err());
    }

    #[test]
    fn key_from_row_follows_key_column_order() {
        let row: Row = [("a", Value::Integer(1)), ("b", Value::from("x"))]
            .into_iter()
            .map(|(k, v)| (ColumnName::from(k), v))
            .collect();
        let key = Key::from_row(&row, &["b", "a"]).unwrap();
        assert_eq!(key.values(), &[Value::from("x"), Value::Integer(1)]);
        assert!(Key::from_row(&row, &["c"]).is_none());
    }
}
