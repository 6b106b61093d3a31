//! Live sync on real SQLite files (and PostgreSQL as Dataverse when DUALWRITE_TEST_PG_URL is
//! set): a unit of work written child-first lands parents first with the new Dataverse id in the
//! children's lookups; a business-validation failure on the target leaves both sides unchanged;
//! every refusal writes nothing; the time limit rolls back both; deletes go live even for async
//! maps; `--split` commits chunks on their own; a crash between the two commits is settled at the
//! next start, but a transaction another engine on the same store is running is left alone until
//! its owner is gone; the engine's target writes are not captured back; an update of one column
//! carries the whole record (its post-image) from either side, and a refused one changes neither.

mod engine_support;

use std::time::Duration;

use dualwrite::endpoint::CaptureSpec;
use dualwrite::endpoint::ErrorCategory;
use dualwrite::engine::live::{LiveHold, LiveLimits, LiveOptions, Resolution, Step, TxnRow};
use dualwrite::engine::Engine;
use dualwrite::model::{Side, SyncMode};
use dualwrite::store::LiveState;
use engine_support::{all_rows, find, text, App, World};

/// Makes every map live (the support project has them async), or some async.
fn set_modes(world: &World, async_maps: &[&str]) {
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.sync_mode = if async_maps.contains(&map.id.as_str()) {
                SyncMode::Async
            } else {
                SyncMode::Live
            };
        }
    });
}

async fn open(world: &World) -> Engine {
    Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("open engine")
}

fn rows(json: serde_json::Value) -> Vec<TxnRow> {
    serde_json::from_value(json).expect("txn rows")
}

/// Customer lines first, their group (the header) last: the file's order is child-first.
fn order_rows(group: &str, name_2: &str) -> Vec<TxnRow> {
    rows(serde_json::json!([
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": "L-1", "Name": "Line one",
            "CustomerGroupId": group, "Status": "Active" } },
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": "L-2", "Name": name_2,
            "CustomerGroupId": group, "Status": "OnHold" } },
        { "table": "CustCustomerGroupEntity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerGroupId": group, "Description": "Header" } }
    ]))
}

/// Every row of a table on one side, in key order.
async fn table_rows(
    engine: &Engine,
    side: Side,
    table: &str,
    keys: &[&str],
) -> Vec<dualwrite::endpoint::Row> {
    all_rows(engine.endpoint(side).as_ref(), table, keys).await
}

async fn fno_customers(engine: &Engine) -> Vec<dualwrite::endpoint::Row> {
    table_rows(
        engine,
        Side::Fno,
        "CustCustomerV3Entity",
        &["dataAreaId", "CustomerAccount"],
    )
    .await
}

async fn fno_groups(engine: &Engine) -> Vec<dualwrite::endpoint::Row> {
    table_rows(
        engine,
        Side::Fno,
        "CustCustomerGroupEntity",
        &["dataAreaId", "CustomerGroupId"],
    )
    .await
}

async fn dv_accounts(engine: &Engine) -> Vec<dualwrite::endpoint::Row> {
    table_rows(
        engine,
        Side::Dataverse,
        "account",
        &["company", "accountnumber"],
    )
    .await
}

async fn dv_groups(engine: &Engine) -> Vec<dualwrite::endpoint::Row> {
    table_rows(
        engine,
        Side::Dataverse,
        "msdyn_customergroup",
        &["company", "msdyn_groupid"],
    )
    .await
}

async fn counts(engine: &Engine) -> [usize; 4] {
    [
        fno_customers(engine).await.len(),
        fno_groups(engine).await.len(),
        dv_accounts(engine).await.len(),
        dv_groups(engine).await.len(),
    ]
}

fn steps(outcome: &dualwrite::engine::LiveOutcome) -> Vec<Step> {
    outcome.trace.iter().map(|s| s.step).collect()
}

async fn journal_state(engine: &Engine, id: Option<i64>) -> LiveState {
    let id = dualwrite::store::LiveTxnId(id.expect("journaled"));
    engine
        .store()
        .live_txn(id)
        .await
        .expect("read journal")
        .expect("journal entry")
        .state
}

