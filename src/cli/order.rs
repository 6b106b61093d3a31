//! `dualwrite order PROJECT`: the initial-sync plan, one wave per line.
//!
//! Maps of one wave can sync in parallel once the earlier waves are done. Members of a cycle
//! share a wave and self-referencing maps sync in one, but both need a second pass to fill the
//! lookups that pointed at rows not yet there; they are marked in the wave and explained below
//! it, because that second pass is exactly what a consultant forgets.
//!
//! ```text
//! wave 1: Legal entities, Currencies
//! wave 2: Customers V3 [cycle 1] [self], Contact persons [cycle 1]
//!
//! cycle 1: Customers V3, Contact persons
//!   sync them in the same wave, then a second pass fills column parentcustomerid of Contact persons (after Customers V3)
//! self-reference: Customers V3
//!   a second pass fills column msdyn_billingaccount (rows that reference rows of the same map)
//! ```

use std::io::Write;

use super::{CliError, Console, OrderArgs, Outcome};
use crate::chart::{DependencyChart, EdgeCause};
use crate::project_file;

/// Runs the command.
pub fn run(args: &OrderArgs, out: &mut dyn Write, console: &Console) -> Result<Outcome, CliError> {
    let project = project_file::load(&args.project)?;
    let chart = DependencyChart::build(&project);
    let cycles = chart.cycles();
    let self_references = chart.self_references();

    let waves = chart.waves();
    if waves.is_empty() {
        console.warn(format_args!("{} has no table maps", args.project.display()));
    }
    for (index, wave) in waves.iter().enumerate() {
        let members: Vec<String> = wave
            .iter()
            .map(|map| {
                let mut label = (*map).to_string();
                if let Some(n) = cycles.iter().position(|c| c.maps.iter().any(|m| m == map)) {
                    label.push_str(&format!(" [cycle {}]", n + 1));
                }
                if self_references.iter().any(|s| s.map == *map) {
                    label.push_str(" [self]");
                }
                label
            })
            .collect();
        writeln!(out, "wave {}: {}", index + 1, members.join(", "))?;
    }

    if !cycles.is_empty() || !self_references.is_empty() {
        writeln!(out)?;
    }
    for (n, cycle) in cycles.iter().enumerate() {
        writeln!(out, "cycle {}: {}", n + 1, cycle.maps.join(", "))?;
        for edge in &cycle.feedback_edges {
            writeln!(
                out,
                "  sync them in the same wave, then a second pass fills {} of {} (after {})",
                causes(&edge.causes),
                edge.to,
                edge.from
            )?;
        }
    }
    for reference in &self_references {
        writeln!(out, "self-reference: {}", reference.map)?;
        writeln!(
            out,
            "  a second pass fills {} (rows that reference rows of the same map)",
            causes(&reference.causes)
        )?;
    }
    out.flush()?;

    let unresolved = chart.unresolved_lookups().len() + chart.unknown_dependencies().len();
    if unresolved > 0 {
        console.warn(format_args!(
            "{unresolved} lookup(s) or dependsOn entries name no map of the project and are not \
             ordered; run `dualwrite validate {}` for details",
            args.project.display()
        ));
    }
    Ok(Outcome::Success)
}

fn causes(causes: &[EdgeCause]) -> String {
    let named: Vec<String> = causes
        .iter()
        .map(|cause| match cause {
            EdgeCause::Lookup { column, .. } => format!("column {column}"),
            EdgeCause::DependsOn => "dependsOn".to_string(),
        })
        .collect();
    named.join(", ")
}
