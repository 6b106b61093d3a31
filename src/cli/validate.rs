//! `dualwrite validate PROJECT [--format text|json|sarif]`.
//!
//! Exits 1 when any finding is an error, so a pipeline can gate on the project; warnings and
//! info are reported but do not fail the run.

use std::io::Write;

use super::output::{sarif, text};
use super::{CliError, FindingsFormat, Outcome, ValidateArgs};
use crate::project_file;
use crate::validate::{validate, Summary};

/// Runs the command.
pub fn run(args: &ValidateArgs, out: &mut dyn Write) -> Result<Outcome, CliError> {
    let project = project_file::load(&args.project)?;
    let findings = validate(&project);
    tracing::info!(
        findings = findings.len(),
        "validated {}",
        args.project.display()
    );
    match args.format {
        FindingsFormat::Text => text::write_findings(out, &findings, &args.project)?,
        FindingsFormat::Json => {
            let json =
                serde_json::to_string_pretty(&findings).map_err(|source| CliError::Json {
                    what: "findings",
                    source,
                })?;
            writeln!(out, "{json}")?;
        }
        FindingsFormat::Sarif => {
            let log = sarif::to_sarif(&findings, &args.project)
                .and_then(|log| serde_json::to_string_pretty(&log))
                .map_err(|source| CliError::Json {
                    what: "SARIF log",
                    source,
                })?;
            writeln!(out, "{log}")?;
        }
    }
    out.flush()?;
    if Summary::of(&findings).has_errors() {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Success)
    }
}
