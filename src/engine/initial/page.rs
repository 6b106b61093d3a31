//! Writing one page of source rows on the target: transform, lookups in one batch, upsert in
//! one target transaction. A batch the target refuses for one bad row (a constraint, a trigger) is
//! written again row by row inside the same transaction, so that only the failing rows are
//! logged and the others still land.

use crate::endpoint::{Endpoint, ErrorCategory, Key, Operation, Row};
use crate::model::Side;
use crate::store::{self, NewError, SideSnapshot, Snapshot, Timestamp};

use super::super::resolve::{ResolvedField, ResolvedMap};
use super::super::rows::{key_text, row_json};
use super::super::transform::transform_row;
use super::super::EngineError;
use super::copy::{MapJob, RunContext};

/// The result of writing one page on the target (already committed there).
pub(super) struct PageOutcome {
    pub written: u64,
    pub errors: Vec<NewError>,
    pub snapshots: Vec<Snapshot>,
}

pub(super) async fn write_page(
    ctx: &RunContext,
    job: &MapJob,
    target: &dyn Endpoint,
    target_side: Side,
    page: &[Row],
) -> Result<PageOutcome, EngineError> {
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
    let sources: Vec<Row> = positions.iter().map(|&i| page[i].clone()).collect();
    let resolved = ctx
        .lookups
        .resolve_rows(map, target_side, &sources, transformed, include)
        .await?;
    let mut ready: Vec<(usize, Row)> = Vec::with_capacity(resolved.len());
    for (position, result) in positions.into_iter().zip(resolved) {
        match result {
            Ok(row) => ready.push((position, row)),
            Err(e) => failures.push((position, e)),
        }
    }
    let operations: Vec<Operation> = ready
        .iter()
        .map(|(_, row)| Operation::Upsert {
            table: map.table(target_side).to_string(),
            key_columns: map.keys(target_side).to_vec(),
            values: row.clone(),
        })
        .collect();
    let mut tx = target.begin().await?;
    let mut written = ready.len() as u64;
    if let Err(error) = tx.apply_bulk(&operations).await {
        if error.category() != ErrorCategory::Application {
            return Err(error.into());
        }
        // One row broke the batch: write the rows one by one to find it (each apply is all or
        // nothing, the transaction stays usable) and log only the failing rows.
        tracing::debug!(map = %map.id(), %error, "batch refused; isolating the failing rows");
        written = 0;
        let mut kept = Vec::with_capacity(ready.len());
        for ((position, row), operation) in ready.into_iter().zip(&operations) {
            match tx.apply(std::slice::from_ref(operation)).await {
                Ok(_) => {
                    written += 1;
                    kept.push((position, row));
                }
                Err(e) if e.category() == ErrorCategory::Application => {
                    failures.push((position, e.into()))
                }
                Err(e) => return Err(e.into()),
            }
        }
        ready = kept;
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
    let snapshots = if ctx.snapshots {
        snapshots_of(map, source_side, page, &ready)
    } else {
        Vec::new()
    };
    Ok(PageOutcome {
        written,
        errors,
        snapshots,
    })
}

/// Snapshots keyed by the F&O key of each written row (the key both sides agree on).
fn snapshots_of(
    map: &ResolvedMap,
    source_side: Side,
    page: &[Row],
    written: &[(usize, Row)],
) -> Vec<Snapshot> {
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
            Some(Snapshot {
                map_id: map.id().to_string(),
                key: key_text(&key),
                fno: SideSnapshot {
                    values: row_json(fno_row),
                    version: None,
                },
                dataverse: SideSnapshot {
                    values: row_json(dv_row),
                    version: None,
                },
                synced_at: now,
            })
        })
        .collect()
}
