//! The record as it stands after the source's write: what the target batch is made of.
//!
//! Dual-write carries the post-image of the mapped fields, not the columns an application
//! happened to set, so an update of one column of an existing row is a normal unit of work.
//! The endpoints write such a partial row as an update of the row that exists (see
//! [`crate::endpoint::write_plan`]), and the source batch is applied with
//! [`EndpointTransaction::apply_returning_rows`]: the write itself returns each row as stored
//! (`RETURNING`), so the post-image costs no second query and no second pass over the keys.
//! [`take_post_images`] then replaces each upserted row's values for the transform, so the
//! target gets every mapped field as the source now holds it.
//!
//! Deletes carry only their key and are left alone; the journal keeps the values as the unit of
//! work gave them (recovery checks those).
//!
//! [`EndpointTransaction::apply_returning_rows`]: crate::endpoint::EndpointTransaction::apply_returning_rows

use crate::endpoint::OperationResult;
use crate::model::Side;

use super::plan::PlannedRow;
use super::txn_file::TxnOp;

/// Replaces each upserted row's `source` values with its row as the write returned it (`results`
/// in the order of `planned`): the key as stored, then every other column. A row the write did
/// not return (a trigger dropped it) keeps the values as written.
pub(super) fn take_post_images(
    source: Side,
    planned: &mut [PlannedRow],
    results: Vec<OperationResult>,
) {
    for (row, result) in planned.iter_mut().zip(results) {
        let OperationResult::Upserted { key, generated } = result else {
            continue;
        };
        if row.op != TxnOp::Upsert {
            continue;
        }
        if generated.is_empty() {
            if row.source.len() > key.len() {
                tracing::warn!(
                    map = row.map.id(),
                    row = row.index,
                    "the source row was not returned by its upsert; carrying the values as written"
                );
            }
            continue;
        }
        let mut image = crate::endpoint::Row::with_capacity(key.len() + generated.len());
        for (column, value) in row.map.keys(source).iter().zip(key.values()) {
            image.insert(column.clone(), value.clone());
        }
        image.extend(generated);
        row.source = image;
    }
}
