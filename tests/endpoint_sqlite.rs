//! The SQLite endpoint against real database files in temp dirs.

mod common;

use std::time::Duration;

use common::scenarios::{self, apply, keys, row, upsert};
use dualwrite::endpoint::sqlite::{SqliteEndpoint, SqliteOptions};
use dualwrite::endpoint::{connect, Endpoint, EndpointError, ErrorCategory, Operation};
use dualwrite::model::{EndpointKind, Environment, Side};

macro_rules! scenario {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let fixture = common::sqlite_fixture().await;
            scenarios::$name(&fixture).await;
            fixture.finish().await;
        }
    )*};
}

scenario!(
    discovery_reports_columns_types_and_keys,
    unknown_names_are_refused_with_the_closest_name,
    hostile_names_are_quoted,
    upsert_inserts_then_updates_by_natural_key,
    many_rows_go_in_few_statements_and_keep_their_order,
    bulk_apply_writes_without_reporting,
    delete_reports_whether_the_row_existed,
    a_failing_batch_leaves_nothing_applied,
    business_validation_in_a_trigger_is_an_application_error,
    values_that_do_not_fit_are_refused_naming_the_column,
    upsert_needs_a_unique_key,
    an_open_transaction_is_invisible_until_commit_and_gone_after_rollback,
    a_transaction_reads_its_own_uncommitted_rows_by_key,
    scan_pages_in_key_order_with_a_filter,
    count_agrees_with_the_scan,
    capture_records_app_changes_with_increasing_versions,
    a_key_change_is_a_delete_and_an_upsert,
    engine_writes_are_not_read_back,
    removed_capture_records_nothing,
    a_partial_upsert_updates_the_existing_row_and_refuses_a_new_one,
);

#[tokio::test]
async fn connections_use_wal_and_enforce_foreign_keys() {
    let f = common::sqlite_fixture().await;
    f.app
        .exec(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY); \
             CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parent(id))",
        )
        .await;
    f.endpoint.discover().await.expect("discover");
    assert_eq!(
        f.app.text("PRAGMA journal_mode").await.as_deref(),
        Some("wal")
    );
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let error = transaction
        .apply(&[Operation::Upsert {
            table: "child".into(),
            key_columns: keys(&["id"]),
            values: row(&[("id", 1i64.into()), ("parent", 42i64.into())]),
        }])
        .await
        .unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Application);
    assert!(error.to_string().contains("FOREIGN KEY"), "{error}");
    transaction.rollback().await.expect("rollback");
    f.finish().await;
}

#[tokio::test]
async fn a_locked_database_is_a_system_error() {
    let f = common::sqlite_fixture().await;
    f.create_customers().await;
    let path = f.dir.as_ref().expect("dir").path().join("endpoint.db");
    let impatient = SqliteEndpoint::open(
        "impatient",
        Side::Fno,
        &path,
        SqliteOptions {
            busy_timeout: Duration::from_millis(100),
            ..SqliteOptions::default()
        },
    )
    .await
    .expect("open");
    // Another writer holds the lock.
    let mut holder = f.endpoint.begin().await.expect("begin");
    holder
        .apply(&[upsert("USMF", "C1", "holding", 1.0)])
        .await
        .expect("apply");
    let error = match impatient.begin().await {
        Ok(_) => panic!("the database is locked"),
        Err(error) => error,
    };
    assert_eq!(error.category(), ErrorCategory::System, "{error}");
    assert!(error.is_retryable());
    holder.rollback().await.expect("rollback");
    // Once the lock is gone the same call succeeds.
    let transaction = impatient.begin().await.expect("begin after the lock");
    transaction.rollback().await.expect("rollback");
    impatient.close().await;
    f.finish().await;
}

fn environment(url: &str) -> Environment {
    Environment {
        id: "fno".into(),
        side: Side::Fno,
        kind: EndpointKind::Sqlite,
        url: url.into(),
        legal_entities: vec![],
    }
}

