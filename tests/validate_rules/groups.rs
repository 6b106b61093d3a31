//! DW001 (mixed live and async group) and DW015 (group membership).

use dualwrite::model::{Side, SyncMode};
use dualwrite::validate::{Code, Severity};

use crate::builders::*;

#[test]
fn dw001_names_the_minority_async_map_of_a_live_group() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS] = asynchronous(p.table_maps[CUSTOMERS].clone(), Side::Dataverse);

    let f = single(&p, Code::DW001);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["master-data", "customers"]));
    assert_eq!(f.path.as_deref(), Some("groups[0].members[2]"));
    assert!(f.message.contains("\"master-data\""), "{}", f.message);
    assert!(
        f.message.contains("\"customers\" is async"),
        "{}",
        f.message
    );
    assert!(f.message.contains("other maps are live"), "{}", f.message);
    assert!(f.hint.contains("Move \"customers\""), "{}", f.hint);

    // Corrected as the hint says: the async map gets its own group.
    p.groups[MASTER_DATA].members.remove(2);
    p.groups
        .push(group("customers-async", &[("customers", 10)]));
    assert_none(&p, Code::DW001);
}

#[test]
fn dw001_names_the_live_maps_when_they_are_the_minority() {
    let mut p = realistic();
    // Headers and lines are async; a live map joins them.
    p.groups[SALES].members.push(dualwrite::model::GroupMember {
        map: "legal-entities".into(),
        sequence: 5,
    });
    p.groups[MASTER_DATA].members.remove(0);

    let f = single(&p, Code::DW001);
    assert_eq!(f.subjects, ids(&["sales", "legal-entities"]));
    assert_eq!(f.path.as_deref(), Some("groups[1].members[2]"));
    assert!(
        f.message.contains("\"legal-entities\" is live"),
        "{}",
        f.message
    );

    // Corrected the other way the hint offers: change the map's mode.
    p.table_maps[LEGAL_ENTITIES].sync_mode = SyncMode::Async;
    p.table_maps[LEGAL_ENTITIES].primary = Some(Side::Fno);
    assert_none(&p, Code::DW001);
}

#[test]
fn dw015_reports_a_map_in_two_groups_at_its_second_listing() {
    let mut p = realistic();
    p.groups[SALES].members.push(dualwrite::model::GroupMember {
        map: "customers".into(),
        sequence: 5,
    });

    let found = findings(&p, Code::DW015);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers", "master-data", "sales"]));
    assert_eq!(f.path.as_deref(), Some("groups[1].members[2]"));
    assert!(
        f.message
            .contains("member of 2 groups: \"master-data\" and \"sales\""),
        "{}",
        f.message
    );

    p.groups[SALES].members.pop();
    assert_none(&p, Code::DW015);
}

#[test]
fn dw015_suggests_the_closest_id_for_an_unknown_member() {
    let mut p = realistic();
    p.groups[MASTER_DATA].members[2].map = "custmers".into();

    let f = single(&p, Code::DW015);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["master-data", "custmers"]));
    assert_eq!(f.path.as_deref(), Some("groups[0].members[2]"));
    assert!(f.message.contains("\"custmers\""), "{}", f.message);
    assert!(f.hint.contains("Did you mean \"customers\"?"), "{}", f.hint);

    p.groups[MASTER_DATA].members[2].map = "customers".into();
    assert_none(&p, Code::DW015);
}

#[test]
fn dw015_does_not_suggest_an_unrelated_id() {
    let mut p = realistic();
    p.groups[MASTER_DATA].members[2].map = "warehouses".into();
    let f = single(&p, Code::DW015);
    assert!(!f.hint.contains("Did you mean"), "{}", f.hint);
}
