//! `dualwrite graph PROJECT [--format dot|mermaid|json]`: the dependency chart for other tools.
//!
//! The renderings belong to the chart module ([`crate::chart::export`]), so the app's export
//! button and this command produce the same text.

use std::io::Write;

use super::{CliError, GraphArgs, GraphFormat, Outcome};
use crate::chart::{export, DependencyChart};
use crate::project_file;

/// Runs the command.
pub fn run(args: &GraphArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = project_file::load(&args.project)?;
    let chart = DependencyChart::build(&project);
    let text = match args.format {
        GraphFormat::Dot => export::to_dot(&chart, &project),
        GraphFormat::Mermaid => export::to_mermaid(&chart, &project),
        GraphFormat::Json => export::to_json(&chart, &project),
    };
    write!(out, "{text}")?;
    if !text.ends_with('\n') {
        writeln!(out)?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}
