//! Resilience of the async round on real SQLite files (and, where the Dataverse side can be a
//! PostgreSQL server, on PostgreSQL too): a child whose parent is missing gets a
//! placeholder parent that the real row later hydrates, or is held and lands after its parent;
//! neither is an error. A locked destination opens the circuit breaker, attempts stay bounded and
//! the queue drains once it is unlocked. An alert rule pauses a map that keeps failing; it catches up on resume.
//! Entries a dead worker had claimed are processed by the next engine at once, not after the lease.

mod engine_support;

use std::time::Duration;

use dualwrite::engine::{BreakerConfig, BreakerState, Engine, RoundOptions};
use dualwrite::model::Side;
use dualwrite::store::{EntryStatus, ErrorFilter};
use engine_support::{all_rows, find, text, World};

/// A world with 3 customers per company, capture installed and an initial sync from F&O done.
async fn synced(world: &World) -> Engine {
    engine_support::synced_engine(world, 3).await
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
    a_missing_parent_becomes_a_placeholder_that_the_real_row_hydrates_on(World::sqlite().await)
        .await;
}

#[tokio::test]
async fn a_missing_parent_becomes_a_placeholder_that_the_real_row_hydrates_postgres() {
    if let Some(world) = World::sqlite_to_postgres("placeholder_hydrated").await {
        a_missing_parent_becomes_a_placeholder_that_the_real_row_hydrates_on(world).await;
    }
}

async fn a_missing_parent_becomes_a_placeholder_that_the_real_row_hydrates_on(world: World) {
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.placeholders = true;
            // The placeholder sits on the primary side; hydrating it is still no conflict.
            map.primary = Some(Side::Dataverse);
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
    assert_eq!((round.applied, round.conflicts), (1, 0), "{round:?}");
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
    world.finish_pg().await;
}

#[tokio::test]
async fn without_placeholders_the_child_is_held_until_its_parent_arrives() {
    without_placeholders_the_child_is_held_until_its_parent_arrives_on(World::sqlite().await).await;
}

#[tokio::test]
async fn without_placeholders_the_child_is_held_until_its_parent_arrives_postgres() {
    if let Some(world) = World::sqlite_to_postgres("held_child").await {
        without_placeholders_the_child_is_held_until_its_parent_arrives_on(world).await;
    }
}

async fn without_placeholders_the_child_is_held_until_its_parent_arrives_on(world: World) {
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
    world.finish_pg().await;
}

#[tokio::test]
async fn an_alert_rule_pauses_a_failing_map_and_it_catches_up_on_resume() {
    an_alert_rule_pauses_a_failing_map_and_it_catches_up_on_resume_on(World::sqlite().await).await;
}

#[tokio::test]
async fn an_alert_rule_pauses_a_failing_map_and_it_catches_up_on_resume_postgres() {
    if let Some(world) = World::sqlite_to_postgres("alert_rule").await {
        an_alert_rule_pauses_a_failing_map_and_it_catches_up_on_resume_on(world).await;
    }
}

async fn an_alert_rule_pauses_a_failing_map_and_it_catches_up_on_resume_on(world: World) {
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
    world.finish_pg().await;
}

/// Dataverse locked by another application's write transaction, so that every write of the
/// engine fails as a system failure after the endpoint's wait: SQLite's "database is locked"
/// after its busy timeout, PostgreSQL's "lock not available" after `lock_timeout`. Reads go on.
enum Outage {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
}

impl Outage {
    async fn start(world: &World) -> Outage {
        match &world.dataverse {
            engine_support::App::Sqlite(pool) => {
                let mut lock = pool.acquire().await.expect("connection");
                sqlx::raw_sql("BEGIN IMMEDIATE")
                    .execute(&mut *lock)
                    .await
                    .expect("lock Dataverse");
                Outage::Sqlite(lock)
            }
            engine_support::App::Postgres(pool) => {
                let mut lock = pool.acquire().await.expect("connection");
                sqlx::raw_sql("BEGIN; LOCK TABLE account IN EXCLUSIVE MODE")
                    .execute(&mut *lock)
                    .await
                    .expect("lock Dataverse");
                Outage::Postgres(lock)
            }
        }
    }

    async fn end(self) {
        match self {
            Outage::Sqlite(mut lock) => sqlx::raw_sql("COMMIT")
                .execute(&mut *lock)
                .await
                .map(|_| ()),
            Outage::Postgres(mut lock) => sqlx::raw_sql("COMMIT")
                .execute(&mut *lock)
                .await
                .map(|_| ()),
        }
        .expect("unlock Dataverse");
    }
}

#[tokio::test]
async fn an_outage_opens_the_breaker_keeps_attempts_bounded_and_the_queue_drains_after() {
    an_outage_opens_the_breaker_keeps_attempts_bounded_and_the_queue_drains_after_on(
        World::sqlite().await,
    )
    .await;
}

#[tokio::test]
async fn an_outage_opens_the_breaker_keeps_attempts_bounded_and_the_queue_drains_after_postgres() {
    if let Some(world) = World::sqlite_to_postgres("outage").await {
        // A short wait for the lock, as the SQLite busy timeout is short in these worlds.
        world.edit_project(|project| {
            for environment in &mut project.environments {
                if environment.side == Side::Dataverse {
                    environment.url.push_str("%20-clock_timeout%3D200");
                }
            }
        });
        an_outage_opens_the_breaker_keeps_attempts_bounded_and_the_queue_drains_after_on(world)
            .await;
    }
}

