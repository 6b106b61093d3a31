//! Filling the demo databases: which generated rows go into which table and columns, parents
//! before children, in one transaction per database.

use sqlx::Connection;

use super::build::TempDatabase;
use super::insert::{insert_rows, ProgressTracker, TableInsert};
use super::seed::{FnoData, Rows};
use super::{DemoError, TableCount, DATAVERSE_TABLES, FNO_ENTITIES};
use crate::model::Side;

// Columns of each generated table, in the order of the generated rows.
const CURRENCY_COLUMNS: &[&str] = &["CURRENCYCODE", "NAME", "SYMBOL", "ROUNDINGPRECISION"];
const LEGAL_ENTITY_COLUMNS: &[&str] = &[
    "LEGALENTITYID",
    "NAME",
    "ADDRESSCOUNTRYREGIONID",
    "ACCOUNTINGCURRENCY",
];
const CUSTOMER_GROUP_COLUMNS: &[&str] = &[
    "CUSTOMERGROUPID",
    "DATAAREAID",
    "DESCRIPTION",
    "PAYMENTTERMID",
];
const CUSTOMER_COLUMNS: &[&str] = &[
    "CUSTOMERACCOUNT",
    "DATAAREAID",
    "ORGANIZATIONNAME",
    "PARTYTYPE",
    "CUSTOMERGROUPID",
    "SALESCURRENCYCODE",
    "INVOICEACCOUNT",
    "PRIMARYCONTACTPERSONID",
    "CREDITLIMIT",
    "CREDITRATING",
    "ADDRESSCITY",
    "ADDRESSCOUNTRYREGIONID",
];
const CONTACT_COLUMNS: &[&str] = &[
    "CONTACTPERSONID",
    "DATAAREAID",
    "FIRSTNAME",
    "LASTNAME",
    "EMAIL",
    "ASSOCIATEDCUSTOMERACCOUNT",
];
const ORDER_COLUMNS: &[&str] = &[
    "SALESORDERNUMBER",
    "DATAAREAID",
    "ORDERINGCUSTOMERACCOUNTNUMBER",
    "CURRENCYCODE",
    "REQUESTEDSHIPPINGDATE",
    "SALESORDERSTATUS",
];
const LINE_COLUMNS: &[&str] = &[
    "SALESORDERNUMBER",
    "LINECREATIONSEQUENCENUMBER",
    "DATAAREAID",
    "ITEMNUMBER",
    "ORDEREDSALESQUANTITY",
    "SALESPRICE",
    "LINEAMOUNT",
];
/// The base currency a fresh Dataverse organisation has.
const DATAVERSE_CURRENCY_COLUMNS: &[&str] = &[
    "isocurrencycode",
    "currencyname",
    "currencysymbol",
    "currencyprecision",
];

pub async fn seed_fno(
    db: &mut TempDatabase,
    data: &FnoData,
    tracker: &mut ProgressTracker<'_>,
) -> Result<Vec<TableCount>, DemoError> {
    let path = db.path();
    let mut tx = db
        .conn
        .begin()
        .await
        .map_err(|source| DemoError::Database {
            action: "begin the seed transaction".into(),
            path: path.clone(),
            source,
        })?;
    let tables: [(&'static str, &[&str], &Rows); 6] = [
        ("CurrencyEntity", CURRENCY_COLUMNS, &data.currencies),
        ("OMLegalEntity", LEGAL_ENTITY_COLUMNS, &data.legal_entities),
        (
            "CustCustomerGroupEntity",
            CUSTOMER_GROUP_COLUMNS,
            &data.customer_groups,
        ),
        ("CustCustomerV3Entity", CUSTOMER_COLUMNS, &data.customers),
        ("ContactPersonEntity", CONTACT_COLUMNS, &data.contacts),
        ("SalesOrderHeaderV2Entity", ORDER_COLUMNS, &data.orders),
    ];
    let mut counts = Vec::with_capacity(FNO_ENTITIES.len());
    for (table, columns, rows) in tables {
        let target = TableInsert {
            side: Side::Fno,
            table,
            columns,
            total: rows.len() as u64,
        };
        let inserted = insert_rows(&mut tx, &path, &target, rows.iter().cloned(), tracker).await?;
        counts.push(TableCount {
            side: Side::Fno,
            table,
            rows: inserted,
        });
    }
    let lines = TableInsert {
        side: Side::Fno,
        table: "SalesOrderLineV2Entity",
        columns: LINE_COLUMNS,
        total: data.line_count(),
    };
    let inserted = insert_rows(&mut tx, &path, &lines, data.lines(), tracker).await?;
    counts.push(TableCount {
        side: Side::Fno,
        table: lines.table,
        rows: inserted,
    });
    tx.commit().await.map_err(|source| DemoError::Database {
        action: "commit the seed".into(),
        path,
        source,
    })?;
    Ok(counts)
}

pub async fn seed_dataverse(
    db: &mut TempDatabase,
    base_currency: Rows,
    tracker: &mut ProgressTracker<'_>,
) -> Result<Vec<TableCount>, DemoError> {
    let path = db.path();
    let target = TableInsert {
        side: Side::Dataverse,
        table: "transactioncurrency",
        columns: DATAVERSE_CURRENCY_COLUMNS,
        total: base_currency.len() as u64,
    };
    let currencies = insert_rows(
        &mut db.conn,
        &path,
        &target,
        base_currency.into_iter(),
        tracker,
    )
    .await?;
    Ok(DATAVERSE_TABLES
        .iter()
        .map(|&table| TableCount {
            side: Side::Dataverse,
            table,
            rows: if table == target.table { currencies } else { 0 },
        })
        .collect())
}
