//! Alert rules that cannot do what they say (DW017).
//!
//! An alert rule ("N errors of category C within T minutes -> pause the map") is a safety net:
//! when it cannot trip, nobody notices until a failing map has filled the error log. Parsing
//! already refuses an unknown category or action; what it cannot see is a rule that names no
//! map of the project (a typo, or a map renamed since), a rule on a live map (only async maps
//! are paused: their entries wait in the queue, while a live transaction fails at once), an
//! empty window (no error falls in zero minutes) and a count of 0 (the engine counts at least
//! one, so the rule pauses the map at the first error, which is rarely what was meant).

use super::super::context::{did_you_mean, path, Context};
use super::super::{Code, Finding, Severity};
use crate::model::{AlertRule, SyncMode};

/// DW017: alert rules naming an unknown or live map, with an empty window or a count of 0.
pub(crate) fn alert_rules(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (r, rule) in cx.project.alert_rules.iter().enumerate() {
        let subjects: Vec<String> = rule.map.iter().cloned().collect();
        let name = describe(r, rule);
        let finding = |message: String, hint: String, key: &str| {
            Finding::new(
                Code::DW017,
                Severity::Warning,
                subjects.clone(),
                message,
                hint,
                path::alert_rule_key(r, key),
            )
        };
        if let Some(map_id) = &rule.map {
            match cx.map(map_id) {
                None => out.push(finding(
                    format!(
                        "{name} watches map \"{map_id}\", which is not a table map of the \
                         project, so it never pauses anything."
                    ),
                    format!(
                        "Name an existing map's id in \"map\", or leave \"map\" out to watch \
                         every map.{}",
                        did_you_mean(cx.closest_map_id(map_id))
                    ),
                    "map",
                )),
                Some((_, map)) if map.sync_mode == SyncMode::Live => out.push(finding(
                    format!(
                        "{name} watches live map \"{map_id}\": pausing holds async queue \
                         entries only, and a live transaction fails at once instead of \
                         queueing, so the rule never stops anything."
                    ),
                    "Point the rule at an async map, or remove it (watch live failures in the \
                     live transaction outcomes instead)."
                        .to_string(),
                    "map",
                )),
                Some(_) => {}
            }
        }
        if rule.within_minutes == 0 {
            out.push(finding(
                format!(
                    "{name} has \"withinMinutes\": 0; no error falls in an empty window, so it \
                     never trips."
                ),
                "Set \"withinMinutes\" to the window the errors must fall in (at least 1)."
                    .to_string(),
                "withinMinutes",
            ));
        }
        if rule.count == 0 {
            out.push(finding(
                format!(
                    "{name} has \"count\": 0; a rule trips on at least one error, so it pauses \
                     at the first one."
                ),
                "Set \"count\" to the number of errors that should pause the map (1 to pause \
                 at the first)."
                    .to_string(),
                "count",
            ));
        }
    }
}

/// "Alert rule 2 (\"customers\")" or "Alert rule 2 (every map)", numbered from 1 as people count.
fn describe(index: usize, rule: &AlertRule) -> String {
    match &rule.map {
        Some(map) => format!("Alert rule {} on \"{map}\"", index + 1),
        None => format!("Alert rule {} (every map)", index + 1),
    }
}