async fn success(world: &World) {
    set_modes(world, &[]);
    let engine = open(world).await;
    let outcome = engine
        .live_transaction(
            Side::Fno,
            &order_rows("77", "Line two"),
            &LiveOptions::default(),
        )
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    assert_eq!(
        steps(&outcome),
        vec![
            Step::SourcePreCommit,
            Step::BatchToTarget,
            Step::TargetApplied,
            Step::Journaled,
            Step::TargetCommit,
            Step::SourceCommit
        ]
    );
    assert!(outcome.trace.windows(2).all(|w| w[0].at <= w[1].at));
    // Both sides hold the rows.
    assert_eq!(fno_customers(&engine).await.len(), 2);
    assert_eq!(fno_groups(&engine).await.len(), 1);
    let groups = dv_groups(&engine).await;
    let group = find(&groups, &[("company", "USMF"), ("msdyn_groupid", "77")]).expect("group");
    let group_id = text(group, "msdyn_customergroupid").expect("generated id");
    let accounts = dv_accounts(&engine).await;
    assert_eq!(accounts.len(), 2);
    for account in ["L-1", "L-2"] {
        let row = find(
            &accounts,
            &[("company", "USMF"), ("accountnumber", account)],
        )
        .expect("account on Dataverse");
        // The id generated on the target in this very batch reached the lines' lookup.
        assert_eq!(
            text(row, "msdyn_customergroupid").as_deref(),
            Some(group_id.as_str())
        );
        assert_eq!(text(row, "currencycode").as_deref(), Some("USD"));
    }
    let on_hold = find(&accounts, &[("accountnumber", "L-2")]).expect("L-2");
    assert_eq!(text(on_hold, "statuscode").as_deref(), Some("2"));
    assert_eq!(
        journal_state(&engine, outcome.journal_id).await,
        LiveState::Committed
    );
    // The outcome serializes for the app.
    let json = serde_json::to_value(&outcome).expect("serialize");
    assert_eq!(json["trace"][0]["step"], "sourcePreCommit");
    engine.close().await;
}

#[tokio::test]
async fn success_lands_parents_first_with_the_new_id_in_the_lines() {
    let world = World::sqlite().await;
    success(&world).await;
}

#[tokio::test]
async fn success_with_postgres_as_dataverse() {
    let Some(world) = World::sqlite_to_postgres("live_success").await else {
        return;
    };
    success(&world).await;
    world.finish_pg().await;
}

async fn target_failure(world: &World) {
    set_modes(world, &[]);
    let engine = open(world).await;
    let outcome = engine
        .live_transaction(
            Side::Fno,
            &order_rows("77", "Blocked"),
            &LiveOptions::default(),
        )
        .await;
    assert!(!outcome.committed);
    assert!(!outcome.refused);
    assert_eq!(
        outcome.category,
        Some(ErrorCategory::Application),
        "{:?}",
        outcome.reason
    );
    let steps = steps(&outcome);
    assert!(steps.contains(&Step::TargetAbort), "{steps:?}");
    assert_eq!(steps.last(), Some(&Step::SourceRollback));
    assert!(!steps.contains(&Step::TargetCommit));
    assert_eq!(counts(&engine).await, [0, 0, 0, 0], "both sides unchanged");
    engine.close().await;
}

#[tokio::test]
async fn a_business_validation_failure_on_the_target_rolls_back_both() {
    let world = World::sqlite().await;
    world
        .dataverse
        .exec(
            "CREATE TRIGGER validate_name BEFORE INSERT ON account WHEN NEW.name = 'Blocked' \
             BEGIN SELECT RAISE(ABORT, 'business validation: name is blocked'); END;",
        )
        .await;
    target_failure(&world).await;
}

#[tokio::test]
async fn a_check_constraint_on_postgres_rolls_back_both() {
    let Some(world) = World::sqlite_to_postgres("live_failure").await else {
        return;
    };
    world
        .dataverse
        .exec("ALTER TABLE account ADD CONSTRAINT not_blocked CHECK (name <> 'Blocked')")
        .await;
    target_failure(&world).await;
    world.finish_pg().await;
}

#[tokio::test]
async fn every_refusal_writes_nothing_anywhere() {
    let world = World::sqlite().await;
    set_modes(&world, &["groups"]);
    let engine = open(&world).await;
    let group = |company: String, id: usize| {
        serde_json::json!({ "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": company, "CustomerAccount": format!("C-{id}"), "Name": "n" } })
    };
    let too_many: Vec<_> = (0..1001).map(|i| group("USMF".into(), i)).collect();
    let companies: Vec<_> = (0..251).map(|i| group(format!("C{i:03}"), i)).collect();
    let mixed = order_rows("77", "Line two");
    let unmapped = serde_json::json!([{ "table": "InventTable", "op": "upsert", "values": {} }]);
    let cases: Vec<(Vec<TxnRow>, LiveLimits, &str)> = vec![
        (
            rows(too_many.into()),
            LiveLimits::default(),
            "at most 1000 records",
        ),
        (
            order_rows("77", "x")[..2].to_vec(),
            LiveLimits {
                max_payload_bytes: 100,
                ..LiveLimits::default()
            },
            "smaller transactions",
        ),
        (
            rows(companies.into()),
            LiveLimits::default(),
            "split it by legal entity",
        ),
        (mixed, LiveLimits::default(), "through the queue"),
        (
            rows(unmapped),
            LiveLimits::default(),
            "no table map covers table \"InventTable\"",
        ),
    ];
    for (txn, limits, wording) in cases {
        let options = LiveOptions {
            limits,
            ..LiveOptions::default()
        };
        let outcome = engine.live_transaction(Side::Fno, &txn, &options).await;
        assert!(outcome.refused && !outcome.committed, "{wording}");
        let reason = outcome.reason.clone().unwrap_or_default();
        assert!(reason.contains(wording), "{reason}");
        assert_eq!(steps(&outcome), vec![Step::Refused]);
        assert_eq!(counts(&engine).await, [0, 0, 0, 0], "{wording}");
    }
    engine.close().await;
}

