//! The project file that `new` and `import` create: never replaced by accident.
//!
//! A project file holds hours of a consultant's mapping work, so replacing one needs `--force`.
//! The write itself is [`project_file::save`]'s atomic rename, so an interrupted run never
//! leaves a half-written project behind.

use std::path::Path;

use super::{CliError, Console};
use crate::model::Project;
use crate::project_file::{self, EXTENSION};

/// Refuses an existing target unless `force`, and warns when the name lacks `.dwproj.json`.
/// Called before any work, so that a refused run does none.
pub fn check(path: &Path, force: bool, console: &Console) -> Result<(), CliError> {
    if !has_project_extension(path) {
        console.warn(format_args!(
            "{} does not end in {EXTENSION}; Dual-write Studio and editors recognise project files \
             by that suffix",
            path.display()
        ));
    }
    // symlink_metadata: a dangling link is still something that would be replaced.
    if !force && path.symlink_metadata().is_ok() {
        return Err(CliError::WouldOverwrite {
            path: path.to_owned(),
        });
    }
    Ok(())
}

/// Saves the project atomically.
pub fn save(project: &Project, path: &Path) -> Result<(), CliError> {
    project_file::save(project, path)?;
    tracing::info!("saved {}", path.display());
    Ok(())
}

/// Whether the file name ends in `.dwproj.json` (ASCII case-insensitive).
pub fn has_project_extension(path: &Path) -> bool {
    stem_before_extension(path).is_some()
}

/// The file name without `.dwproj.json`, if it has that suffix.
pub fn stem_before_extension(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    let split = name.len().checked_sub(EXTENSION.len())?;
    let (stem, suffix) = (name.get(..split)?, name.get(split..)?);
    suffix.eq_ignore_ascii_case(EXTENSION).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suffix_is_recognised_in_any_case() {
        assert_eq!(
            stem_before_extension(Path::new("a/b/Contoso.dwproj.json")),
            Some("Contoso")
        );
        assert_eq!(stem_before_extension(Path::new("X.DWPROJ.JSON")), Some("X"));
        assert_eq!(stem_before_extension(Path::new("x.json")), None);
        assert_eq!(stem_before_extension(Path::new("é.json")), None);
        assert!(!has_project_extension(Path::new("dwproj.json")));
    }
}
