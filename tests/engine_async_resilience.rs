//! Resilience of the async round on real SQLite files: a child whose parent is missing gets a
//! placeholder parent that the real row later hydrates, or is held and lands after its parent;
//! neither is an error. An alert rule pauses a map that keeps failing; it catches up on resume.

mod engine_support;

use dualwrite::engine::{Engine, InitialSyncOptions, RoundOptions};
use dualwrite::model::Side;
use dualwrite::store::{EntryStatus, ErrorFilter};
use engine_support::{all_rows, find, text, World};

/// A world with 3 customers per company, capture installed and an initial sync from F&O done.
async fn synced(world: &World) -> Engine {
    world.seed(3).await;
    let engine = Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("open engine");
    engine.install_capture().await.expect("install capture");
    engine
        .initial_sync(&InitialSyncOptions {
            source: Some(Side::Fno),
            ..InitialSyncOptions::default()
        })
        .await
        .expect("initial sync");
    engine
}

async fn dv_row(
    engine: &Engine,
    table: &str,
    keys: &[&str],
    pairs: &[(&str, &str)],
) -> Option<dualwrite::endpoint::Row> {
    let rows = all_rows(engine.endpoint(Side::Dataverse).as_ref(), table, keys).await;
    find(&rows, pairs).cloned()
}

async fn group_40(engine: &Engine) -> Option<dualwrite::endpoint::Row> {
    dv_row(
        engine,
        "msdyn_customergroup",
        &["company", "msdyn_groupid"],
        &[("company", "USMF"), ("msdyn_groupid", "40")],
    )
    .await
}

async fn account_9(engine: &Engine) -> Option<dualwrite::endpoint::Row> {
    dv_row(
        engine,
        "account",
        &["company", "accountnumber"],
        &[("company", "USMF"), ("accountnumber", "C-0009")],
    )
    .await
}

/// A customer in a group that F&O does not have yet.
const ORPHAN: &str = "INSERT INTO CustCustomerV3Entity VALUES \
    ('USMF','C-0009','Orphan','40',NULL,'Active',NULL,NULL)";
const PARENT: &str = "INSERT INTO CustCustomerGroupEntity VALUES ('USMF','40','Retail US')";

async fn assert_no_errors(engine: &Engine) {
    let errors = engine
        .store()
        .list_errors(&ErrorFilter::default())
        .await
        .expect("errors");
    assert!(
        errors.is_empty(),
        "a missing parent is not an error: {errors:?}"
    );
}

#[tokio::test]
async fn a_missing_parent_becomes_a_placeholder_that_the_real_row_hydrates() {
    let world = World::sqlite().await;
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.placeholders = true;
        }
    });
    let engine = synced(&world).await;
    let options = RoundOptions::default();

    world.fno.exec(ORPHAN).await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!(
        (round.applied, round.held, round.failed),
        (1, 0, 0),
        "{round:?}"
    );
    let placeholder = group_40(&engine)
        .await
        .expect("placeholder parent on Dataverse");
    assert_eq!(
        text(&placeholder, "msdyn_description"),
        None,
        "only the key is written"
    );
    let account = account_9(&engine).await.expect("child written");
    assert_eq!(
        text(&account, "msdyn_customergroupid"),
        text(&placeholder, "msdyn_customergroupid"),
        "the child references the placeholder"
    );
    let waiting = engine
        .store()
        .placeholders(Some("groups"), true)
        .await
        .expect("placeholders");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].key.as_str(), r#"["USMF","40"]"#);

    world.fno.exec(PARENT).await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!(round.applied, 1, "{round:?}");
    let hydrated = group_40(&engine).await.expect("parent");
    assert_eq!(
        text(&hydrated, "msdyn_description").as_deref(),
        Some("Retail US")
    );
    assert_eq!(
        text(&hydrated, "msdyn_customergroupid"),
        text(&placeholder, "msdyn_customergroupid"),
        "the same row, hydrated"
    );
    let all = engine
        .store()
        .placeholders(Some("groups"), false)
        .await
        .expect("placeholders");
    assert_eq!(all.len(), 1);
    assert!(all[0].hydrated_at.is_some(), "{all:?}");
    assert_no_errors(&engine).await;
    engine.close().await;
}

