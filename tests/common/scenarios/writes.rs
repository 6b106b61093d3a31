//! Scenarios about discovery, names and writes.

use dualwrite::endpoint::{
    CaptureSpec, ChangeQuery, EndpointError, ErrorCategory, Key, Operation, OperationResult,
    ScanRequest, Value, ValueClass,
};

use super::{apply, delete, generated_id, keys, row, upsert};
use crate::common::Fixture;

pub async fn discovery_reports_columns_types_and_keys(f: &Fixture) {
    f.create_customers().await;
    let schema = f.endpoint.discover().await.expect("discover");
    let table = schema.table("test", "customers").expect("customers");
    let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["id", "company", "account", "name", "credit", "active"]
    );
    assert_eq!(table.primary_key, ["id"]);
    assert_eq!(table.unique_keys, vec![keys(&["company", "account"])]);
    let column = |n: &str| table.column("test", n).expect("column");
    assert_eq!(column("id").class, ValueClass::Integer);
    assert!(column("id").has_default, "the id is generated");
    assert!(!column("id").nullable);
    assert_eq!(column("company").class, ValueClass::Text);
    assert!(!column("company").nullable);
    assert!(column("name").nullable);
    assert_eq!(column("credit").class, ValueClass::Real);
    assert_eq!(column("active").class, ValueClass::Bool);
    assert!(
        schema.tables.keys().all(|t| !t.starts_with("_dualwrite_")),
        "engine tables are not part of the schema"
    );
}

pub async fn unknown_names_are_refused_with_the_closest_name(f: &Fixture) {
    f.create_customers().await;
    let schema = f.endpoint.schema().await.expect("schema");
    let error = schema.table("test", "customer").unwrap_err();
    assert!(
        error.to_string().contains("did you mean \"customers\""),
        "{error}"
    );
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let mut operation = upsert("USMF", "C1", "Contoso", 1.0);
    if let Operation::Upsert { values, .. } = &mut operation {
        values.insert("nmae".into(), "x".into());
    }
    let error = transaction.apply(&[operation]).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, EndpointError::UnknownColumn { .. }),
        "{error:?}"
    );
    assert!(message.contains("no column \"nmae\""), "{message}");
    assert!(message.contains("did you mean \"name\""), "{message}");
    assert_eq!(error.category(), ErrorCategory::Application);
    transaction.rollback().await.expect("rollback");
}

pub async fn hostile_names_are_quoted(f: &Fixture) {
    let hostile_table = "x\"; DROP TABLE y; --";
    let hostile_column = "a\"b'; DELETE FROM y; --";
    f.app
        .exec("CREATE TABLE y (id INTEGER PRIMARY KEY); INSERT INTO y VALUES (1)")
        .await;
    f.app
        .exec(&format!(
            "CREATE TABLE \"{}\" (k TEXT PRIMARY KEY, \"{}\" TEXT)",
            hostile_table.replace('"', "\"\""),
            hostile_column.replace('"', "\"\"")
        ))
        .await;
    f.endpoint.discover().await.expect("discover");
    f.endpoint
        .install_capture(&[CaptureSpec::new(hostile_table, &["k"])])
        .await
        .expect("install capture on a hostile table");
    let operation = Operation::Upsert {
        table: hostile_table.into(),
        key_columns: keys(&["k"]),
        values: row(&[("k", "1".into()), (hostile_column, "v'\"".into())]),
    };
    apply(f, &[operation]).await;
    let rows = f
        .endpoint
        .read_by_keys(hostile_table, &keys(&["k"]), &[Key::new(vec!["1".into()])])
        .await
        .expect("read");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][hostile_column], Value::from("v'\""));
    assert_eq!(f.app.count("SELECT count(*) FROM y").await, 1, "y survived");
    let changes = f.changes(ChangeQuery::all(0, 10), 1).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].table, hostile_table);
    f.endpoint
        .remove_capture(&[hostile_table.to_string()])
        .await
        .expect("remove capture");
    assert_eq!(f.app.count("SELECT count(*) FROM y").await, 1, "y survived");
}