#[tokio::test]
async fn the_time_limit_rolls_back_both_with_a_system_failure() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    // Another connection holds the target's write lock.
    let App::Sqlite(pool) = &world.dataverse else {
        panic!("sqlite world");
    };
    let mut blocker = pool.begin().await.expect("begin blocker");
    sqlx::query("INSERT INTO msdyn_customergroup (company, msdyn_groupid) VALUES ('X', 'lock')")
        .execute(&mut *blocker)
        .await
        .expect("take the write lock");
    let options = LiveOptions {
        time_limit: Duration::from_millis(300),
        ..LiveOptions::default()
    };
    let outcome = engine
        .live_transaction(Side::Fno, &order_rows("77", "Line two"), &options)
        .await;
    blocker.rollback().await.expect("release the lock");
    assert!(!outcome.committed);
    assert_eq!(outcome.category, Some(ErrorCategory::System));
    let reason = outcome.reason.clone().unwrap_or_default();
    assert!(reason.contains("time limit of 300 ms"), "{reason}");
    assert!(steps(&outcome).contains(&Step::SourceRollback));
    assert_eq!(counts(&engine).await, [0, 0, 0, 0]);
    engine.close().await;
}

#[tokio::test]
async fn deletes_go_live_children_first_even_for_async_maps() {
    let world = World::sqlite().await;
    // Business rule on the target: a group with accounts cannot be deleted.
    world
        .dataverse
        .exec(
            "CREATE TRIGGER group_in_use BEFORE DELETE ON msdyn_customergroup \
             WHEN EXISTS (SELECT 1 FROM account WHERE msdyn_customergroupid = OLD.msdyn_customergroupid) \
             BEGIN SELECT RAISE(ABORT, 'the group still has accounts'); END;",
        )
        .await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    let created = engine
        .live_transaction(
            Side::Fno,
            &order_rows("77", "Line two"),
            &LiveOptions::default(),
        )
        .await;
    assert!(created.committed, "{:?}", created.reason);
    engine.close().await;
    // Now both maps are async: their creates would be refused, their deletes go live.
    set_modes(&world, &["groups", "customers"]);
    let engine = open(&world).await;
    let refused = engine
        .live_transaction(Side::Fno, &order_rows("78", "x"), &LiveOptions::default())
        .await;
    assert!(refused.refused, "creates of async maps do not go live");
    // The header's delete comes first in the file; the lines must go first on the target.
    let deletes = rows(serde_json::json!([
        { "table": "CustCustomerGroupEntity", "op": "delete",
          "values": { "dataAreaId": "USMF", "CustomerGroupId": "77" } },
        { "table": "CustCustomerV3Entity", "op": "delete",
          "values": { "dataAreaId": "USMF", "CustomerAccount": "L-1" } },
        { "table": "CustCustomerV3Entity", "op": "delete",
          "values": { "dataAreaId": "USMF", "CustomerAccount": "L-2" } }
    ]));
    let outcome = engine
        .live_transaction(Side::Fno, &deletes, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    assert_eq!(counts(&engine).await, [0, 0, 0, 0]);
    engine.close().await;
}

#[tokio::test]
async fn from_dataverse_the_ids_of_the_batch_become_natural_keys_on_fno() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    // Lines first, referencing the header's id, which is created in the same transaction.
    let txn = rows(serde_json::json!([
        { "table": "account", "op": "upsert", "values": {
            "company": "DEMF", "accountnumber": "D-1", "name": "Line one",
            "msdyn_customergroupid": "g-new", "statuscode": 1 } },
        { "table": "msdyn_customergroup", "op": "upsert", "values": {
            "msdyn_customergroupid": "g-new", "company": "DEMF", "msdyn_groupid": "55",
            "msdyn_description": "Header" } }
    ]));
    let outcome = engine
        .live_transaction(Side::Dataverse, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let customers = fno_customers(&engine).await;
    let line = find(
        &customers,
        &[("dataAreaId", "DEMF"), ("CustomerAccount", "D-1")],
    )
    .expect("line on F&O");
    assert_eq!(text(line, "CustomerGroupId").as_deref(), Some("55"));
    assert_eq!(text(line, "Status").as_deref(), Some("Active"));
    assert_eq!(fno_groups(&engine).await.len(), 1);
    assert_eq!(dv_accounts(&engine).await.len(), 1);
    engine.close().await;
}

#[tokio::test]
async fn split_commits_or_rolls_back_each_chunk_on_its_own() {
    let world = World::sqlite().await;
    world
        .dataverse
        .exec(
            "CREATE TRIGGER validate_name BEFORE INSERT ON account WHEN NEW.name = 'Blocked' \
             BEGIN SELECT RAISE(ABORT, 'business validation: name is blocked'); END;",
        )
        .await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    let mut txn = order_rows("77", "Blocked");
    txn.rotate_right(1); // header first, then the two lines: chunks [header, L-1], [L-2]
    let chunks = engine
        .live_split(Side::Fno, &txn, 2, &LiveOptions::default())
        .await;
    assert_eq!(chunks.len(), 2);
    assert_eq!((chunks[0].first_row, chunks[0].rows), (0, 2));
    assert_eq!((chunks[1].first_row, chunks[1].rows), (2, 1));
    assert!(
        chunks[0].outcome.committed,
        "{:?}",
        chunks[0].outcome.reason
    );
    assert!(!chunks[1].outcome.committed);
    assert_eq!(chunks[1].outcome.category, Some(ErrorCategory::Application));
    // The first chunk stays committed on both sides; the second left nothing.
    assert_eq!(counts(&engine).await, [1, 1, 1, 1]);
    engine.close().await;
}

#[tokio::test]
async fn a_crash_between_the_commits_is_compensated_at_the_next_start() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    let header = rows(
        serde_json::json!([{ "table": "CustCustomerGroupEntity", "op": "upsert",
        "values": { "dataAreaId": "USMF", "CustomerGroupId": "77", "Description": "Old" } }]),
    );
    let first = engine
        .live_transaction(Side::Fno, &header, &LiveOptions::default())
        .await;
    assert!(first.committed, "{:?}", first.reason);
    // The crashed transaction updates the header and adds two lines.
    let mut txn = order_rows("77", "Line two");
    txn[2].values.insert("Description".into(), "New".into());
    let crashed = engine
        .live_transaction(
            Side::Fno,
            &txn,
            &LiveOptions {
                stop_after_target_commit: true,
                ..LiveOptions::default()
            },
        )
        .await;
    assert!(!crashed.committed);
    assert_eq!(steps(&crashed).last(), Some(&Step::CrashSimulated));
    // Half-written: the target has the lines and the new description, the source does not.
    assert_eq!(counts(&engine).await, [0, 1, 2, 1]);
    assert_eq!(
        journal_state(&engine, crashed.journal_id).await,
        LiveState::TargetCommitted
    );
    engine.close().await;

    // The next start settles it: the target's pre-images come back.
    let engine = open(&world).await;
    assert_eq!(counts(&engine).await, [0, 1, 0, 1]);
    let groups = dv_groups(&engine).await;
    assert_eq!(
        text(&groups[0], "msdyn_description").as_deref(),
        Some("Old")
    );
    assert_eq!(
        journal_state(&engine, crashed.journal_id).await,
        LiveState::RolledBack
    );
    assert!(engine
        .store()
        .unresolved_live_txns()
        .await
        .expect("journal")
        .is_empty());
    // Resolving again finds nothing to do.
    assert!(engine.resolve_in_doubt().await.expect("resolve").is_empty());
    engine.close().await;
}

