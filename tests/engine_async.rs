//! The async round on real SQLite files: captured changes on either side reach the other side,
//! engine writes are not captured back (a bidirectional map settles), a row changed twice before
//! processing is applied once (concurrency skip), both sides changed -> the primary side wins and
//! the loser is recorded as a conflict, and an unmapped value fails the entry into the error log.

mod engine_support;

use dualwrite::engine::{Engine, RoundOptions};
use dualwrite::model::Side;
use dualwrite::store::{ConflictFilter, EntryStatus, ErrorFilter};
use engine_support::{all_rows, find, text, World};

/// A world with 3 customers per company, capture installed and an initial sync from F&O done.
async fn synced(world: &World) -> Engine {
    engine_support::synced_engine(world, 3).await
}

async fn fno_name(engine: &Engine, company: &str, account: &str) -> Option<String> {
    let rows = all_rows(
        engine.endpoint(Side::Fno).as_ref(),
        "CustCustomerV3Entity",
        &["dataAreaId", "CustomerAccount"],
    )
    .await;
    find(
        &rows,
        &[("dataAreaId", company), ("CustomerAccount", account)],
    )
    .and_then(|r| text(r, "Name"))
}

async fn dv_account(engine: &Engine, company: &str, account: &str) -> dualwrite::endpoint::Row {
    let rows = all_rows(
        engine.endpoint(Side::Dataverse).as_ref(),
        "account",
        &["company", "accountnumber"],
    )
    .await;
    find(&rows, &[("company", company), ("accountnumber", account)])
        .cloned()
        .expect("account on Dataverse")
}

#[tokio::test]
async fn changes_flow_both_ways_and_the_engine_writes_are_not_sent_back() {
    let world = World::sqlite().await;
    both_ways(&world).await;
}

#[tokio::test]
async fn changes_flow_both_ways_sqlite_and_postgres() {
    let Some(world) = World::sqlite_to_postgres("async_both_ways").await else {
        return;
    };
    both_ways(&world).await;
    world.finish_pg().await;
}

async fn both_ways(world: &World) {
    let engine = synced(world).await;
    let options = RoundOptions::default();
    let idle = engine.sync_once(&options).await.expect("round");
    assert_eq!(
        (idle.enqueued, idle.applied),
        (0, 0),
        "initial sync writes are not captured"
    );

    world
        .fno
        .exec("UPDATE CustCustomerV3Entity SET Name = 'Renamed' WHERE dataAreaId = 'USMF' AND CustomerAccount = 'C-0002'")
        .await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!((round.enqueued, round.applied), (1, 1));
    assert_eq!(
        text(&dv_account(&engine, "USMF", "C-0002").await, "name").as_deref(),
        Some("Renamed")
    );

    world
        .dataverse
        .exec("UPDATE account SET name = 'From Dataverse', statuscode = 2 WHERE company = 'DEMF' AND accountnumber = 'C-0001'")
        .await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!((round.enqueued, round.applied), (1, 1));
    assert_eq!(
        fno_name(&engine, "DEMF", "C-0001").await.as_deref(),
        Some("From Dataverse")
    );
    let fno_rows = all_rows(
        engine.endpoint(Side::Fno).as_ref(),
        "CustCustomerV3Entity",
        &["dataAreaId", "CustomerAccount"],
    )
    .await;
    let customer = find(
        &fno_rows,
        &[("dataAreaId", "DEMF"), ("CustomerAccount", "C-0001")],
    )
    .expect("customer");
    assert_eq!(
        text(customer, "Status").as_deref(),
        Some("OnHold"),
        "value map inverted"
    );
    assert_eq!(
        text(customer, "InvoiceAccount").as_deref(),
        Some("C-0003"),
        "id -> natural key"
    );
    assert_eq!(text(customer, "CustomerGroupId").as_deref(), Some("10"));

    // Settled: nothing the engine wrote comes back, no write ping-pong.
    let settled = engine.sync_once(&options).await.expect("round");
    assert_eq!((settled.enqueued, settled.applied), (0, 0));
    engine.close().await;
}

#[tokio::test]
async fn a_row_changed_twice_before_processing_is_applied_once() {
    let world = World::sqlite().await;
    let engine = synced(&world).await;
    for name in ["First", "Second"] {
        world
            .fno
            .exec(&format!("UPDATE CustCustomerV3Entity SET Name = '{name}' WHERE dataAreaId = 'USMF' AND CustomerAccount = 'C-0001'"))
            .await;
    }
    let round = engine
        .sync_once(&RoundOptions::default())
        .await
        .expect("round");
    assert_eq!((round.enqueued, round.skipped, round.applied), (2, 1, 1));
    let skipped = engine
        .store()
        .list_entries(Some("customers"), Some(EntryStatus::Skipped), 10)
        .await
        .expect("entries");
    let done = engine
        .store()
        .list_entries(Some("customers"), Some(EntryStatus::Done), 10)
        .await
        .expect("entries");
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0].row_version < done[0].row_version,
        "the older version is skipped"
    );
    assert_eq!(
        text(&dv_account(&engine, "USMF", "C-0001").await, "name").as_deref(),
        Some("Second")
    );
    engine.close().await;
}

