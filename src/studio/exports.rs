//! Writing an export of the chart (SVG or PNG) where the user chose in a save dialog.
//!
//! The web view has no file system access; it hands the bytes to this command with the path the
//! dialog returned. Only `.svg` and `.png` files are written, atomically, so a compromised or
//! buggy front end cannot use the command to overwrite arbitrary files such as project files.

use std::path::Path;

use crate::project_file::write_atomically;

use super::error::StudioError;

/// Writes `bytes` to `path`, which must end in `.svg` or `.png`.
pub fn write_export(path: &Path, bytes: &[u8]) -> Result<(), StudioError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if !matches!(extension.as_deref(), Some("svg" | "png")) {
        return Err(StudioError::ExportKind(path.to_path_buf()));
    }
    write_atomically(path, bytes).map_err(|source| StudioError::File {
        what: "chart export",
        path: path.to_path_buf(),
        source,
    })
}
