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
//!
//! An upsert may carry only some columns of its row (an update of one field). SQLite and
//! PostgreSQL check `INSERT ... ON CONFLICT DO UPDATE`'s candidate row against NOT NULL before
//! they look for the conflict, so such an upsert of an existing row fails when it leaves out a
//! NOT NULL column without a default, although the update would keep the stored value. A chunk
//! that leaves out such columns ([`ChunkKind::Upsert::missing_required`]) is therefore written as
//! an `UPDATE` of the rows that exist by key; a row it does not find is new, cannot be inserted
//! without those columns, and fails the batch naming table, columns and key
//! ([`refuse_new_rows`]). Whole rows keep the single `INSERT ... ON CONFLICT` statement.

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::{BuildHasher, Hash, Hasher, RandomState};

#[cfg(doc)]
use super::OperationResult;
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

/// What upserts read back (`RETURNING`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    /// Nothing, not even per-operation results: fastest, for bulk loads.
    Nothing,
    /// The generated columns the upsert did not set ([`OperationResult::Upserted::generated`]).
    Generated,
    /// Every column but the key, as stored after the write: the rows' post-images.
    Rows,
}

impl Report {
    /// Whether per-operation results are returned.
    pub fn results(self) -> bool {
        self != Report::Nothing
    }
}

/// What a chunk does.
pub(crate) enum ChunkKind<'s> {
    /// Upsert rows of `columns` by `key_columns`, returning `returning` (the generated columns).
    Upsert {
        columns: Vec<&'s ColumnSchema>,
        key_columns: Vec<&'s ColumnSchema>,
        returning: Vec<&'s ColumnSchema>,
        /// The NOT NULL columns without a default the rows leave out: when there are any, the
        /// rows are updated by key (`UPDATE ... RETURNING` the key, so the backend learns which
        /// rows exist) instead of `INSERT ... ON CONFLICT`, and a row not found is refused.
        missing_required: Vec<&'s ColumnSchema>,
    },
    /// Delete rows by `key_columns`.
    Delete { key_columns: Vec<&'s ColumnSchema> },
}

/// Consecutive operations sent as one statement.
///
/// Values are stored flat, row after row, and borrowed from the operations when they already
/// have their column's class: planning a million rows allocates almost nothing.
pub(crate) struct Chunk<'s, 'o> {
    pub table: &'s TableSchema,
    pub kind: ChunkKind<'s>,
    /// Values per row (upsert: the columns; delete: the key).
    pub width: usize,
    /// All rows' values, converted, `width` per row.
    pub values: Vec<Cow<'o, Value>>,
    /// Where the key columns sit within a row.
    key_positions: Vec<usize>,
}

impl<'o> Chunk<'_, 'o> {
    /// Rows in the chunk.
    pub fn len(&self) -> usize {
        self.values.len() / self.width.max(1)
    }

    /// Column `index` of every row.
    pub fn column(&self, index: usize) -> impl Iterator<Item = &Value> {
        self.values
            .iter()
            .skip(index)
            .step_by(self.width.max(1))
            .map(AsRef::as_ref)
    }

    /// The key of row `row`, converted.
    pub fn key(&self, row: usize) -> Key {
        let start = row * self.width;
        Key::new(
            self.key_positions
                .iter()
                .map(|p| self.values[start + p].as_ref().clone())
                .collect(),
        )
    }

    /// The keys of all rows, in order.
    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        (0..self.len()).map(|row| self.key(row))
    }
}

/// Whether two operations can share a statement: same kind, table, key columns and columns.
fn same_shape(a: &Operation, b: &Operation) -> bool {
    match (a, b) {
        (
            Operation::Upsert {
                table: ta,
                key_columns: ka,
                values: va,
            },
            Operation::Upsert {
                table: tb,
                key_columns: kb,
                values: vb,
            },
        ) => ta == tb && ka == kb && va.len() == vb.len() && va.keys().eq(vb.keys()),
        (
            Operation::Delete {
                table: ta,
                key_columns: ka,
                ..
            },
            Operation::Delete {
                table: tb,
                key_columns: kb,
                ..
            },
        ) => ta == tb && ka == kb,
        _ => false,
    }
}

/// Plans `operations` into chunks, resolving names against `schema` and converting values;
/// `report` says what upserts read back.
pub(crate) fn plan<'s, 'o>(
    endpoint: &str,
    schema: &'s Schema,
    operations: &'o [Operation],
    limits: ChunkLimits,
    report: Report,
) -> Result<Vec<Chunk<'s, 'o>>> {
    let mut chunks: Vec<Chunk<'s, 'o>> = Vec::new();
    let mut previous: Option<&Operation> = None;
    // Hashes of the chunk's keys: a collision only splits a chunk early, which is harmless.
    let hasher = RandomState::new();
    let mut chunk_keys: HashSet<u64> = HashSet::new();
    let mut max_rows = 1;
    for operation in operations {
        let joins = previous.is_some_and(|p| same_shape(p, operation))
            && chunks.last().is_some_and(|c| c.len() < max_rows);
        if !joins {
            let chunk = start_chunk(endpoint, schema, operation, report)?;
            max_rows = (limits.max_parameters / chunk.width.max(1)).clamp(1, limits.max_rows);
            chunks.push(chunk);
            chunk_keys.clear();
        }
        previous = Some(operation);
        let Some(chunk) = chunks.last_mut() else {
            continue;
        };
        let start = chunk.values.len();
        push_values(endpoint, chunk, operation)?;
        let mut state = hasher.build_hasher();
        for position in &chunk.key_positions {
            chunk.values[start + position].as_ref().hash(&mut state);
        }
        if !chunk_keys.insert(state.finish()) {
            // The key repeats: the row goes into a new chunk of the same shape.
            let row: Vec<Cow<'o, Value>> = chunk.values.drain(start..).collect();
            let mut next = start_chunk(endpoint, schema, operation, report)?;
            next.values.extend(row);
            chunks.push(next);
            chunk_keys.clear();
            let mut state = hasher.build_hasher();
            if let Some(next) = chunks.last() {
                for position in &next.key_positions {
                    next.values[*position].as_ref().hash(&mut state);
                }
            }
            chunk_keys.insert(state.finish());
        }
    }
    Ok(chunks)
}

