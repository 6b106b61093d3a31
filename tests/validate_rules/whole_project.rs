//! Whole projects: the clean realistic project has no findings, findings come in a stable
//! order, and every finding's path points into the project file.

use std::path::Path;

use dualwrite::model::{Project, Side};
use dualwrite::validate::{validate, Code, Finding, Summary};
use serde_json::Value;

use crate::builders::*;

#[test]
fn the_clean_realistic_project_has_no_findings() {
    let findings = validate(&realistic());
    assert!(findings.is_empty(), "{findings:#?}");
}

/// The realistic project with one mistake per rule family.
fn broken() -> Project {
    let mut p = realistic();
    p.table_maps[CUSTOMERS] = asynchronous(p.table_maps[CUSTOMERS].clone(), Side::Fno);
    p.table_maps[CUSTOMERS].primary = None;
    p.table_maps[ORDER_HEADERS].sync_deletes = true;
    p.table_maps[CUSTOMER_GROUPS].dataverse.company_striped = false;
    p.table_maps[CUSTOMER_GROUPS].fno.keys.clear();
    p.table_maps[CUSTOMERS].depends_on = vec!["nowhere".into()];
    p.table_maps[CUSTOMERS]
        .fields
        .push(field("KNOWNAS", "name"));
    p.groups[SALES].members[1].sequence = 10;
    p.groups[SALES].members.push(dualwrite::model::GroupMember {
        map: "ghost".into(),
        sequence: 1,
    });
    p.groups[MASTER_DATA].expected_records_per_transaction = Some(5_000);
    p.alert_rules.push(dualwrite::model::AlertRule {
        map: Some("ghost".into()),
        category: dualwrite::model::AlertCategory::Application,
        count: 0,
        within_minutes: 0,
        action: dualwrite::model::AlertAction::Pause,
    });
    p
}

#[test]
fn findings_are_sorted_by_code_then_subjects_then_path_and_are_stable() {
    let p = broken();
    let findings = validate(&p);
    let codes: Vec<Code> = findings.iter().map(|f| f.code).collect();
    for expected in [
        Code::DW001,
        Code::DW002,
        Code::DW005,
        Code::DW006,
        Code::DW008,
        Code::DW009,
        Code::DW010,
        Code::DW012,
        Code::DW015,
        Code::DW016,
        Code::DW017,
    ] {
        assert!(
            codes.contains(&expected),
            "{expected} missing from {findings:#?}"
        );
    }
    let mut sorted = findings.clone();
    sorted.sort_by(Finding::report_order);
    assert_eq!(findings, sorted);
    assert!(codes.windows(2).all(|w| w[0] <= w[1]));

    // Same project, same list; and the same after a trip through the project file.
    assert_eq!(validate(&p), findings);
    let text = dualwrite::project_file::to_json(&p).unwrap();
    let reloaded = dualwrite::project_file::parse(&text, Path::new("broken.dwproj.json")).unwrap();
    assert_eq!(validate(&reloaded), findings);

    let summary = Summary::of(&findings);
    assert_eq!(summary.total(), findings.len());
    assert_eq!(
        summary.errors,
        findings.iter().filter(|f| f.is_error()).count()
    );
    assert!(summary.has_errors());
}

/// Follows a path such as `tableMaps[2].fields[5]` through the project's JSON. The last
/// segment may be absent (an unset optional key, such as `primary`), but its parent must be
/// an object that could hold it.
fn resolves(json: &Value, path: &str) -> bool {
    let mut current = json;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let (key, index) = match segment.split_once('[') {
            Some((key, rest)) => (key, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let last = i + 1 == segments.len();
        let Some(next) = current.get(key) else {
            return last && index.is_none() && current.is_object();
        };
        current = match index {
            Some(n) => match next.get(n) {
                Some(v) => v,
                None => return false,
            },
            None => next,
        };
    }
    true
}

#[test]
fn every_path_points_into_the_project_file() {
    let p = broken();
    let json = serde_json::to_value(&p).unwrap();
    for f in validate(&p) {
        let path = f.path.as_deref().unwrap_or_default();
        assert!(resolves(&json, path), "{} points nowhere: {path}", f.code);
    }
}

#[test]
fn the_example_project_validates_deterministically() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.dwproj.json");
    let p = dualwrite::project_file::load(&path).unwrap();
    let first = validate(&p);
    assert_eq!(validate(&p), first);
    let json = serde_json::to_value(&p).unwrap();
    for f in &first {
        assert!(!f.subjects.is_empty(), "{f:?}");
        assert!(
            f.message.contains(&format!("\"{}\"", f.subjects[0])),
            "{f:?}"
        );
        assert!(
            resolves(&json, f.path.as_deref().unwrap_or_default()),
            "{f:?}"
        );
    }
}