/// Options that hold the transaction open between the target's and the source's commit.
fn held(hold: &LiveHold) -> LiveOptions {
    LiveOptions {
        hold_after_target_commit: Some(hold.clone()),
        ..LiveOptions::default()
    }
}

/// Once the held transaction is between its commits, a second engine starts on the same store
/// (settling in-doubt entries, as every start does) and must leave it alone: the entry stays
/// unfinished and the target keeps the batch, while the source has not committed yet.
async fn another_engine_while_held(world: &World, hold: &LiveHold) -> Engine {
    hold.held.notified().await;
    let other = open(world).await;
    let unresolved = other.store().unresolved_live_txns().await.expect("journal");
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(unresolved[0].state, LiveState::TargetCommitted);
    assert!(other.resolve_in_doubt().await.expect("resolve").is_empty());
    assert_eq!(
        counts(&other).await,
        [0, 0, 2, 1],
        "untouched while it runs"
    );
    other
}

/// A transaction between its two commits is the running engine's business, not a crash: the
/// other engine leaves it alone, and the first then commits it.
#[tokio::test]
async fn a_transaction_another_engine_is_running_is_left_alone() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let running = open(&world).await;
    let hold = LiveHold::default();
    let options = held(&hold);
    let txn = order_rows("77", "Line two");
    let (outcome, other) =
        tokio::join!(running.live_transaction(Side::Fno, &txn, &options), async {
            let other = another_engine_while_held(&world, &hold).await;
            hold.release.notify_one();
            other
        });
    assert!(outcome.committed, "{:?}", outcome.reason);
    assert_eq!(
        journal_state(&other, outcome.journal_id).await,
        LiveState::Committed
    );
    assert_eq!(
        counts(&other).await,
        [2, 1, 2, 1],
        "both sides hold the pair"
    );
    assert!(other.resolve_in_doubt().await.expect("resolve").is_empty());
    running.close().await;
    other.close().await;
}

