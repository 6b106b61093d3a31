//! `dualwrite status PROJECT`: where each map stands, from the runtime store alone.
//!
//! Per map: sync mode, paused or not, queue entries per status and unresolved errors per
//! category; then the last runs. The JSON form is a stable, documented shape ([`Status`]) for
//! scripts and the app, built by [`crate::studio::status`].

use std::collections::BTreeMap;
use std::io::Write;

use super::engine_runtime::{open_store, print_json, runtime};
use super::{CliError, ListArgs, ListFormat, Outcome};
use crate::model::SyncMode;
use crate::studio::status::{project_status, Status};

/// Prints the status.
pub fn run(args: &ListArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let status = runtime()?.block_on(async {
        let (project, store) = open_store(&args.target).await?;
        let status = project_status(&project, &store).await;
        store.close().await;
        Ok::<_, CliError>(status?)
    })?;
    match args.format {
        ListFormat::Json => print_json(out, "status", &status)?,
        ListFormat::Text => print_text(&status, out)?,
    }
    Ok(Outcome::Success)
}

fn print_text(status: &Status, out: &mut dyn Write) -> Result<(), CliError> {
    writeln!(out, "{}", status.project)?;
    for map in &status.maps {
        let mode = match map.sync_mode {
            SyncMode::Live => "live",
            SyncMode::Async => "async",
        };
        let paused = if map.paused { ", PAUSED" } else { "" };
        writeln!(out, "  {} ({mode}{paused})", map.id)?;
        if !map.queue.is_empty() {
            writeln!(out, "    queue:  {}", words(&map.queue))?;
        }
        if !map.errors.is_empty() {
            writeln!(out, "    errors: {}", words(&map.errors))?;
        }
    }
    if status.last_runs.is_empty() {
        writeln!(out, "no runs yet")?;
    } else {
        writeln!(out, "last runs:")?;
    }
    for run in &status.last_runs {
        writeln!(
            out,
            "  #{} {} {} {}",
            run.id, run.kind, run.status, run.counters
        )?;
    }
    Ok(())
}

/// `3 pending, 10 done`.
fn words(counts: &BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}
