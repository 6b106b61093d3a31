//! Transforms and lookups through a map resolved against real SQLite schemas: value maps both
//! ways, an ambiguous way back, defaults, direction filtering, and lookups natural key <-> GUID id
//! (company-qualified, and "lookup not found" naming table, column and value).

mod engine_support;

use dualwrite::endpoint::{ColumnName, Row, Value};
use dualwrite::engine::transform::transform_row;
use dualwrite::engine::{Engine, EngineError, LookupResolver};
use dualwrite::model::{Side, Transform};
use engine_support::World;

fn row(pairs: &[(&str, Value)]) -> Row {
    pairs
        .iter()
        .map(|(c, v)| (ColumnName::from(*c), v.clone()))
        .collect()
}

fn fno_customer(company: &str, account: &str, group: &str, status: &str) -> Row {
    row(&[
        ("dataAreaId", company.into()),
        ("CustomerAccount", account.into()),
        ("Name", "Contoso".into()),
        ("CustomerGroupId", group.into()),
        ("InvoiceAccount", Value::Null),
        ("Status", status.into()),
        ("Currency", Value::Null),
    ])
}

async fn engine(world: &World) -> Engine {
    Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("open engine")
}

/// Dataverse groups with known ids: code 10 exists in both companies with different ids.
async fn seed_dataverse_groups(world: &World) {
    world
        .dataverse
        .exec(
            "INSERT INTO msdyn_customergroup (msdyn_customergroupid, company, msdyn_groupid) VALUES \
             ('guid-de-10','DEMF','10'),('guid-us-10','USMF','10'),('guid-us-30','USMF','30')",
        )
        .await;
}

#[tokio::test]
async fn value_map_default_and_directions_both_ways() {
    let world = World::sqlite().await;
    let engine = engine(&world).await;
    let map = engine.map("customers").expect("map").clone();
    let to_dv = transform_row(
        &map,
        Side::Dataverse,
        &fno_customer("USMF", "C-1", "10", "OnHold"),
        |_| true,
    )
    .expect("to Dataverse");
    assert_eq!(to_dv.get("statuscode"), Some(&Value::Integer(2)));
    assert_eq!(to_dv.get("currencycode"), Some(&Value::Text("USD".into())));
    assert_eq!(to_dv.get("company"), Some(&Value::Text("USMF".into())));
    let dv_account = row(&[
        ("accountid", "guid-1".into()),
        ("company", "USMF".into()),
        ("accountnumber", "C-1".into()),
        ("name", "Contoso".into()),
        ("msdyn_customergroupid", Value::Null),
        ("invoiceaccountid", Value::Null),
        ("statuscode", Value::Integer(1)),
        ("currencycode", "EUR".into()),
    ]);
    let to_fno = transform_row(&map, Side::Fno, &dv_account, |_| true).expect("to F&O");
    assert_eq!(to_fno.get("Status"), Some(&Value::Text("Active".into())));
    assert!(
        !to_fno.contains_key("Currency"),
        "a toDataverse field never writes F&O"
    );
    assert_eq!(
        to_fno.keys().map(ColumnName::as_str).collect::<Vec<_>>(),
        vec![
            "dataAreaId",
            "CustomerAccount",
            "Name",
            "CustomerGroupId",
            "InvoiceAccount",
            "Status"
        ]
    );
    // The `include` filter leaves out fields (the first pass of a self-reference).
    let first_pass = transform_row(
        &map,
        Side::Dataverse,
        &fno_customer("USMF", "C-1", "10", "Active"),
        |f| f.fno != "InvoiceAccount",
    )
    .expect("first pass");
    assert!(!first_pass.contains_key("invoiceaccountid"));
    engine.close().await;
}

#[tokio::test]
async fn unmapped_and_ambiguous_values_are_application_errors_naming_the_field() {
    let world = World::sqlite().await;
    world.edit_project(|project| {
        let map = project
            .table_maps
            .iter_mut()
            .find(|m| m.id == "customers")
            .expect("map");
        let status = map
            .fields
            .iter_mut()
            .find(|f| f.fno == "Status")
            .expect("status");
        status.transform = Some(Transform::ValueMap(
            [
                ("Active".to_string(), serde_json::json!(1)),
                ("New".to_string(), serde_json::json!(1)),
                ("OnHold".to_string(), serde_json::json!(2)),
            ]
            .into_iter()
            .collect(),
        ));
    });
    let engine = engine(&world).await;
    let map = engine.map("customers").expect("map").clone();
    let unmapped = transform_row(
        &map,
        Side::Dataverse,
        &fno_customer("USMF", "C-1", "10", "Blocked"),
        |_| true,
    );
    let message = unmapped.as_ref().err().map(ToString::to_string);
    assert!(matches!(unmapped, Err(EngineError::UnmappedValue { .. })));
    let message = message.unwrap_or_default();
    assert!(
        message.contains("customers") && message.contains("Status") && message.contains("Blocked"),
        "{message}"
    );
    let back = row(&[("statuscode", Value::Integer(1))]);
    let ambiguous = transform_row(&map, Side::Fno, &back, |_| true);
    match ambiguous {
        Err(error @ EngineError::NotInvertible { .. }) => {
            assert_eq!(
                error.category(),
                dualwrite::endpoint::ErrorCategory::Application
            );
            let text = error.to_string();
            assert!(
                text.contains("\"Active\"") && text.contains("\"New\""),
                "{text}"
            );
        }
        other => panic!("expected NotInvertible, got {other:?}"),
    }
    // The unambiguous value still maps back.
    let on_hold = transform_row(
        &map,
        Side::Fno,
        &row(&[("statuscode", Value::Integer(2))]),
        |_| true,
    )
    .expect("OnHold maps back");
    assert_eq!(on_hold.get("Status"), Some(&Value::Text("OnHold".into())));
    engine.close().await;
}

