//! Applying a claimed batch of one map and source side at once.
//!
//! Applying entries one at a time costs a source read, a snapshot read, a target transaction
//! and a store commit per row: about a thousand rows a second. Here the same rules
//! ([`super::rules`]) are applied to a whole batch with a fixed number of round trips:
//! one read of the row versions (concurrency skip), one of the source rows, one of the
//! snapshots, one of the target rows (conflict detection), one lookup resolution, ONE target
//! transaction with multi-row upserts and deletes, and ONE store transaction for the
//! snapshots, done marks, conflicts and errors.
//!
//! What the batch does not settle goes through the per-entry path ([`process::process_entry`]),
//! which keeps every rule's exact semantics at the cost of speed, for rows that are rare:
//! - a row whose parent is missing (placeholder creation or holding, [`super::missing_parent`]);
//! - every entry of the batch when the target's circuit breaker is not closed (rejection and
//!   the half-open probe are per entry), and when the batch meets a system failure before
//!   anything was committed: the per-entry path retries with backoff under the breaker, so the
//!   breaker counts entry attempts as before and a batch never opens it on its own;
//! - the rows a conflict writes back to the source side, when that write meets a system failure.
//!
//! The steps, one module each:
//! - here: grouping the claim into sub-batches by (map, source side), running them, and the
//!   fallback to the per-entry path;
//! - [`candidates`]: the reads and the decision per row (skip, unchanged, delete, or a
//!   [`Candidate`](super::rules::Candidate) with its winner), with the rules of [`super::rules`];
//! - [`write`](mod@write): the target transactions (the winners, and conflicts won by the target
//!   written back to the source side), isolating the rows the target refuses so only they fail;
//! - [`settled`]: what the batch came to, committed to the store in one transaction.

mod candidates;
mod settled;
mod write;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use tracing::Instrument;

use crate::model::Side;
use crate::store::QueueEntry;

use super::super::breaker::BreakerState;
use super::super::{Engine, EngineError};
use super::process;
use super::{RoundOptions, RoundReport};
use settled::Settled;

/// The entries of one map and source side in a claimed batch.
type SubBatch = ((String, Side), Vec<QueueEntry>);

/// Processes a claimed batch: its entries grouped by (map, source side), in the order the
/// groups first appear (the claim's order: sequence, wave, FIFO). Sub-batches of one sequence
/// and wave (maps that do not reference each other) run at the same time, up to
/// `options.workers`; the next sequence or wave starts when they are all done.
pub(super) async fn process_claimed(
    engine: &Engine,
    entries: Vec<QueueEntry>,
    options: &RoundOptions,
) -> Result<RoundReport, EngineError> {
    let mut groups: Vec<SubBatch> = Vec::new();
    for entry in entries {
        let id = (entry.map_id.clone(), entry.source_side);
        match groups.iter_mut().find(|(g, _)| *g == id) {
            Some((_, group)) => group.push(entry),
            None => groups.push((id, vec![entry])),
        }
    }
    let workers = usize::try_from(options.workers.max(1)).unwrap_or(1);
    let mut report = RoundReport::default();
    let mut groups = groups.into_iter().peekable();
    while let Some(first) = groups.next() {
        let stage_of = |group: &SubBatch| group.1.first().map(|e| (e.sequence, e.wave));
        let stage = stage_of(&first);
        // The two sides of one map stay in order (they may hold the same key).
        let mut members: Vec<Vec<SubBatch>> = vec![vec![first]];
        while let Some(next) = groups.next_if(|g| stage_of(g) == stage) {
            match members.iter_mut().find(|m| m[0].0 .0 == next.0 .0) {
                Some(map) => map.push(next),
                None => members.push(vec![next]),
            }
        }
        let reports: Vec<RoundReport> = stream::iter(members)
            .map(|map| async move {
                let mut report = RoundReport::default();
                for ((map_id, side), group) in map {
                    report.add(&process_group(engine, &map_id, side, group, options).await?);
                }
                Ok::<_, EngineError>(report)
            })
            .buffer_unordered(workers)
            .try_collect()
            .await?;
        for part in &reports {
            report.add(part);
        }
    }
    Ok(report)
}

async fn one_by_one(
    engine: &Engine,
    entries: &[QueueEntry],
    options: &RoundOptions,
    report: &mut RoundReport,
) -> Result<(), EngineError> {
    for entry in entries {
        process::process_entry(engine, entry, options, report).await?;
    }
    Ok(())
}

async fn process_group(
    engine: &Engine,
    map_id: &str,
    source_side: Side,
    entries: Vec<QueueEntry>,
    options: &RoundOptions,
) -> Result<RoundReport, EngineError> {
    let mut report = RoundReport::default();
    let Some(map) = engine.map(map_id) else {
        one_by_one(engine, &entries, options, &mut report).await?;
        return Ok(report);
    };
    let target = engine.environment(source_side.other()).id.clone();
    let breaker = engine.breakers.get(&target, options.breaker);
    if breaker.metrics().state != BreakerState::Closed {
        one_by_one(engine, &entries, options, &mut report).await?;
        return Ok(report);
    }
    let mut settled = Settled::default();
    let applied = match candidates::read(engine, map, source_side, &entries, &mut settled)
        .instrument(tracing::debug_span!("round_read"))
        .await
    {
        Ok(plan) => {
            write::apply(engine, map, source_side, plan, &mut settled)
                .instrument(tracing::debug_span!("round_write"))
                .await
        }
        Err(error) => Err(error),
    };
    if let Err(error) = applied {
        tracing::debug!(map = %map_id, %error, entries = entries.len(),
            "batch not applied; applying its entries one by one");
        one_by_one(engine, &entries, options, &mut report).await?;
        return Ok(report);
    }
    // Every attempted entry counts as a successful call, as it would one by one.
    breaker.record_successes(settled.attempted());
    let deferred = std::mem::take(&mut settled.deferred);
    settled
        .commit(engine, map, &mut report)
        .instrument(tracing::debug_span!("round_settle"))
        .await?;
    one_by_one(engine, &deferred, options, &mut report).await?;
    Ok(report)
}
