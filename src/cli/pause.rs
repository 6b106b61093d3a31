//! `dualwrite pause|resume PROJECT --map M`: stop or restart processing one map's queue.
//!
//! Pausing only changes the runtime store: changes keep being captured and queued, and catch up
//! in order on resume, which is how dual-write's own pause behaves. The map id is checked
//! against the project first, so a typo is an error naming the closest id rather than a pause
//! of a map that does not exist.

use std::io::Write;

use super::engine_runtime::{open_store, runtime, selected_maps};
use super::{CliError, MapArgs, Outcome};
use crate::store::{PauseReason, Timestamp};

/// Pauses (`pause = true`) or resumes the map.
pub fn run(args: &MapArgs, pause: bool, out: &mut dyn Write) -> Result<Outcome, CliError> {
    runtime()?.block_on(async {
        let (project, store) = open_store(&args.target).await?;
        selected_maps(
            &project,
            &args.target.project,
            None,
            std::slice::from_ref(&args.map),
        )?;
        let message = if pause {
            store
                .pause_map(&args.map, &PauseReason::Manual, Timestamp::now())
                .await?;
            format!(
                "paused {}: its changes queue up until it is resumed",
                args.map
            )
        } else if store.resume_map(&args.map, Timestamp::now()).await? {
            format!("resumed {}: run `dualwrite sync` to catch up", args.map)
        } else {
            format!("{} was not paused", args.map)
        };
        store.close().await;
        writeln!(out, "{message}")?;
        Ok(Outcome::Success)
    })
}
