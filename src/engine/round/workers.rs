//! Parallel workers of the async round.
//!
//! Entity groups are independent of each other: one worker per group with entries ready, up to
//! [`RoundOptions::workers`] at a time. A group's worker claims only that group's entries, in
//! the claim order (lowest sequence first, then wave, then FIFO), and finishes one claimed batch
//! before it claims the next, so the sequence order inside a group holds. Inside a batch, the
//! maps of one sequence and one wave of the dependency chart do not reference each other, so
//! their sub-batches run at the same time too ([`super::batch`]).
//!
//! The workers are futures driven together on the caller's task (`buffer_unordered`), not
//! spawned tasks: the work is I/O on the endpoints and the store (whose drivers run on their own
//! threads), so interleaving at every await is the concurrency that matters, and the engine
//! needs no `Arc`. With one worker the round claims across all groups in order, as before.

use futures_util::stream::{self, StreamExt, TryStreamExt};
use tracing::Instrument;

use crate::store::{ClaimRequest, Timestamp};

use super::super::{Engine, EngineError};
use super::{batch, RoundOptions, RoundReport};

/// Processes ready entries until none is left ready, with up to `options.workers` groups at a
/// time.
pub(super) async fn run(
    engine: &Engine,
    options: &RoundOptions,
) -> Result<RoundReport, EngineError> {
    let request = ClaimRequest {
        maps: options.maps.clone(),
        ..ClaimRequest::any(options.claim_batch.max(1), options.lease)
    }
    .owned_by(engine.queue_owner.owner());
    let workers = usize::try_from(options.workers.max(1)).unwrap_or(1);
    if workers == 1 {
        return drain(engine, request, options).await;
    }
    let mut report = RoundReport::default();
    loop {
        // Entries released by another group's work (held children) make a group ready again.
        let groups = engine
            .store
            .ready_groups(Timestamp::now(), &options.maps)
            .await?;
        if groups.is_empty() {
            return Ok(report);
        }
        let reports: Vec<RoundReport> = stream::iter(groups)
            .map(|group| {
                let request = ClaimRequest {
                    group: Some(group),
                    ..request.clone()
                };
                drain(engine, request, options)
            })
            .buffer_unordered(workers)
            .try_collect()
            .await?;
        for group in &reports {
            report.add(group);
        }
    }
}

/// One worker: claims and processes batches of `request` until none is ready.
async fn drain(
    engine: &Engine,
    request: ClaimRequest,
    options: &RoundOptions,
) -> Result<RoundReport, EngineError> {
    let mut report = RoundReport::default();
    loop {
        let entries = engine
            .store
            .claim_batch(&request, Timestamp::now())
            .instrument(tracing::debug_span!("round_claim"))
            .await?;
        if entries.is_empty() {
            return Ok(report);
        }
        report.add(&batch::process_claimed(engine, entries, options).await?);
        // After each batch, so a failing map stops before the rest of its backlog.
        report.paused_maps.extend(
            engine
                .evaluate_alert_rules()
                .instrument(tracing::debug_span!("round_alert_rules"))
                .await?,
        );
    }
}
