//! `dualwrite conflicts PROJECT`: rows both sides changed, where the primary side won.
//!
//! A conflict is an outcome, not an error: the row was synced with the winner's values. The
//! listing shows both versions so that a consultant can redo the overwritten change by hand.

use std::io::Write;

use super::engine_runtime::{open_store, print_json, runtime};
use super::{CliError, ListArgs, ListFormat, Outcome};
use crate::store::ConflictFilter;

/// Lists the conflicts.
pub fn run(args: &ListArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    runtime()?.block_on(async {
        let (_, store) = open_store(&args.target).await?;
        let conflicts = store.list_conflicts(&ConflictFilter::default()).await?;
        store.close().await;
        match args.format {
            ListFormat::Json => print_json(out, "conflicts", &conflicts)?,
            ListFormat::Text => {
                for c in &conflicts {
                    writeln!(
                        out,
                        "#{} {} {}: {} won\n  kept:        {}\n  overwritten: {}",
                        c.id.0,
                        c.map_id,
                        c.key.as_str(),
                        c.winning_side,
                        c.winning_values,
                        c.losing_values
                    )?;
                }
                writeln!(
                    out,
                    "{}",
                    super::console::counted(conflicts.len(), "conflict")
                )?;
            }
        }
        Ok(Outcome::Success)
    })
}
