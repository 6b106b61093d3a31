//! Turning a batch of operations into multi-row statements.
//!
//! One statement per row is slow (sqlx SQLite: ~17k rows/s; multi-row statements: ~1M rows/s), so
//! consecutive operations of the same kind on the same table and columns are grouped into chunks
//! that each backend sends as one statement. Grouping never reorders: the engine orders a batch
//! (parents before children, deletes children first) and that order is kept. A chunk also ends
//! where a key repeats, because one statement may not touch a row twice
//! (PostgreSQL: "ON CONFLICT DO UPDATE command cannot affect row a second time").
//!
//! Planning is where names are resolved and values converted, before any SQL is sent.

use std::collections::HashSet;

use super::{
    ColumnSchema, EndpointError, Key, Operation, Result, Schema, TableSchema, Value, ValueClass,
};

/// Limits of one statement.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkLimits {
    /// Bound parameters per statement (SQLite: 32,766).
    pub max_parameters: usize,
    /// Rows per statement.
    pub max_rows: usize,
}

/// What a chunk does.
pub(crate) enum ChunkKind<'s> {
    /// Upsert rows of `columns` by `key_columns`, returning `returning` (the generated columns).
    Upsert {
        columns: Vec<&'s ColumnSchema>,
        key_columns: Vec<&'s ColumnSchema>,
        returning: Vec<&'s ColumnSchema>,
    },
    /// Delete rows by `key_columns`.
    Delete { key_columns: Vec<&'s ColumnSchema> },
}

/// Consecutive operations sent as one statement.
pub(crate) struct Chunk<'s> {
    pub table: &'s TableSchema,
    pub kind: ChunkKind<'s>,
    /// Per row: the values (upsert: in `columns` order; delete: the key), converted.
    pub rows: Vec<Vec<Value>>,
    /// Per row: its key, converted.
    pub keys: Vec<Key>,
}

/// The part of an operation that decides whether it can join the current chunk.
#[derive(PartialEq)]
struct Signature<'o> {
    delete: bool,
    table: &'o str,
    key_columns: &'o [String],
    columns: Vec<&'o str>,
}

impl<'o> Signature<'o> {
    fn of(operation: &'o Operation) -> Self {
        match operation {
            Operation::Upsert {
                table,
                key_columns,
                values,
            } => Signature {
                delete: false,
                table,
                key_columns,
                columns: values.keys().map(String::as_str).collect(),
            },
            Operation::Delete {
                table, key_columns, ..
            } => Signature {
                delete: true,
                table,
                key_columns,
                columns: Vec::new(),
            },
        }
    }
}

/// Plans `operations` into chunks, resolving names against `schema` and converting values.
/// Without `report_generated`, upserts read nothing back (no `RETURNING`): faster for bulk loads.
pub(crate) fn plan<'s>(
    endpoint: &str,
    schema: &'s Schema,
    operations: &[Operation],
    limits: ChunkLimits,
    report_generated: bool,
) -> Result<Vec<Chunk<'s>>> {
    let mut chunks: Vec<Chunk<'s>> = Vec::new();
    let mut current_signature: Option<Signature<'_>> = None;
    let mut current_keys: HashSet<Key> = HashSet::new();
    let mut max_rows = 1;
    for operation in operations {
        let signature = Signature::of(operation);
        let joins = current_signature.as_ref() == Some(&signature)
            && chunks.last().is_some_and(|c| c.rows.len() < max_rows);
        if !joins {
            let chunk = start_chunk(endpoint, schema, operation, report_generated)?;
            let width = match &chunk.kind {
                ChunkKind::Upsert { columns, .. } => columns.len(),
                ChunkKind::Delete { key_columns } => key_columns.len(),
            };
            max_rows = (limits.max_parameters / width.max(1)).clamp(1, limits.max_rows);
            chunks.push(chunk);
            current_signature = Some(signature);
            current_keys.clear();
        }
        let Some(chunk) = chunks.last_mut() else {
            continue;
        };
        let (row, key) = convert(endpoint, chunk, operation)?;
        if !current_keys.insert(key.clone()) {
            // The key repeats: the row goes into a new chunk of the same shape.
            let next = start_chunk(endpoint, schema, operation, report_generated)?;
            chunks.push(next);
            current_keys.clear();
            current_keys.insert(key.clone());
        }
        if let Some(chunk) = chunks.last_mut() {
            chunk.rows.push(row);
            chunk.keys.push(key);
        }
    }
    Ok(chunks)
}

