//! `dualwrite new PROJECT [--template standard|empty] [--name NAME] [--force]`.

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;

use super::console::counted;
use super::{target_file, CliError, Console, NewArgs, Outcome};
use crate::templates::{project_from_template, Template};

/// Runs the command.
pub fn run(args: &NewArgs, out: &mut dyn Write, console: &Console) -> Result<Outcome, CliError> {
    target_file::check(&args.project, args.overwrite.force, console)?;
    let name = match &args.name {
        Some(name) => name.clone(),
        None => default_name(&args.project)?,
    };
    let project = project_from_template(args.template, &name)?;
    target_file::save(&project, &args.project)?;
    writeln!(
        out,
        "created {} ({}) from the {} template: {}, {}",
        args.project.display(),
        project.name,
        template_name(args.template),
        counted(project.table_maps.len(), "table map"),
        counted(project.groups.len(), "group")
    )?;
    out.flush()?;
    Ok(Outcome::Success)
}

/// The project name a file name implies: `Contoso.dwproj.json` -> `Contoso`, `x.json` -> `x`.
fn default_name(path: &Path) -> Result<String, CliError> {
    let stem = target_file::stem_before_extension(path)
        .or_else(|| path.file_stem().and_then(|s| s.to_str()))
        .map(str::trim)
        .filter(|s| !s.is_empty());
    stem.map(str::to_string)
        .ok_or_else(|| CliError::NoProjectName {
            path: path.to_owned(),
        })
}

/// The template's name as typed on the command line.
fn template_name(template: Template) -> String {
    template
        .to_possible_value()
        .map(|value| value.get_name().to_string())
        .unwrap_or_else(|| format!("{template:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_name_is_the_file_name_without_suffix() {
        let name = |p: &str| default_name(Path::new(p)).ok();
        assert_eq!(
            name("dir/Contoso UK.dwproj.json").as_deref(),
            Some("Contoso UK")
        );
        assert_eq!(name("Contoso.json").as_deref(), Some("Contoso"));
        assert_eq!(name("Contoso").as_deref(), Some("Contoso"));
        assert_eq!(name(".dwproj.json"), None);
    }
}
