//! Validation of live/async misconfigurations and platform limits.
//!
//! Dual-write only tells you a configuration is wrong when a transaction fails in production
//! (or, worse, when rows silently drift apart). Validation finds those problems in the project
//! file first: each [`Finding`] has a stable [`Code`] (documented in `docs/findings.md`), a
//! severity, the ids of the maps and groups concerned, a message that names them, a hint that
//! says what to do, and the JSON path of the place to fix.
//!
//! Rules live in `rules/`, one small module per concern; the platform's numbers live in
//! [`platform_limits`]. Rules about order (cycles, prerequisites, sequences) read the
//! [`DependencyChart`] rather than walking lookups themselves, so the chart the app draws and
//! the findings it shows always agree.

mod context;
mod finding;
pub mod platform_limits;
mod rules;

pub use finding::{Code, Finding, Severity, Summary, UnknownCode};

use crate::chart::DependencyChart;
use crate::model::Project;
use context::Context;
use rules::{alert_rules, chart_rules, fields, groups, keys, limits, maps};

/// Validates a project (builds its chart).
pub fn validate(project: &Project) -> Vec<Finding> {
    validate_with_chart(project, &DependencyChart::build(project))
}

/// Validates a project against an already built chart.
///
/// The findings are sorted by code, then subjects, then path, so two runs over the same
/// project give the same list.
pub fn validate_with_chart(project: &Project, chart: &DependencyChart) -> Vec<Finding> {
    let cx = Context::new(project);
    let mut findings = Vec::new();
    let out = &mut findings;

    groups::mixed_sync_modes(&cx, out);
    maps::async_deletes(&cx, out);
    chart_rules::cycles(&cx, chart, out);
    chart_rules::self_references(&cx, chart, out);
    chart_rules::sequence_order(&cx, chart, out);
    chart_rules::missing_prerequisites(&cx, chart, out);
    chart_rules::live_on_async(&cx, chart, out);
    keys::integration_keys(&cx, out);
    maps::company_striping(&cx, out);
    fields::duplicate_destinations(&cx, out);
    fields::value_map_inversion(&cx, out);
    limits::live_transaction_volume(&cx, out);
    limits::legal_entities(&cx, out);
    groups::membership(&cx, out);
    maps::async_primary(&cx, out);
    alert_rules::alert_rules(&cx, out);

    findings.sort_by(Finding::report_order);
    tracing::debug!(
        project = %project.name,
        findings = findings.len(),
        summary = %Summary::of(&findings),
        "validated project"
    );
    findings
}
