//! Transforming a row of one side into the row the other side stores, through a table map.
//!
//! Pure: no I/O, so every rule is unit-tested. Only fields whose direction writes to the
//! destination are carried. A `valueMap` is written "source value -> destination value" in the
//! field's own direction (F&O -> Dataverse for `=` and `>` fields, Dataverse -> F&O for `<`); a
//! bidirectional field uses it inverted on the way back, which only works when no two source
//! values share a destination value: an ambiguous way back is an error, never a guess. A
//! `default` replaces a null or absent source value.
//!
//! Lookup columns are carried in the source representation here; [`super::lookup`] swaps them
//! (natural key <-> id) afterwards, because that needs the destination endpoint.

use crate::endpoint::{Row, Value};
use crate::model::{FieldDirection, Side, Transform};

use super::resolve::{ResolvedField, ResolvedMap};
use super::EngineError;

/// Transforms `source` (a row of `destination.other()`) into the row for `destination`.
/// `include` decides which of the destination's fields are carried (the first pass of a
/// self-referencing map leaves its deferred lookups out).
pub fn transform_row(
    map: &ResolvedMap,
    destination: Side,
    source: &Row,
    include: impl Fn(&ResolvedField) -> bool,
) -> Result<Row, EngineError> {
    let source_side = destination.other();
    let mut out = Row::with_capacity(map.fields.len());
    for field in map.fields_to(destination).filter(|f| include(f)) {
        let value = source
            .get(field.column(source_side))
            .cloned()
            .unwrap_or(Value::Null);
        let value = transform_value(map.id(), field, destination, value)?;
        out.insert(field.column_name(destination).clone(), value);
    }
    Ok(out)
}

/// Transforms one field's value on its way to `destination`.
pub fn transform_value(
    map_id: &str,
    field: &ResolvedField,
    destination: Side,
    value: Value,
) -> Result<Value, EngineError> {
    match &field.transform {
        None => Ok(value),
        Some(Transform::Default(default)) => {
            if value.is_null() {
                Ok(Value::from_json(default).unwrap_or(Value::Null))
            } else {
                Ok(value)
            }
        }
        Some(Transform::ValueMap(entries)) => {
            let Some(text) = value_text(&value) else {
                return Ok(Value::Null);
            };
            let inverted = field.direction == FieldDirection::Both && destination == Side::Fno;
            if !inverted {
                return entries
                    .get(&text)
                    .and_then(Value::from_json)
                    .ok_or_else(|| EngineError::UnmappedValue {
                        map: map_id.to_string(),
                        field: field.label(),
                        value: value.to_string(),
                    });
            }
            let candidates: Vec<&String> = entries
                .iter()
                .filter(|(_, to)| json_text(to).as_deref() == Some(text.as_str()))
                .map(|(from, _)| from)
                .collect();
            match candidates.as_slice() {
                [one] => Ok(Value::Text((*one).clone())),
                [] => Err(EngineError::UnmappedValue {
                    map: map_id.to_string(),
                    field: field.label(),
                    value: value.to_string(),
                }),
                many => Err(EngineError::NotInvertible {
                    map: map_id.to_string(),
                    field: field.label(),
                    value: value.to_string(),
                    candidates: many.iter().map(|c| format!("\"{c}\"")).collect(),
                }),
            }
        }
    }
}

/// The text a value map matches a value by (`None` for NULL).
fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(r) => Some(r.to_string()),
        Value::Text(t) => Some(t.clone()),
    }
}

fn json_text(json: &serde_json::Value) -> Option<String> {
    Value::from_json(json).as_ref().and_then(value_text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    fn field(direction: FieldDirection, transform: Option<Transform>) -> ResolvedField {
        ResolvedField {
            index: 0,
            fno: "Status".into(),
            dataverse: "statuscode".into(),
            direction,
            transform,
            lookup: None,
        }
    }

    fn value_map(pairs: &[(&str, i64)]) -> Option<Transform> {
        let entries: IndexMap<String, serde_json::Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::json!(v)))
            .collect();
        Some(Transform::ValueMap(entries))
    }

    #[test]
    fn value_map_inverts_on_the_way_back() {
        let f = field(
            FieldDirection::Both,
            value_map(&[("Open", 1), ("Closed", 2)]),
        );
        let there = transform_value("m", &f, Side::Dataverse, "Closed".into());
        assert_eq!(there.ok(), Some(Value::Integer(2)));
        let back = transform_value("m", &f, Side::Fno, Value::Integer(1));
        assert_eq!(back.ok(), Some(Value::Text("Open".into())));
    }

    #[test]
    fn unmapped_value_names_map_field_and_value() {
        let f = field(FieldDirection::Both, value_map(&[("Open", 1)]));
        let error = transform_value("orders", &f, Side::Dataverse, "Lost".into())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("orders") && error.contains("Status") && error.contains("'Lost'"));
    }

    #[test]
    fn ambiguous_way_back_is_refused() {
        let f = field(FieldDirection::Both, value_map(&[("Open", 1), ("New", 1)]));
        let error = transform_value("m", &f, Side::Fno, Value::Integer(1));
        assert!(
            matches!(error, Err(EngineError::NotInvertible { ref candidates, .. }) if candidates.len() == 2)
        );
    }

    #[test]
    fn default_fills_null_only() {
        let f = field(
            FieldDirection::ToDataverse,
            Some(Transform::Default(serde_json::json!("USD"))),
        );
        let filled = transform_value("m", &f, Side::Dataverse, Value::Null);
        assert_eq!(filled.ok(), Some(Value::Text("USD".into())));
        let kept = transform_value("m", &f, Side::Dataverse, "EUR".into());
        assert_eq!(kept.ok(), Some(Value::Text("EUR".into())));
    }
}
