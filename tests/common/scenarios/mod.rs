//! Behaviour every database endpoint must have, run against each real database: the test files
//! call each scenario with their own fixture.

mod capture;
mod writes;

pub use capture::*;
pub use writes::*;

use dualwrite::endpoint::{ColumnName, Key, Operation, OperationResult, Row, Value};

use super::Fixture;

pub fn row(pairs: &[(&str, Value)]) -> Row {
    pairs
        .iter()
        .map(|(k, v)| (ColumnName::from(*k), v.clone()))
        .collect()
}

pub fn keys(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

pub fn upsert(company: &str, account: &str, name: &str, credit: f64) -> Operation {
    Operation::Upsert {
        table: "customers".into(),
        key_columns: keys(&["company", "account"]),
        values: row(&[
            ("company", company.into()),
            ("account", account.into()),
            ("name", name.into()),
            ("credit", credit.into()),
            ("active", true.into()),
        ]),
    }
}

pub fn delete(company: &str, account: &str) -> Operation {
    Operation::Delete {
        table: "customers".into(),
        key_columns: keys(&["company", "account"]),
        key: Key::new(vec![company.into(), account.into()]),
    }
}

/// Applies `operations` in one engine transaction and commits.
pub async fn apply(f: &Fixture, operations: &[Operation]) -> Vec<OperationResult> {
    let mut transaction = f.endpoint.begin().await.expect("begin");
    let results = transaction.apply(operations).await.expect("apply");
    transaction.commit().await.expect("commit");
    results
}

pub fn generated_id(result: &OperationResult) -> Value {
    match result {
        OperationResult::Upserted { generated, .. } => generated
            .get("id")
            .cloned()
            .unwrap_or_else(|| panic!("no generated id in {result:?}")),
        other => panic!("not an upsert: {other:?}"),
    }
}