fn start_chunk<'s>(
    endpoint: &str,
    schema: &'s Schema,
    operation: &Operation,
    report_generated: bool,
) -> Result<Chunk<'s>> {
    let table = schema.table(endpoint, operation.table())?;
    let kind = match operation {
        Operation::Upsert {
            key_columns,
            values,
            ..
        } => {
            let key_columns = table.columns_named(endpoint, key_columns)?;
            let key_names: Vec<String> = key_columns.iter().map(|c| c.name.clone()).collect();
            table.require_unique_key(endpoint, &key_names)?;
            let columns = table.columns_named(endpoint, &values.keys().collect::<Vec<_>>())?;
            if let Some(missing) = key_columns
                .iter()
                .find(|k| !columns.iter().any(|c| c.name == k.name))
            {
                return Err(EndpointError::MissingKeyValue {
                    endpoint: endpoint.to_string(),
                    table: table.name.clone(),
                    column: missing.name.clone(),
                });
            }
            let returning = table
                .columns
                .iter()
                .filter(|c| report_generated && c.has_default)
                .filter(|c| !columns.iter().any(|v| v.name == c.name))
                .collect();
            ChunkKind::Upsert {
                columns,
                key_columns,
                returning,
            }
        }
        Operation::Delete { key_columns, .. } => ChunkKind::Delete {
            key_columns: table.columns_named(endpoint, key_columns)?,
        },
    };
    Ok(Chunk {
        table,
        kind,
        rows: Vec::new(),
        keys: Vec::new(),
    })
}

/// The converted values and key of one operation joining `chunk`.
fn convert(endpoint: &str, chunk: &Chunk<'_>, operation: &Operation) -> Result<(Vec<Value>, Key)> {
    let table = &chunk.table.name;
    match (operation, &chunk.kind) {
        (
            Operation::Upsert { values, .. },
            ChunkKind::Upsert {
                columns,
                key_columns,
                ..
            },
        ) => {
            let row = columns
                .iter()
                .zip(values.values())
                .map(|(column, value)| convert_value(endpoint, table, column, value))
                .collect::<Result<Vec<_>>>()?;
            let key = key_columns
                .iter()
                .map(|k| {
                    columns
                        .iter()
                        .position(|c| c.name == k.name)
                        .map(|i| row[i].clone())
                        .unwrap_or(Value::Null)
                })
                .collect::<Vec<_>>();
            Ok((row, Key::new(key)))
        }
        (Operation::Delete { key, .. }, ChunkKind::Delete { key_columns }) => {
            let key = convert_key(endpoint, chunk.table, key_columns, key)?;
            Ok((key.values().to_vec(), key))
        }
        _ => Err(EndpointError::InvalidName {
            what: "operation",
            name: operation.table().to_string(),
            reason: "it does not match its batch chunk (internal planning error)",
        }),
    }
}

/// `value` converted to `column`'s class, or an error naming table, column and value.
pub(crate) fn convert_value(
    endpoint: &str,
    table: &str,
    column: &ColumnSchema,
    value: &Value,
) -> Result<Value> {
    column
        .class
        .coerce(value)
        .ok_or_else(|| EndpointError::ValueType {
            endpoint: endpoint.to_string(),
            table: table.to_string(),
            column: column.name.clone(),
            value: value.to_string(),
            expected: column.class.label(),
        })
}

/// `key` checked against `key_columns` and converted to their classes.
pub(crate) fn convert_key(
    endpoint: &str,
    table: &TableSchema,
    key_columns: &[&ColumnSchema],
    key: &Key,
) -> Result<Key> {
    if key.len() != key_columns.len() {
        return Err(EndpointError::KeyArity {
            endpoint: endpoint.to_string(),
            table: table.name.clone(),
            columns: key_columns.iter().map(|c| c.name.clone()).collect(),
            expected: key_columns.len(),
            found: key.len(),
            key: key.canonical(),
        });
    }
    key_columns
        .iter()
        .zip(key.values())
        .map(|(column, value)| convert_value(endpoint, &table.name, column, value))
        .collect::<Result<Vec<_>>>()
        .map(Key::new)
}

/// A value read from the database, normalised to its column's class where that loses nothing
/// (SQLite stores booleans as 0/1 and whole decimals as integers); kept as stored otherwise.
pub(crate) fn normalise_read(class: ValueClass, value: Value) -> Value {
    match (class, &value) {
        (ValueClass::Bool, Value::Integer(_)) | (ValueClass::Real, Value::Integer(_)) => {
            class.coerce(&value).unwrap_or(value)
        }
        _ => value,
    }
}
