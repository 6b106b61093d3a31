//! The async round's parallel workers and owned queue leases, on real SQLite files.
//!
//! Order and concurrency are read from the Dataverse change log, which also captures the
//! engine's own writes in the order they happened (`ChangeQuery::all`): no timing involved.
//! - inside an entity group, every write of the lower sequence comes before the higher one's,
//!   even when the higher one's changes were made first and several workers run;
//! - two independent groups progress together with two workers (their writes interleave), and
//!   one after the other with one;
//! - a lease is freed at start only when its owner engine is gone: an engine opened beside a
//!   running one leaves that one's claims alone.

mod engine_support;

use dualwrite::endpoint::{ChangeQuery, Origin};
use dualwrite::engine::{Engine, RoundOptions};
use dualwrite::model::Side;
use dualwrite::store::{ClaimRequest, EntryStatus, Timestamp};
use engine_support::World;

/// The Dataverse tables the engine wrote, in write order, after the change-log position
/// `after`.
async fn engine_writes(engine: &Engine, after: i64) -> Vec<String> {
    engine
        .endpoint(Side::Dataverse)
        .read_changes_matching(&ChangeQuery::all(after, 10_000))
        .await
        .expect("change log")
        .into_iter()
        .filter(|c| c.origin == Origin::Engine)
        .map(|c| c.table)
        .collect()
}

async fn log_position(engine: &Engine) -> i64 {
    engine
        .endpoint(Side::Dataverse)
        .read_changes_matching(&ChangeQuery::all(0, 100_000))
        .await
        .expect("change log")
        .last()
        .map_or(0, |c| c.seq)
}

/// Changes every customer first, then every customer group: FIFO alone would apply the
/// customers first.
async fn change_customers_then_groups(world: &World) {
    world
        .fno
        .exec("UPDATE CustCustomerV3Entity SET Name = Name || ' (renamed)'")
        .await;
    world
        .fno
        .exec("UPDATE CustCustomerGroupEntity SET Description = Description || ' (renamed)'")
        .await;
}

fn one_at_a_time(workers: u32) -> RoundOptions {
    RoundOptions {
        claim_batch: 1,
        workers,
        ..RoundOptions::default()
    }
}

#[tokio::test]
async fn sequence_order_holds_within_a_group_with_several_workers() {
    let world = World::sqlite().await;
    let engine = engine_support::synced_engine(&world, 4).await;
    let after = log_position(&engine).await;
    change_customers_then_groups(&world).await;
    let round = engine.sync_once(&one_at_a_time(4)).await.expect("round");
    assert_eq!((round.applied, round.failed), (12, 0), "{round:?}");
    let writes = engine_writes(&engine, after).await;
    assert_eq!(writes.len(), 12, "{writes:?}");
    let last_group = writes
        .iter()
        .rposition(|t| t == "msdyn_customergroup")
        .expect("group writes");
    let first_account = writes
        .iter()
        .position(|t| t == "account")
        .expect("account writes");
    assert!(
        last_group < first_account,
        "groups (sequence 1) before customers (sequence 2): {writes:?}"
    );
    engine.close().await;
}

/// Groups and customers in two entity groups of their own: independent for the engine.
fn split_groups(world: &World) {
    world.edit_project(|project| {
        let mut customers = project.groups[0].clone();
        customers.id = "customers-only".into();
        customers.name = "Customers only".into();
        customers.members.retain(|m| m.map == "customers");
        customers.members[0].sequence = 1;
        project.groups[0].members.retain(|m| m.map == "groups");
        project.groups.push(customers);
    });
}

async fn split_round(workers: u32) -> Vec<String> {
    let world = World::sqlite().await;
    split_groups(&world);
    let engine = engine_support::synced_engine(&world, 4).await;
    let after = log_position(&engine).await;
    change_customers_then_groups(&world).await;
    let round = engine
        .sync_once(&one_at_a_time(workers))
        .await
        .expect("round");
    assert_eq!((round.applied, round.failed), (12, 0), "{round:?}");
    let writes = engine_writes(&engine, after).await;
    engine.close().await;
    writes
}

