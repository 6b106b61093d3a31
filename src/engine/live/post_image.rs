//! The record as it stands after the source's write: what the target batch is made of.
//!
//! Dual-write carries the post-image of the mapped fields, not the columns an application
//! happened to set, so an update of one column of an existing row is a normal unit of work.
//! Both sides write with `INSERT ... ON CONFLICT DO UPDATE`, whose candidate row must pass the
//! table's NOT NULL checks even when the row exists and only some columns change:
//! - before the source batch, an upsert of an existing row that leaves out NOT NULL columns
//!   without a default gets their current values ([`fill_required_columns`]), so the statement
//!   updates just what the unit of work set; a new row still needs them, and fails naming them;
//! - after it (still uncommitted), each upserted row is read back by its key through the same
//!   transaction ([`read_post_images`]) and replaces the row's values for the transform, so the
//!   target gets every mapped field as the source now holds it.
//!
//! Reads are one query per table. Deletes carry only their key and are left alone; the journal
//! keeps the values as the unit of work gave them (recovery checks those).

use std::collections::HashMap;

use crate::endpoint::{EndpointTransaction, Key, Operation, Row, Schema};
use crate::model::Side;

use super::super::EngineError;
use super::batch::key_text;
use super::plan::PlannedRow;
use super::txn_file::TxnOp;

/// Keys to read, grouped by table and key columns (one query each, tables in first-seen order).
#[derive(Default)]
struct KeyReads(Vec<(String, Vec<String>, Vec<Key>)>);

/// The rows the reads found, by table and comparable key text.
type Found = HashMap<(String, String), Row>;

impl KeyReads {
    fn add(&mut self, table: &str, key_columns: &[String], key: Key) {
        match self
            .0
            .iter_mut()
            .find(|(t, k, _)| t == table && k.as_slice() == key_columns)
        {
            Some((_, _, keys)) => keys.push(key),
            None => self
                .0
                .push((table.to_string(), key_columns.to_vec(), vec![key])),
        }
    }

    /// Reads every group through `tx`.
    async fn read(&self, tx: &mut dyn EndpointTransaction) -> Result<Found, EngineError> {
        let mut found = Found::new();
        for (table, key_columns, keys) in &self.0 {
            for row in tx.read_by_keys(table, key_columns, keys).await? {
                if let Some(key) = Key::from_row(&row, key_columns) {
                    found.insert(found_key(table, &key), row);
                }
            }
        }
        Ok(found)
    }
}

fn found_key(table: &str, key: &Key) -> (String, String) {
    (table.to_string(), key_text(key))
}

/// Replaces each upserted row's `source` values with its full row as `tx` sees it now. A row the
/// read does not return (a trigger that dropped it) keeps the values as written.
pub(super) async fn read_post_images(
    source: Side,
    planned: &mut [PlannedRow],
    tx: &mut dyn EndpointTransaction,
) -> Result<(), EngineError> {
    let mut reads = KeyReads::default();
    for row in planned.iter().filter(|r| r.op == TxnOp::Upsert) {
        if let Some(key) = row.source_key(source) {
            reads.add(row.map.table(source), row.map.keys(source), key);
        }
    }
    let images = reads.read(tx).await?;
    for row in planned.iter_mut().filter(|r| r.op == TxnOp::Upsert) {
        let Some(key) = row.source_key(source) else {
            continue;
        };
        match images.get(&found_key(row.map.table(source), &key)) {
            Some(image) => row.source = image.clone(),
            None => tracing::warn!(
                map = row.map.id(),
                row = row.index,
                "the source row was not found after its upsert; carrying the values as written"
            ),
        }
    }
    Ok(())
}

/// Adds, to each upsert of an existing row, the NOT NULL columns without a default it leaves out,
/// with their current values as `tx` sees them (`endpoint` names the source in errors).
pub(super) async fn fill_required_columns(
    endpoint: &str,
    schema: &Schema,
    operations: &mut [Operation],
    tx: &mut dyn EndpointTransaction,
) -> Result<(), EngineError> {
    // Per operation, the key of its row and the columns it must add.
    let mut missing: Vec<Option<(Key, Vec<String>)>> = Vec::with_capacity(operations.len());
    let mut reads = KeyReads::default();
    for operation in operations.iter() {
        let Operation::Upsert {
            table,
            key_columns,
            values,
        } = operation
        else {
            missing.push(None);
            continue;
        };
        let required: Vec<String> = schema
            .table(endpoint, table)?
            .columns
            .iter()
            .filter(|c| !c.nullable && !c.has_default && !c.computed)
            .filter(|c| !values.keys().any(|v| v.eq_ignore_ascii_case(&c.name)))
            .map(|c| c.name.clone())
            .collect();
        match Key::from_row(values, key_columns) {
            Some(key) if !required.is_empty() => {
                reads.add(table, key_columns, key.clone());
                missing.push(Some((key, required)));
            }
            _ => missing.push(None),
        }
    }
    let current = reads.read(tx).await?;
    for (operation, missing) in operations.iter_mut().zip(missing) {
        let (Operation::Upsert { table, values, .. }, Some((key, required))) = (operation, missing)
        else {
            continue;
        };
        // A new row keeps its gaps: the database names the column it needs.
        let Some(existing) = current.get(&found_key(table, &key)) else {
            continue;
        };
        for column in required {
            if let Some(value) = existing.get(&column) {
                values.insert(column, value.clone());
            }
        }
    }
    Ok(())
}