/// The same, but the running transaction is abandoned between its commits (its task dropped:
/// its source rolls back and its owner lock goes, as when its process dies): the other engine
/// left it alone while it ran, and settles it once its owner is gone.
#[tokio::test]
async fn an_abandoned_transaction_is_settled_once_its_owner_is_gone() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let running = open(&world).await;
    let hold = LiveHold::default();
    let options = held(&hold);
    let txn = order_rows("77", "Line two");
    let other = tokio::select! {
        outcome = running.live_transaction(Side::Fno, &txn, &options) => {
            panic!("the held transaction finished: {outcome:?}")
        }
        other = another_engine_while_held(&world, &hold) => other,
    };
    // The transaction's future is dropped here.
    let unresolved = other.store().unresolved_live_txns().await.expect("journal");
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    let settled = other.resolve_in_doubt().await.expect("resolve");
    assert_eq!(settled.len(), 1, "{settled:?}");
    assert_eq!(settled[0].journal_id, unresolved[0].id.0);
    assert_eq!(settled[0].resolution, Resolution::Compensated);
    assert_eq!(
        counts(&other).await,
        [0, 0, 0, 0],
        "neither side keeps the rows"
    );
    assert_eq!(
        journal_state(&other, Some(settled[0].journal_id)).await,
        LiveState::RolledBack
    );
    let owners = world.state_dir.join(dualwrite::store::OWNER_DIR);
    let left: Vec<_> = std::fs::read_dir(&owners)
        .expect("owner lock directory")
        .collect();
    assert!(left.is_empty(), "no owner lock file left: {left:?}");
    running.close().await;
    other.close().await;
}

#[tokio::test]
async fn a_crash_after_both_commits_but_before_the_journal_is_settled_as_committed() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    let outcome = engine
        .live_transaction(
            Side::Fno,
            &order_rows("77", "Line two"),
            &LiveOptions::default(),
        )
        .await;
    assert!(outcome.committed);
    // Pretend the journal never heard of the source commit: reopen the entry as target-committed
    // is not allowed, so journal a fresh prepared entry with the same summary.
    let id = dualwrite::store::LiveTxnId(outcome.journal_id.expect("journal id"));
    let summary = engine
        .store()
        .live_txn(id)
        .await
        .expect("read")
        .expect("entry")
        .payload_summary;
    let again = engine
        .store()
        .journal_prepare(
            Side::Fno,
            "crashed-process",
            &summary,
            dualwrite::store::Timestamp::now(),
        )
        .await
        .expect("journal");
    let settled = engine.resolve_in_doubt().await.expect("resolve");
    assert_eq!(settled.len(), 1);
    assert_eq!(settled[0].journal_id, again.0);
    assert_eq!(settled[0].resolution, Resolution::Committed);
    assert_eq!(counts(&engine).await, [2, 1, 2, 1], "nothing undone");
    engine.close().await;
}

