//! Initial sync on real databases: F&O-shaped SQLite file -> Dataverse-shaped SQLite file (and
//! PostgreSQL when DUALWRITE_TEST_PG_URL is set): dependency order, company-qualified lookups, a
//! self-reference in two passes, per-legal-entity progress, resume after an interruption, row
//! failures in the error log, and resolve errors that name the bad column.

mod engine_support;

use dualwrite::engine::{Engine, InitialSyncOptions, Pass, ProgressEvent};
use dualwrite::model::Side;
use dualwrite::store::{ErrorFilter, RunStatus};
use engine_support::{all_rows, find, text, World};

async fn open(world: &World) -> Engine {
    Engine::open(&world.project_path, Some(&world.state_dir))
        .await
        .expect("open engine")
}

/// Checks that every F&O customer and group is on Dataverse, equal under the maps: same
/// values, status through the value map, currency defaulted, and each lookup pointing at the row
/// whose natural key (in the same company) F&O holds.
async fn assert_equal_under_the_maps(engine: &Engine, customers_per_company: usize) {
    let fno = engine.endpoint(Side::Fno).as_ref();
    let dv = engine.endpoint(Side::Dataverse).as_ref();
    let fno_customers = all_rows(
        fno,
        "CustCustomerV3Entity",
        &["dataAreaId", "CustomerAccount"],
    )
    .await;
    let accounts = all_rows(dv, "account", &["company", "accountnumber"]).await;
    let groups = all_rows(dv, "msdyn_customergroup", &["company", "msdyn_groupid"]).await;
    assert_eq!(groups.len(), 4, "every group of both companies");
    assert_eq!(fno_customers.len(), 2 * customers_per_company);
    assert_eq!(
        accounts.len(),
        fno_customers.len(),
        "no row missing or duplicated"
    );
    for customer in &fno_customers {
        let company = text(customer, "dataAreaId").expect("company");
        let number = text(customer, "CustomerAccount").expect("account");
        let account = find(
            &accounts,
            &[("company", &company), ("accountnumber", &number)],
        )
        .unwrap_or_else(|| panic!("{company}/{number} missing on Dataverse"));
        assert_eq!(text(account, "name"), text(customer, "Name"));
        let expected_status = match text(customer, "Status").as_deref() {
            Some("Active") => "1",
            Some("OnHold") => "2",
            other => panic!("unexpected status {other:?}"),
        };
        assert_eq!(
            text(account, "statuscode").as_deref(),
            Some(expected_status)
        );
        let currency = text(customer, "Currency").unwrap_or_else(|| "USD".to_string());
        assert_eq!(text(account, "currencycode"), Some(currency));
        let group_id = text(account, "msdyn_customergroupid").expect("group lookup filled");
        let group = find(&groups, &[("msdyn_customergroupid", &group_id)]).expect("group row");
        assert_eq!(
            text(group, "company"),
            Some(company.clone()),
            "same company"
        );
        assert_eq!(
            text(group, "msdyn_groupid"),
            text(customer, "CustomerGroupId")
        );
        match text(customer, "InvoiceAccount") {
            None => assert_eq!(text(account, "invoiceaccountid"), None),
            Some(invoice) => {
                let id = text(account, "invoiceaccountid").expect("self lookup filled");
                let target = find(&accounts, &[("accountid", &id)]).expect("invoice account");
                assert_eq!(text(target, "accountnumber"), Some(invoice));
                assert_eq!(text(target, "company"), Some(company));
            }
        }
    }
}

