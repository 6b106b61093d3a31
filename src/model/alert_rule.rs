//! Alert rules: "N errors of category C within T minutes -> pause the map".
//!
//! Dual-write lets an administrator stop a map that keeps failing instead of filling the error
//! log with thousands of rows of the same cause. The rules live in the project (they are part of
//! the configuration a consultant hands over); the engine evaluates them after every async
//! round against the store's error counts and pauses the map, whose entries then stay queued and
//! catch up on resume.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One alert rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlertRule {
    /// The table map id the rule watches; every map when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
    /// Which errors count.
    pub category: AlertCategory,
    /// How many errors of that category trip the rule (at least 1).
    pub count: u32,
    /// The window the errors must fall in, in minutes.
    pub within_minutes: u32,
    /// What happens when the rule trips.
    pub action: AlertAction,
}

/// The error categories an alert rule can count.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum AlertCategory {
    /// The target refused rows (constraints, validation, lookup not found).
    Application,
    /// The endpoint could not be reached (connection, timeout, locked).
    System,
    /// Rows whose version moved on before they were processed.
    Concurrency,
    /// Rows changed on both sides.
    Conflict,
}

/// What an alert rule does when it trips.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum AlertAction {
    /// Pause the map: its entries stay queued until it is resumed.
    Pause,
}

impl AlertRule {
    /// A description for people ("5 application errors within 10 minutes on customers").
    pub fn describe(&self, map_id: &str) -> String {
        let category = serde_json::to_value(self.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        format!(
            "{} {category} errors within {} minutes on {map_id}",
            self.count, self.within_minutes
        )
    }
}
