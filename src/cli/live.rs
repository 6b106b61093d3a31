//! `dualwrite live PROJECT --from fno|dataverse --txn FILE [--split N]`: one live (synchronous)
//! dual-write transaction, or the platform's "multiple transactions" pattern with `--split`.
//!
//! Exit codes follow the protocol's outcome: 0 both sides committed, 1 both sides rolled back
//! (the reason and its category are printed), 2 bad input: an unreadable transaction file, or a
//! transaction refused before anything was sent (limits, unmapped tables, live and async mixed).
//! With `--split`, every chunk commits or rolls back on its own; the exit code is the worst one.

use std::io::Write;
use std::time::Duration;

use super::engine_runtime::{open_engine, print_json, runtime};
use super::{CliError, ListFormat, LiveArgs, Outcome};
use crate::engine::live::{load_txn_file, ChunkOutcome, LiveOptions, LiveOutcome, Step};

/// Runs the command.
pub fn run(args: &LiveArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let rows = load_txn_file(&args.txn)?;
    let mut options = LiveOptions::default();
    if let Some(seconds) = args.time_limit {
        options.time_limit = Duration::from_secs(seconds);
    }
    let from = args.from.side();
    let chunks = runtime()?.block_on(async {
        let engine = open_engine(&args.target).await?;
        let chunks = match args.split {
            Some(size) => {
                engine
                    .live_split(from, &rows, size as usize, &options)
                    .await
            }
            None => vec![ChunkOutcome {
                first_row: 0,
                rows: rows.len(),
                outcome: engine.live_transaction(from, &rows, &options).await,
            }],
        };
        engine.close().await;
        Ok::<_, CliError>(chunks)
    })?;
    match args.format {
        ListFormat::Json if args.split.is_some() => print_json(out, "live chunks", &chunks)?,
        ListFormat::Json => match chunks.first() {
            Some(chunk) => print_json(out, "live outcome", &chunk.outcome)?,
            None => print_json(out, "live chunks", &chunks)?,
        },
        ListFormat::Text => {
            for chunk in &chunks {
                write_text(out, chunk, args.split.is_some())?;
            }
        }
    }
    Ok(worst(&chunks))
}

/// The exit outcome of a run: refused (2) beats rolled back (1) beats committed (0).
fn worst(chunks: &[ChunkOutcome]) -> Outcome {
    if chunks.iter().any(|c| c.outcome.refused) {
        Outcome::BadInput
    } else if chunks.iter().any(|c| !c.outcome.committed) {
        Outcome::Findings
    } else {
        Outcome::Success
    }
}

fn write_text(out: &mut dyn Write, chunk: &ChunkOutcome, split: bool) -> std::io::Result<()> {
    let outcome = &chunk.outcome;
    if split {
        let last = chunk.first_row + chunk.rows.saturating_sub(1);
        write!(out, "rows {}-{}: ", chunk.first_row + 1, last + 1)?;
    }
    writeln!(out, "{}", headline(outcome))?;
    if let Some(category) = outcome.category {
        writeln!(out, "  category: {category}")?;
    }
    for step in &outcome.trace {
        match &step.detail {
            Some(detail) => writeln!(out, "  {:<20} {detail}", step_label(step.step))?,
            None => writeln!(out, "  {}", step_label(step.step))?,
        }
    }
    Ok(())
}

fn headline(outcome: &LiveOutcome) -> String {
    let reason = outcome.reason.as_deref().unwrap_or("no reason given");
    if outcome.committed {
        "committed: both sides hold the transaction".to_string()
    } else if outcome.refused {
        format!("refused before anything was sent: {reason}")
    } else {
        format!("rolled back on both sides: {reason}")
    }
}

fn step_label(step: Step) -> &'static str {
    match step {
        Step::Refused => "refused",
        Step::SourcePreCommit => "source pre-commit",
        Step::BatchToTarget => "batch to target",
        Step::TargetApplied => "target applied",
        Step::Journaled => "journaled",
        Step::TargetCommit => "target commit",
        Step::TargetAbort => "target abort",
        Step::SourceCommit => "source commit",
        Step::SourceRollback => "source rollback",
        Step::CrashSimulated => "crash (simulated)",
        Step::TargetCompensated => "target compensated",
    }
}