/// A crash after the target committed a row and before the store saved its snapshot leaves the
/// target already holding the source's change: the next round settles it, no conflict.
#[tokio::test]
async fn a_target_that_already_holds_the_change_is_no_conflict() {
    let world = World::sqlite().await;
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.primary = Some(Side::Dataverse);
        }
    });
    let engine = synced(&world).await;
    world
        .fno
        .exec("UPDATE CustCustomerV3Entity SET Name = 'Before the crash' WHERE dataAreaId = 'DEMF' AND CustomerAccount = 'C-0002'")
        .await;
    // What the crashed engine had written: with the engine's origin, so not captured as a change.
    let values: dualwrite::endpoint::Row = [
        ("company", "DEMF"),
        ("accountnumber", "C-0002"),
        ("name", "Before the crash"),
    ]
    .into_iter()
    .map(|(c, v)| (c.into(), v.into()))
    .collect();
    let mut tx = engine
        .endpoint(Side::Dataverse)
        .begin()
        .await
        .expect("begin");
    tx.apply(&[dualwrite::endpoint::Operation::Upsert {
        table: "account".into(),
        key_columns: vec!["company".into(), "accountnumber".into()],
        values,
    }])
    .await
    .expect("write as the engine");
    tx.commit().await.expect("commit");

    let round = engine
        .sync_once(&RoundOptions::default())
        .await
        .expect("round");
    assert_eq!((round.applied, round.conflicts), (1, 0), "{round:?}");
    let conflicts = engine
        .store()
        .list_conflicts(&ConflictFilter::default())
        .await
        .expect("conflicts");
    assert!(conflicts.is_empty(), "{conflicts:?}");
    assert_eq!(
        fno_name(&engine, "DEMF", "C-0002").await.as_deref(),
        Some("Before the crash")
    );
    // Settled: an edit on Dataverse now is a plain change, not a conflict either.
    world
        .dataverse
        .exec(
            "UPDATE account SET name = 'Later' WHERE company = 'DEMF' AND accountnumber = 'C-0002'",
        )
        .await;
    let later = engine
        .sync_once(&RoundOptions::default())
        .await
        .expect("round");
    assert_eq!((later.applied, later.conflicts), (1, 0), "{later:?}");
    assert_eq!(
        fno_name(&engine, "DEMF", "C-0002").await.as_deref(),
        Some("Later")
    );
    engine.close().await;
}

async fn conflict(primary: Side) {
    let world = World::sqlite().await;
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.primary = Some(primary);
        }
    });
    let engine = synced(&world).await;
    world
        .fno
        .exec("UPDATE CustCustomerV3Entity SET Name = 'F&O edit' WHERE dataAreaId = 'DEMF' AND CustomerAccount = 'C-0002'")
        .await;
    world
        .dataverse
        .exec("UPDATE account SET name = 'Dataverse edit' WHERE company = 'DEMF' AND accountnumber = 'C-0002'")
        .await;
    let round = engine
        .sync_once(&RoundOptions::default())
        .await
        .expect("round");
    assert_eq!(round.conflicts, 1, "{round:?}");
    let (winner, loser) = match primary {
        Side::Fno => ("F&O edit", "Dataverse edit"),
        Side::Dataverse => ("Dataverse edit", "F&O edit"),
    };
    assert_eq!(
        fno_name(&engine, "DEMF", "C-0002").await.as_deref(),
        Some(winner)
    );
    assert_eq!(
        text(&dv_account(&engine, "DEMF", "C-0002").await, "name").as_deref(),
        Some(winner)
    );
    let conflicts = engine
        .store()
        .list_conflicts(&ConflictFilter::default())
        .await
        .expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].winning_side, primary);
    assert_eq!(conflicts[0].key.as_str(), r#"["DEMF","C-0002"]"#);
    let losing = serde_json::to_string(&conflicts[0].losing_values).expect("json");
    assert!(losing.contains(loser), "{losing}");
    let errors = engine
        .store()
        .list_errors(&ErrorFilter::default())
        .await
        .expect("errors");
    assert!(
        errors.is_empty(),
        "a conflict is not a sync error: {errors:?}"
    );
    let settled = engine
        .sync_once(&RoundOptions::default())
        .await
        .expect("round");
    assert_eq!((settled.applied, settled.conflicts), (0, 0), "{settled:?}");
    engine.close().await;
}

#[tokio::test]
async fn both_sides_changed_fno_primary_wins() {
    conflict(Side::Fno).await;
}

#[tokio::test]
async fn both_sides_changed_dataverse_primary_wins() {
    conflict(Side::Dataverse).await;
}

#[tokio::test]
async fn an_unmapped_value_fails_the_entry_into_the_error_log() {
    let world = World::sqlite().await;
    let engine = synced(&world).await;
    world
        .dataverse
        .exec(
            "UPDATE account SET statuscode = 7 WHERE company = 'USMF' AND accountnumber = 'C-0003'",
        )
        .await;
    let round = engine
        .sync_once(&RoundOptions::default())
        .await
        .expect("round");
    assert_eq!(round.failed, 1);
    let errors = engine
        .store()
        .list_errors(&ErrorFilter::default())
        .await
        .expect("errors");
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].message.contains("Status") && errors[0].message.contains('7'),
        "{}",
        errors[0].message
    );
    assert!(errors[0].queue_entry.is_some(), "retryable from the CLI");
    let failed = engine
        .store()
        .list_entries(Some("customers"), Some(EntryStatus::Failed), 10)
        .await
        .expect("entries");
    assert_eq!(failed.len(), 1);
    engine.close().await;
}
