//! Scenarios about change capture and loopback control.

use dualwrite::endpoint::{CaptureSpec, ChangeOp, ChangeQuery, Key, Origin, Value};

use super::{apply, upsert};
use crate::common::Fixture;

pub async fn capture_records_app_changes_with_increasing_versions(f: &Fixture) {
    f.create_customers().await;
    capture_customers(f).await;
    // Installing again is harmless.
    f.endpoint
        .install_capture(&[CaptureSpec::new("customers", &["company", "account"])])
        .await
        .expect("install again");
    f.app
        .exec("INSERT INTO customers (company, account, name) VALUES ('USMF', 'C1', 'a')")
        .await;
    f.app
        .exec("UPDATE customers SET name = 'b' WHERE account = 'C1'")
        .await;
    f.app
        .exec("DELETE FROM customers WHERE account = 'C1'")
        .await;
    let changes = f.changes(ChangeQuery::application(0, 100), 3).await;
    let ops: Vec<ChangeOp> = changes.iter().map(|c| c.op).collect();
    assert_eq!(ops, [ChangeOp::Upsert, ChangeOp::Upsert, ChangeOp::Delete]);
    let key = Key::new(vec!["USMF".into(), "C1".into()]);
    assert!(changes
        .iter()
        .all(|c| c.key == key && c.origin == Origin::App));
    assert!(changes.iter().all(|c| c.table == "customers"));
    let versions: Vec<i64> = changes.iter().map(|c| c.row_version).collect();
    assert_eq!(versions, [1, 2, 3]);
    // When: ISO 8601 UTC with a fraction of a second, in capture order.
    for change in &changes {
        assert!(
            is_iso_utc(&change.captured_at),
            "captured_at {:?} is not ISO 8601 UTC",
            change.captured_at
        );
    }
    assert!(changes
        .windows(2)
        .all(|w| w[0].captured_at <= w[1].captured_at));
    assert!(changes.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(
        f.endpoint
            .row_versions(
                "customers",
                &[key.clone(), Key::new(vec!["X".into(), "Y".into()])]
            )
            .await
            .expect("versions"),
        [Some(3), None]
    );
    // The cursor: nothing after the last seq; trimming removes what was read.
    let last = changes[2].seq;
    assert!(f
        .endpoint
        .read_changes(last, 100)
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        f.endpoint
            .read_changes(changes[0].seq, 100)
            .await
            .expect("read")
            .len(),
        2
    );
    assert_eq!(f.endpoint.trim_changes(last).await.expect("trim"), 3);
    assert!(f
        .endpoint
        .read_changes(0, 100)
        .await
        .expect("read")
        .is_empty());
}

pub async fn a_key_change_is_a_delete_and_an_upsert(f: &Fixture) {
    f.create_customers().await;
    capture_customers(f).await;
    f.app
        .exec("INSERT INTO customers (company, account) VALUES ('USMF', 'OLD')")
        .await;
    f.app
        .exec("UPDATE customers SET account = 'NEW' WHERE account = 'OLD'")
        .await;
    let changes = f.changes(ChangeQuery::application(0, 100), 3).await;
    let summary: Vec<(ChangeOp, Value)> = changes
        .iter()
        .map(|c| (c.op, c.key.values()[1].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            (ChangeOp::Upsert, "OLD".into()),
            (ChangeOp::Delete, "OLD".into()),
            (ChangeOp::Upsert, "NEW".into())
        ]
    );
}

pub async fn engine_writes_are_not_read_back(f: &Fixture) {
    f.create_customers().await;
    capture_customers(f).await;
    f.app
        .exec("INSERT INTO customers (company, account, name) VALUES ('USMF', 'APP', 'a')")
        .await;
    apply(
        f,
        &[
            upsert("USMF", "ENGINE", "e", 1.0),
            upsert("USMF", "APP", "engine update", 1.0),
        ],
    )
    .await;
    // Writes made through a transaction begun as the application are the application's.
    let mut transaction = f
        .endpoint
        .begin_as(Origin::App)
        .await
        .expect("begin as app");
    transaction
        .apply(&[upsert("USMF", "LIVE", "l", 1.0)])
        .await
        .expect("apply");
    transaction.commit().await.expect("commit");
    // After an engine transaction the connection is the application's again.
    f.app
        .exec("UPDATE customers SET name = 'app again' WHERE account = 'APP'")
        .await;

    let all = f.changes(ChangeQuery::all(0, 100), 5).await;
    let origins: Vec<(Origin, Value)> = all
        .iter()
        .map(|c| (c.origin, c.key.values()[1].clone()))
        .collect();
    assert_eq!(
        origins,
        [
            (Origin::App, "APP".into()),
            (Origin::Engine, "ENGINE".into()),
            (Origin::Engine, "APP".into()),
            (Origin::App, "LIVE".into()),
            (Origin::App, "APP".into()),
        ]
    );
    let app_only = f.endpoint.read_changes(0, 100).await.expect("read");
    assert_eq!(app_only.len(), 3);
    assert!(app_only.iter().all(|c| c.origin == Origin::App));
    // The engine's update still moved the row version on.
    assert_eq!(app_only[2].row_version, 3);
}

pub async fn removed_capture_records_nothing(f: &Fixture) {
    f.create_customers().await;
    capture_customers(f).await;
    f.app
        .exec("INSERT INTO customers (company, account) VALUES ('USMF', 'C1')")
        .await;
    assert_eq!(
        f.changes(ChangeQuery::application(0, 100), 1).await.len(),
        1
    );
    f.endpoint
        .remove_capture(&["customers".to_string()])
        .await
        .expect("remove");
    f.app
        .exec("INSERT INTO customers (company, account) VALUES ('USMF', 'C2')")
        .await;
    f.app.exec("DELETE FROM customers").await;
    assert_eq!(
        f.app.count("SELECT count(*) FROM _dualwrite_changes").await,
        1,
        "nothing captured after removal"
    );
    f.endpoint.drop_change_log().await.expect("drop the log");
    assert!(f
        .endpoint
        .read_changes(0, 100)
        .await
        .expect("read")
        .is_empty());
    f.app
        .exec("INSERT INTO customers (company, account) VALUES ('USMF', 'C3')")
        .await;
    // The engine can still write after the log is gone.
    apply(f, &[upsert("USMF", "C4", "n", 1.0)]).await;
}

/// `YYYY-MM-DDTHH:MM:SS.fffZ` (any number of fraction digits: milliseconds on SQLite,
/// microseconds on PostgreSQL).
pub fn is_iso_utc(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = "dddd-dd-ddTdd:dd:dd.";
    bytes.len() > shape.len() + 1
        && shape.bytes().zip(bytes).all(|(s, b)| match s {
            b'd' => b.is_ascii_digit(),
            other => other == *b,
        })
        && bytes[shape.len()..bytes.len() - 1]
            .iter()
            .all(u8::is_ascii_digit)
        && text.ends_with('Z')
        && &text[..4] >= "2024"
}

/// Installs change capture on the customers table, keyed by company and account.
pub async fn capture_customers(f: &Fixture) {
    f.endpoint
        .install_capture(&[CaptureSpec::new("customers", &["company", "account"])])
        .await
        .expect("install");
}
