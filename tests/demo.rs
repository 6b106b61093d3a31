//! Demo environments: real SQLite files in temporary directories.

use std::path::Path;

use dualwrite::demo::{self, DemoError, DemoOptions};
use dualwrite::endpoint::{
    connect, CaptureSpec, ChangeOp, Key, Operation, OperationResult, Origin, Row, Value,
};
use dualwrite::model::Side;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row as _;

async fn open(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .foreign_keys(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap()
}

async fn count(pool: &SqlitePool, table: &str) -> u64 {
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
        .fetch_one(pool)
        .await
        .unwrap();
    u64::try_from(n).unwrap()
}

/// Every row of every table, as SQL literals, in insertion order; columns named in `skip` left out.
async fn dump(path: &Path, tables: &[&str], skip: &[&str]) -> Vec<String> {
    let pool = open(path).await;
    let mut out = Vec::new();
    for table in tables {
        let columns: Vec<String> =
            sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .fetch_all(&pool)
                .await
                .unwrap();
        let selected: Vec<String> = columns
            .iter()
            .filter(|c| !skip.contains(&c.as_str()))
            .map(|c| format!("quote(\"{c}\")"))
            .collect();
        let sql = format!(
            "SELECT '{table}' || ': ' || {} FROM \"{table}\" ORDER BY rowid",
            selected.join(" || ',' || ")
        );
        let rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&pool).await.unwrap();
        out.extend(rows);
    }
    pool.close().await;
    out
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.iter().map(|g| g.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && text
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c))
        && groups[2].starts_with('4')
        && groups[3].starts_with(['8', '9', 'a', 'b'])
}

#[tokio::test]
async fn a_small_demo_has_the_files_and_the_row_counts_the_options_ask_for() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new/demo");
    let options = DemoOptions::small();
    let demo = demo::create(&target, &options).await.unwrap();

    assert_eq!(demo.project_path, target.join("contoso.dwproj.json"));
    assert!(demo.project_path.is_file());
    assert!(demo.fno_path.is_file());
    assert!(demo.dataverse_path.is_file());
    // Nothing but the three files: no temporary databases, no journals.
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["contoso.dwproj.json", "dataverse.db", "fno.db"]);

    let fno = open(&demo.fno_path).await;
    for table in demo::FNO_ENTITIES {
        let reported = demo.rows(Side::Fno, table).unwrap();
        assert_eq!(count(&fno, table).await, reported, "{table}");
    }
    assert_eq!(count(&fno, "OMLegalEntity").await, 3);
    // Five customer groups in each of the three companies.
    assert_eq!(count(&fno, "CustCustomerGroupEntity").await, 15);
    assert_eq!(
        count(&fno, "CustCustomerV3Entity").await,
        options.customers as u64
    );
    assert_eq!(
        count(&fno, "SalesOrderHeaderV2Entity").await,
        options.orders as u64
    );
    assert_eq!(
        count(&fno, "SalesOrderLineV2Entity").await,
        options.orders as u64 * u64::from(options.lines_per_order)
    );
    let contacts = count(&fno, "ContactPersonEntity").await;
    assert!(contacts > 0 && contacts <= 2 * options.customers as u64);
    // Every company got customers, and customers of several currencies exist.
    let companies: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT DATAAREAID) FROM CustCustomerV3Entity")
            .fetch_one(&fno)
            .await
            .unwrap();
    assert_eq!(companies, 3);
    // Line amounts are quantity x price.
    let wrong: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM SalesOrderLineV2Entity \
         WHERE abs(LINEAMOUNT - ORDEREDSALESQUANTITY * SALESPRICE) > 0.005",
    )
    .fetch_one(&fno)
    .await
    .unwrap();
    assert_eq!(wrong, 0);

    // Dataverse starts as a fresh organisation: its base currency and nothing else.
    let dataverse = open(&demo.dataverse_path).await;
    for table in demo::DATAVERSE_TABLES {
        let expected = if table == "transactioncurrency" { 1 } else { 0 };
        assert_eq!(count(&dataverse, table).await, expected, "{table}");
        assert_eq!(demo.rows(Side::Dataverse, table), Some(expected), "{table}");
    }
    assert_eq!(
        demo.total_rows(),
        demo.counts.iter().map(|c| c.rows).sum::<u64>()
    );
}

