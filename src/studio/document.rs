//! Opening, creating, importing and saving a project, as the app's File menu does.
//!
//! A project the app edits is always returned with its [`Analysis`], so the window never shows
//! a project without its problems. Saving writes atomically through
//! [`project_file::save`](crate::project_file::save) and only when asked; the app keeps unsaved
//! edits in memory and asks before discarding them.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::import::helper_config;
use crate::model::Project;
use crate::project_file;
use crate::templates::{project_from_template, Template};

use super::analysis::{analyze, Analysis};
use super::error::StudioError;

/// A project as the app holds it.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct OpenedProject {
    /// Where it is saved; `None` for a new or imported project not saved yet.
    pub path: Option<String>,
    pub project: Project,
    pub analysis: Analysis,
    /// For people: what an import could not carry over, and similar remarks.
    pub notes: Vec<String>,
}

impl OpenedProject {
    fn new(path: Option<&Path>, project: Project, notes: Vec<String>) -> Self {
        let analysis = analyze(&project);
        OpenedProject {
            path: path.map(|p| p.display().to_string()),
            project,
            analysis,
            notes,
        }
    }
}

/// Which template a new project starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum TemplateKind {
    /// The 93 out-of-box dual-write maps with their keys and dependencies.
    Standard,
    /// No maps.
    Empty,
}

/// Reads the project file at `path`.
pub fn open(path: &Path) -> Result<OpenedProject, StudioError> {
    let project = project_file::load(path)?;
    Ok(OpenedProject::new(Some(path), project, Vec::new()))
}

/// A new, unsaved project.
pub fn new_project(template: TemplateKind, name: &str) -> Result<OpenedProject, StudioError> {
    let template = match template {
        TemplateKind::Standard => Template::Standard,
        TemplateKind::Empty => Template::Empty,
    };
    let project = project_from_template(template, name)?;
    Ok(OpenedProject::new(None, project, Vec::new()))
}

/// A new, unsaved project from a Dual-write helper `App.config`.
pub fn import_helper_config(path: &Path) -> Result<OpenedProject, StudioError> {
    let import = helper_config::import_with_report(path)?;
    Ok(OpenedProject::new(None, import.project, import.notes))
}

/// Saves `project` at `path` atomically and returns it as now opened there.
pub fn save(path: &Path, project: Project) -> Result<OpenedProject, StudioError> {
    project_file::save(&project, path)?;
    tracing::info!(path = %path.display(), "project saved");
    Ok(OpenedProject::new(Some(path), project, Vec::new()))
}

/// `path` with the project file extension when it has none (what Save As dialogs return).
pub fn with_project_extension(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name.ends_with(".dwproj.json") || name.ends_with(".json") {
        path.to_path_buf()
    } else {
        path.with_file_name(format!("{name}.dwproj.json"))
    }
}