pub async fn upsert_inserts_then_updates_by_natural_key(f: &Fixture) {
    f.create_customers().await;
    let first = apply(f, &[upsert("USMF", "C1", "Contoso", 10.5)]).await;
    let id = generated_id(&first[0]);
    assert!(matches!(id, Value::Integer(_)), "generated id {id:?}");
    let second = apply(f, &[upsert("USMF", "C1", "Contoso Ltd", 20.0)]).await;
    assert_eq!(
        generated_id(&second[0]),
        id,
        "the update reports the existing id"
    );
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 1);
    let rows = f
        .endpoint
        .read_by_keys(
            "customers",
            &keys(&["company", "account"]),
            &[Key::new(vec!["USMF".into(), "C1".into()])],
        )
        .await
        .expect("read");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["name"], Value::from("Contoso Ltd"));
    assert_eq!(rows[0]["credit"], Value::Real(20.0));
    assert_eq!(rows[0]["active"], Value::Bool(true));
    assert_eq!(rows[0]["id"], id);
}

pub async fn many_rows_go_in_few_statements_and_keep_their_order(f: &Fixture) {
    f.create_customers().await;
    let mut operations: Vec<Operation> = (0..2_500)
        .map(|i| upsert("USMF", &format!("C{i:05}"), &format!("name {i}"), i as f64))
        .collect();
    // The same key again later in the batch: the later value wins.
    operations.push(upsert("USMF", "C00007", "renamed", 7.0));
    operations.push(delete("USMF", "C00008"));
    let results = apply(f, &operations).await;
    assert_eq!(results.len(), operations.len());
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 2_499);
    assert_eq!(
        f.app
            .text("SELECT name FROM customers WHERE account = 'C00007'")
            .await
            .as_deref(),
        Some("renamed")
    );
    assert!(matches!(
        &results[2_501],
        OperationResult::Deleted { found: true, .. }
    ));
}

pub async fn delete_reports_whether_the_row_existed(f: &Fixture) {
    f.create_customers().await;
    apply(f, &[upsert("USMF", "C1", "Contoso", 1.0)]).await;
    let results = apply(f, &[delete("USMF", "C1"), delete("USMF", "C2")]).await;
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 0);
    assert!(matches!(
        &results[0],
        OperationResult::Deleted { found: true, .. }
    ));
    assert!(matches!(
        &results[1],
        OperationResult::Deleted { found: false, .. }
    ));
}

pub async fn a_failing_batch_leaves_nothing_applied(f: &Fixture) {
    f.create_customers().await;
    let mut transaction = f.endpoint.begin().await.expect("begin");
    transaction
        .apply(&[upsert("USMF", "C0", "kept", 1.0)])
        .await
        .expect("first batch");
    let batch = [
        upsert("USMF", "C1", "one", 1.0),
        upsert("USMF", "C2", "two", 2.0),
        upsert("USMF", "C3", "three", -3.0), // violates CHECK (credit >= 0)
    ];
    let error = transaction.apply(&batch).await.unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Application, "{error}");
    assert_eq!(error.table(), Some("customers"), "{error}");
    assert!(error.to_string().contains("customers"), "{error}");
    // The transaction is still usable; the failed batch left nothing behind.
    transaction.commit().await.expect("commit");
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 1);
    assert_eq!(
        f.app.text("SELECT name FROM customers").await.as_deref(),
        Some("kept")
    );
}

pub async fn business_validation_in_a_trigger_is_an_application_error(f: &Fixture) {
    f.create_customers().await;
    f.app.exec(f.dialect.validation_trigger).await;
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let error = transaction
        .apply(&[upsert("USMF", "C1", "forbidden", 1.0)])
        .await
        .unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Application);
    assert!(
        error.to_string().contains("business rule: name forbidden"),
        "{error}"
    );
    transaction.rollback().await.expect("rollback");
}

