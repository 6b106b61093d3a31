//! The PostgreSQL endpoint against the real server named by DUALWRITE_TEST_PG_URL
//! (`eval "$(scripts/pg-test-cluster start)"`); each test works in a schema of its own.

mod common;

use std::time::Duration;

use common::scenarios::{self, keys};
use dualwrite::endpoint::postgres::{PostgresEndpoint, PostgresOptions};
use dualwrite::endpoint::{connect, Endpoint, EndpointError, ErrorCategory, ScanRequest};
use dualwrite::model::{EndpointKind, Environment, Side};

macro_rules! scenario {
    ($($name:ident),* $(,)?) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(fixture) = common::pg_fixture(stringify!($name)).await else {
                return;
            };
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

/// A table another session holds locked: the endpoint's write waits `lock_timeout`, then fails
/// as a retryable system failure (what the engine's retries and circuit breaker act on), instead
/// of waiting for as long as the lock is held.
#[tokio::test]
async fn a_locked_table_is_a_system_error_after_the_lock_timeout() {
    let Some(fixture) = common::pg_fixture("locked_table").await else {
        return;
    };
    fixture.create_customers().await;
    let url = fixture.pg_schema_url().expect("a PostgreSQL fixture");
    let options = PostgresOptions {
        lock_timeout: Duration::from_millis(300),
        ..PostgresOptions::default()
    };
    let endpoint = PostgresEndpoint::open("locked", Side::Dataverse, &url, options)
        .await
        .expect("open");
    let common::App::Postgres(app) = &fixture.app else {
        panic!("a PostgreSQL fixture");
    };
    let mut lock = app.begin().await.expect("begin");
    sqlx::raw_sql("LOCK TABLE customers IN EXCLUSIVE MODE")
        .execute(&mut *lock)
        .await
        .expect("lock");

    let mut tx = endpoint.begin().await.expect("begin");
    let error = tx
        .apply(&[scenarios::upsert("USMF", "C-LOCK", "Waits", 10.0)])
        .await
        .expect_err("the table is locked");
    assert_eq!(error.category(), ErrorCategory::System, "{error}");
    assert!(error.to_string().contains("customers"), "{error}");
    tx.rollback().await.expect("rollback");

    // Reads are not blocked by a write lock.
    let page = endpoint
        .scan(&ScanRequest::new(
            "customers",
            keys(&["company", "account"]),
            10,
        ))
        .await
        .expect("scan");
    assert!(page.is_empty());
    lock.rollback().await.expect("unlock");
    let mut tx = endpoint.begin().await.expect("begin");
    tx.apply(&[scenarios::upsert("USMF", "C-LOCK", "Lands", 10.0)])
        .await
        .expect("unlocked");
    tx.commit().await.expect("commit");
    endpoint.close().await;
    fixture.finish().await;
}

#[tokio::test]
async fn a_closed_port_is_a_system_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let options = PostgresOptions {
        connect_timeout: Duration::from_secs(2),
        ..PostgresOptions::default()
    };
    let url = format!("postgres://nobody:secret@127.0.0.1:{port}/nothing");
    let error = match PostgresEndpoint::open("closed", Side::Dataverse, &url, options).await {
        Ok(_) => panic!("nothing listens on port {port}"),
        Err(error) => error,
    };
    assert_eq!(error.category(), ErrorCategory::System, "{error}");
    assert!(!error.to_string().contains("secret"), "{error}");
}

#[tokio::test]
async fn connect_expands_variables_and_never_shows_the_password() {
    let Some(f) = common::pg_fixture("connect_expands_variables").await else {
        return;
    };
    f.create_customers().await;
    let base = common::pg_url().expect("url");
    let schema = f
        .app
        .text("SELECT current_schema()::text")
        .await
        .expect("schema");
    // The password is ignored by the trust-auth test cluster, but must never be shown.
    let with_password = base.replacen(
        "postgres://postgres@",
        "postgres://postgres:${DUALWRITE_TEST_PG_PASSWORD_5D2}@",
        1,
    );
    std::env::set_var("DUALWRITE_TEST_PG_PASSWORD_5D2", "hunter2");
    let environment = Environment {
        id: "dataverse".into(),
        side: Side::Dataverse,
        kind: EndpointKind::Postgres,
        url: common::url_with_schema(&with_password, &schema),
        legal_entities: vec![],
    };
    let endpoint = connect(&environment, std::path::Path::new("."))
        .await
        .expect("connect");
    assert!(!endpoint.name().contains("hunter2"), "{}", endpoint.name());
    let rows = endpoint
        .scan(&ScanRequest::new("customers", keys(&["id"]), 10))
        .await
        .expect("scan");
    assert!(rows.is_empty());
    endpoint.close().await;

    let missing = Environment {
        url: "postgres://u:${DUALWRITE_TEST_UNSET_PASSWORD_4E0}@127.0.0.1/db".into(),
        ..environment
    };
    let error = connect(&missing, std::path::Path::new("."))
        .await
        .err()
        .expect("a missing variable is an error");
    assert!(
        matches!(&error, EndpointError::MissingVariable { variable, .. } if variable == "DUALWRITE_TEST_UNSET_PASSWORD_4E0"),
        "{error:?}"
    );
    f.finish().await;
}