#[tokio::test]
async fn every_map_resolves_against_the_demo_databases_with_unique_keys() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo::create(dir.path(), &DemoOptions::small())
        .await
        .unwrap();
    let project = dualwrite::project_file::load(&demo.project_path).unwrap();
    assert_eq!(project, demo::demo_project().unwrap());
    assert_eq!(project.table_maps.len(), 7);

    for environment in &project.environments {
        let endpoint = connect(environment, dir.path()).await.unwrap();
        let side = environment.side;
        assert_eq!(endpoint.side(), side);
        let schema = endpoint.discover().await.unwrap();
        for map in &project.table_maps {
            let table = schema.table(endpoint.name(), map.table(side)).unwrap();
            assert_eq!(table.name, map.table(side), "exact name of {}", map.id);
            for field in &map.fields {
                let column = table.column(endpoint.name(), field.column(side)).unwrap();
                assert_eq!(column.name, field.column(side), "{}", map.id);
            }
            // The column a source filter tests exists too (`((PartyType == "Organization"))`,
            // `customertypecode eq 3`): the first name in the expression.
            let filter = match side {
                Side::Fno => map.fno.filter.as_deref(),
                Side::Dataverse => map.dataverse.filter.as_deref(),
            };
            if let Some(filter) = filter {
                let name: String = filter
                    .trim_start_matches('(')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                table.column(endpoint.name(), &name).unwrap();
            }
            let keys = map.keys(side);
            table.columns_named(endpoint.name(), keys).unwrap();
            table.require_unique_key(endpoint.name(), keys).unwrap();
            // Lookups name a Dataverse table and its natural key: both exist, and the key
            // identifies a row (unique on its own, or together with the company).
            if side == Side::Dataverse {
                for lookup in map.fields.iter().filter_map(|f| f.lookup.as_ref()) {
                    let referenced = schema.table(endpoint.name(), &lookup.table).unwrap();
                    referenced.column(endpoint.name(), &lookup.key).unwrap();
                    let id = format!("{}id", lookup.table);
                    assert_eq!(referenced.primary_key, vec![id.clone()]);
                    assert!(referenced.column(endpoint.name(), &id).unwrap().has_default);
                    assert!(
                        referenced.is_unique_key(&[lookup.key.as_str()])
                            || referenced.is_unique_key(&[lookup.key.as_str(), "msdyn_company"]),
                        "{} {}",
                        lookup.table,
                        lookup.key
                    );
                }
            }
        }
        endpoint.close().await;
    }
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
    let dir = tempfile::tempdir().unwrap();
    let options = DemoOptions::small();
    let first = demo::create(&dir.path().join("a"), &options).await.unwrap();
    let second = demo::create(&dir.path().join("b"), &options).await.unwrap();
    let other_seed = DemoOptions {
        seed: options.seed + 1,
        ..options.clone()
    };
    let third = demo::create(&dir.path().join("c"), &other_seed)
        .await
        .unwrap();

    let fno_a = dump(&first.fno_path, &demo::FNO_ENTITIES, &[]).await;
    let fno_b = dump(&second.fno_path, &demo::FNO_ENTITIES, &[]).await;
    let fno_c = dump(&third.fno_path, &demo::FNO_ENTITIES, &[]).await;
    assert!(fno_a.len() > 200);
    assert_eq!(fno_a, fno_b);
    assert_ne!(fno_a, fno_c);
    assert_eq!(first.counts, second.counts);

    // Dataverse ids are generated by the database, so they differ; everything else is equal.
    let ids: Vec<String> = demo::DATAVERSE_TABLES
        .iter()
        .map(|t| format!("{t}id"))
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let dv_a = dump(&first.dataverse_path, &demo::DATAVERSE_TABLES, &ids).await;
    let dv_b = dump(&second.dataverse_path, &demo::DATAVERSE_TABLES, &ids).await;
    assert!(!dv_a.is_empty());
    assert_eq!(dv_a, dv_b);
    assert_eq!(
        std::fs::read(&first.project_path).unwrap(),
        std::fs::read(&second.project_path).unwrap()
    );
}