#[tokio::test]
async fn lookups_resolve_both_ways_qualified_by_company() {
    let world = World::sqlite().await;
    seed_dataverse_groups(&world).await;
    let engine = engine(&world).await;
    let map = engine.map("customers").expect("map").clone();
    let resolver = LookupResolver::new(engine.endpoint(Side::Dataverse).clone());
    let sources = vec![
        fno_customer("DEMF", "C-1", "10", "Active"),
        fno_customer("USMF", "C-1", "10", "Active"),
        fno_customer("USMF", "C-2", "30", "Active"),
    ];
    let transformed = sources
        .iter()
        .map(|r| transform_row(&map, Side::Dataverse, r, |_| true).expect("transform"))
        .collect();
    let resolved = resolver
        .resolve_rows(&map, Side::Dataverse, &sources, transformed, |_| true)
        .await
        .expect("lookups");
    let groups: Vec<Option<Value>> = resolved
        .iter()
        .map(|r| {
            r.as_ref()
                .ok()
                .and_then(|row| row.get("msdyn_customergroupid").cloned())
        })
        .collect();
    assert_eq!(
        groups,
        vec![
            Some(Value::Text("guid-de-10".into())),
            Some(Value::Text("guid-us-10".into())),
            Some(Value::Text("guid-us-30".into())),
        ],
        "the same code 10 resolves to each company's own group"
    );

    // The way back: id -> natural key.
    let account = row(&[
        ("company", "USMF".into()),
        ("accountnumber", "C-9".into()),
        ("name", "Fabrikam".into()),
        ("msdyn_customergroupid", "guid-us-30".into()),
        ("invoiceaccountid", Value::Null),
        ("statuscode", Value::Integer(1)),
    ]);
    let to_fno = transform_row(&map, Side::Fno, &account, |_| true).expect("transform");
    let back = resolver
        .resolve_rows(&map, Side::Fno, &[account], vec![to_fno], |_| true)
        .await
        .expect("lookups");
    let back = back.into_iter().next().expect("one row").expect("resolved");
    assert_eq!(back.get("CustomerGroupId"), Some(&Value::Text("30".into())));
    assert_eq!(back.get("InvoiceAccount"), Some(&Value::Null));
    engine.close().await;
}

#[tokio::test]
async fn lookup_not_found_names_table_column_value_and_company() {
    let world = World::sqlite().await;
    seed_dataverse_groups(&world).await;
    let engine = engine(&world).await;
    let map = engine.map("customers").expect("map").clone();
    let resolver = LookupResolver::new(engine.endpoint(Side::Dataverse).clone());
    // Group 30 exists in USMF only.
    let sources = vec![
        fno_customer("DEMF", "C-1", "30", "Active"),
        fno_customer("DEMF", "C-2", "10", "Active"),
    ];
    let transformed = sources
        .iter()
        .map(|r| transform_row(&map, Side::Dataverse, r, |_| true).expect("transform"))
        .collect();
    let mut resolved = resolver
        .resolve_rows(&map, Side::Dataverse, &sources, transformed, |_| true)
        .await
        .expect("lookups")
        .into_iter();
    let missing = resolved.next().expect("first row");
    let message = match missing {
        Err(error @ EngineError::LookupNotFound { .. }) => error.to_string(),
        other => panic!("expected lookup not found, got {other:?}"),
    };
    for part in [
        "lookup not found",
        "msdyn_customergroup",
        "msdyn_groupid",
        "'30'",
        "DEMF",
    ] {
        assert!(message.contains(part), "{part} missing from: {message}");
    }
    assert!(
        resolved.next().expect("second row").is_ok(),
        "the other row resolves"
    );

    // The way back with an id that does not exist.
    let account = row(&[
        ("company", "USMF".into()),
        ("accountnumber", "C-9".into()),
        ("name", "Fabrikam".into()),
        ("msdyn_customergroupid", "no-such-guid".into()),
        ("statuscode", Value::Integer(1)),
    ]);
    let to_fno = transform_row(&map, Side::Fno, &account, |_| true).expect("transform");
    let back = resolver
        .resolve_rows(&map, Side::Fno, &[account], vec![to_fno], |_| true)
        .await
        .expect("lookups");
    let message = back
        .into_iter()
        .next()
        .and_then(|r| r.err())
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        message.contains("msdyn_customergroupid") && message.contains("'no-such-guid'"),
        "{message}"
    );
    engine.close().await;
}
