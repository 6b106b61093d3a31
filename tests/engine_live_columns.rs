//! Column names in a live transaction are matched the way the databases match them, ignoring
//! ASCII case: a key, company or field column spelled differently from the map still identifies
//! the row and carries its value to the other side, and a column given twice under two
//! spellings is refused before anything is written.

mod engine_support;

use dualwrite::engine::live::{LiveOptions, Step, TxnRow};
use dualwrite::engine::Engine;
use dualwrite::model::{Side, SyncMode};
use engine_support::{all_rows, text, World};

async fn live_engine(world: &World) -> Engine {
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.sync_mode = SyncMode::Live;
        }
    });
    Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("open engine")
}

fn group_row(values: serde_json::Value) -> Vec<TxnRow> {
    serde_json::from_value(serde_json::json!([
        { "table": "custcustomergroupentity", "op": "upsert", "values": values }
    ]))
    .expect("txn rows")
}

async fn groups(engine: &Engine, side: Side) -> Vec<dualwrite::endpoint::Row> {
    let (table, keys) = match side {
        Side::Fno => ("CustCustomerGroupEntity", ["dataAreaId", "CustomerGroupId"]),
        Side::Dataverse => ("msdyn_customergroup", ["company", "msdyn_groupid"]),
    };
    all_rows(engine.endpoint(side).as_ref(), table, &keys).await
}

#[tokio::test]
async fn key_and_field_columns_in_another_case_land_on_both_sides() {
    let world = World::sqlite().await;
    let engine = live_engine(&world).await;
    let txn = group_row(serde_json::json!({
        "DATAAREAID": "USMF", "customergroupid": "G-1", "DESCRIPTION": "Wholesale"
    }));
    let outcome = engine
        .live_transaction(Side::Fno, &txn, &LiveOptions::default())
        .await;
    assert!(outcome.committed, "{outcome:?}");
    let fno = groups(&engine, Side::Fno).await;
    assert_eq!(fno.len(), 1);
    assert_eq!(text(&fno[0], "CustomerGroupId").as_deref(), Some("G-1"));
    assert_eq!(text(&fno[0], "Description").as_deref(), Some("Wholesale"));
    let dataverse = groups(&engine, Side::Dataverse).await;
    assert_eq!(
        dataverse.len(),
        1,
        "the field reached the target through the map"
    );
    assert_eq!(text(&dataverse[0], "company").as_deref(), Some("USMF"));
    assert_eq!(text(&dataverse[0], "msdyn_groupid").as_deref(), Some("G-1"));
    assert_eq!(
        text(&dataverse[0], "msdyn_description").as_deref(),
        Some("Wholesale")
    );
    engine.close().await;
}

#[tokio::test]
async fn a_column_given_twice_in_two_spellings_is_refused_and_nothing_written() {
    let world = World::sqlite().await;
    let engine = live_engine(&world).await;
    let key = serde_json::json!({ "dataAreaId": "USMF", "CustomerGroupId": "G-1" });
    // A field of the map, then a column the map does not know (the endpoint resolves those).
    for (first, second) in [("Description", "description"), ("Note", "NOTE")] {
        let mut values = key.clone();
        values[first] = "one".into();
        values[second] = "two".into();
        let outcome = engine
            .live_transaction(Side::Fno, &group_row(values), &LiveOptions::default())
            .await;
        assert!(outcome.refused && !outcome.committed, "{outcome:?}");
        let reason = outcome.reason.clone().unwrap_or_default();
        assert!(reason.contains("row [0].values."), "{reason}");
        assert!(reason.contains("not case-sensitive"), "{reason}");
        assert!(
            reason.contains(first) && reason.contains(second),
            "{reason}"
        );
        assert_eq!(
            outcome.trace.iter().map(|s| s.step).collect::<Vec<_>>(),
            vec![Step::Refused]
        );
    }
    assert!(groups(&engine, Side::Fno).await.is_empty());
    assert!(groups(&engine, Side::Dataverse).await.is_empty());
    engine.close().await;
}