#[tokio::test]
async fn dataverse_generates_unique_guid_ids_that_upserts_report_back() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo::create(dir.path(), &DemoOptions::small())
        .await
        .unwrap();
    let project = dualwrite::project_file::load(&demo.project_path).unwrap();
    let environment = project
        .environments
        .iter()
        .find(|e| e.side == Side::Dataverse)
        .unwrap();
    let endpoint = connect(environment, dir.path()).await.unwrap();
    endpoint.discover().await.unwrap();

    let operations: Vec<Operation> = (0..300)
        .map(|i| {
            let mut values = Row::new();
            values.insert("cdm_companycode".into(), Value::from(format!("C{i:03}")));
            values.insert("cdm_name".into(), Value::from(format!("Company {i}")));
            Operation::Upsert {
                table: "cdm_company".into(),
                key_columns: vec!["cdm_companycode".into()],
                values,
            }
        })
        .collect();
    let mut tx = endpoint.begin().await.unwrap();
    let results = tx.apply(&operations).await.unwrap();
    tx.commit().await.unwrap();
    let mut reported = Vec::new();
    for result in results {
        let OperationResult::Upserted { generated, .. } = result else {
            panic!("not an upsert: {result:?}");
        };
        match generated.get("cdm_companyid") {
            Some(Value::Text(id)) => reported.push(id.clone()),
            other => panic!("no generated id: {other:?}"),
        }
    }
    endpoint.close().await;

    let pool = open(&demo.dataverse_path).await;
    let mut stored: Vec<String> = sqlx::query_scalar(
        "SELECT cdm_companyid FROM cdm_company UNION ALL \
         SELECT transactioncurrencyid FROM transactioncurrency",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(stored.len(), 301);
    assert!(stored.iter().all(|id| is_guid(id)), "{stored:?}");
    for id in &reported {
        assert!(stored.contains(id), "{id}");
    }
    stored.sort();
    stored.dedup();
    assert_eq!(stored.len(), 301, "ids are unique");
}

#[tokio::test]
async fn an_existing_demo_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let options = DemoOptions::small();
    let demo = demo::create(dir.path(), &options).await.unwrap();
    let before = std::fs::read(&demo.fno_path).unwrap();

    let error = demo::create(dir.path(), &options).await.unwrap_err();
    match &error {
        DemoError::AlreadyExists { path } => assert_eq!(path, &demo.project_path),
        other => panic!("unexpected error {other:?}"),
    }
    assert!(error.to_string().contains("contoso.dwproj.json"), "{error}");
    assert_eq!(std::fs::read(&demo.fno_path).unwrap(), before);

    // A database alone is enough to refuse, and the message names it.
    let lone = tempfile::tempdir().unwrap();
    std::fs::write(lone.path().join("dataverse.db"), b"precious").unwrap();
    let error = demo::create(lone.path(), &options).await.unwrap_err();
    assert!(error.to_string().contains("dataverse.db"), "{error}");
    assert_eq!(
        std::fs::read(lone.path().join("dataverse.db")).unwrap(),
        b"precious"
    );

    // Forced: replaced with the new seed's data, stale WAL and sync state gone.
    std::fs::write(dir.path().join("fno.db-wal"), b"stale").unwrap();
    std::fs::create_dir(dir.path().join(".dualwrite")).unwrap();
    std::fs::write(dir.path().join(".dualwrite/runtime.db"), b"old").unwrap();
    let forced = DemoOptions {
        force: true,
        seed: options.seed + 7,
        customers: 25,
        ..options
    };
    let replaced = demo::create(dir.path(), &forced).await.unwrap();
    assert_ne!(std::fs::read(&replaced.fno_path).unwrap(), before);
    assert!(!dir.path().join("fno.db-wal").exists());
    assert!(!dir.path().join(".dualwrite").exists());
    let fno = open(&replaced.fno_path).await;
    assert_eq!(count(&fno, "CustCustomerV3Entity").await, 25);
}

