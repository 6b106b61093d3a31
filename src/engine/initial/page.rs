//! Writing one page of source rows on the target in two steps: [`prepare_page`] (transform,
//! lookups in one batch), then [`write_page`] (upsert in one target transaction: the endpoint's
//! own page write, [`Endpoint::write_page`], where it has one). Two steps
//! because they are two stages of the copy's pipeline: the next page is prepared while this one
//! is written. A batch the target refuses for one bad row (a constraint, a trigger) is written
//! again row by row inside the same transaction, so that only the failing rows are logged and
//! the others still land.
//!
//! Rows move rather than copy on the way (source row -> transformed row -> upsert -> the row the
//! snapshot records): at a million rows, every clone of a page shows in the throughput.

use crate::endpoint::{
    ColumnName, Endpoint, EndpointError, ErrorCategory, Key, Operation, Row, Value,
};
use crate::model::Side;
use std::sync::Arc;

use crate::store::{
    self, values_array_text, KeyText, NewError, SnapshotArrays, SnapshotLayout, Timestamp,
};

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
    let mut written: Vec<(usize, Operation)> = Vec::with_capacity(operations.len());
    // The endpoint's own page write first (a transaction of its own); a page it refuses for a
    // row (an application error) or does not cover goes the general way below.
    let (operations, fast) = if operations.is_empty() {
        (operations, Ok(false))
    } else {
        target.write_page(operations).await
    };
    match fast {
        Ok(true) => {
            written.extend(ready_positions.into_iter().zip(operations));
            return Ok(finish(map, target_side, page, last_key, failures, written));
        }
        Ok(false) => {}
        Err(error @ EndpointError::Database(_))
            if error.category() == ErrorCategory::Application =>
        {
            tracing::debug!(map = %map.id(), %error, "page refused; writing it the general way");
        }
        Err(error) => return Err(error.into()),
    }
    let mut tx = target.begin().await?;
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
    Ok(finish(map, target_side, page, last_key, failures, written))
}

/// The outcome of a page committed on the target: the rows written and the errors to log.
fn finish(
    map: &ResolvedMap,
    target_side: Side,
    page: Vec<Row>,
    last_key: Key,
    failures: Vec<(usize, EngineError)>,
    written: Vec<(usize, Operation)>,
) -> (Vec<Row>, Key, PageOutcome) {
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
    (page, last_key, PageOutcome { written, errors })
}

/// The layouts of the snapshots of one page: the column names of the rows of each side, the
/// same for every row of a scan and of a transform, so built once and shared (see
/// [`SnapshotArrays`]).
#[derive(Default)]
pub(super) struct Layouts {
    fno: Option<Arc<SnapshotLayout>>,
    dataverse: Option<Arc<SnapshotLayout>>,
}

impl Layouts {
    /// The layout of `row`'s columns on `side`: the last one when it matches, else a new one.
    fn of(&mut self, side: Side, row: &Row) -> Arc<SnapshotLayout> {
        let slot = match side {
            Side::Fno => &mut self.fno,
            Side::Dataverse => &mut self.dataverse,
        };
        match slot {
            Some(layout) if layout.matches(row.keys().map(ColumnName::as_str)) => layout.clone(),
            _ => {
                let layout = Arc::new(SnapshotLayout::new(row.keys().map(ColumnName::as_str)));
                *slot = Some(layout.clone());
                layout
            }
        }
    }
}

/// Snapshots keyed by the F&O key of each written row (the key both sides agree on), their
/// values serialised straight from the rows as arrays in the layout's order; the Dataverse array
/// is left out when it holds the same values as the F&O one.
pub(super) fn snapshots_of(
    map: &ResolvedMap,
    source_side: Side,
    page: &[Row],
    written: &[(usize, Row)],
    layouts: &mut Layouts,
) -> Vec<SnapshotArrays> {
    let now = Timestamp::now();
    // A loop into a presized vector rather than a collect: a snapshot is large and the
    // filtering collect grows its vector a few times per page.
    let mut snapshots = Vec::with_capacity(written.len());
    for (i, target_row) in written {
        let source_row = &page[*i];
        let (fno_row, dv_row) = match source_side {
            Side::Fno => (source_row, target_row),
            Side::Dataverse => (target_row, source_row),
        };
        // The key's text straight from the row's values (what `key_text(&Key::from_row(..))`
        // gives, without the key in between); no snapshot for a row that lacks a key column.
        let key_values: Option<Vec<&Value>> = map
            .fno_keys
            .iter()
            .map(|c| fno_row.get(c.as_str()))
            .collect();
        let Some(key_values) = key_values else {
            continue;
        };
        let same = fno_row.values().eq(dv_row.values());
        snapshots.push(SnapshotArrays {
            key: KeyText::from_canonical(values_array_text(key_values)),
            fno_layout: layouts.of(Side::Fno, fno_row),
            fno_values: values_array_text(fno_row.values()),
            fno_version: None,
            dataverse_layout: layouts.of(Side::Dataverse, dv_row),
            dataverse_values: (!same).then(|| values_array_text(dv_row.values())),
            dataverse_version: None,
            synced_at: now,
        });
    }
    snapshots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_array_text_holds_the_values_of_row_json_in_order() {
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
        .map(|(k, v)| (ColumnName::from(k), v))
        .collect();
        let expected: Vec<serde_json::Value> = row_json(&row)
            .as_object()
            .map(|o| o.values().cloned().collect())
            .unwrap_or_default();
        let text = values_array_text(row.values());
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&text).expect("JSON array");
        assert_eq!(parsed, expected);
    }

    #[test]
    fn layouts_are_shared_while_the_columns_stay_the_same() {
        let row = |names: &[&str]| -> Row {
            names
                .iter()
                .map(|n| (ColumnName::from(*n), Value::Integer(1)))
                .collect()
        };
        let mut layouts = Layouts::default();
        let first = layouts.of(Side::Fno, &row(&["a", "b"]));
        let again = layouts.of(Side::Fno, &row(&["a", "b"]));
        assert!(Arc::ptr_eq(&first, &again));
        let other = layouts.of(Side::Fno, &row(&["b", "a"]));
        assert_eq!(other.columns(), ["b".to_string(), "a".to_string()]);
        assert!(!Arc::ptr_eq(&first, &other));
    }
}
