//! Example live test transactions for the demo project: one that commits and one that rolls back,
//! written on either side.
//!
//! A consultant trying live sync for the first time needs a realistic unit of work that fits the
//! demo's data, and one that fails for a business reason, to see the rollback in the trace. Which
//! customer, items and statuses make sense is knowledge of the demo's seed and schemas, so it
//! lives here, beside them, and the app and the CLI only show what this module offers:
//! - written on F&O: a new sales order with two lines for customer US-00001 of USMF; the failing
//!   one has a status (`OnHold`) that the map's value map cannot carry to Dataverse, so the
//!   engine rejects it on the way (an application error) and both sides roll back;
//! - written on Dataverse: customer US-00001 gets a higher credit limit; the failing one sets a
//!   negative credit limit, which Dataverse takes and F&O's CHECK constraint refuses, so the
//!   target aborts and both sides roll back. Dataverse identifies the account by its number and
//!   the company's GUID, which only the Dataverse database knows: [`account_edit`] takes the
//!   account row as read there.
//!
//! The examples fit a project only when it has the demo's order and customer maps ([`fits`]).

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::engine::live::{TxnOp, TxnRow};
use crate::model::{Project, Side};

/// The demo's customer map.
pub const ACCOUNTS_MAP: &str = "accounts - Customers V3";
/// The customer the Dataverse examples edit: its F&O key (account number, company).
pub const CUSTOMER_KEY: [&str; 2] = ["US-00001", "USMF"];
/// An order status F&O takes and the order map's value map has no Dataverse status for.
pub const UNMAPPED_STATUS: &str = "OnHold";
/// A credit limit Dataverse takes and F&O's CHECK (at least 0) refuses.
pub const NEGATIVE_CREDIT_LIMIT: i64 = -500;

const ORDER_HEADERS: &str = "SalesOrderHeaderV2Entity";
const ORDER_LINES: &str = "SalesOrderLineV2Entity";

/// An example the app offers for one side, before its rows are made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LiveExample {
    /// The side the unit of work is written on.
    pub from: Side,
    /// Whether this is the example that fails and rolls back.
    pub failing: bool,
    /// What the example does and what to expect, in one sentence.
    pub title: String,
    /// What must be true first (which groups to sync).
    pub prerequisite: String,
}

/// Whether the examples fit `project`: it maps the demo's order header, order line and customer
/// tables.
pub fn fits(project: &Project) -> bool {
    let maps_entity = |entity: &str| project.table_maps.iter().any(|m| m.fno.entity == entity);
    maps_entity(ORDER_HEADERS) && maps_entity(ORDER_LINES) && project.map(ACCOUNTS_MAP).is_some()
}

/// The examples for `from` (the one that commits, then the one that fails); none when the
/// project is not shaped like the demo.
pub fn examples(project: &Project, from: Side) -> Vec<LiveExample> {
    if !fits(project) {
        return Vec::new();
    }
    let (customer, company) = (CUSTOMER_KEY[0], CUSTOMER_KEY[1]);
    let (commits, fails, prerequisite) = match from {
        Side::Fno => (
            format!("A new sales order with two lines for customer {customer} in {company}, written on F&O"),
            format!(
                "The same order with status {UNMAPPED_STATUS}, which the map's value map cannot carry to \
                 Dataverse: the target rejects it and both sides roll back"
            ),
            format!(
                "The order looks up company {company}, customer {customer} and currency USD on Dataverse: \
                 run an initial sync of the groups Reference data and Customers first, otherwise it rolls \
                 back with \"lookup not found\"."
            ),
        ),
        Side::Dataverse => (
            format!("Customer {customer} of {company} gets a higher credit limit on Dataverse"),
            format!(
                "Customer {customer} gets a negative credit limit on Dataverse, which F&O's constraint \
                 refuses: the target aborts and both sides roll back"
            ),
            format!(
                "The examples edit customer {customer} of {company} on Dataverse, by its account number and \
                 the company's id there: run an initial sync of the groups Reference data and Customers first."
            ),
        ),
    };
    [(false, commits), (true, fails)]
        .into_iter()
        .map(|(failing, title)| LiveExample {
            from,
            failing,
            title,
            prerequisite: prerequisite.clone(),
        })
        .collect()
}

/// A sales order number unlikely to clash with the seeded ones (`SO-US-000001`...): `SO-US-9`
/// and five digits of `stamp`.
pub fn example_order_number(stamp: u64) -> String {
    format!("SO-US-9{:05}", stamp % 100_000)
}

/// The order example written on F&O: the header first (F&O checks its foreign keys as rows are
/// written; on Dataverse the engine orders parents first anyway), then two lines. `failing`
/// gives the header the unmapped status.
pub fn order(order_number: &str, failing: bool) -> Vec<TxnRow> {
    let status = if failing {
        UNMAPPED_STATUS
    } else {
        "Backorder"
    };
    let (customer, company) = (CUSTOMER_KEY[0], CUSTOMER_KEY[1]);
    let header = json!({
        "SALESORDERNUMBER": order_number,
        "DATAAREAID": company,
        "ORDERINGCUSTOMERACCOUNTNUMBER": customer,
        "CURRENCYCODE": "USD",
        "REQUESTEDSHIPPINGDATE": "2026-06-15",
        "SALESORDERSTATUS": status,
    });
    let line = |sequence: i64, item: &str, quantity: i64, price: f64, amount: f64| {
        json!({
            "SALESORDERNUMBER": order_number,
            "LINECREATIONSEQUENCENUMBER": sequence,
            "DATAAREAID": company,
            "ITEMNUMBER": item,
            "ORDEREDSALESQUANTITY": quantity,
            "SALESPRICE": price,
            "LINEAMOUNT": amount,
        })
    };
    vec![
        upsert(ORDER_HEADERS, header),
        upsert(ORDER_LINES, line(1, "D0001", 2, 149.0, 298.0)),
        upsert(ORDER_LINES, line(2, "T0002", 10, 8.99, 89.9)),
    ]
}

