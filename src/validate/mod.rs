//! Validation of live/async misconfigurations and platform limits. STUB: being written.

use crate::chart::DependencyChart;
use crate::model::Project;

/// How bad a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Stable finding codes, documented in the README.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub enum Code {
    DW001,
    DW002,
    DW003,
    DW004,
    DW005,
    DW006,
    DW007,
    DW008,
    DW009,
    DW010,
    DW011,
    DW012,
    DW013,
    DW014,
    DW015,
    DW016,
}

/// One problem found in a project.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// Ids of the maps and groups concerned.
    pub subjects: Vec<String>,
    pub message: String,
    pub hint: String,
    /// JSON path in the project file of the place to fix, e.g. `tableMaps[2].fields[5]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Validates a project (builds its chart).
pub fn validate(project: &Project) -> Vec<Finding> {
    validate_with_chart(project, &DependencyChart::build(project))
}

/// Validates a project against an already built chart.
pub fn validate_with_chart(_project: &Project, _chart: &DependencyChart) -> Vec<Finding> {
    todo!()
}