#[tokio::test]
async fn connect_expands_variables_relative_to_the_project() {
    let f = common::sqlite_fixture().await;
    f.create_customers().await;
    apply(&f, &[upsert("USMF", "C1", "Contoso", 1.0)]).await;
    let project_dir = f.dir.as_ref().expect("dir").path().to_path_buf();
    std::env::set_var("DUALWRITE_TEST_SQLITE_NAME_7F3A", "endpoint");
    let endpoint = connect(
        &environment("${DUALWRITE_TEST_SQLITE_NAME_7F3A}.db"),
        &project_dir,
    )
    .await
    .expect("connect");
    assert_eq!(endpoint.side(), Side::Fno);
    let rows = endpoint
        .scan(&dualwrite::endpoint::ScanRequest::new(
            "customers",
            keys(&["id"]),
            10,
        ))
        .await
        .expect("scan");
    assert_eq!(rows.len(), 1);
    endpoint.close().await;

    let missing = connect(
        &environment("${DUALWRITE_TEST_UNSET_VARIABLE_9C1}.db"),
        &project_dir,
    )
    .await
    .err()
    .expect("a missing variable is an error");
    assert!(
        matches!(&missing, EndpointError::MissingVariable { variable, .. } if variable == "DUALWRITE_TEST_UNSET_VARIABLE_9C1"),
        "{missing:?}"
    );
    assert!(missing
        .to_string()
        .contains("DUALWRITE_TEST_UNSET_VARIABLE_9C1"));

    let absent = connect(&environment("no-such.db"), &project_dir)
        .await
        .err()
        .expect("a missing file is an error");
    assert!(absent.to_string().contains("no-such.db"), "{absent}");
    assert!(!project_dir.join("no-such.db").exists(), "not created");
    f.finish().await;
}

