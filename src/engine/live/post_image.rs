//! The record as it stands after the source's write: what the target batch is made of.
//!
//! Dual-write carries the post-image of the mapped fields, not the columns an application
//! happened to set, so an update of one column of an existing row is a normal unit of work: the
//! target's `INSERT ... ON CONFLICT DO UPDATE` needs every NOT NULL column in its candidate row,
//! and the other columns must arrive as the source holds them. After the source batch is applied
//! (still uncommitted), each upserted row is read back by its key through that same transaction,
//! one query per table, and replaces the row's values for the transform. Deletes carry only their
//! key and are left alone; the journal keeps the values as written (recovery checks those).

use std::collections::HashMap;

use crate::endpoint::{EndpointTransaction, Key, Row};
use crate::model::Side;

use super::super::EngineError;
use super::batch::key_text;
use super::plan::PlannedRow;
use super::txn_file::TxnOp;

/// Replaces each upserted row's `source` values with its full row as `tx` sees it now. A row the
/// read does not return (a trigger that dropped it) keeps the values as written.
pub(super) async fn read_post_images(
    source: Side,
    planned: &mut [PlannedRow],
    tx: &mut dyn EndpointTransaction,
) -> Result<(), EngineError> {
    // Table and key columns -> keys, in first-seen order of the tables.
    let mut reads: Vec<(String, Vec<String>, Vec<Key>)> = Vec::new();
    for row in planned.iter().filter(|r| r.op == TxnOp::Upsert) {
        let Some(key) = row.source_key(source) else {
            continue;
        };
        let table = row.map.table(source);
        let key_columns = row.map.keys(source);
        match reads
            .iter_mut()
            .find(|(t, k, _)| t == table && k.as_slice() == key_columns)
        {
            Some((_, _, keys)) => keys.push(key),
            None => reads.push((table.to_string(), key_columns.to_vec(), vec![key])),
        }
    }
    let mut images: HashMap<(String, String), Row> = HashMap::new();
    for (table, key_columns, keys) in &reads {
        for image in tx.read_by_keys(table, key_columns, keys).await? {
            if let Some(key) = Key::from_row(&image, key_columns) {
                images.insert((table.clone(), key_text(&key)), image);
            }
        }
    }
    for row in planned.iter_mut().filter(|r| r.op == TxnOp::Upsert) {
        let Some(key) = row.source_key(source) else {
            continue;
        };
        let table = row.map.table(source).to_string();
        match images.get(&(table, key_text(&key))) {
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