#[tokio::test]
async fn the_engine_target_writes_are_not_captured_as_application_changes() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    engine
        .endpoint(Side::Dataverse)
        .install_capture(&[
            CaptureSpec::new("account", &["company", "accountnumber"]),
            CaptureSpec::new("msdyn_customergroup", &["company", "msdyn_groupid"]),
        ])
        .await
        .expect("capture on Dataverse");
    engine
        .endpoint(Side::Fno)
        .install_capture(&[CaptureSpec::new(
            "CustCustomerV3Entity",
            &["dataAreaId", "CustomerAccount"],
        )])
        .await
        .expect("capture on F&O");
    let outcome = engine
        .live_transaction(
            Side::Fno,
            &order_rows("77", "Line two"),
            &LiveOptions::default(),
        )
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let target_changes = engine
        .endpoint(Side::Dataverse)
        .read_changes(0, 100)
        .await
        .expect("read Dataverse changes");
    assert!(target_changes.is_empty(), "{target_changes:?}");
    // The source side wrote as the application, so its capture did see the lines.
    let source_changes = engine
        .endpoint(Side::Fno)
        .read_changes(0, 100)
        .await
        .expect("read F&O changes");
    assert_eq!(source_changes.len(), 2);
    engine.close().await;
}

#[tokio::test]
async fn a_lookup_not_found_rolls_back_both_as_an_application_failure() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    let mut txn = order_rows("77", "Line two");
    txn.pop(); // the lines without their header: group 77 exists nowhere
    let outcome = engine
        .live_transaction(Side::Fno, &txn, &LiveOptions::default())
        .await;
    assert!(!outcome.committed);
    assert_eq!(outcome.category, Some(ErrorCategory::Application));
    let reason = outcome.reason.clone().unwrap_or_default();
    assert!(reason.contains("lookup not found"), "{reason}");
    assert_eq!(counts(&engine).await, [0, 0, 0, 0]);
    engine.close().await;
}

