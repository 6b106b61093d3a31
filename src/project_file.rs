//! Reading and writing `NAME.dwproj.json` files.
//!
//! The file is the product's contract and is edited by hand as often as by the app, so a bad
//! file must produce an error a consultant can act on: the file, the JSON path, the line and
//! column, and a "did you mean" for a misspelt key or value. Loading never panics.
//!
//! Saving is atomic: the project is written to a temporary file in the same directory, synced,
//! and renamed over the target, so a crash leaves either the old file or the new one.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::{Project, SCHEMA_VERSION};

/// The file name suffix of project files.
pub const EXTENSION: &str = ".dwproj.json";

/// Why a project file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ProjectFileError {
    /// The file could not be read at all.
    #[error("cannot read project file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid JSON, or does not match the project format.
    #[error("{path}:{line}:{column}: {json_path}: {message}{hint}", hint = hint_suffix(.hint))]
    Invalid {
        path: PathBuf,
        json_path: String,
        line: usize,
        column: usize,
        message: String,
        hint: Option<String>,
    },
    /// The file was written by a newer version of the tool.
    #[error(
        "{path}: schemaVersion {found} is newer than this build of Dual-write Studio supports \
         (up to {supported}); update Dual-write Studio to open it"
    )]
    TooNew {
        path: PathBuf,
        found: u64,
        supported: u32,
    },
    /// Two entries of one list share an id.
    #[error(
        "{path}: {json_path}: the id \"{id}\" is already used by {first}; give each one its own id"
    )]
    DuplicateId {
        path: PathBuf,
        json_path: String,
        first: String,
        id: String,
    },
    /// The project could not be written.
    #[error("cannot save project file {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The project could not be serialised (a value JSON cannot represent).
    #[error("cannot save project file {path}: {source}")]
    Serialize {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

fn hint_suffix(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!(" ({h})"),
        None => String::new(),
    }
}

impl ProjectFileError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            Self::Read { path, .. }
            | Self::Invalid { path, .. }
            | Self::TooNew { path, .. }
            | Self::DuplicateId { path, .. }
            | Self::Write { path, .. }
            | Self::Serialize { path, .. } => path,
        }
    }
}

/// Reads and checks a project file.
pub fn load(path: &Path) -> Result<Project, ProjectFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProjectFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses project JSON; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<Project, ProjectFileError> {
    // A first, untyped pass: syntax errors, and a newer schemaVersion must be reported as such
    // rather than as whatever new key the newer format happens to contain.
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| invalid(path, ".".into(), &e))?;
    if let Some(found) = value.get("schemaVersion").and_then(|v| v.as_u64()) {
        if found > u64::from(SCHEMA_VERSION) {
            return Err(ProjectFileError::TooNew {
                path: path.to_owned(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let project: Project = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let json_path = e.path().to_string();
        invalid(path, json_path, e.inner())
    })?;
    if project.schema_version == 0 {
        return Err(ProjectFileError::Invalid {
            path: path.to_owned(),
            json_path: "schemaVersion".into(),
            line: 1,
            column: 1,
            message: "schemaVersion 0 does not exist".into(),
            hint: Some(format!("use {SCHEMA_VERSION}")),
        });
    }
    check_unique_ids(&project, path)?;
    Ok(project)
}

/// Serialises a project the way it is stored: 2-space indented, keys in model order, a final
/// newline.
pub fn to_json(project: &Project) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(project)?;
    text.push('\n');
    Ok(text)
}

/// Saves a project atomically (temporary file in the same directory, then rename).
pub fn save(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    let text = to_json(project).map_err(|source| ProjectFileError::Serialize {
        path: path.to_owned(),
        source,
    })?;
    write_atomically(path, text.as_bytes()).map_err(|source| ProjectFileError::Write {
        path: path.to_owned(),
        source,
    })
}

/// Writes bytes to `path` through a synced temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dwproj-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // A temporary file is private (0600); the saved file keeps the permissions of the file it
    // replaces, or gets the usual ones for a document.
    let permissions = match std::fs::metadata(path) {
        Ok(meta) => meta.permissions(),
        Err(_) => new_file_permissions(tmp.as_file())?,
    };
    tmp.as_file().set_permissions(permissions)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions(_file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    let mut permissions = file.metadata()?.permissions();
    permissions.set_readonly(false);
    Ok(permissions)
}

fn invalid(path: &Path, json_path: String, error: &serde_json::Error) -> ProjectFileError {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the location is reported separately.
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let hint = did_you_mean(&message).map(|s| format!("did you mean `{s}`?"));
    ProjectFileError::Invalid {
        path: path.to_owned(),
        json_path,
        line: error.line(),
        column: error.column(),
        message,
        hint,
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (and the same for enum
/// variants), the expected name closest to the unknown one.
fn did_you_mean(message: &str) -> Option<String> {
    if !(message.starts_with("unknown field") || message.starts_with("unknown variant")) {
        return None;
    }
    let mut quoted = message.split('`').skip(1).step_by(2);
    let unknown = quoted.next()?;
    quoted
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), candidate))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

fn check_unique_ids(project: &Project, path: &Path) -> Result<(), ProjectFileError> {
    fn check<'a>(
        path: &Path,
        list: &str,
        ids: impl Iterator<Item = &'a str>,
    ) -> Result<(), ProjectFileError> {
        let mut seen = std::collections::HashMap::new();
        for (i, id) in ids.enumerate() {
            if let Some(first) = seen.insert(id, i) {
                return Err(ProjectFileError::DuplicateId {
                    path: path.to_owned(),
                    json_path: format!("{list}[{i}].id"),
                    first: format!("{list}[{first}]"),
                    id: id.to_string(),
                });
            }
        }
        Ok(())
    }
    check(
        path,
        "environments",
        project.environments.iter().map(|e| e.id.as_str()),
    )?;
    check(
        path,
        "tableMaps",
        project.table_maps.iter().map(|m| m.id.as_str()),
    )?;
    check(path, "groups", project.groups.iter().map(|g| g.id.as_str()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_picks_the_closest_expected_name() {
        let m = "unknown field `syncMod`, expected one of `id`, `name`, `syncMode`, `fields`";
        assert_eq!(did_you_mean(m).as_deref(), Some("syncMode"));
        let v = "unknown variant `lve`, expected `live` or `async`";
        assert_eq!(did_you_mean(v).as_deref(), Some("live"));
        assert_eq!(did_you_mean("unknown field `zzzzzz`, expected `id`"), None);
        assert_eq!(did_you_mean("missing field `id`"), None);
    }
}