#[tokio::test]
async fn a_failed_create_leaves_no_half_made_database() {
    let dir = tempfile::tempdir().unwrap();
    // fno.db is a directory: the seed runs, but the database cannot be put in place.
    std::fs::create_dir(dir.path().join("fno.db")).unwrap();
    std::fs::write(dir.path().join("fno.db/keep"), b"x").unwrap();
    let options = DemoOptions {
        force: true,
        ..DemoOptions::small()
    };
    let error = demo::create(dir.path(), &options).await.unwrap_err();
    assert!(matches!(error, DemoError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("fno.db"), "{error}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["fno.db"], "no temporary files, no project");

    let invalid = DemoOptions {
        customers: 0,
        ..DemoOptions::small()
    };
    let empty = tempfile::tempdir().unwrap();
    let error = demo::create(empty.path(), &invalid).await.unwrap_err();
    assert!(error.to_string().contains("customers"), "{error}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn foreign_keys_hold_and_are_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo::create(dir.path(), &DemoOptions::small())
        .await
        .unwrap();
    for path in [&demo.fno_path, &demo.dataverse_path] {
        let pool = open(path).await;
        let violations = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(violations.is_empty(), "{}", path.display());
    }
    let fno = open(&demo.fno_path).await;
    // The seed uses the relations: invoice accounts, contacts of customers, lines of orders.
    let invoiced: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM CustCustomerV3Entity WHERE INVOICEACCOUNT IS NOT NULL",
    )
    .fetch_one(&fno)
    .await
    .unwrap();
    assert!(invoiced > 0);
    let orphan = sqlx::query(
        "INSERT INTO SalesOrderLineV2Entity (SALESORDERNUMBER, LINECREATIONSEQUENCENUMBER, \
         DATAAREAID, ITEMNUMBER, ORDEREDSALESQUANTITY, SALESPRICE, LINEAMOUNT) \
         VALUES ('NO-SUCH-ORDER', 1, 'USMF', 'D0001', 1, 1, 1)",
    )
    .execute(&fno)
    .await;
    assert!(orphan.is_err(), "a line without its order is refused");
    let wrong_company = sqlx::query(
        "INSERT INTO CustCustomerGroupEntity (CUSTOMERGROUPID, DATAAREAID) VALUES ('10', 'XXXX')",
    )
    .execute(&fno)
    .await;
    assert!(
        wrong_company.is_err(),
        "a group of an unknown company is refused"
    );
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM SalesOrderLineV2Entity WHERE SALESORDERNUMBER = 'NO-SUCH-ORDER'",
    )
    .fetch_one(&fno)
    .await
    .unwrap();
    assert_eq!(row.get::<i64, _>("n"), 0);
}

#[tokio::test]
async fn progress_reaches_the_total_once_per_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    let demo = demo::create_with_progress(dir.path(), &DemoOptions::small(), &mut |p| {
        reports.push(p.clone())
    })
    .await
    .unwrap();
    let last = reports.last().unwrap();
    assert_eq!(last.rows_done, demo.total_rows());
    assert_eq!(last.rows_total, demo.total_rows());
    assert!(reports.windows(2).all(|w| w[0].rows_done <= w[1].rows_done));
    assert!(reports
        .iter()
        .any(|p| p.table == "SalesOrderLineV2Entity" && p.table_rows_done == p.table_rows_total));
}