pub async fn values_that_do_not_fit_are_refused_naming_the_column(f: &Fixture) {
    f.create_customers().await;
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let mut operation = upsert("USMF", "C1", "Contoso", 1.0);
    if let Operation::Upsert { values, .. } = &mut operation {
        values.insert("credit".into(), "12,5x".into());
    }
    let error = transaction.apply(&[operation]).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, EndpointError::ValueType { .. }),
        "{error:?}"
    );
    assert!(message.contains("\"customers\".\"credit\""), "{message}");
    assert!(message.contains("'12,5x'"), "{message}");
    // Text that is a number is converted.
    let mut operation = upsert("USMF", "C1", "Contoso", 1.0);
    if let Operation::Upsert { values, .. } = &mut operation {
        values.insert("credit".into(), "12.5".into());
        values.insert("active".into(), Value::Integer(0));
    }
    transaction.apply(&[operation]).await.expect("converted");
    transaction.commit().await.expect("commit");
    let rows = f
        .endpoint
        .scan(&ScanRequest::new("customers", keys(&["id"]), 10))
        .await
        .expect("scan");
    assert_eq!(rows[0]["credit"], Value::Real(12.5));
    assert_eq!(rows[0]["active"], Value::Bool(false));
}

pub async fn upsert_needs_a_unique_key(f: &Fixture) {
    f.create_customers().await;
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let operation = Operation::Upsert {
        table: "customers".into(),
        key_columns: keys(&["account"]),
        values: row(&[("company", "USMF".into()), ("account", "C1".into())]),
    };
    let error = transaction.apply(&[operation]).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, EndpointError::NoUniqueKey { .. }),
        "{error:?}"
    );
    assert!(message.contains("(company, account)"), "{message}");
    transaction.rollback().await.expect("rollback");
}

pub async fn an_open_transaction_is_invisible_until_commit_and_gone_after_rollback(f: &Fixture) {
    f.create_customers().await;
    let mut transaction = f.endpoint.begin().await.expect("begin");
    transaction
        .apply(&[upsert("USMF", "C1", "pending", 1.0)])
        .await
        .expect("apply");
    assert_eq!(
        f.app.count("SELECT count(*) FROM customers").await,
        0,
        "another connection does not see the open transaction's rows"
    );
    transaction.commit().await.expect("commit");
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 1);

    let mut transaction = f.endpoint.begin().await.expect("begin");
    transaction
        .apply(&[
            upsert("USMF", "C2", "rolled back", 1.0),
            delete("USMF", "C1"),
        ])
        .await
        .expect("apply");
    transaction.rollback().await.expect("rollback");
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 1);
    assert_eq!(
        f.app.text("SELECT account FROM customers").await.as_deref(),
        Some("C1")
    );
}

pub async fn a_transaction_reads_its_own_uncommitted_rows_by_key(f: &Fixture) {
    f.create_customers().await;
    apply(f, &[upsert("USMF", "C1", "old", 7.5)]).await;
    let key_columns = keys(&["company", "account"]);
    let key = |account: &str| Key::new(vec!["USMF".into(), account.into()]);
    let wanted = [key("C1"), key("C2"), key("C9")];
    let mut transaction = f.endpoint.begin().await.expect("begin");
    // Only the name of C1 is written: the read sees the whole row as it now stands.
    let partial = Operation::Upsert {
        table: "customers".into(),
        key_columns: key_columns.clone(),
        values: row(&[
            ("company", "USMF".into()),
            ("account", "C1".into()),
            ("name", "new".into()),
        ]),
    };
    let results = transaction
        .apply(&[partial, upsert("USMF", "C2", "added", 2.0)])
        .await
        .expect("apply");
    let mut seen = transaction
        .read_by_keys("customers", &key_columns, &wanted)
        .await
        .expect("read inside the transaction");
    seen.sort_by_key(|r| r.get("account").map(Value::to_string));
    assert_eq!(seen.len(), 2, "C9 does not exist: {seen:?}");
    assert_eq!(seen[0].get("name"), Some(&Value::from("new")));
    assert_eq!(seen[0].get("credit"), Some(&Value::Real(7.5)), "unchanged");
    assert_eq!(seen[0].get("active"), Some(&Value::Bool(true)));
    assert_eq!(seen[1].get("name"), Some(&Value::from("added")));
    assert_eq!(seen[1].get("id"), Some(&generated_id(&results[1])));
    // Any other connection sees the committed state only, before and after the rollback.
    let committed_names = || async {
        let rows = f
            .endpoint
            .read_by_keys("customers", &key_columns, &wanted)
            .await
            .expect("read on the pool");
        rows.iter()
            .map(|r| r.get("name").cloned())
            .collect::<Vec<_>>()
    };
    assert_eq!(committed_names().await, [Some(Value::from("old"))]);
    // Names are resolved against the schema as everywhere.
    let error = transaction
        .read_by_keys("customer", &key_columns, &wanted)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("did you mean \"customers\""),
        "{error}"
    );
    transaction.rollback().await.expect("rollback");
    assert_eq!(committed_names().await, [Some(Value::from("old"))]);
}

