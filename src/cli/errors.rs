//! `dualwrite errors PROJECT`: the sync error log.
//!
//! Every failure keeps its map, key and message; the ids printed here are what
//! `dualwrite retry ID...` takes once the cause is fixed.

use std::io::Write;

use clap::ValueEnum;

use super::engine_runtime::{open_store, print_json, runtime};
use super::{CliError, ErrorsArgs, ListFormat, Outcome};
use crate::store::{ErrorCategory, ErrorFilter};

/// The error categories as command-line values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CategoryArg {
    /// The target refused the row (constraint, validation, lookup not found).
    Application,
    /// An endpoint could not be reached (connection, timeout, locked).
    System,
    /// The row's version moved on since it was queued.
    Concurrency,
    /// Both sides changed the row.
    Conflict,
}

impl From<CategoryArg> for ErrorCategory {
    fn from(arg: CategoryArg) -> Self {
        match arg {
            CategoryArg::Application => ErrorCategory::Application,
            CategoryArg::System => ErrorCategory::System,
            CategoryArg::Concurrency => ErrorCategory::Concurrency,
            CategoryArg::Conflict => ErrorCategory::Conflict,
        }
    }
}

/// Lists the error log, oldest first.
pub fn run(args: &ErrorsArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    runtime()?.block_on(async {
        let (_, store) = open_store(&args.list.target).await?;
        let filter = ErrorFilter {
            category: args.category.map(ErrorCategory::from),
            ..ErrorFilter::default()
        };
        let errors = store.list_errors(&filter).await?;
        store.close().await;
        match args.list.format {
            ListFormat::Json => print_json(out, "error log", &errors)?,
            ListFormat::Text => {
                for e in &errors {
                    let state = e.resolution.map(|r| format!(" ({r})")).unwrap_or_default();
                    writeln!(
                        out,
                        "#{} {} {} [{}] after {}{state}: {}",
                        e.id,
                        e.map_id,
                        e.key.as_ref().map(|k| k.as_str()).unwrap_or("-"),
                        e.category,
                        super::console::counted(e.attempts as usize, "attempt"),
                        e.message
                    )?;
                }
                writeln!(out, "{}", super::console::counted(errors.len(), "error"))?;
            }
        }
        Ok(Outcome::Success)
    })
}
