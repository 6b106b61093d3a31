//! `dualwrite sync PROJECT`: an initial sync, or async rounds.
//!
//! `--initial` copies the existing rows of the selected maps with a progress bar per map.
//! Otherwise capture is installed (idempotent) and async rounds run: `--once` (the default)
//! repeats rounds until one has nothing left to apply or enqueue, `--watch` keeps going until
//! Ctrl-C and prints one line per round that did something. Exit 1 when rows failed: they are
//! in the error log (`dualwrite errors`). `--workers N` sets how many entity groups (and maps of
//! one chart wave) are processed at the same time. `--group G` / `--map M` narrow either kind of
//! run to those maps; an async run then processes only their queue entries and leaves the other
//! maps' entries queued.

use std::io::Write;
use std::time::Duration;

use super::engine_runtime::{open_engine, runtime, selected_maps};
use super::progress::initial_sync_with_bars;
use super::{CliError, Outcome, SyncArgs};
use crate::engine::{Engine, InitialSyncOptions, RoundOptions, RoundReport};

/// Rounds `--once` runs at most: a bidirectional map settles in one or two, so hitting this
/// means the queue keeps refilling (another writer), and a later run continues.
const MAX_ROUNDS: usize = 100;

/// Pause between `--watch` rounds.
const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// Runs the sync.
pub fn run(
    args: &SyncArgs,
    out: &mut dyn Write,
    console: &super::Console,
) -> Result<Outcome, CliError> {
    runtime()?.block_on(async {
        let engine = open_engine(&args.target).await?;
        let result = match selected_maps(
            engine.project(),
            &args.target.project,
            args.group.as_deref(),
            &args.map,
        ) {
            Err(error) => Err(error),
            Ok(maps) if args.initial => initial(&engine, maps, out, console.is_quiet()).await,
            Ok(maps) => rounds(&engine, args, maps, out).await,
        };
        engine.close().await;
        result
    })
}

async fn initial(
    engine: &Engine,
    maps: Vec<String>,
    out: &mut dyn Write,
    quiet: bool,
) -> Result<Outcome, CliError> {
    let options = InitialSyncOptions {
        maps,
        ..InitialSyncOptions::default()
    };
    let report = initial_sync_with_bars(engine, options, quiet).await?;
    for map in &report.maps {
        writeln!(
            out,
            "{}: {} rows written, {} failed",
            map.map_id, map.rows_written, map.rows_failed
        )?;
    }
    writeln!(
        out,
        "initial sync run #{}{}: {} rows written, {} failed",
        report.run,
        if report.resumed { " (resumed)" } else { "" },
        report.rows_written(),
        report.rows_failed()
    )?;
    Ok(if report.rows_failed() > 0 || report.interrupted {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

async fn rounds(
    engine: &Engine,
    args: &SyncArgs,
    maps: Vec<String>,
    out: &mut dyn Write,
) -> Result<Outcome, CliError> {
    engine.install_capture().await?;
    let watch = args.watch;
    let options = RoundOptions {
        workers: args.workers.max(1),
        maps,
        ..RoundOptions::default()
    };
    let mut total = RoundReport::default();
    let mut round = 0;
    loop {
        let report = engine.sync_once(&options).await?;
        round += 1;
        total.add(&report);
        let busy = report.applied + report.enqueued > 0;
        if busy || report != RoundReport::default() {
            writeln!(out, "round {round}: {}", describe_round(&report))?;
        }
        if !watch && (!busy || round >= MAX_ROUNDS) {
            break;
        }
        if watch {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = tokio::time::sleep(WATCH_INTERVAL) => {}
            }
        }
    }
    writeln!(out, "total: {}", describe_round(&total))?;
    Ok(if total.failed > 0 {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// `4 enqueued, 4 applied, 0 unchanged, ...`: one line for people.
pub fn describe_round(r: &RoundReport) -> String {
    format!(
        "{} enqueued, {} applied, {} unchanged, {} skipped, {} conflicts, {} failed, {} retried later",
        r.enqueued, r.applied, r.unchanged, r.skipped, r.conflicts, r.failed, r.retried
    )
}
