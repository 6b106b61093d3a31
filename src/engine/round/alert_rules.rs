//! Evaluating the project's alert rules after a batch of the round.
//!
//! A rule counts the store's errors of its category per map within its window and pauses the
//! map when the count reaches the rule's threshold ([`PauseReason::AlertRule`]). Errors logged
//! before the map was last resumed do not count again: otherwise a map resumed after the cause
//! was fixed would be paused at once by the very errors that paused it.

use std::collections::HashMap;
use std::time::Duration;

use crate::model::{AlertAction, AlertCategory};
use crate::store::{ErrorCategory, PauseReason, Timestamp};

use super::super::{Engine, EngineError};

impl Engine {
    /// Evaluates the alert rules now; returns the maps it paused.
    pub async fn evaluate_alert_rules(&self) -> Result<Vec<String>, EngineError> {
        let rules = &self.project.alert_rules;
        if rules.is_empty() {
            return Ok(Vec::new());
        }
        let now = Timestamp::now();
        let states: HashMap<String, (bool, Timestamp)> = self
            .store
            .map_states()
            .await?
            .into_iter()
            .map(|s| (s.map_id, (s.paused, s.changed_at)))
            .collect();
        let mut paused = Vec::new();
        for rule in rules {
            let since = now.minus(Duration::from_secs(u64::from(rule.within_minutes) * 60));
            for map in self.maps.iter().map(|m| m.id()) {
                if rule.map.as_deref().is_some_and(|m| m != map) || paused.iter().any(|p| p == map)
                {
                    continue;
                }
                let counted_from = match states.get(map) {
                    Some((true, _)) => continue,
                    Some((false, resumed_at)) if *resumed_at > since => *resumed_at,
                    _ => since,
                };
                let count = count_errors(self, map, rule.category, counted_from).await?;
                if count >= u64::from(rule.count.max(1)) {
                    match rule.action {
                        AlertAction::Pause => {
                            let description = rule.describe(map);
                            tracing::warn!(map, rule = %description, "alert rule tripped; pausing the map");
                            self.store
                                .pause_map(map, &PauseReason::AlertRule { rule: description }, now)
                                .await?;
                            paused.push(map.to_string());
                        }
                    }
                }
            }
        }
        Ok(paused)
    }
}

/// Errors of `category` logged for `map` at or after `since`.
async fn count_errors(
    engine: &Engine,
    map: &str,
    category: AlertCategory,
    since: Timestamp,
) -> Result<u64, EngineError> {
    Ok(engine
        .store
        .error_counts_since(since)
        .await?
        .iter()
        .filter(|c| c.map_id == map && c.category == store_category(category))
        .map(|c| c.count)
        .sum())
}

fn store_category(category: AlertCategory) -> ErrorCategory {
    match category {
        AlertCategory::Application => ErrorCategory::Application,
        AlertCategory::System => ErrorCategory::System,
        AlertCategory::Concurrency => ErrorCategory::Concurrency,
        AlertCategory::Conflict => ErrorCategory::Conflict,
    }
}