/// Scans and reads of committed rows by key go through rusqlite, reads inside an open
/// transaction through sqlx: the values must be exactly the same, for every storage class, and a
/// BLOB is refused by column.
#[tokio::test]
async fn scan_reads_every_value_as_stored() {
    use dualwrite::endpoint::{Key, ScanRequest, Value};
    let fixture = common::sqlite_fixture().await;
    fixture
        .app
        .exec(
            "CREATE TABLE v (k INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, n NUMERIC, b BLOB);
             INSERT INTO v VALUES
               (1, 9223372036854775807, 0.1, 'plain', 2.5, NULL),
               (2, -9223372036854775808, 1e-300, 'tab\tnew
line é 😀 \"quoted\"', 7, NULL),
               (3, NULL, -0.0, '', NULL, NULL),
               (4, 0, 1.7976931348623157e308, NULL, 'text in numeric', NULL);",
        )
        .await;
    fixture.endpoint.discover().await.expect("discover");
    let request = ScanRequest::new("v", keys(&["k"]), 2);
    let mut scanned = Vec::new();
    let mut page_request = request.clone();
    loop {
        let page = fixture.endpoint.scan(&page_request).await.expect("scan");
        let Some(last) = page.last() else { break };
        page_request.after = Key::from_row(last, &page_request.key_columns);
        scanned.extend(page);
    }
    let keys_of: Vec<Key> = (1..=4).map(|k| Key::new(vec![Value::Integer(k)])).collect();
    let mut by_key = fixture
        .endpoint
        .read_by_keys("v", &keys(&["k"]), &keys_of)
        .await
        .expect("read by key");
    by_key.sort_by_key(|row| match row["k"] {
        Value::Integer(k) => k,
        _ => 0,
    });
    assert_eq!(scanned, by_key);
    let mut transaction = fixture.endpoint.begin().await.expect("begin");
    let mut in_transaction = transaction
        .read_by_keys("v", &keys(&["k"]), &keys_of)
        .await
        .expect("read by key in a transaction");
    transaction.rollback().await.expect("rollback");
    in_transaction.sort_by_key(|row| match row["k"] {
        Value::Integer(k) => k,
        _ => 0,
    });
    assert_eq!(scanned, in_transaction, "rusqlite and sqlx decode alike");
    assert_eq!(scanned[0]["i"], Value::Integer(i64::MAX));
    assert_eq!(scanned[1]["i"], Value::Integer(i64::MIN));
    assert_eq!(scanned[0]["r"], Value::Real(0.1));
    assert_eq!(scanned[3]["r"], Value::Real(f64::MAX));
    assert_eq!(
        scanned[1]["t"],
        Value::from("tab\tnew\nline é 😀 \"quoted\"")
    );
    assert_eq!(scanned[2]["t"], Value::from(""));
    assert_eq!(scanned[3]["t"], Value::Null);
    assert_eq!(fixture.endpoint.count(&request).await.expect("count"), 4);

    fixture
        .app
        .exec("UPDATE v SET b = x'00ff' WHERE k = 3")
        .await;
    let before = fixture.endpoint.scan(&request).await;
    assert!(before.is_ok(), "rows 1 and 2 hold no BLOB: {before:?}");
    let page = fixture
        .endpoint
        .scan(&ScanRequest {
            after: Some(Key::new(vec![Value::Integer(2)])),
            ..request.clone()
        })
        .await;
    match page {
        Err(EndpointError::UnsupportedValue { column, kind, .. }) => {
            assert_eq!(column, "b");
            assert_eq!(kind, "BLOB");
        }
        other => panic!("a BLOB must be refused naming its column, got {other:?}"),
    }
    fixture.finish().await;
}

/// The triggers store the time of a change as a Julian day (cheaper inside the application's
/// writes); reading formats it, and a change logged by earlier triggers as formatted text reads
/// back unchanged.
#[tokio::test]
async fn capture_times_are_stored_as_julian_days_and_read_as_iso_text() {
    use dualwrite::endpoint::ChangeQuery;
    let f = common::sqlite_fixture().await;
    f.create_customers().await;
    scenarios::capture_customers(&f).await;
    f.app
        .exec("INSERT INTO customers (company, account, name) VALUES ('USMF', 'C1', 'a')")
        .await;
    let stored = f
        .app
        .text("SELECT captured_at FROM _dualwrite_changes ORDER BY seq LIMIT 1")
        .await
        .expect("a change");
    let julian: f64 = stored.parse().expect("a Julian day");
    assert!(julian > 2_460_000.0, "{stored}");
    // A change as the triggers of earlier builds logged it.
    f.app
        .exec(
            "INSERT INTO _dualwrite_changes (table_name, key, op, row_version, origin, captured_at) \
             VALUES ('customers', '[\"USMF\",\"C2\"]', 'upsert', 1, 'app', '2026-01-02T03:04:05.678Z')",
        )
        .await;
    let changes = f.changes(ChangeQuery::application(0, 10), 2).await;
    assert!(
        scenarios::is_iso_utc(&changes[0].captured_at),
        "{}",
        changes[0].captured_at
    );
    assert!(changes[0].captured_at.as_str() > "2026-01-02T03:04:05.678Z");
    assert_eq!(changes[1].captured_at, "2026-01-02T03:04:05.678Z");
    f.finish().await;
}

/// The page write reuses a chunk's statement while the chunks keep its shape: rows of another
/// table, or of the same table with their columns in another order, must get their own
/// statement, or values would land in the wrong columns.
#[tokio::test]
async fn a_page_of_several_shapes_lands_every_value_in_its_column() {
    use dualwrite::endpoint::Value;
    let fixture = common::sqlite_fixture().await;
    fixture
        .app
        .exec(
            "CREATE TABLE a (k TEXT PRIMARY KEY, x INTEGER, y TEXT);
             CREATE TABLE b (k TEXT PRIMARY KEY, y TEXT, x INTEGER);",
        )
        .await;
    fixture.endpoint.discover().await.expect("discover");
    let op = |table: &str, k: String, x_first: bool, i: i64| {
        let (x, y) = (
            ("x", Value::Integer(i)),
            ("y", Value::Text(format!("y{i}"))),
        );
        let columns = if x_first { [x, y] } else { [y, x] };
        Operation::Upsert {
            table: table.into(),
            key_columns: keys(&["k"]),
            values: std::iter::once(("k", Value::Text(k)))
                .chain(columns)
                .map(|(c, v)| (c.into(), v))
                .collect(),
        }
    };
    // Chunks of 100 rows: a (k, x, y) x 2, b x 1 and 20 rows, then a (k, y, x) x 2: the same
    // table and row count as the first chunks, the columns in another order.
    let operations: Vec<Operation> = (0..200)
        .map(|i| op("a", format!("a{i}"), true, i))
        .chain((0..120).map(|i| op("b", format!("b{i}"), i % 2 == 0, 1_000 + i)))
        .chain((200..400).map(|i| op("a", format!("a{i}"), false, i)))
        .collect();
    let (returned, written) = fixture.endpoint.write_page(operations).await;
    assert!(
        written.expect("page written"),
        "the page took the fast path"
    );
    assert_eq!(returned.len(), 520, "the operations come back");
    let wrong = |table: &str| {
        format!(
            "SELECT count(*) FROM {table} WHERE y IS NOT 'y' || x \
             OR k IS NOT '{table}' || (x - CASE WHEN '{table}' = 'b' THEN 1000 ELSE 0 END)"
        )
    };
    assert_eq!(fixture.app.count("SELECT count(*) FROM a").await, 400);
    assert_eq!(fixture.app.count("SELECT count(*) FROM b").await, 120);
    assert_eq!(
        fixture.app.count(&wrong("a")).await,
        0,
        "rows of a as written"
    );
    assert_eq!(
        fixture.app.count(&wrong("b")).await,
        0,
        "rows of b as written"
    );
    fixture.finish().await;
}
