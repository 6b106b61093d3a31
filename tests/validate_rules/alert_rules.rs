//! DW017 (alert rules that cannot trip as meant): unknown map, live map, empty window, count 0;
//! each repaired the way the hint says.

use dualwrite::model::{AlertAction, AlertCategory, AlertRule};
use dualwrite::validate::{Code, Severity};

use crate::builders::*;

/// A sound rule: 5 application errors within 10 minutes on the async sales order headers.
fn rule(map: Option<&str>) -> AlertRule {
    AlertRule {
        map: map.map(str::to_string),
        category: AlertCategory::Application,
        count: 5,
        within_minutes: 10,
        action: AlertAction::Pause,
    }
}

#[test]
fn dw017_sound_rules_have_no_finding() {
    let mut p = realistic();
    p.alert_rules = vec![rule(Some("sales-order-headers")), rule(None)];
    assert_none(&p, Code::DW017);
}

#[test]
fn dw017_a_rule_naming_no_map_suggests_the_closest_id() {
    let mut p = realistic();
    p.alert_rules = vec![rule(None), rule(Some("sales-order-header"))];

    let f = single(&p, Code::DW017);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subjects, ids(&["sales-order-header"]));
    assert_eq!(f.path.as_deref(), Some("alertRules[1].map"));
    assert!(
        f.message
            .starts_with("Alert rule 2 on \"sales-order-header\" watches map"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("not a table map of the project"),
        "{}",
        f.message
    );
    assert!(f.hint.contains("Name an existing map's id"), "{}", f.hint);
    assert!(
        f.hint.contains("Did you mean \"sales-order-headers\"?"),
        "{}",
        f.hint
    );

    p.alert_rules[1].map = Some("sales-order-headers".into());
    assert_none(&p, Code::DW017);
}

#[test]
fn dw017_a_rule_on_a_live_map_never_stops_anything() {
    let mut p = realistic();
    p.alert_rules = vec![rule(Some("customers"))];

    let f = single(&p, Code::DW017);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(f.path.as_deref(), Some("alertRules[0].map"));
    assert!(
        f.message.contains("watches live map \"customers\""),
        "{}",
        f.message
    );
    assert!(f.hint.contains("async map"), "{}", f.hint);

    p.alert_rules[0].map = Some("sales-order-lines".into());
    assert_none(&p, Code::DW017);
}

#[test]
fn dw017_an_empty_window_and_a_count_of_zero_name_their_field() {
    let mut p = realistic();
    let mut broken = rule(None);
    broken.within_minutes = 0;
    broken.count = 0;
    p.alert_rules = vec![broken];

    let found = findings(&p, Code::DW017);
    let paths: Vec<&str> = found.iter().filter_map(|f| f.path.as_deref()).collect();
    assert_eq!(
        paths,
        ["alertRules[0].count", "alertRules[0].withinMinutes"],
        "{found:#?}"
    );
    let (count, window) = (&found[0], &found[1]);
    assert!(found.iter().all(|f| f.severity == Severity::Warning));
    assert!(found.iter().all(|f| f.subjects.is_empty()), "every map");
    assert!(
        count
            .message
            .starts_with("Alert rule 1 (every map) has \"count\": 0"),
        "{}",
        count.message
    );
    assert!(count.hint.contains("Set \"count\""), "{}", count.hint);
    assert!(
        window.message.contains("\"withinMinutes\": 0") && window.message.contains("never trips"),
        "{}",
        window.message
    );
    assert!(
        window.hint.contains("Set \"withinMinutes\""),
        "{}",
        window.hint
    );

    p.alert_rules[0].within_minutes = 15;
    p.alert_rules[0].count = 1;
    assert_none(&p, Code::DW017);
}