#[tokio::test]
async fn a_reference_to_a_row_of_the_same_map_in_the_batch_gets_its_new_id() {
    let world = World::sqlite().await;
    set_modes(&world, &[]);
    let engine = open(&world).await;
    let mut txn = order_rows("77", "Line two");
    // L-1 invoices to L-2, which comes later in the file and is new too.
    txn[0].values.insert("InvoiceAccount".into(), "L-2".into());
    let outcome = engine
        .live_transaction(Side::Fno, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let accounts = dv_accounts(&engine).await;
    let l1 = find(&accounts, &[("accountnumber", "L-1")]).expect("L-1");
    let l2 = find(&accounts, &[("accountnumber", "L-2")]).expect("L-2");
    assert_eq!(text(l1, "invoiceaccountid"), text(l2, "accountid"));
    assert!(text(l2, "accountid").is_some());
    assert_eq!(text(l2, "invoiceaccountid"), None);
    engine.close().await;
}

/// Creates L-1 (Active) and L-2 (OnHold) in group 77 through a live transaction from F&O.
async fn created_lines(world: &World) -> Engine {
    set_modes(world, &[]);
    let engine = open(world).await;
    let created = engine
        .live_transaction(
            Side::Fno,
            &order_rows("77", "Line two"),
            &LiveOptions::default(),
        )
        .await;
    assert!(created.committed, "{:?}", created.reason);
    engine
}

/// An update of one column, from either side, carries the record as it now stands: the other
/// side gets the new value and keeps every other column.
async fn partial_updates(world: &World) {
    let engine = created_lines(world).await;
    let before = dv_accounts(&engine).await;
    let group_id = text(
        find(&before, &[("accountnumber", "L-1")]).expect("L-1"),
        "msdyn_customergroupid",
    )
    .expect("group lookup");

    // From F&O: only L-1's name.
    let txn = rows(serde_json::json!([
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": "L-1", "Name": "Renamed one" } }
    ]));
    let outcome = engine
        .live_transaction(Side::Fno, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let accounts = dv_accounts(&engine).await;
    let l1 = find(&accounts, &[("accountnumber", "L-1")]).expect("L-1 on Dataverse");
    assert_eq!(text(l1, "name").as_deref(), Some("Renamed one"));
    assert_eq!(text(l1, "statuscode").as_deref(), Some("1"));
    assert_eq!(
        text(l1, "msdyn_customergroupid").as_deref(),
        Some(group_id.as_str())
    );
    assert_eq!(text(l1, "currencycode").as_deref(), Some("USD"));
    let customers = fno_customers(&engine).await;
    let l1 = find(&customers, &[("CustomerAccount", "L-1")]).expect("L-1 on F&O");
    assert_eq!(text(l1, "Status").as_deref(), Some("Active"));
    assert_eq!(text(l1, "CustomerGroupId").as_deref(), Some("77"));

    // From Dataverse: only L-2's name.
    let txn = rows(serde_json::json!([
        { "table": "account", "op": "upsert", "values": {
            "company": "USMF", "accountnumber": "L-2", "name": "Renamed" } }
    ]));
    let outcome = engine
        .live_transaction(Side::Dataverse, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let customers = fno_customers(&engine).await;
    let l2 = find(&customers, &[("CustomerAccount", "L-2")]).expect("L-2 on F&O");
    assert_eq!(text(l2, "Name").as_deref(), Some("Renamed"));
    assert_eq!(text(l2, "Status").as_deref(), Some("OnHold"));
    assert_eq!(text(l2, "CustomerGroupId").as_deref(), Some("77"));
    assert_eq!(text(l2, "InvoiceAccount"), None);
    let accounts = dv_accounts(&engine).await;
    let l2 = find(&accounts, &[("accountnumber", "L-2")]).expect("L-2 on Dataverse");
    assert_eq!(text(l2, "statuscode").as_deref(), Some("2"));
    assert_eq!(
        text(l2, "msdyn_customergroupid").as_deref(),
        Some(group_id.as_str())
    );
    // Columns the source requires (NOT NULL, no default) may be left out too: L-1's status alone
    // from F&O, L-2's alone from Dataverse.
    let txn = rows(serde_json::json!([
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": "L-1", "Status": "OnHold" } }
    ]));
    let outcome = engine
        .live_transaction(Side::Fno, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let txn = rows(serde_json::json!([
        { "table": "account", "op": "upsert", "values": {
            "company": "USMF", "accountnumber": "L-2", "statuscode": 1 } }
    ]));
    let outcome = engine
        .live_transaction(Side::Dataverse, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let customers = fno_customers(&engine).await;
    let l1 = find(&customers, &[("CustomerAccount", "L-1")]).expect("L-1 on F&O");
    let l2 = find(&customers, &[("CustomerAccount", "L-2")]).expect("L-2 on F&O");
    assert_eq!(
        [text(l1, "Name"), text(l1, "Status")],
        [Some("Renamed one".into()), Some("OnHold".into())]
    );
    assert_eq!(
        [text(l2, "Name"), text(l2, "Status")],
        [Some("Renamed".into()), Some("Active".into())]
    );
    let accounts = dv_accounts(&engine).await;
    let l1 = find(&accounts, &[("accountnumber", "L-1")]).expect("L-1 on Dataverse");
    let l2 = find(&accounts, &[("accountnumber", "L-2")]).expect("L-2 on Dataverse");
    assert_eq!(
        [text(l1, "name"), text(l1, "statuscode")],
        [Some("Renamed one".into()), Some("2".into())]
    );
    assert_eq!(
        [text(l2, "name"), text(l2, "statuscode")],
        [Some("Renamed".into()), Some("1".into())]
    );
    assert_eq!(counts(&engine).await, [2, 1, 2, 1], "updates, no new rows");
    engine.close().await;
}

#[tokio::test]
async fn an_update_of_one_column_from_either_side_keeps_the_other_columns() {
    let world = World::sqlite().await;
    partial_updates(&world).await;
}

#[tokio::test]
async fn an_update_of_one_column_with_postgres_as_dataverse() {
    let Some(world) = World::sqlite_to_postgres("live_partial").await else {
        return;
    };
    partial_updates(&world).await;
    world.finish_pg().await;
}

/// A partial update the target refuses leaves both sides as they were.
async fn refused_partial_update(engine: Engine, from: Side, txn: Vec<TxnRow>) {
    let customers = fno_customers(&engine).await;
    let accounts = dv_accounts(&engine).await;
    let outcome = engine
        .live_transaction(from, &txn, &LiveOptions::default())
        .await;
    assert!(!outcome.committed);
    assert!(!outcome.refused);
    assert_eq!(
        outcome.category,
        Some(ErrorCategory::Application),
        "{:?}",
        outcome.reason
    );
    let steps = steps(&outcome);
    assert!(steps.contains(&Step::TargetAbort), "{steps:?}");
    assert_eq!(steps.last(), Some(&Step::SourceRollback));
    assert_eq!(fno_customers(&engine).await, customers, "F&O unchanged");
    assert_eq!(dv_accounts(&engine).await, accounts, "Dataverse unchanged");
    engine.close().await;
}

#[tokio::test]
async fn a_partial_update_the_target_refuses_rolls_back_both() {
    let world = World::sqlite().await;
    let engine = created_lines(&world).await;
    world
        .fno
        .exec(
            "CREATE TRIGGER validate_update BEFORE UPDATE ON CustCustomerV3Entity \
             WHEN NEW.Name = 'Blocked' \
             BEGIN SELECT RAISE(ABORT, 'business validation: name is blocked'); END;",
        )
        .await;
    let txn = rows(serde_json::json!([
        { "table": "account", "op": "upsert", "values": {
            "company": "USMF", "accountnumber": "L-1", "name": "Blocked" } }
    ]));
    refused_partial_update(engine, Side::Dataverse, txn).await;
}

#[tokio::test]
async fn a_partial_update_failing_a_postgres_check_rolls_back_both() {
    let Some(world) = World::sqlite_to_postgres("live_partial_check").await else {
        return;
    };
    let engine = created_lines(&world).await;
    world
        .dataverse
        .exec("ALTER TABLE account ADD CONSTRAINT not_blocked CHECK (name <> 'Blocked')")
        .await;
    let txn = rows(serde_json::json!([
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": "L-2", "Name": "Blocked" } }
    ]));
    refused_partial_update(engine, Side::Fno, txn).await;
    world.finish_pg().await;
}

/// The demo as the CLI runs it: an update of an account's credit limit alone, from Dataverse,
/// reaches F&O; a negative one fails F&O's `CHECK (CREDITLIMIT >= 0)` and changes nothing; the
/// credit limit alone from F&O reaches Dataverse.
#[tokio::test]
async fn the_demo_takes_a_credit_limit_update_from_dataverse_and_refuses_a_negative_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = dualwrite::demo::create(dir.path(), &dualwrite::demo::DemoOptions::small())
        .await
        .expect("demo");
    let engine = Engine::open(&demo.project_path, Some(&dir.path().join("state")))
        .await
        .expect("open engine");
    // As `dualwrite demo` does: the databases are synced once from F&O.
    engine
        .initial_sync(&dualwrite::engine::InitialSyncOptions {
            all_maps: true,
            source: Some(Side::Fno),
            ..Default::default()
        })
        .await
        .expect("initial sync");
    let dataverse = engine.endpoint(Side::Dataverse);
    let companies = all_rows(dataverse.as_ref(), "cdm_company", &["cdm_companyid"]).await;
    let usmf = find(&companies, &[("cdm_companycode", "USMF")]).expect("USMF");
    let usmf = text(usmf, "cdm_companyid").expect("company id");
    let account = |credit: i64| {
        rows(serde_json::json!([
            { "table": "account", "op": "upsert", "values": {
                "accountnumber": "US-00001", "msdyn_company": usmf, "creditlimit": credit } }
        ]))
    };
    let fno_row = |engine: &Engine| {
        let fno = engine.endpoint(Side::Fno).clone();
        async move {
            let rows = all_rows(
                fno.as_ref(),
                "CustCustomerV3Entity",
                &["DATAAREAID", "CUSTOMERACCOUNT"],
            )
            .await;
            find(
                &rows,
                &[("DATAAREAID", "USMF"), ("CUSTOMERACCOUNT", "US-00001")],
            )
            .cloned()
            .expect("US-00001 on F&O")
        }
    };
    let before = fno_row(&engine).await;
    let outcome = engine
        .live_transaction(Side::Dataverse, &account(55_555), &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let after = fno_row(&engine).await;
    assert_eq!(text(&after, "CREDITLIMIT").as_deref(), Some("55555"));
    for (column, value) in &before {
        if column != "CREDITLIMIT" {
            assert_eq!(after.get(column), Some(value), "{column} unchanged");
        }
    }
    let outcome = engine
        .live_transaction(Side::Dataverse, &account(-500), &LiveOptions::default())
        .await;
    assert!(!outcome.committed);
    assert_eq!(outcome.category, Some(ErrorCategory::Application));
    let reason = outcome.reason.clone().unwrap_or_default();
    assert!(reason.contains("CREDITLIMIT"), "{reason}");
    assert_eq!(fno_row(&engine).await, after, "F&O unchanged");
    let accounts = all_rows(dataverse.as_ref(), "account", &["accountid"]).await;
    let account = find(
        &accounts,
        &[("accountnumber", "US-00001"), ("msdyn_company", &usmf)],
    )
    .expect("account");
    assert_eq!(text(account, "creditlimit").as_deref(), Some("55555"));
    // The other way: the credit limit alone from F&O (ORGANIZATIONNAME is NOT NULL there).
    let txn = rows(serde_json::json!([
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "DATAAREAID": "USMF", "CUSTOMERACCOUNT": "US-00001", "CREDITLIMIT": 1234 } }
    ]));
    let outcome = engine
        .live_transaction(Side::Fno, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{:?}", outcome.reason);
    let accounts = all_rows(dataverse.as_ref(), "account", &["accountid"]).await;
    let updated = find(
        &accounts,
        &[("accountnumber", "US-00001"), ("msdyn_company", &usmf)],
    )
    .expect("account");
    assert_eq!(text(updated, "creditlimit").as_deref(), Some("1234"));
    assert_eq!(text(updated, "name"), text(account, "name"));
    assert_eq!(
        text(updated, "msdyn_customergroupid"),
        text(account, "msdyn_customergroupid")
    );
    engine.close().await;
}