#[tokio::test]
async fn initial_sync_copies_parents_first_and_fills_the_self_reference_in_a_second_pass() {
    let world = World::sqlite().await;
    world.seed(5).await;
    let engine = open(&world).await;
    // "customers" comes first in the project but looks up "groups": the chart puts it later.
    assert_eq!(
        engine.chart().waves(),
        vec![vec!["groups"], vec!["customers"]]
    );
    let report = engine
        .initial_sync(&InitialSyncOptions::default())
        .await
        .expect("initial sync");
    assert!(!report.interrupted && !report.resumed);
    assert_eq!(report.rows_failed(), 0);
    let customers = report
        .maps
        .iter()
        .find(|m| m.map_id == "customers")
        .expect("customers");
    assert!(
        customers.second_pass,
        "the self-reference needs a second pass"
    );
    // Both passes write every customer.
    assert_eq!(customers.rows_written, 2 * 10);
    assert_equal_under_the_maps(&engine, 5).await;
    let run = engine
        .store()
        .run(report.run)
        .await
        .expect("run")
        .expect("recorded");
    assert_eq!(run.status, RunStatus::Succeeded);
    // Snapshots were written for a later async round.
    let snapshot = engine
        .store()
        .snapshot(
            "customers",
            &dualwrite::store::KeyText::parse(r#"["USMF","C-0003"]"#).expect("key"),
        )
        .await
        .expect("snapshot");
    assert!(snapshot.is_some_and(|s| s.dataverse.values["statuscode"] == serde_json::json!(2)));
    engine.close().await;
}

#[tokio::test]
async fn a_cycle_member_waits_for_the_first_pass_of_the_member_it_looks_up() {
    let world = World::sqlite().await;
    world.seed(4).await;
    world.add_contacts_map();
    let engine = open(&world).await;
    assert!(engine.chart().is_deferred("contacts", "customers"));
    assert_eq!(
        engine.chart().waves(),
        vec![vec!["groups"], vec!["customers", "contacts"]]
    );
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<ProgressEvent>();
    let report = engine
        .initial_sync(&InitialSyncOptions {
            parallelism: 4,
            batch_size: 2,
            progress: Some(sender),
            ..InitialSyncOptions::default()
        })
        .await
        .expect("initial sync");
    assert_eq!(
        report.rows_failed(),
        0,
        "every lookup of the cycle resolves"
    );
    let mut order = Vec::new();
    while let Ok(event) = receiver.try_recv() {
        order.push((event.map_id, event.pass, event.finished));
    }
    let first_contacts = order
        .iter()
        .position(|e| e.0 == "contacts")
        .expect("contacts ran");
    let customers_done = order
        .iter()
        .rposition(|e| e.0 == "customers" && e.1 == Pass::First && e.2)
        .expect("customers finished");
    assert!(customers_done < first_contacts, "{order:?}");
    let dv = engine.endpoint(Side::Dataverse).as_ref();
    let accounts = all_rows(dv, "account", &["company", "accountnumber"]).await;
    let contacts = all_rows(dv, "contact", &["company", "msdyn_contactpersonid"]).await;
    assert_eq!(contacts.len(), 8);
    for account in &accounts {
        let contact_id = text(account, "primarycontactid").expect("primary contact filled");
        let contact = find(&contacts, &[("contactid", &contact_id)]).expect("contact row");
        assert_eq!(
            text(contact, "parentcustomerid"),
            text(account, "accountid")
        );
    }
    engine.close().await;
}

#[tokio::test]
async fn a_copy_from_dataverse_turns_ids_back_into_natural_keys() {
    let world = World::sqlite().await;
    world.seed(4).await;
    let engine = open(&world).await;
    engine
        .initial_sync(&InitialSyncOptions::default())
        .await
        .expect("F&O -> Dataverse");
    let fno = engine.endpoint(Side::Fno).as_ref();
    let keys = ["dataAreaId", "CustomerAccount"];
    let before = all_rows(fno, "CustCustomerV3Entity", &keys).await;
    world.fno.exec("DELETE FROM CustCustomerV3Entity").await;
    let report = engine
        .initial_sync(&InitialSyncOptions {
            source: Some(Side::Dataverse),
            fresh: true,
            ..InitialSyncOptions::default()
        })
        .await
        .expect("Dataverse -> F&O");
    assert_eq!(report.rows_failed(), 0);
    let after = all_rows(fno, "CustCustomerV3Entity", &keys).await;
    assert_eq!(after.len(), before.len());
    for row in &before {
        let company = text(row, "dataAreaId").expect("company");
        let account = text(row, "CustomerAccount").expect("account");
        let back = find(
            &after,
            &[("dataAreaId", &company), ("CustomerAccount", &account)],
        )
        .expect("restored");
        // Currency is a one-way field (to Dataverse) and is not written back.
        for column in ["Name", "CustomerGroupId", "InvoiceAccount", "Status"] {
            assert_eq!(
                text(back, column),
                text(row, column),
                "{company}/{account} {column}"
            );
        }
        assert_eq!(text(back, "Currency"), None);
    }
    engine.close().await;
}

#[tokio::test]
async fn progress_is_recorded_per_map_and_legal_entity() {
    let world = World::sqlite().await;
    world.seed(3).await;
    let engine = open(&world).await;
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<ProgressEvent>();
    let options = InitialSyncOptions {
        progress: Some(sender),
        batch_size: 2,
        ..InitialSyncOptions::default()
    };
    let report = engine.initial_sync(&options).await.expect("initial sync");
    drop(options);
    let progress = engine.store().progress(report.run).await.expect("progress");
    let rows: Vec<(String, Option<String>, u64, bool)> = progress
        .iter()
        .map(|p| {
            (
                p.map_id.clone(),
                p.legal_entity.clone(),
                p.rows_done,
                p.completed,
            )
        })
        .collect();
    let le = |s: &str| Some(s.to_string());
    assert_eq!(
        rows,
        vec![
            ("customers".into(), le("DEMF"), 3, true),
            ("customers".into(), le("USMF"), 3, true),
            ("customers (second pass)".into(), le("DEMF"), 3, true),
            ("customers (second pass)".into(), le("USMF"), 3, true),
            ("groups".into(), le("DEMF"), 2, true),
            ("groups".into(), le("USMF"), 2, true),
        ]
    );
    let mut events = Vec::new();
    while let Ok(event) = receiver.try_recv() {
        events.push(event);
    }
    let finished: Vec<&ProgressEvent> = events.iter().filter(|e| e.finished).collect();
    assert_eq!(
        finished.len(),
        6,
        "one finish per map, pass and legal entity"
    );
    assert!(finished
        .iter()
        .all(|e| e.total == Some(e.rows_done) && e.resumed_from == 0));
    assert!(events
        .iter()
        .any(|e| e.pass == Pass::Second && e.map_id == "customers"));
    engine.close().await;
}

#[tokio::test]
async fn an_interrupted_run_resumes_after_its_last_committed_key() {
    let world = World::sqlite().await;
    world.seed(25).await;
    let engine = open(&world).await;
    let first = engine
        .initial_sync(&InitialSyncOptions {
            batch_size: 4,
            stop_after_batches: Some(3),
            parallelism: 1,
            ..InitialSyncOptions::default()
        })
        .await
        .expect("first attempt");
    assert!(first.interrupted);
    let run = engine
        .store()
        .run(first.run)
        .await
        .expect("run")
        .expect("run");
    assert_eq!(run.status, RunStatus::Interrupted);
    let dv = engine.endpoint(Side::Dataverse).clone();
    let after_first = all_rows(
        dv.as_ref(),
        "msdyn_customergroup",
        &["company", "msdyn_groupid"],
    )
    .await
    .len()
        + all_rows(dv.as_ref(), "account", &["company", "accountnumber"])
            .await
            .len();
    assert!(
        after_first < 4 + 50,
        "stopped part-way ({after_first} rows)"
    );
    let recorded = engine.store().progress(first.run).await.expect("progress");
    assert!(recorded
        .iter()
        .any(|p| !p.completed && p.last_key.is_some()));

    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<ProgressEvent>();
    let second = engine
        .initial_sync(&InitialSyncOptions {
            batch_size: 4,
            progress: Some(sender),
            ..InitialSyncOptions::default()
        })
        .await
        .expect("resumed run");
    assert!(second.resumed && !second.interrupted);
    assert_eq!(second.run, first.run, "the same run continues");
    let mut resumed_events = 0;
    while let Ok(event) = receiver.try_recv() {
        if event.resumed_from > 0 {
            resumed_events += 1;
        }
    }
    assert!(resumed_events > 0, "progress shows where it resumed");
    // Every segment counted each source row exactly once across both attempts: the second
    // attempt continued after the recorded key instead of starting over.
    for p in engine.store().progress(first.run).await.expect("progress") {
        let expected = if p.map_id == "groups" { 2 } else { 25 };
        assert_eq!(p.rows_done, expected, "{} {:?}", p.map_id, p.legal_entity);
        assert!(p.completed);
    }
    assert_equal_under_the_maps(&engine, 25).await;
    engine.close().await;
}

#[tokio::test]
async fn rows_whose_lookup_is_not_found_go_to_the_error_log_and_the_rest_is_copied() {
    let world = World::sqlite().await;
    world.seed(6).await;
    // Group 30 of USMF disappears: its customers (USMF C-0002, C-0004, C-0006) cannot resolve.
    world
        .fno
        .exec("DELETE FROM CustCustomerGroupEntity WHERE dataAreaId = 'USMF' AND CustomerGroupId = '30'")
        .await;
    let engine = open(&world).await;
    let report = engine
        .initial_sync(&InitialSyncOptions::default())
        .await
        .expect("initial sync");
    // Three customers fail in the first pass and again in the second; in the second pass USMF
    // C-0001 fails too: its invoice account C-0006 is one of the three.
    assert_eq!(report.rows_failed(), 7);
    let errors = engine
        .store()
        .list_errors(&ErrorFilter {
            map_id: Some("customers".into()),
            ..ErrorFilter::default()
        })
        .await
        .expect("errors");
    assert_eq!(errors.len(), 7);
    let (group_errors, invoice_errors): (Vec<_>, Vec<_>) = errors
        .iter()
        .partition(|e| e.message.contains("msdyn_customergroup"));
    assert_eq!(group_errors.len(), 6);
    for error in &group_errors {
        assert!(
            error.message.contains("lookup not found"),
            "{}",
            error.message
        );
        assert!(error.message.contains("msdyn_groupid"), "{}", error.message);
        assert!(error.message.contains("'30'"), "{}", error.message);
    }
    let invoice = &invoice_errors[0].message;
    assert!(
        invoice.contains("lookup not found")
            && invoice.contains("\"account\"")
            && invoice.contains("accountnumber")
            && invoice.contains("'C-0006'"),
        "{invoice}"
    );
    assert_eq!(
        invoice_errors[0]
            .key
            .as_ref()
            .map(|k| k.as_str().to_string()),
        Some(r#"["USMF","C-0001"]"#.to_string())
    );
    let accounts = all_rows(
        engine.endpoint(Side::Dataverse).as_ref(),
        "account",
        &["company", "accountnumber"],
    )
    .await;
    assert_eq!(accounts.len(), 12 - 3);
    assert!(find(
        &accounts,
        &[("company", "USMF"), ("accountnumber", "C-0002")]
    )
    .is_none());
    engine.close().await;
}

#[tokio::test]
async fn a_misspelt_column_is_refused_naming_map_side_and_closest_column() {
    let world = World::sqlite().await;
    world.edit_project(|project| {
        let map = project
            .table_maps
            .iter_mut()
            .find(|m| m.id == "customers")
            .expect("map");
        map.fields[2].fno = "Nmae".into();
    });
    let error = match Engine::open(&world.project_path, Some(&world.state_dir)).await {
        Ok(_) => panic!("the bad column must be refused"),
        Err(error) => error.to_string(),
    };
    for part in ["customers", "finance and operations", "Nmae", "\"Name\""] {
        assert!(error.contains(part), "{part} missing from: {error}");
    }
}

#[tokio::test]
async fn a_project_without_a_dataverse_environment_is_refused() {
    let world = World::sqlite().await;
    world.edit_project(|project| project.environments.retain(|e| e.side == Side::Fno));
    let error = match Engine::open(&world.project_path, Some(&world.state_dir)).await {
        Ok(_) => panic!("no Dataverse environment"),
        Err(error) => error.to_string(),
    };
    assert!(
        error.contains("Dataverse") && error.contains("\"dataverse\""),
        "{error}"
    );
}

#[tokio::test]
async fn initial_sync_sqlite_to_postgres() {
    let Some(world) = World::sqlite_to_postgres("initial_sync").await else {
        return;
    };
    world.seed(7).await;
    let engine = open(&world).await;
    let report = engine
        .initial_sync(&InitialSyncOptions {
            batch_size: 3,
            ..InitialSyncOptions::default()
        })
        .await
        .expect("initial sync");
    assert_eq!(report.rows_failed(), 0);
    assert_equal_under_the_maps(&engine, 7).await;
    engine.close().await;
    world.finish_pg().await;
}

/// A row the target refuses (a trigger of the application) fails the page's fast write; the page
/// is then written row by row: only that row goes to the error log, the other rows of its page
/// land, with their snapshots, and the refused row has none.
#[tokio::test]
async fn a_row_the_target_refuses_is_logged_and_the_rest_of_its_page_lands() {
    let world = World::sqlite().await;
    world.seed(2).await;
    world
        .dataverse
        .exec(
            "CREATE TRIGGER refuse_export BEFORE INSERT ON msdyn_customergroup \
             WHEN NEW.company = 'DEMF' AND NEW.msdyn_groupid = '20' \
             BEGIN SELECT RAISE(ABORT, 'export groups are closed'); END;",
        )
        .await;
    let engine = open(&world).await;
    engine
        .initial_sync(&InitialSyncOptions {
            maps: vec!["groups".into()],
            ..InitialSyncOptions::default()
        })
        .await
        .expect("initial sync");
    let errors = engine
        .store()
        .list_errors(&ErrorFilter {
            map_id: Some("groups".into()),
            ..ErrorFilter::default()
        })
        .await
        .expect("errors");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].message.contains("export groups are closed"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[0].key.as_ref().map(|k| k.as_str().to_string()),
        Some(r#"["DEMF","20"]"#.to_string())
    );
    let groups = all_rows(
        engine.endpoint(Side::Dataverse).as_ref(),
        "msdyn_customergroup",
        &["company", "msdyn_groupid"],
    )
    .await;
    assert_eq!(groups.len(), 3);
    let snapshot = |company: &str, group: &str| {
        dualwrite::store::KeyText::from_values(&[
            serde_json::json!(company),
            serde_json::json!(group),
        ])
    };
    let kept = engine
        .store()
        .snapshot("groups", &snapshot("DEMF", "10"))
        .await
        .expect("snapshot")
        .expect("the written row of the refused page has its snapshot");
    assert_eq!(
        kept.dataverse.values["msdyn_description"],
        serde_json::json!("Inland DE")
    );
    assert_eq!(
        kept.fno.values["Description"],
        serde_json::json!("Inland DE")
    );
    assert!(engine
        .store()
        .snapshot("groups", &snapshot("DEMF", "20"))
        .await
        .expect("snapshot")
        .is_none());
    engine.close().await;
}