#[tokio::test]
async fn the_default_demo_has_thousands_of_customers_and_tens_of_thousands_of_lines() {
    let dir = tempfile::tempdir().unwrap();
    let options = DemoOptions::default();
    let demo = demo::create(dir.path(), &options).await.unwrap();
    assert_eq!(demo.rows(Side::Fno, "CustCustomerV3Entity"), Some(3_000));
    assert_eq!(
        demo.rows(Side::Fno, "SalesOrderHeaderV2Entity"),
        Some(5_000)
    );
    assert_eq!(demo.rows(Side::Fno, "SalesOrderLineV2Entity"), Some(30_000));
    let fno = open(&demo.fno_path).await;
    assert_eq!(count(&fno, "SalesOrderLineV2Entity").await, 30_000);
    // Realistic spread: every order status, several currencies, distinct names.
    let statuses: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT SALESORDERSTATUS) FROM SalesOrderHeaderV2Entity")
            .fetch_one(&fno)
            .await
            .unwrap();
    assert_eq!(statuses, 4);
    let currencies: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT SALESCURRENCYCODE) FROM CustCustomerV3Entity")
            .fetch_one(&fno)
            .await
            .unwrap();
    assert!(currencies >= 5, "{currencies}");
    let names: i64 =
        sqlx::query_scalar("SELECT COUNT(DISTINCT ORGANIZATIONNAME) FROM CustCustomerV3Entity")
            .fetch_one(&fno)
            .await
            .unwrap();
    assert!(names > 1_500, "{names}");
}

#[tokio::test]
async fn the_engine_can_capture_application_changes_on_the_demo_entities() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo::create(dir.path(), &DemoOptions::small())
        .await
        .unwrap();
    let project = dualwrite::project_file::load(&demo.project_path).unwrap();
    let environment = project
        .environments
        .iter()
        .find(|e| e.side == Side::Fno)
        .unwrap();
    let endpoint = connect(environment, dir.path()).await.unwrap();
    let specs: Vec<CaptureSpec> = project
        .table_maps
        .iter()
        .map(|m| CaptureSpec {
            table: m.fno.entity.clone(),
            key_columns: m.fno.keys.clone(),
        })
        .collect();
    endpoint.install_capture(&specs).await.unwrap();

    // The application deletes an order: its lines go with it (cascade), and every deleted row
    // is captured under its entity key.
    let pool = open(&demo.fno_path).await;
    let (number, company): (String, String) = sqlx::query_as(
        "SELECT SALESORDERNUMBER, DATAAREAID FROM SalesOrderHeaderV2Entity ORDER BY rowid LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let lines: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM SalesOrderLineV2Entity WHERE SALESORDERNUMBER = ? AND DATAAREAID = ?",
    )
    .bind(&number)
    .bind(&company)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(lines > 0);
    pool.close().await;
    let mut tx = endpoint.begin_as(Origin::App).await.unwrap();
    tx.apply(&[Operation::Delete {
        table: "SalesOrderHeaderV2Entity".into(),
        key_columns: vec!["SALESORDERNUMBER".into(), "DATAAREAID".into()],
        key: Key::new(vec![
            Value::from(number.clone()),
            Value::from(company.clone()),
        ]),
    }])
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let changes = endpoint.read_changes(0, 1_000).await.unwrap();
    let headers: Vec<_> = changes
        .iter()
        .filter(|c| c.table == "SalesOrderHeaderV2Entity")
        .collect();
    assert_eq!(headers.len(), 1);
    assert_eq!(headers[0].op, ChangeOp::Delete);
    assert_eq!(
        headers[0].key,
        Key::new(vec![
            Value::from(number.clone()),
            Value::from(company.clone())
        ])
    );
    let deleted_lines = changes
        .iter()
        .filter(|c| c.table == "SalesOrderLineV2Entity" && c.op == ChangeOp::Delete)
        .count();
    assert_eq!(deleted_lines as i64, lines);
    endpoint.close().await;
}
