//! DW012 (records), DW013 (payload) and DW014 (legal entities) per transaction.

use dualwrite::validate::platform_limits::{
    MAX_INITIAL_SYNC_LEGAL_ENTITIES, MAX_LIVE_LEGAL_ENTITIES, MAX_LIVE_PAYLOAD_BYTES,
    MAX_LIVE_RECORDS_PER_TRANSACTION,
};
use dualwrite::validate::{Code, Severity};

use crate::builders::*;

fn companies(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("C{i:03}")).collect()
}

#[test]
fn dw012_a_live_group_over_1000_records_per_transaction() {
    let mut p = realistic();
    p.groups[MASTER_DATA].expected_records_per_transaction = Some(1_001);

    let f = single(&p, Code::DW012);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["master-data"]));
    assert_eq!(
        f.path.as_deref(),
        Some("groups[0].expectedRecordsPerTransaction")
    );
    assert!(f.message.contains("expects 1,001 records"), "{}", f.message);
    assert!(f.message.contains("at most 1,000 records"), "{}", f.message);
    assert!(f.hint.contains("Split the group"), "{}", f.hint);

    p.groups[MASTER_DATA].expected_records_per_transaction = Some(MAX_LIVE_RECORDS_PER_TRANSACTION);
    assert_none(&p, Code::DW012);
}

#[test]
fn dw012_does_not_apply_to_an_async_group() {
    let p = realistic();
    assert!(p.groups[SALES].expected_records_per_transaction.unwrap() > 1_000);
    assert_none(&p, Code::DW012);
}

#[test]
fn dw013_a_live_group_over_116_85_mb_per_transaction() {
    let mut p = realistic();
    p.groups[MASTER_DATA].expected_payload_bytes = Some(MAX_LIVE_PAYLOAD_BYTES + 1);

    let f = single(&p, Code::DW013);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["master-data"]));
    assert_eq!(f.path.as_deref(), Some("groups[0].expectedPayloadBytes"));
    assert!(f.message.contains("116.85 MB"), "{}", f.message);
    assert!(f.message.contains("122,526,106 bytes"), "{}", f.message);

    p.groups[MASTER_DATA].expected_payload_bytes = Some(MAX_LIVE_PAYLOAD_BYTES);
    assert_none(&p, Code::DW013);
}

#[test]
fn dw013_does_not_apply_to_an_async_group() {
    let mut p = realistic();
    p.groups[SALES].expected_payload_bytes = Some(10 * MAX_LIVE_PAYLOAD_BYTES);
    assert_none(&p, Code::DW013);
}

#[test]
fn dw014_more_than_250_legal_entities_in_a_live_transaction() {
    let mut p = realistic();
    p.groups[MASTER_DATA].initial_sync = false;
    p.groups[MASTER_DATA].legal_entities = companies(MAX_LIVE_LEGAL_ENTITIES + 1);

    let f = single(&p, Code::DW014);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["master-data"]));
    assert_eq!(f.path.as_deref(), Some("groups[0].legalEntities"));
    assert!(
        f.message.contains("spans 251 legal entities"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("a live-sync transaction supports at most 250"),
        "{}",
        f.message
    );

    p.groups[MASTER_DATA].legal_entities = companies(MAX_LIVE_LEGAL_ENTITIES);
    assert_none(&p, Code::DW014);
}

#[test]
fn dw014_more_than_40_legal_entities_for_initial_sync() {
    let mut p = realistic();
    p.groups[MASTER_DATA].legal_entities = companies(MAX_INITIAL_SYNC_LEGAL_ENTITIES + 1);

    let f = single(&p, Code::DW014);
    assert!(
        f.message.contains("spans 41 legal entities"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("initial sync supports at most 40"),
        "{}",
        f.message
    );

    // Either fewer entities per run, or no initial sync for the group.
    p.groups[MASTER_DATA].legal_entities = companies(MAX_INITIAL_SYNC_LEGAL_ENTITIES);
    assert_none(&p, Code::DW014);
    p.groups[MASTER_DATA].legal_entities = companies(MAX_INITIAL_SYNC_LEGAL_ENTITIES + 1);
    p.groups[MASTER_DATA].initial_sync = false;
    assert_none(&p, Code::DW014);
}

#[test]
fn dw014_counts_the_environments_legal_entities_when_the_group_names_none() {
    let mut p = realistic();
    p.groups[MASTER_DATA].legal_entities.clear();
    let mut entities = companies(MAX_INITIAL_SYNC_LEGAL_ENTITIES + 1);
    // The same company in another case and in the other environment counts once.
    entities.push("c000".into());
    p.environments[1].legal_entities = vec!["C001".into()];
    p.environments[0].legal_entities = entities;

    let f = single(&p, Code::DW014);
    assert!(
        f.message.contains("spans 41 legal entities"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("legal entity of the environments"),
        "{}",
        f.message
    );

    // A group without company-striped maps does not span legal entities.
    p.groups[MASTER_DATA].members.truncate(1); // legal entities only: global
    assert_none(&p, Code::DW014);
}
