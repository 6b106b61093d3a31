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

use crate::endpoint::{Operation, OperationResult};
use crate::model::Side;

use super::plan::PlannedRow;

/// Puts each upserted row's values for the transform back into `planned` (`results` and
/// `operations`, the source's operations, in the order of `planned`): its row as the write
/// returned it (the key as stored, then every other column), or, for a row the write did not
/// return (a trigger dropped it), the values as written.
pub(super) fn take_post_images(
    source: Side,
    planned: &mut [PlannedRow],
    results: Vec<OperationResult>,
    operations: Vec<Operation>,
) {
    let mut results = results.into_iter();
    for (row, operation) in planned.iter_mut().zip(operations) {
        let result = results.next();
        let Operation::Upsert { values, .. } = operation else {
            continue;
        };
        let generated = match result {
            Some(OperationResult::Upserted { key, generated }) if !generated.is_empty() => {
                Some((key, generated))
            }
            _ => None,
        };
        let Some((key, generated)) = generated else {
            if values.len() > row.map.keys(source).len() {
                tracing::warn!(
                    map = row.map.id(),
                    row = row.index,
                    "the source row was not returned by its upsert; carrying the values as written"
                );
            }
            row.source = values;
            continue;
        };
        let mut image = crate::endpoint::Row::with_capacity(key.len() + generated.len());
        for (column, value) in row.map.keys(source).iter().zip(key.values()) {
            image.insert(column.as_str().into(), value.clone());
        }
        image.extend(generated);
        row.source = image;
    }
}
