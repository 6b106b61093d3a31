//! Progress bars on stderr for the long steps: seeding a demo and initial syncs.
//!
//! indicatif hides its bars when stderr is not a terminal, so pipes, CI logs and the tests see
//! only the summaries on stdout. An initial sync reports per map and legal entity; the bars are
//! per map (what a consultant thinks in), so the events are summed per map here.

use std::collections::HashMap;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

use crate::demo::SeedProgress;
use crate::engine::{Engine, InitialSyncOptions, InitialSyncReport, Pass, ProgressEvent};

use super::CliError;

const TEMPLATE: &str = "{prefix:.bold} [{bar:20}] {human_pos}/{human_len} {rate} ETA {eta} {msg}";

fn style() -> ProgressStyle {
    // The template is a constant; if indicatif ever refused it, a plain bar still works.
    ProgressStyle::with_template(TEMPLATE)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                // Whole rows per second: decimals are noise at these rates.
                let _ = write!(w, "{:.0} rows/s", state.per_sec());
            },
        )
        .progress_chars("=> ")
}

/// A bar for seeding a demo, fed by [`crate::demo::create_with_progress`]'s callback.
pub fn seed_bar(quiet: bool) -> (ProgressBar, impl FnMut(&SeedProgress) + Send) {
    let bar = ProgressBar::new(0);
    if quiet {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(style());
    bar.set_prefix("seeding demo");
    let fed = bar.clone();
    let callback = move |p: &SeedProgress| {
        fed.set_length(p.rows_total);
        fed.set_position(p.rows_done);
        fed.set_message(p.table);
    };
    (bar, callback)
}

/// Runs an initial sync with one bar per map.
pub async fn initial_sync_with_bars(
    engine: &Engine,
    mut options: InitialSyncOptions,
    quiet: bool,
) -> Result<InitialSyncReport, CliError> {
    let (sender, receiver) = unbounded_channel();
    options.progress = Some(sender);
    let bars = MultiProgress::new();
    if quiet {
        bars.set_draw_target(ProgressDrawTarget::hidden());
    }
    let drawer = tokio::spawn(draw(bars, receiver));
    let report = engine.initial_sync(&options).await;
    // The engine drops its senders when the run ends, which ends the drawer.
    drop(options);
    let _ = drawer.await;
    Ok(report?)
}

/// Rows done and total of one (map, legal entity, pass).
type Part = (u64, Option<u64>);
/// A map's bar and its parts by (legal entity, second pass).
type MapBar = (ProgressBar, HashMap<(Option<String>, bool), Part>);

async fn draw(bars: MultiProgress, mut events: UnboundedReceiver<ProgressEvent>) {
    let mut per_map: HashMap<String, MapBar> = HashMap::new();
    while let Some(event) = events.recv().await {
        let (bar, parts) = per_map.entry(event.map_id.clone()).or_insert_with(|| {
            let bar = bars.add(ProgressBar::new(0));
            bar.set_style(style());
            bar.set_prefix(event.map_id.clone());
            (bar, HashMap::new())
        });
        parts.insert(
            (event.legal_entity.clone(), event.pass == Pass::Second),
            (event.rows_done, event.total),
        );
        let done: u64 = parts.values().map(|p| p.0).sum();
        let total: u64 = parts.values().map(|p| p.1.unwrap_or(p.0)).sum();
        bar.set_length(total.max(done));
        bar.set_position(done);
        if let Some(company) = &event.legal_entity {
            bar.set_message(company.clone());
        }
    }
    for (bar, _) in per_map.into_values() {
        bar.finish();
    }
}