/// Whether some write of `later` comes before the last write of `earlier`.
fn interleaved(writes: &[String], earlier: &str, later: &str) -> bool {
    let last_earlier = writes.iter().rposition(|t| t == earlier);
    let first_later = writes.iter().position(|t| t == later);
    matches!((last_earlier, first_later), (Some(e), Some(l)) if l < e)
}

#[tokio::test]
async fn independent_groups_progress_together_with_two_workers() {
    let together = split_round(2).await;
    assert_eq!(together.len(), 12, "{together:?}");
    assert!(
        interleaved(&together, "msdyn_customergroup", "account"),
        "both groups progressed at the same time: {together:?}"
    );

    let alone = split_round(1).await;
    assert_eq!(alone.len(), 12, "{alone:?}");
    assert!(
        !interleaved(&alone, "msdyn_customergroup", "account"),
        "one worker takes the groups one after the other: {alone:?}"
    );
}

#[tokio::test]
async fn an_engine_opened_beside_a_running_one_leaves_its_leases_alone() {
    let world = World::sqlite().await;
    let running = engine_support::synced_engine(&world, 3).await;
    let options = RoundOptions::default();
    world
        .fno
        .exec(
            "UPDATE CustCustomerV3Entity SET Name = 'Claimed by the running engine' \
             WHERE dataAreaId = 'USMF' AND CustomerAccount = 'C-0002'",
        )
        .await;
    assert_eq!(running.collect_changes(&options).await.expect("collect"), 1);
    // The running engine's worker holds the entry (mid-batch).
    let claimed = running
        .store()
        .claim_batch(
            &ClaimRequest::any(10, options.lease).owned_by(running.queue_owner()),
            Timestamp::now(),
        )
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);

    // A second engine on the same files (another `sync`, the app) starts meanwhile.
    let beside = Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("open beside");
    assert_ne!(beside.queue_owner(), running.queue_owner());
    let report = beside.sync_once(&options).await.expect("round");
    assert_eq!(report.applied, 0, "the claim is still the running engine's");
    let entry = beside
        .store()
        .queue_entry(claimed[0].id)
        .await
        .expect("entry")
        .expect("still queued");
    assert_eq!(entry.status, EntryStatus::Pending);
    assert!(entry.leased_until.is_some(), "{entry:?}");
    beside.close().await;

    // The running engine goes away without finishing: the next engine takes over at once.
    running.close().await;
    let next = Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("reopen");
    let report = next.sync_once(&options).await.expect("round");
    assert_eq!(report.applied, 1, "{report:?}");
    next.close().await;
}

/// A round narrowed to one entity group's maps (`RoundOptions::maps`, what `sync --group` and
/// the app's test sync of a group use) applies only their entries; the other group's changes
/// are collected and stay queued until a round that includes them. With one worker and with
/// two (whose loop over ready groups must not spin on a group it may not take).
#[tokio::test]
async fn a_round_narrowed_to_some_maps_leaves_the_others_queued() {
    for workers in [1, 2] {
        let world = World::sqlite().await;
        split_groups(&world);
        let engine = engine_support::synced_engine(&world, 4).await;
        let after = log_position(&engine).await;
        change_customers_then_groups(&world).await;
        let customers_only = RoundOptions {
            maps: engine
                .project()
                .selected_maps(Some("customers-only"), &[])
                .expect("group"),
            ..one_at_a_time(workers)
        };
        let round = engine.sync_once(&customers_only).await.expect("round");
        assert_eq!(
            (round.enqueued, round.applied, round.failed),
            (12, 8, 0),
            "{workers} workers: {round:?}"
        );
        let writes = engine_writes(&engine, after).await;
        assert!(
            writes.iter().all(|t| t == "account") && writes.len() == 8,
            "{writes:?}"
        );
        let waiting = engine
            .store()
            .list_entries(None, Some(EntryStatus::Pending), 100)
            .await
            .expect("entries");
        assert_eq!(waiting.len(), 4, "{waiting:?}");
        assert!(waiting.iter().all(|e| e.map_id == "groups"), "{waiting:?}");

        let rest = engine
            .sync_once(&one_at_a_time(workers))
            .await
            .expect("round");
        assert_eq!((rest.enqueued, rest.applied), (0, 4), "{rest:?}");
        engine.close().await;
    }
}