pub async fn scan_pages_in_key_order_with_a_filter(f: &Fixture) {
    f.create_customers().await;
    let operations: Vec<Operation> = (0..25)
        .map(|i| {
            let company = if i % 2 == 0 { "USMF" } else { "DEMF" };
            upsert(company, &format!("C{i:02}"), "n", 1.0)
        })
        .collect();
    apply(f, &operations).await;
    let mut request = ScanRequest::new("customers", keys(&["company", "account"]), 5);
    request.filter = Some(("company".into(), "USMF".into()));
    request.columns = keys(&["company", "account"]);
    let mut seen = Vec::new();
    loop {
        let page = f.endpoint.scan(&request).await.expect("scan");
        if page.is_empty() {
            break;
        }
        assert!(page.len() <= 5);
        assert!(page
            .iter()
            .all(|r| r.len() == 2 && r["company"] == Value::from("USMF")));
        request.after = Key::from_row(page.last().expect("row"), &request.key_columns);
        seen.extend(page.into_iter().map(|r| r["account"].clone()));
    }
    let expected: Vec<Value> = (0..25)
        .filter(|i| i % 2 == 0)
        .map(|i| Value::from(format!("C{i:02}")))
        .collect();
    assert_eq!(seen, expected);
}

pub async fn count_agrees_with_the_scan(f: &Fixture) {
    f.create_customers().await;
    let operations: Vec<Operation> = (0..25)
        .map(|i| {
            let company = if i % 2 == 0 { "USMF" } else { "DEMF" };
            upsert(company, &format!("C{i:02}"), "n", 1.0)
        })
        .collect();
    apply(f, &operations).await;
    let all = ScanRequest::new("customers", keys(&["company", "account"]), 3);
    assert_eq!(f.endpoint.count(&all).await.expect("count"), 25);
    let mut usmf = all.clone();
    usmf.filter = Some(("company".into(), "USMF".into()));
    assert_eq!(f.endpoint.count(&usmf).await.expect("count"), 13);
    // After a key: what the remaining pages would return (C14, C16, ..., C24).
    usmf.after = Some(Key::new(vec!["USMF".into(), "C12".into()]));
    assert_eq!(f.endpoint.count(&usmf).await.expect("count"), 6);
    let missing = ScanRequest::new("customer", keys(&["account"]), 3);
    assert!(matches!(
        f.endpoint.count(&missing).await,
        Err(EndpointError::UnknownTable { .. })
    ));
}

pub async fn bulk_apply_writes_without_reporting(f: &Fixture) {
    f.create_customers().await;
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let operations: Vec<Operation> = (0..300)
        .map(|i| upsert("USMF", &format!("C{i:03}"), "bulk", 1.0))
        .chain([delete("USMF", "C000")])
        .collect();
    transaction.apply_bulk(&operations).await.expect("bulk");
    let failing = [
        upsert("USMF", "X1", "x", 1.0),
        upsert("USMF", "X2", "x", -1.0),
    ];
    let error = transaction.apply_bulk(&failing).await.unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Application, "{error}");
    transaction.commit().await.expect("commit");
    assert_eq!(f.app.count("SELECT count(*) FROM customers").await, 299);
    assert_eq!(
        f.app
            .count("SELECT count(*) FROM customers WHERE account LIKE 'X%'")
            .await,
        0
    );
}

