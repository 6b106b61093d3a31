//! Writing one page of source rows on the target in two steps: [`prepare_page`] (transform,
//! lookups in one batch), then [`write_page`] (upsert in one target transaction). Two steps
//! because they are two stages of the copy's pipeline: the next page is prepared while this one
//! is written. A batch the target refuses for one bad row (a constraint, a trigger) is written
//! again row by row inside the same transaction, so that only the failing rows are logged and
//! the others still land.
//!
//! Rows move rather than copy on the way (source row -> transformed row -> upsert -> the row the
//! snapshot records): at a million rows, every clone of a page shows in the throughput.

use crate::endpoint::{Endpoint, ErrorCategory, Key, Operation, Row};
use crate::model::Side;
use crate::store::{self, NewError, SnapshotText, Timestamp};

use super::super::resolve::{ResolvedField, ResolvedMap};
use super::super::rows::{key_text, row_json};
use super::super::transform::transform_row;
use super::super::EngineError;
use super::copy::{MapJob, RunContext};

/// The result of writing one page on the target (already committed there).
pub(super) struct PageOutcome {
    /// The rows written, as the target got them, with their position in the page.
    pub written: Vec<(usize, Row)>,
    pub errors: Vec<NewError>,
}

/// A page transformed and with its lookups resolved, ready for the target.
pub(super) struct PreparedPage {
    /// The source rows.
    pub page: Vec<Row>,
    /// The key of the last source row (the resume point once recorded).
    pub last_key: Key,
    /// One upsert per row ready to write, with the row's position in `page`.
    upserts: Vec<(usize, Operation)>,
    /// Rows that failed the transform or a lookup.
    failures: Vec<(usize, EngineError)>,
}

/// Transforms `page` for `target_side` and resolves its lookups (reads only).
pub(super) async fn prepare_page(
    ctx: &RunContext,
    job: &MapJob,
    target_side: Side,
    page: Vec<Row>,
    last_key: Key,
) -> Result<PreparedPage, EngineError> {
    let map = &job.map;
    let include = |f: &ResolvedField| job.includes(f);
    let mut transformed = Vec::with_capacity(page.len());
    let mut failures: Vec<(usize, EngineError)> = Vec::new();
    let mut positions = Vec::with_capacity(page.len());
    for (i, row) in page.iter().enumerate() {
        match transform_row(map, target_side, row, include) {
            Ok(out) => {
                transformed.push(out);
                positions.push(i);
            }
            Err(e) => failures.push((i, e)),
        }
    }
    let resolved = if failures.is_empty() {
        ctx.lookups
            .resolve_rows(map, target_side, &page, transformed, include)
            .await?
    } else {
        let sources: Vec<Row> = positions.iter().map(|&i| page[i].clone()).collect();
        ctx.lookups
            .resolve_rows(map, target_side, &sources, transformed, include)
            .await?
    };
    let mut upserts = Vec::with_capacity(resolved.len());
    let table = map.table(target_side);
    let key_columns = map.keys(target_side);
    for (position, result) in positions.into_iter().zip(resolved) {
        match result {
            Ok(row) => upserts.push((
                position,
                Operation::Upsert {
                    table: table.to_string(),
                    key_columns: key_columns.to_vec(),
                    values: row,
                },
            )),
            Err(e) => failures.push((position, e)),
        }
    }
    Ok(PreparedPage {
        page,
        last_key,
        upserts,
        failures,
    })
}

/// Upserts a prepared page on the target in one transaction and commits it.
pub(super) async fn write_page(
    map: &ResolvedMap,
    target: &dyn Endpoint,
    target_side: Side,
    prepared: PreparedPage,
) -> Result<(Vec<Row>, Key, PageOutcome), EngineError> {
    let PreparedPage {
        page,
        last_key,
        upserts,
        mut failures,
    } = prepared;
    let (ready_positions, operations): (Vec<usize>, Vec<Operation>) = upserts.into_iter().unzip();
    let mut tx = target.begin().await?;
    let mut written: Vec<(usize, Operation)> = Vec::with_capacity(operations.len());
    if let Err(error) = tx.apply_bulk(&operations).await {
        if error.category() != ErrorCategory::Application {
            return Err(error.into());
        }
        // One row broke the batch: write the rows one by one to find it (each apply is all or
        // nothing, the transaction stays usable) and log only the failing rows.
        tracing::debug!(map = %map.id(), %error, "batch refused; isolating the failing rows");
        for (position, operation) in ready_positions.into_iter().zip(operations) {
            match tx.apply(std::slice::from_ref(&operation)).await {
                Ok(_) => written.push((position, operation)),
                Err(e) if e.category() == ErrorCategory::Application => {
                    failures.push((position, e.into()))
                }
                Err(e) => return Err(e.into()),
            }
        }
    } else {
        written.extend(ready_positions.into_iter().zip(operations));
    }
    tx.commit().await?;
    let source_side = target_side.other();
    let errors = failures
        .into_iter()
        .map(|(i, e)| NewError {
            queue_entry: None,
            map_id: map.id().to_string(),
            key: Key::from_row(&page[i], map.keys(source_side)).map(|k| key_text(&k)),
            category: match e.category() {
                ErrorCategory::System => store::ErrorCategory::System,
                ErrorCategory::Application => store::ErrorCategory::Application,
            },
            message: format!("initial sync: {e}"),
            row: Some(row_json(&page[i])),
            attempts: 1,
        })
        .collect();
    let written = written
        .into_iter()
        .filter_map(|(position, operation)| match operation {
            Operation::Upsert { values, .. } => Some((position, values)),
            Operation::Delete { .. } => None,
        })
        .collect();
    Ok((page, last_key, PageOutcome { written, errors }))
}

/// Snapshots keyed by the F&O key of each written row (the key both sides agree on), their
/// values serialised straight from the rows: the same JSON objects as [`row_json`], without the
/// tree in between.
pub(super) fn snapshots_of<'m>(
    map: &'m ResolvedMap,
    source_side: Side,
    page: &[Row],
    written: &[(usize, Row)],
) -> Vec<SnapshotText<'m>> {
    let now = Timestamp::now();
    written
        .iter()
        .filter_map(|(i, target_row)| {
            let source_row = &page[*i];
            let (fno_row, dv_row) = match source_side {
                Side::Fno => (source_row, target_row),
                Side::Dataverse => (target_row, source_row),
            };
            let key = Key::from_row(fno_row, &map.fno_keys)?;
            Some(SnapshotText {
                map_id: map.id(),
                key: key_text(&key),
                fno_values: json_text(fno_row),
                fno_version: None,
                dataverse_values: json_text(dv_row),
                dataverse_version: None,
                synced_at: now,
            })
        })
        .collect()
}

/// A row as the text of its JSON object.
fn json_text(row: &Row) -> String {
    serde_json::to_string(row).unwrap_or_else(|_| row_json(row).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::Value;

    #[test]
    fn json_text_is_the_text_of_row_json() {
        let row: Row = [
            ("n", Value::Null),
            ("b", Value::Bool(true)),
            ("i", Value::Integer(-7)),
            ("r", Value::Real(0.1)),
            ("whole", Value::Real(2.0)),
            ("nan", Value::Real(f64::NAN)),
            ("t", Value::from("x\"y\u{e9}\n")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        assert_eq!(json_text(&row), row_json(&row).to_string());
    }
}