async fn an_outage_opens_the_breaker_keeps_attempts_bounded_and_the_queue_drains_after_on(
    world: World,
) {
    let engine = synced(&world).await;
    let options = RoundOptions {
        retries: 1,
        retry_delays: (Duration::from_millis(10), Duration::from_millis(50)),
        breaker: BreakerConfig {
            failure_threshold: 2,
            cooldown: Duration::from_millis(300),
        },
        ..RoundOptions::default()
    };
    world
        .fno
        .exec("UPDATE CustCustomerV3Entity SET Name = 'After outage ' || CustomerAccount WHERE dataAreaId = 'USMF'")
        .await;
    let outage = Outage::start(&world).await;

    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!(
        (round.enqueued, round.applied, round.failed),
        (3, 0, 0),
        "{round:?}"
    );
    assert_eq!((round.retried, round.rejected), (1, 2), "{round:?}");
    let open = engine
        .breaker_metrics(Side::Dataverse)
        .expect("breaker used");
    assert_eq!(open.state, BreakerState::Open);
    assert_eq!(
        (open.permitted, open.failures, open.opened),
        (2, 2, 1),
        "{open:?}"
    );

    // After the cooldown one half-open probe is let through; it fails and the breaker reopens.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let round = engine.sync_once(&options).await.expect("round");
    assert_eq!((round.applied, round.failed), (0, 0), "{round:?}");
    let reopened = engine.breaker_metrics(Side::Dataverse).expect("breaker");
    assert_eq!(reopened.state, BreakerState::Open);
    assert_eq!(
        (reopened.permitted, reopened.opened),
        (3, 2),
        "one probe: {reopened:?}"
    );

    outage.end().await;
    let mut applied = 0;
    for _ in 0..200 {
        applied += engine.sync_once(&options).await.expect("round").applied;
        let pending = engine
            .store()
            .list_entries(None, Some(EntryStatus::Pending), 10)
            .await
            .expect("entries");
        if pending.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(applied, 3, "the queue drained");
    let closed = engine.breaker_metrics(Side::Dataverse).expect("breaker");
    assert_eq!(closed.state, BreakerState::Closed);
    assert_eq!(
        (closed.permitted, closed.failures),
        (6, 3),
        "3 failed attempts during the outage, one success per entry after: {closed:?}"
    );
    for n in 1..=3 {
        let account = format!("C-{n:04}");
        let row = dv_row(
            &engine,
            "account",
            &["company", "accountnumber"],
            &[("company", "USMF"), ("accountnumber", &account)],
        )
        .await
        .expect("account");
        assert_eq!(text(&row, "name"), Some(format!("After outage {account}")));
    }
    assert_no_errors(&engine).await;
    engine.close().await;
    world.finish_pg().await;
}

#[tokio::test]
async fn entries_a_dead_worker_claimed_are_applied_by_the_next_engine_at_once() {
    entries_a_dead_worker_claimed_are_applied_by_the_next_engine_at_once_on(World::sqlite().await)
        .await;
}

#[tokio::test]
async fn entries_a_dead_worker_claimed_are_applied_by_the_next_engine_at_once_postgres() {
    if let Some(world) = World::sqlite_to_postgres("dead_worker").await {
        entries_a_dead_worker_claimed_are_applied_by_the_next_engine_at_once_on(world).await;
    }
}

async fn entries_a_dead_worker_claimed_are_applied_by_the_next_engine_at_once_on(world: World) {
    let engine = synced(&world).await;
    let options = RoundOptions::default();
    world
        .fno
        .exec(
            "UPDATE CustCustomerV3Entity SET Name = 'Claimed then crashed' \
             WHERE dataAreaId = 'USMF' AND CustomerAccount = 'C-0002'",
        )
        .await;
    assert_eq!(engine.collect_changes(&options).await.expect("collect"), 1);
    // A worker claims the entry under its lease and dies before applying it (what SIGKILL of
    // `dualwrite sync` leaves behind; tests/fault_kill.rs does it with real processes).
    let claimed = engine
        .store()
        .claim_batch(
            &dualwrite::store::ClaimRequest::any(10, options.lease),
            dualwrite::store::Timestamp::now(),
        )
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    engine.close().await;

    // The next engine starts well within the lease and applies it in its first round.
    let engine = Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("reopen");
    let report = engine.sync_once(&options).await.expect("round");
    assert_eq!(report.applied, 1, "{report:?}");
    let account = account_of(&engine, "C-0002").await;
    assert_eq!(
        text(&account, "name").as_deref(),
        Some("Claimed then crashed")
    );
    engine.close().await;
    world.finish_pg().await;
}

async fn account_of(engine: &Engine, account: &str) -> dualwrite::endpoint::Row {
    dv_row(
        engine,
        "account",
        &["company", "accountnumber"],
        &[("company", "USMF"), ("accountnumber", account)],
    )
    .await
    .expect("account")
}