/// An upsert of `code` in `items` with only these non-key values.
fn item(code: &str, values: &[(&str, Value)]) -> Operation {
    let mut all = vec![("code", Value::from(code))];
    all.extend(values.iter().cloned());
    Operation::Upsert {
        table: "items".into(),
        key_columns: keys(&["code"]),
        values: row(&all),
    }
}

/// SQLite and PostgreSQL check an `INSERT ... ON CONFLICT`'s row against NOT NULL before they
/// find the conflict: an upsert leaving out NOT NULL columns must still update the row that
/// exists, and a new row without them is refused naming table, columns and key.
pub async fn a_partial_upsert_updates_the_existing_row_and_refuses_a_new_one(f: &Fixture) {
    f.app
        .exec(&format!(
            "CREATE TABLE items (id {}, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, \
             qty INTEGER NOT NULL, note TEXT)",
            f.dialect.id_pk
        ))
        .await;
    f.endpoint.discover().await.expect("discover");
    let whole = |code: &str, name: &str, qty: i64| {
        item(code, &[("name", name.into()), ("qty", Value::Integer(qty))])
    };
    let created = apply(f, &[whole("A", "Alpha", 1), whole("B", "Beta", 2)]).await;
    let id_a = generated_id(&created[0]);

    // Partial rows of existing items, in two shapes and next to a whole row: each keeps the
    // columns it leaves out and reports the existing id.
    let results = apply(
        f,
        &[
            item("A", &[("note", "checked".into())]),
            item("B", &[("qty", Value::Integer(5))]),
            whole("D", "Delta", 4),
        ],
    )
    .await;
    assert_eq!(generated_id(&results[0]), id_a, "{results:?}");
    let text = |sql: &str| {
        let sql = sql.to_string();
        async move { f.app.text(&sql).await }
    };
    assert_eq!(
        text("SELECT name || '/' || qty || '/' || note FROM items WHERE code = 'A'").await,
        Some("Alpha/1/checked".into())
    );
    assert_eq!(
        text("SELECT name || '/' || qty FROM items WHERE code = 'B'").await,
        Some("Beta/5".into())
    );
    assert_eq!(f.app.count("SELECT count(*) FROM items").await, 3);

    // The post-image of a partial row comes back whole.
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let results = transaction
        .apply_returning_rows(&[item("B", &[("note", "rows".into())])])
        .await
        .expect("partial upsert returning rows");
    match &results[0] {
        OperationResult::Upserted { key, generated } => {
            assert_eq!(key, &Key::new(vec!["B".into()]));
            assert_eq!(generated["name"], Value::from("Beta"));
            assert_eq!(generated["qty"], Value::Integer(5));
            assert_eq!(generated["note"], Value::from("rows"));
        }
        other => panic!("not an upsert: {other:?}"),
    }

    // A new row without the NOT NULL columns fails its whole batch, which is undone (the
    // existing row's update in the same statement too); the transaction goes on.
    let error = transaction
        .apply(&[
            item("A", &[("note", "lost".into())]),
            item("C", &[("note", "new".into())]),
        ])
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(error, EndpointError::MissingRequiredValue { .. }),
        "{error:?}"
    );
    assert_eq!(error.category(), ErrorCategory::Application);
    assert_eq!(error.table(), Some("items"));
    for part in ["\"items\"", "\"name\"", "\"qty\"", "[\"C\"]"] {
        assert!(message.contains(part), "{part} in: {message}");
    }
    transaction.commit().await.expect("commit");
    assert_eq!(
        text("SELECT note FROM items WHERE code = 'A'").await,
        Some("checked".into())
    );
    assert_eq!(
        text("SELECT note FROM items WHERE code = 'B'").await,
        Some("rows".into())
    );
    assert_eq!(f.app.count("SELECT count(*) FROM items").await, 3);
}
