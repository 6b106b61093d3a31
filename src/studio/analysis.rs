//! What the app shows about a project after every edit: the findings and the chart.
//!
//! One call, so that the problems panel, the group editor's flags and the chart can never show
//! different states of the same project; validation and the chart share one
//! [`DependencyChart`] build (5,000 maps in about 12 ms, see BENCHMARKS.md), which is what makes
//! re-analysing on every keystroke affordable.

use serde::Serialize;

use crate::chart::export::{export, ChartExport};
use crate::chart::DependencyChart;
use crate::model::Project;
use crate::validate::{validate_with_chart, Finding, Severity};

/// Findings and chart of one state of a project.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Every finding of the core validation, errors first.
    pub findings: Vec<Finding>,
    pub counts: FindingCounts,
    pub chart: ChartExport,
}

/// Findings per severity, for the status bar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct FindingCounts {
    pub errors: u32,
    pub warnings: u32,
    pub infos: u32,
}

/// Validates `project` and exports its chart.
pub fn analyze(project: &Project) -> Analysis {
    let chart = DependencyChart::build(project);
    let mut findings = validate_with_chart(project, &chart);
    findings.sort_by_key(|f| match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
    let mut counts = FindingCounts::default();
    for finding in &findings {
        match finding.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            Severity::Info => counts.infos += 1,
        }
    }
    Analysis {
        findings,
        counts,
        chart: export(&chart, project),
    }
}
