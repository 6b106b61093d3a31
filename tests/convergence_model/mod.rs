//! The model of the async contract that the convergence property checks the engine against,
//! and the two sides' customers read back in F&O terms for the comparison. Kept apart from the
//! generated steps so that the expected behaviour can be read on its own.

use std::collections::{BTreeMap, BTreeSet};

use dualwrite::model::Side;

use crate::engine_support::{App, World};

/// (company, account).
pub type RowKey = (String, String);

/// A customer as both sides should agree on it, in F&O terms (value map and lookups translated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub name: String,
    pub status: Option<String>,
    pub group: Option<String>,
    pub invoice_account: Option<String>,
}

/// The model: each side's rows and the state of the last sync.
pub struct Model {
    pub primary: Side,
    pub fno: BTreeMap<RowKey, Customer>,
    pub dataverse: BTreeMap<RowKey, Customer>,
    pub synced: BTreeMap<RowKey, Customer>,
}

impl Model {
    pub fn side_mut(&mut self, side: Side) -> &mut BTreeMap<RowKey, Customer> {
        match side {
            Side::Fno => &mut self.fno,
            Side::Dataverse => &mut self.dataverse,
        }
    }

    /// A round: returns the number of conflicts (rows changed on both sides, unless both now hold
    /// the same values with the lookups unchanged).
    pub fn round(&mut self) -> u64 {
        let keys: BTreeSet<RowKey> = self
            .fno
            .keys()
            .chain(self.dataverse.keys())
            .cloned()
            .collect();
        let mut conflicts = 0;
        for key in keys {
            let synced = self.synced.get(&key);
            let fno = self.fno.get(&key).cloned();
            let dataverse = self.dataverse.get(&key).cloned();
            let fno_changed = fno.as_ref() != synced;
            let dataverse_changed = dataverse.as_ref() != synced;
            // Both changed, to the same values and with the lookups as synced: the sides agree
            // (what a crash between the target's commit and the snapshot leaves), no conflict.
            let agree = match (&fno, &dataverse, synced) {
                (Some(f), Some(d), Some(s)) => {
                    f == d && f.group == s.group && f.invoice_account == s.invoice_account
                }
                _ => false,
            };
            let winner = match (fno_changed, dataverse_changed) {
                (true, true) if agree => fno,
                (true, true) => {
                    conflicts += 1;
                    match self.primary {
                        Side::Fno => fno,
                        Side::Dataverse => dataverse,
                    }
                }
                (true, false) => fno,
                (false, true) => dataverse,
                (false, false) => None,
            };
            if let Some(winner) = winner {
                self.fno.insert(key.clone(), winner.clone());
                self.dataverse.insert(key.clone(), winner.clone());
                self.synced.insert(key, winner);
            }
        }
        conflicts
    }
}

fn sqlite(app: &App) -> &sqlx::SqlitePool {
    match app {
        App::Sqlite(pool) => pool,
        App::Postgres(_) => panic!("the property runs on SQLite files"),
    }
}

type CustomerRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn customers(app: &App, sql: &str) -> BTreeMap<RowKey, Customer> {
    let rows: Vec<CustomerRow> = sqlx::query_as(sql)
        .fetch_all(sqlite(app))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter()
        .map(|(company, account, name, status, group, invoice_account)| {
            (
                (company, account),
                Customer {
                    name,
                    status,
                    group,
                    invoice_account,
                },
            )
        })
        .collect()
}

/// F&O customers as they are.
pub async fn fno_customers(world: &World) -> BTreeMap<RowKey, Customer> {
    customers(
        &world.fno,
        "SELECT dataAreaId, CustomerAccount, Name, Status, CustomerGroupId, InvoiceAccount \
         FROM CustCustomerV3Entity",
    )
    .await
}

/// Dataverse accounts translated into F&O terms by the map's explicit rules: statuscode through
/// the value map (Active = 1, OnHold = 2), the group and invoice account ids through their
/// lookups to the referenced row's natural key in the same company.
pub async fn dataverse_customers(world: &World) -> BTreeMap<RowKey, Customer> {
    customers(
        &world.dataverse,
        "SELECT a.company, a.accountnumber, a.name, \
           CASE a.statuscode WHEN 1 THEN 'Active' WHEN 2 THEN 'OnHold' \
             ELSE 'unmapped ' || a.statuscode END, \
           CASE WHEN a.msdyn_customergroupid IS NULL THEN NULL \
             ELSE coalesce(g.msdyn_groupid, 'dangling ' || a.msdyn_customergroupid) END, \
           CASE WHEN a.invoiceaccountid IS NULL THEN NULL \
             ELSE coalesce(i.accountnumber, 'dangling ' || a.invoiceaccountid) END \
         FROM account a \
         LEFT JOIN msdyn_customergroup g \
           ON g.msdyn_customergroupid = a.msdyn_customergroupid AND g.company = a.company \
         LEFT JOIN account i ON i.accountid = a.invoiceaccountid AND i.company = a.company",
    )
    .await
}
