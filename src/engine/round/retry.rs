//! Applying an entry behind the target endpoint's circuit breaker, with in-round retries.
//!
//! A transient failure (connection lost, timeout, database locked) often clears within
//! moments, so the entry is retried a few times in the round with exponential backoff and
//! jitter (the `backon` crate), the jitter keeping parallel workers from retrying in step.
//! Every attempt asks the breaker of the endpoint the entry writes to first: while it is open
//! the attempt is not made at all and the entry is rescheduled for when the cooldown ends
//! (rescheduled, not failed: the endpoint is down, the row is fine). Each attempt's outcome is
//! reported to the breaker, so a persistent outage opens it after its threshold and the number
//! of calls against a dead endpoint stays bounded. System failures are attributed to the
//! target endpoint: it is the one written, and the source was just read successfully more often
//! than not; a source that fails opens its own breaker when it is the target of other entries.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::endpoint::ErrorCategory;
use crate::store::QueueEntry;

use super::super::breaker::Permit;
use super::super::{CircuitBreaker, Engine, EngineError, ResolvedMap};
use super::process::{apply, Outcome};
use super::RoundOptions;

/// Why an entry was not applied.
pub(super) enum Failure {
    /// The target's breaker is open: try again after this long.
    Rejected(Duration),
    /// Applying failed (after the in-round retries, for a system failure).
    Error(EngineError),
}

/// Applies `entry` of `map`, retrying transient failures within the round.
pub(super) async fn apply_guarded(
    engine: &Engine,
    map: &ResolvedMap,
    entry: &QueueEntry,
    options: &RoundOptions,
) -> Result<Outcome, Failure> {
    let target = engine.environment(entry.source_side.other()).id.clone();
    let breaker = engine.breakers.get(&target, options.breaker);
    let (min_delay, max_delay) = options.retry_delays;
    let backoff = ExponentialBuilder::default()
        .with_min_delay(min_delay)
        .with_max_delay(max_delay.max(min_delay))
        .with_max_times(options.retries)
        .with_jitter();
    (|| attempt(engine, &breaker, map, entry))
        .retry(backoff)
        .when(
            |failure| matches!(failure, Failure::Error(e) if e.category() == ErrorCategory::System),
        )
        .notify(|failure, delay| {
            if let Failure::Error(error) = failure {
                tracing::debug!(map = %entry.map_id, key = %entry.key, %error, ?delay, "retrying");
            }
        })
        .await
}

async fn attempt(
    engine: &Engine,
    breaker: &CircuitBreaker,
    map: &ResolvedMap,
    entry: &QueueEntry,
) -> Result<Outcome, Failure> {
    if let Permit::Rejected { retry_after } = breaker.permit() {
        return Err(Failure::Rejected(retry_after));
    }
    let result = apply(engine, map, entry).await;
    breaker.record(matches!(&result, Err(e) if e.category() == ErrorCategory::System));
    result.map_err(Failure::Error)
}