#[tokio::test]
async fn numeric_and_text_types_round_trip_through_typed_arrays() {
    let Some(f) = common::pg_fixture("typed_arrays").await else {
        return;
    };
    f.app
        .exec(
            "CREATE TABLE t (code varchar(5) PRIMARY KEY, amount numeric(10,2), at timestamptz, \
             small smallint, flag boolean, id uuid DEFAULT gen_random_uuid())",
        )
        .await;
    f.endpoint.discover().await.expect("discover");
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let results = transaction
        .apply(&[dualwrite::endpoint::Operation::Upsert {
            table: "t".into(),
            key_columns: keys(&["code"]),
            values: scenarios::row(&[
                ("code", "A1".into()),
                ("amount", "12.50".into()),
                ("at", "2024-05-01T10:00:00Z".into()),
                ("small", 7i64.into()),
                ("flag", "true".into()),
            ]),
        }])
        .await
        .expect("apply");
    match &results[0] {
        dualwrite::endpoint::OperationResult::Upserted { generated, .. } => {
            let id = generated.get("id").expect("generated uuid");
            assert!(
                matches!(id, dualwrite::endpoint::Value::Text(t) if t.len() == 36),
                "{id:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Too long for varchar(5): refused, not truncated.
    let error = transaction
        .apply(&[dualwrite::endpoint::Operation::Upsert {
            table: "t".into(),
            key_columns: keys(&["code"]),
            values: scenarios::row(&[("code", "TOOLONG".into())]),
        }])
        .await
        .unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Application, "{error}");
    assert!(error.to_string().contains("too long"), "{error}");
    transaction.commit().await.expect("commit");
    let rows = f
        .endpoint
        .scan(&ScanRequest::new("t", keys(&["code"]), 10))
        .await
        .expect("scan");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["amount"], dualwrite::endpoint::Value::Real(12.5));
    assert_eq!(rows[0]["small"], dualwrite::endpoint::Value::Integer(7));
    assert_eq!(rows[0]["flag"], dualwrite::endpoint::Value::Bool(true));
    f.finish().await;
}

#[tokio::test]
async fn a_change_committed_late_is_never_skipped_by_the_cursor() {
    let Some(f) = common::pg_fixture("committed_late").await else {
        return;
    };
    f.create_customers().await;
    f.endpoint
        .install_capture(&[dualwrite::endpoint::CaptureSpec::new(
            "customers",
            &["company", "account"],
        )])
        .await
        .expect("install");
    let common::App::Postgres(pool) = &f.app else {
        panic!("postgres fixture");
    };
    // A starts first and stays open; B starts later and commits first.
    let mut early = pool.begin().await.expect("begin early");
    sqlx::query("INSERT INTO customers (company, account) VALUES ('USMF', 'EARLY')")
        .execute(&mut *early)
        .await
        .expect("insert early");
    sqlx::query("INSERT INTO customers (company, account) VALUES ('USMF', 'LATE')")
        .execute(pool)
        .await
        .expect("insert late");
    let while_open = f.endpoint.read_changes(0, 100).await.expect("read");
    assert!(
        while_open.is_empty(),
        "a reader must not move past a change that may still commit below it: {while_open:?}"
    );
    early.commit().await.expect("commit early");
    let changes = f
        .changes(dualwrite::endpoint::ChangeQuery::application(0, 100), 2)
        .await;
    let accounts: Vec<_> = changes.iter().map(|c| c.key.values()[1].clone()).collect();
    assert_eq!(
        accounts,
        [dualwrite::endpoint::Value::from("EARLY"), "LATE".into()]
    );
    assert!(changes[0].transaction != changes[1].transaction);
    f.finish().await;
}
