//! `dualwrite import helper-config FILE --out PROJECT [--force]`.
//!
//! An import is a starting point, not a copy: what the source format says that the project
//! model cannot hold is reported, so the consultant knows what to recheck by hand.

use std::io::Write;

use super::console::counted;
use super::{target_file, CliError, Console, HelperConfigArgs, Outcome};
use crate::import::helper_config;
use crate::model::Project;

/// Runs `import helper-config`.
pub fn run_helper_config(
    args: &HelperConfigArgs,
    out: &mut dyn Write,
    console: &Console,
) -> Result<Outcome, CliError> {
    target_file::check(&args.out, args.overwrite.force, console)?;
    let import = helper_config::import_with_report(&args.file)?;
    target_file::save(&import.project, &args.out)?;
    write_summary(out, args, &import.project, &import.notes)?;
    Ok(Outcome::Success)
}

fn write_summary(
    out: &mut dyn Write,
    args: &HelperConfigArgs,
    project: &Project,
    notes: &[String],
) -> std::io::Result<()> {
    writeln!(
        out,
        "imported {} into {}: {}, {}",
        args.file.display(),
        args.out.display(),
        counted(project.table_maps.len(), "table map"),
        counted(project.groups.len(), "group")
    )?;
    for group in &project.groups {
        writeln!(
            out,
            "  group {}: {}",
            group.name,
            counted(group.members.len(), "map")
        )?;
    }
    if !notes.is_empty() {
        writeln!(out, "not carried over ({}):", notes.len())?;
        for note in notes {
            writeln!(out, "  - {note}")?;
        }
    }
    out.flush()
}
