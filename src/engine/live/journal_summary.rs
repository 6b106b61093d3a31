//! The first format of the live journal entry, kept to read entries that earlier builds left
//! unfinished (this build writes [`super::journal_entry`]'s): each side's operations by table and
//! key, the values applied, and for the target the row as it was before (its pre-image), which
//! compensation restores.
//!
//! These are business rows of the unit of work, never connection data or secrets.

use serde::{Deserialize, Serialize};

use crate::endpoint::{Key, Operation, Row, Value};

use super::txn_file::TxnOp;

/// One operation of one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalOp {
    pub map: String,
    pub table: String,
    pub key_columns: Vec<String>,
    /// The key in [`Key::canonical`] form.
    pub key: String,
    pub op: TxnOp,
    /// The values written (upserts).
    pub values: Option<serde_json::Value>,
    /// The row before the write (target side only; `None` when there was no row).
    pub pre_image: Option<serde_json::Value>,
}

/// Both sides' operations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalSummary {
    pub source: Vec<JournalOp>,
    pub target: Vec<JournalOp>,
}

impl JournalOp {
    /// The journaled operation of an endpoint operation.
    pub fn of(map: &str, operation: &Operation, key: &Key, pre_image: Option<&Row>) -> Self {
        let (table, key_columns, op, values) = match operation {
            Operation::Upsert {
                table,
                key_columns,
                values,
            } => (table, key_columns, TxnOp::Upsert, Some(row_to_json(values))),
            Operation::Delete {
                table, key_columns, ..
            } => (table, key_columns, TxnOp::Delete, None),
        };
        JournalOp {
            map: map.to_string(),
            table: table.clone(),
            key_columns: key_columns.clone(),
            key: key.canonical(),
            op,
            values,
            pre_image: pre_image.map(row_to_json),
        }
    }
}

/// A row as a JSON object.
pub fn row_to_json(row: &Row) -> serde_json::Value {
    super::super::rows::row_json(row)
}

/// A JSON object back as a row (non-scalars become NULL).
pub fn row_from_json(json: &serde_json::Value) -> Row {
    json.as_object()
        .map(|object| {
            object
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().into(),
                        Value::from_json(v).unwrap_or(Value::Null),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
