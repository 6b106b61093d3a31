//! Value classes: what kind of [`Value`] a column holds, and lossless conversion into it.
//!
//! The two sides of a map rarely agree on types (a flag is `BOOLEAN` in PostgreSQL and `0/1` in
//! SQLite; an amount is `NUMERIC` in one and `REAL` in the other; keys arrive as text from a
//! transaction file). Each discovered column gets a class, and every value written or used as a key
//! is converted to that class first, but only when nothing is lost: `"42"` becomes `42` for an
//! integer column, `"4x"` is refused with the table, column and value named, instead of being
//! silently stored as text (SQLite) or failing deep inside a batch (PostgreSQL).

use super::Value;

/// The kind of value a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum ValueClass {
    /// Whole numbers.
    Integer,
    /// Floating point and decimal numbers.
    Real,
    /// Booleans (SQLite stores them as 0/1).
    Bool,
    /// Text, and types rendered as text (dates, GUIDs, JSON...).
    Text,
    /// No declared type (SQLite): values are kept as they are.
    Any,
}

impl ValueClass {
    /// The class of a SQLite declared type, following SQLite's column affinity rules, with
    /// booleans and decimals recognised by name.
    pub fn of_sqlite_type(declared: &str) -> ValueClass {
        let t = declared.to_ascii_uppercase();
        if t.contains("BOOL") {
            ValueClass::Bool
        } else if t.contains("INT") {
            ValueClass::Integer
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            ValueClass::Text
        } else if ["REAL", "FLOA", "DOUB", "DEC", "NUM"]
            .iter()
            .any(|k| t.contains(k))
        {
            ValueClass::Real
        } else {
            ValueClass::Any
        }
    }

    /// The class of a PostgreSQL type as `format_type(oid, NULL)` names it.
    pub fn of_postgres_type(base_type: &str) -> ValueClass {
        match base_type {
            "smallint" | "integer" | "bigint" => ValueClass::Integer,
            "real" | "double precision" | "numeric" => ValueClass::Real,
            "boolean" => ValueClass::Bool,
            _ => ValueClass::Text,
        }
    }

    /// How the class is named in messages.
    pub fn label(self) -> &'static str {
        match self {
            ValueClass::Integer => "an integer",
            ValueClass::Real => "a number",
            ValueClass::Bool => "a boolean",
            ValueClass::Text => "text",
            ValueClass::Any => "any value",
        }
    }

    /// Whether `value` already is of this class (or NULL), so it needs no conversion.
    pub fn holds(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (_, Value::Null)
                | (ValueClass::Any, _)
                | (ValueClass::Integer, Value::Integer(_))
                | (ValueClass::Real, Value::Real(_))
                | (ValueClass::Bool, Value::Bool(_))
                | (ValueClass::Text, Value::Text(_))
        )
    }

    /// Converts `value` to this class without losing information; `None` when that is impossible.
    /// NULL stays NULL.
    pub fn coerce(self, value: &Value) -> Option<Value> {
        match (self, value) {
            (_, Value::Null) | (ValueClass::Any, _) => Some(value.clone()),
            (ValueClass::Integer, Value::Integer(_))
            | (ValueClass::Real, Value::Real(_))
            | (ValueClass::Bool, Value::Bool(_))
            | (ValueClass::Text, Value::Text(_)) => Some(value.clone()),
            (ValueClass::Integer, Value::Bool(b)) => Some(Value::Integer(i64::from(*b))),
            (ValueClass::Integer, Value::Real(r)) => real_to_integer(*r).map(Value::Integer),
            (ValueClass::Integer, Value::Text(t)) => t.trim().parse().ok().map(Value::Integer),
            (ValueClass::Real, Value::Integer(i)) => Some(Value::Real(*i as f64)),
            (ValueClass::Real, Value::Text(t)) => t
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|r| r.is_finite())
                .map(Value::Real),
            (ValueClass::Real, Value::Bool(_)) => None,
            (ValueClass::Bool, Value::Integer(0)) => Some(Value::Bool(false)),
            (ValueClass::Bool, Value::Integer(1)) => Some(Value::Bool(true)),
            (ValueClass::Bool, Value::Integer(_) | Value::Real(_)) => None,
            (ValueClass::Bool, Value::Text(t)) => text_to_bool(t).map(Value::Bool),
            (ValueClass::Text, Value::Bool(b)) => Some(Value::Text(b.to_string())),
            (ValueClass::Text, Value::Integer(i)) => Some(Value::Text(i.to_string())),
            (ValueClass::Text, Value::Real(r)) => Some(Value::Text(r.to_string())),
        }
    }
}

fn real_to_integer(r: f64) -> Option<i64> {
    // i64::MAX is not exactly representable; stay strictly inside the range.
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&r);
    (r.fract() == 0.0 && in_range).then_some(r as i64)
}

fn text_to_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" => Some(true),
        "false" | "f" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_affinity_rules_pick_the_class() {
        assert_eq!(ValueClass::of_sqlite_type("INTEGER"), ValueClass::Integer);
        assert_eq!(ValueClass::of_sqlite_type("bigint"), ValueClass::Integer);
        assert_eq!(ValueClass::of_sqlite_type("VARCHAR(20)"), ValueClass::Text);
        assert_eq!(
            ValueClass::of_sqlite_type("DECIMAL(10,2)"),
            ValueClass::Real
        );
        assert_eq!(ValueClass::of_sqlite_type("BOOLEAN"), ValueClass::Bool);
        assert_eq!(ValueClass::of_sqlite_type(""), ValueClass::Any);
        assert_eq!(ValueClass::of_sqlite_type("DATETIME"), ValueClass::Any);
    }

    #[test]
    fn coercion_is_lossless_or_refused() {
        let int = ValueClass::Integer;
        assert_eq!(int.coerce(&Value::from(" 42 ")), Some(Value::Integer(42)));
        assert_eq!(int.coerce(&Value::Real(3.0)), Some(Value::Integer(3)));
        assert_eq!(int.coerce(&Value::Real(3.5)), None);
        assert_eq!(int.coerce(&Value::from("4x")), None);
        assert_eq!(
            ValueClass::Bool.coerce(&Value::Integer(1)),
            Some(Value::Bool(true))
        );
        assert_eq!(ValueClass::Bool.coerce(&Value::Integer(2)), None);
        assert_eq!(
            ValueClass::Real.coerce(&Value::from("12.50")),
            Some(Value::Real(12.5))
        );
        assert_eq!(ValueClass::Real.coerce(&Value::from("NaN")), None);
        assert_eq!(
            ValueClass::Text.coerce(&Value::Integer(7)),
            Some(Value::from("7"))
        );
        assert_eq!(ValueClass::Integer.coerce(&Value::Null), Some(Value::Null));
    }
}