/// The customer example written on Dataverse, for `account` as read from the Dataverse database
/// (its `accountnumber` and `msdyn_company` identify it there). `stamp` varies the credit limit
/// of the example that commits, so each run changes something.
pub fn account_edit(account: &Map<String, Value>, failing: bool, stamp: u64) -> Vec<TxnRow> {
    let credit_limit = if failing {
        NEGATIVE_CREDIT_LIMIT
    } else {
        50_000 + (stamp % 1_000) as i64 * 10
    };
    let field = |name: &str| account.get(name).cloned().unwrap_or(Value::Null);
    vec![upsert(
        "account",
        json!({
            "accountnumber": field("accountnumber"),
            "msdyn_company": field("msdyn_company"),
            "creditlimit": credit_limit,
        }),
    )]
}

fn upsert(table: &str, values: Value) -> TxnRow {
    let values = match values {
        Value::Object(values) => values,
        _ => Map::new(),
    };
    TxnRow {
        table: table.to_string(),
        op: TxnOp::Upsert,
        values,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::demo_project;

    #[test]
    fn the_demo_project_has_both_examples_on_each_side() {
        let project = demo_project().unwrap();
        assert!(fits(&project));
        for side in [Side::Fno, Side::Dataverse] {
            let found = examples(&project, side);
            assert_eq!(
                found
                    .iter()
                    .map(|e| (e.from, e.failing))
                    .collect::<Vec<_>>(),
                vec![(side, false), (side, true)]
            );
        }
    }

    #[test]
    fn a_project_without_the_demo_maps_has_no_examples() {
        let mut project = demo_project().unwrap();
        project.table_maps.retain(|m| m.id != ACCOUNTS_MAP);
        assert!(!fits(&project));
        assert!(examples(&project, Side::Fno).is_empty());
    }

    #[test]
    fn the_failing_order_differs_only_in_its_status() {
        let good = order("SO-US-912345", false);
        let bad = order("SO-US-912345", true);
        assert_eq!(good.len(), 3);
        assert_eq!(good[1..], bad[1..]);
        assert_eq!(bad[0].values["SALESORDERSTATUS"], json!(UNMAPPED_STATUS));
        assert_ne!(good[0].values["SALESORDERSTATUS"], json!(UNMAPPED_STATUS));
    }

    #[test]
    fn the_order_writes_mapped_columns_header_first() {
        let project = demo_project().unwrap();
        let rows = order("SO-US-900001", false);
        assert_eq!(rows[0].table, ORDER_HEADERS);
        for row in &rows {
            let map = project
                .table_maps
                .iter()
                .find(|m| m.fno.entity == row.table)
                .unwrap();
            for column in row.values.keys() {
                let mapped =
                    map.fno.keys.contains(column) || map.fields.iter().any(|f| &f.fno == column);
                assert!(mapped, "{column} of {} is not mapped", row.table);
            }
        }
    }

    #[test]
    fn only_the_failing_status_is_missing_from_the_value_map() {
        let project = demo_project().unwrap();
        let header_map = project
            .table_maps
            .iter()
            .find(|m| m.fno.entity == ORDER_HEADERS)
            .unwrap();
        let status = header_map
            .fields
            .iter()
            .find(|f| f.fno == "SALESORDERSTATUS")
            .unwrap();
        let Some(crate::model::Transform::ValueMap(values)) = &status.transform else {
            panic!("the status field has no value map");
        };
        let status_of =
            |failing| order("SO-US-900001", failing)[0].values["SALESORDERSTATUS"].clone();
        assert!(values.contains_key(status_of(false).as_str().unwrap()));
        assert!(!values.contains_key(status_of(true).as_str().unwrap()));
    }

    #[test]
    fn order_numbers_stay_out_of_the_seeded_range() {
        assert_eq!(example_order_number(1_234_567), "SO-US-934567");
        assert_eq!(example_order_number(7), "SO-US-900007");
    }

    #[test]
    fn the_account_edit_keeps_the_dataverse_identity() {
        let mut account = Map::new();
        account.insert("accountnumber".into(), json!("US-00001"));
        account.insert("msdyn_company".into(), json!("c0ffee"));
        let rows = account_edit(&account, true, 3);
        assert_eq!(rows[0].values["msdyn_company"], json!("c0ffee"));
        assert_eq!(rows[0].values["creditlimit"], json!(NEGATIVE_CREDIT_LIMIT));
        let rows = account_edit(&account, false, 3);
        assert_eq!(rows[0].values["creditlimit"], json!(50_030));
    }
}
