//! `dualwrite retry PROJECT --all | ID...`: put failed entries back in the queue.
//!
//! The engine reads the latest row when it processes an entry, so once the cause is fixed
//! (the missing parent created, the value map completed) a retry picks the fix up. With
//! `--run` the queue is processed once right away; otherwise the next `sync` does it.

use std::io::Write;

use super::engine_runtime::{open_engine, open_store, runtime};
use super::{CliError, Outcome, RetryArgs};
use crate::engine::RoundOptions;
use crate::store::{ErrorId, RetrySelection, Timestamp};

/// Re-queues the selected errors' entries (and processes the queue with `--run`).
pub fn run(args: &RetryArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let selection = if args.all {
        RetrySelection::AllUnresolved
    } else {
        RetrySelection::Ids(args.ids.iter().copied().map(ErrorId).collect())
    };
    runtime()?.block_on(async {
        let (_, store) = open_store(&args.target).await?;
        let outcome = store.retry_errors(&selection, Timestamp::now()).await?;
        store.close().await;
        let ids = |ids: &[ErrorId]| ids.iter().map(|i| format!("#{i}")).collect::<Vec<_>>();
        writeln!(
            out,
            "re-queued {} queue entr{} ({})",
            outcome.requeued_entries,
            if outcome.requeued_entries == 1 {
                "y"
            } else {
                "ies"
            },
            ids(&outcome.retried).join(", ")
        )?;
        if !outcome.not_retryable.is_empty() {
            writeln!(
                out,
                "not retryable (no queue entry, or a concurrency or conflict category): {}",
                ids(&outcome.not_retryable).join(", ")
            )?;
        }
        let mut result = if outcome.unknown.is_empty() {
            Outcome::Success
        } else {
            writeln!(
                out,
                "unknown error ids: {}",
                ids(&outcome.unknown).join(", ")
            )?;
            Outcome::Findings
        };
        if args.run {
            let engine = open_engine(&args.target).await?;
            let round = engine.process_queue(&RoundOptions::default()).await;
            engine.close().await;
            let round = round?;
            writeln!(out, "{}", super::sync::describe_round(&round))?;
            if round.failed > 0 {
                result = Outcome::Findings;
            }
        }
        Ok(result)
    })
}