fn start_chunk<'s, 'o>(
    endpoint: &str,
    schema: &'s Schema,
    operation: &Operation,
    report: Report,
) -> Result<Chunk<'s, 'o>> {
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
                .filter(|c| match report {
                    Report::Nothing => false,
                    Report::Generated => c.has_default && !columns.iter().any(|v| v.name == c.name),
                    Report::Rows => !key_columns.iter().any(|k| k.name == c.name),
                })
                .collect();
            let missing_required = table
                .columns
                .iter()
                .filter(|c| c.required_on_insert())
                .filter(|c| !columns.iter().any(|v| v.name == c.name))
                .collect();
            ChunkKind::Upsert {
                columns,
                key_columns,
                returning,
                missing_required,
            }
        }
        Operation::Delete { key_columns, .. } => ChunkKind::Delete {
            key_columns: table.columns_named(endpoint, key_columns)?,
        },
    };
    let (width, key_positions) = match &kind {
        ChunkKind::Upsert {
            columns,
            key_columns,
            ..
        } => (
            columns.len(),
            key_columns
                .iter()
                .filter_map(|k| columns.iter().position(|c| c.name == k.name))
                .collect(),
        ),
        ChunkKind::Delete { key_columns } => (key_columns.len(), (0..key_columns.len()).collect()),
    };
    Ok(Chunk {
        table,
        kind,
        width,
        values: Vec::new(),
        key_positions,
    })
}

/// Appends the converted values of one operation joining `chunk`.
fn push_values<'o>(
    endpoint: &str,
    chunk: &mut Chunk<'_, 'o>,
    operation: &'o Operation,
) -> Result<()> {
    let table = chunk.table;
    match (operation, &chunk.kind) {
        (Operation::Upsert { values, .. }, ChunkKind::Upsert { columns, .. }) => {
            for (column, value) in columns.iter().zip(values.values()) {
                let value = convert_value_borrowed(endpoint, &table.name, column, value)?;
                chunk.values.push(value);
            }
            Ok(())
        }
        (Operation::Delete { key, .. }, ChunkKind::Delete { key_columns }) => {
            check_arity(endpoint, table, key_columns, key)?;
            for (column, value) in key_columns.iter().zip(key.values()) {
                let value = convert_value_borrowed(endpoint, &table.name, column, value)?;
                chunk.values.push(value);
            }
            Ok(())
        }
        _ => Err(EndpointError::InvalidName {
            what: "operation",
            name: operation.table().to_string(),
            reason: "it does not match its batch chunk (internal planning error)",
        }),
    }
}

/// After a chunk with [`ChunkKind::Upsert::missing_required`] columns updated the rows that
/// exist (`found`: their keys as the `UPDATE` returned them), refuses the first row it did not
/// find: a new row cannot be inserted without those columns. `Ok` when every row was found.
pub(crate) fn refuse_new_rows<V>(
    endpoint: &str,
    chunk: &Chunk<'_, '_>,
    found: &std::collections::HashMap<Key, V>,
) -> Result<()> {
    let ChunkKind::Upsert {
        missing_required, ..
    } = &chunk.kind
    else {
        return Ok(());
    };
    match chunk.keys().find(|key| !found.contains_key(key)) {
        None => Ok(()),
        Some(key) => Err(EndpointError::MissingRequiredValue {
            endpoint: endpoint.to_string(),
            table: chunk.table.name.clone(),
            columns: missing_required.iter().map(|c| c.name.clone()).collect(),
            key: key.canonical(),
        }),
    }
}

fn convert_value_borrowed<'v>(
    endpoint: &str,
    table: &str,
    column: &ColumnSchema,
    value: &'v Value,
) -> Result<Cow<'v, Value>> {
    if column.class.holds(value) {
        Ok(Cow::Borrowed(value))
    } else {
        convert_value(endpoint, table, column, value).map(Cow::Owned)
    }
}

fn check_arity(
    endpoint: &str,
    table: &TableSchema,
    key_columns: &[&ColumnSchema],
    key: &Key,
) -> Result<()> {
    if key.len() == key_columns.len() {
        return Ok(());
    }
    Err(EndpointError::KeyArity {
        endpoint: endpoint.to_string(),
        table: table.name.clone(),
        columns: key_columns.iter().map(|c| c.name.clone()).collect(),
        expected: key_columns.len(),
        found: key.len(),
        key: key.canonical(),
    })
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
    check_arity(endpoint, table, key_columns, key)?;
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
