//! The target transactions of a batch.
//!
//! The winning rows are transformed, their lookups resolved in one batch, and written with the
//! deletes in ONE transaction on the target side; conflicts that the target side won write its
//! rows back to the source side in a second one. A target that refuses the multi-row write for
//! one bad row (a constraint, a trigger) gets the rows again one by one inside the same
//! transaction, as the initial sync does (`initial::page`), so only the failing rows are failed;
//! a row with a missing parent or a system failure is deferred to the per-entry path, which
//! creates placeholders, holds and retries.

use tracing::Instrument;

use crate::endpoint::{ErrorCategory, Operation, Row};
use crate::model::Side;
use crate::store::{EntryId, QueueEntry};

use super::super::super::rows::key_text;
use super::super::super::transform::transform_row;
use super::super::super::{Engine, EngineError, LookupResolver, ResolvedMap};
use super::super::missing_parent;
use super::super::rules::{self, Candidate};
use super::candidates::Plan;
use super::settled::Settled;

/// Writes the plan: the source's winning rows and the deletes on the target side, then the
/// conflicts the target side won back on the source side. An error means nothing was
/// committed on the target (the caller then applies the entries one by one).
pub(super) async fn apply(
    engine: &Engine,
    map: &ResolvedMap,
    source_side: Side,
    plan: Plan<'_>,
    settled: &mut Settled,
) -> Result<(), EngineError> {
    let target_side = source_side.other();
    let Plan {
        deletes,
        candidates,
    } = plan;
    let (forward, backward): (Vec<Candidate>, Vec<Candidate>) =
        candidates.into_iter().partition(|c| c.from == source_side);
    let delete_ops: Vec<(&QueueEntry, Operation)> = deletes
        .iter()
        .map(|(entry, _, target_key)| (*entry, rules::delete(map, target_side, target_key.clone())))
        .collect();
    let written = write(engine, map, target_side, &forward, delete_ops, settled).await?;
    for (entry, key, target_key) in &deletes {
        if written.deleted.contains(&entry.id) {
            settled
                .deleted
                .push(key_text(&rules::fno_key(source_side, key, target_key)));
            settled.applied.push(entry.id);
        }
    }
    settled.written(map, &forward, written.rows);
    // Conflicts the target side won: its rows go back to the source side.
    if !backward.is_empty() {
        match write(engine, map, source_side, &backward, Vec::new(), settled).await {
            Ok(written) => settled.written(map, &backward, written.rows),
            Err(error) => {
                tracing::debug!(map = %map.id(), %error, "conflict write-back deferred");
                settled
                    .deferred
                    .extend(backward.iter().map(|c| c.entry.clone()));
            }
        }
    }
    Ok(())
}

/// What one write committed: the values written per candidate (by position) and the deletes.
struct Written {
    rows: Vec<Option<Row>>,
    deleted: Vec<EntryId>,
}

/// Transforms the winning rows for `to`, resolves their lookups in one batch and writes them
/// (and `deletes`) in one transaction on `to`. Rows that fail for an application reason are
/// failed in `settled`, rows with a missing parent deferred; their position holds `None`.
async fn write(
    engine: &Engine,
    map: &ResolvedMap,
    to: Side,
    candidates: &[Candidate<'_>],
    deletes: Vec<(&QueueEntry, Operation)>,
    settled: &mut Settled,
) -> Result<Written, EngineError> {
    let mut rows: Vec<Option<Row>> = vec![None; candidates.len()];
    let mut failures: Vec<(usize, EngineError)> = Vec::new();
    let mut positions = Vec::with_capacity(candidates.len());
    let mut transformed = Vec::with_capacity(candidates.len());
    for (i, candidate) in candidates.iter().enumerate() {
        match transform_row(map, to, candidate.winning_row(), |_| true) {
            Ok(row) => {
                positions.push(i);
                transformed.push(row);
            }
            Err(error) => failures.push((i, error)),
        }
    }
    let sources: Vec<&Row> = positions
        .iter()
        .map(|&i| candidates[i].winning_row())
        .collect();
    let lookups = LookupResolver::new(engine.endpoint(Side::Dataverse).clone());
    let resolved = lookups
        .resolve_rows(map, to, &sources, transformed, |_| true)
        .instrument(tracing::debug_span!("round_lookups"))
        .await?;
    let mut ready: Vec<(usize, Row)> = Vec::with_capacity(resolved.len());
    for (i, result) in positions.into_iter().zip(resolved) {
        match result {
            Ok(row) => ready.push((i, row)),
            Err(error) => failures.push((i, error)),
        }
    }
    let upsert = |values: Row| Operation::Upsert {
        table: map.table(to).to_string(),
        key_columns: map.keys(to).to_vec(),
        values,
    };
    // Each operation's owner: a candidate's position (its row is moved into the operation and
    // taken back once written), or a delete entry.
    enum Owner<'e> {
        Row(usize),
        Delete(&'e QueueEntry),
    }
    let mut owners: Vec<Owner> = Vec::with_capacity(ready.len() + deletes.len());
    let mut operations: Vec<Operation> = Vec::with_capacity(ready.len() + deletes.len());
    for (i, row) in ready {
        operations.push(upsert(row));
        owners.push(Owner::Row(i));
    }
    for (entry, operation) in deletes {
        operations.push(operation);
        owners.push(Owner::Delete(entry));
    }
    let mut deleted = Vec::new();
    if !operations.is_empty() {
        let mut tx = engine.endpoint(to).begin().await?;
        let mut kept: Vec<bool> = vec![true; operations.len()];
        if let Err(error) = tx
            .apply_bulk(&operations)
            .instrument(tracing::debug_span!("round_target_apply"))
            .await
        {
            if error.category() != ErrorCategory::Application {
                return Err(error.into());
            }
            // One row broke the batch: write them one by one (each apply is all or nothing,
            // the transaction stays usable) and fail only the rows the target refuses.
            tracing::debug!(map = %map.id(), %error, "batch refused; isolating the failing rows");
            for (n, operation) in operations.iter().enumerate() {
                match tx.apply(std::slice::from_ref(operation)).await {
                    Ok(_) => {}
                    Err(e) if e.category() == ErrorCategory::Application => {
                        kept[n] = false;
                        match &owners[n] {
                            Owner::Row(i) => failures.push((*i, e.into())),
                            Owner::Delete(entry) => settled.fail(entry, &e.into()),
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        tx.commit()
            .instrument(tracing::debug_span!("round_target_commit"))
            .await?;
        for ((owner, kept), operation) in owners.into_iter().zip(kept).zip(operations) {
            match (owner, kept, operation) {
                (Owner::Row(i), true, Operation::Upsert { values, .. }) => rows[i] = Some(values),
                (Owner::Delete(entry), true, _) => deleted.push(entry.id),
                _ => {}
            }
        }
    }
    for (i, error) in failures {
        let entry = candidates[i].entry;
        if missing_parent::is_missing_parent(&error) || error.category() == ErrorCategory::System {
            settled.deferred.push(entry.clone());
        } else {
            settled.fail(entry, &error);
        }
    }
    Ok(Written { rows, deleted })
}