#[tokio::test]
async fn without_placeholders_the_child_is_held_until_its_parent_arrives() {
    let world = World::sqlite().await;
    let engine = synced(&world).await;
    let options = RoundOptions::default();

    world.fno.exec(ORPHAN).await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!(
        (round.applied, round.held, round.failed),
        (0, 1, 0),
        "{round:?}"
    );
    assert!(account_9(&engine).await.is_none());
    assert!(group_40(&engine).await.is_none(), "no placeholder");
    let held = engine
        .store()
        .list_entries(Some("customers"), Some(EntryStatus::Held), 10)
        .await
        .expect("entries");
    assert_eq!(held.len(), 1);
    let again = engine.sync_once(&options).await.expect("round");
    assert_eq!(
        (again.applied, again.held),
        (0, 0),
        "held entries wait: {again:?}"
    );

    world.fno.exec(PARENT).await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!(
        (round.applied, round.held),
        (2, 0),
        "parent, then child: {round:?}"
    );
    let group = group_40(&engine).await.expect("parent");
    let account = account_9(&engine).await.expect("child landed");
    assert_eq!(
        text(&account, "msdyn_customergroupid"),
        text(&group, "msdyn_customergroupid")
    );
    assert_no_errors(&engine).await;
    engine.close().await;
}

#[tokio::test]
async fn an_alert_rule_pauses_a_failing_map_and_it_catches_up_on_resume() {
    let world = World::sqlite().await;
    world.edit_project(|project| {
        project.alert_rules = vec![serde_json::from_value(serde_json::json!({
            "map": "customers", "category": "application", "count": 2,
            "withinMinutes": 10, "action": "pause"
        }))
        .expect("alert rule")];
    });
    let engine = synced(&world).await;
    let one_at_a_time = RoundOptions {
        claim_batch: 1,
        ..RoundOptions::default()
    };
    // Three rows with a status the value map does not know: application errors.
    world
        .dataverse
        .exec("UPDATE account SET statuscode = 7 WHERE company = 'USMF'")
        .await;
    let round = engine.sync_once(&one_at_a_time).await.expect("round");
    assert_eq!(
        round.failed, 2,
        "the rule trips at the 2nd error: {round:?}"
    );
    assert_eq!(round.paused_maps, vec!["customers".to_string()]);
    let state = engine.store().map_states().await.expect("states");
    assert!(state[0].paused, "{state:?}");
    assert!(matches!(
        state[0].reason,
        Some(dualwrite::store::PauseReason::AlertRule { .. })
    ));

    // Paused: new changes queue up and wait.
    world
        .fno
        .exec("UPDATE CustCustomerV3Entity SET Name = 'While paused' WHERE dataAreaId = 'DEMF' AND CustomerAccount = 'C-0001'")
        .await;
    let waiting = engine.sync_once(&one_at_a_time).await.expect("round");
    assert_eq!(
        (waiting.enqueued, waiting.applied, waiting.failed),
        (1, 0, 0),
        "{waiting:?}"
    );
    let account = dv_row(
        &engine,
        "account",
        &["company", "accountnumber"],
        &[("company", "DEMF"), ("accountnumber", "C-0001")],
    )
    .await
    .expect("account");
    assert_ne!(text(&account, "name").as_deref(), Some("While paused"));

    // Fix the cause, resume: everything queued catches up and the rule does not trip again.
    world
        .dataverse
        .exec("UPDATE account SET statuscode = 2 WHERE company = 'USMF'")
        .await;
    assert!(engine
        .store()
        .resume_map("customers", dualwrite::store::Timestamp::now())
        .await
        .expect("resume"));
    let caught_up = engine.sync_once(&one_at_a_time).await.expect("round");
    assert!(caught_up.paused_maps.is_empty(), "{caught_up:?}");
    assert_eq!(caught_up.failed, 0, "{caught_up:?}");
    let account = dv_row(
        &engine,
        "account",
        &["company", "accountnumber"],
        &[("company", "DEMF"), ("accountnumber", "C-0001")],
    )
    .await
    .expect("account");
    assert_eq!(text(&account, "name").as_deref(), Some("While paused"));
    let fno = all_rows(
        engine.endpoint(Side::Fno).as_ref(),
        "CustCustomerV3Entity",
        &["dataAreaId", "CustomerAccount"],
    )
    .await;
    for n in 1..=3 {
        let account = format!("C-{n:04}");
        let row = find(
            &fno,
            &[("dataAreaId", "USMF"), ("CustomerAccount", &account)],
        )
        .expect("customer");
        assert_eq!(text(row, "Status").as_deref(), Some("OnHold"), "{account}");
    }
    assert!(!engine.store().is_paused("customers").await.expect("state"));
    engine.close().await;
}
