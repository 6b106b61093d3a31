//! The Dataverse database of the demo: tables with generated GUID ids and GUID lookups.
//!
//! Dataverse identifies a row by a GUID it generates itself, and a lookup column holds the GUID of
//! the referenced row; the natural keys dual-write matches rows by are alternate keys. The schema
//! mirrors that: `<table>id` is filled by the database on insert (a column default in GUID shape,
//! so the engine has to read generated ids back and translate natural keys into them), the
//! integration keys are UNIQUE, and lookups are foreign keys to the `<table>id` they reference.
//! The SQL is in `sql/dataverse.sql`.

/// A SQLite expression that yields a random version-4 GUID in lower case, for example
/// `3f2b8c1e-7d4a-4e9b-a1c2-0f6e5d4c3b2a`.
pub const GUID_EXPRESSION: &str = "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) \
     || '-4' || substr(lower(hex(randomblob(2))), 2) || '-' \
     || substr('89ab', 1 + (random() & 3), 1) || substr(lower(hex(randomblob(2))), 2) \
     || '-' || lower(hex(randomblob(6)))";

const TEMPLATE: &str = include_str!("sql/dataverse.sql");

/// The tables, parents before children.
pub const DATAVERSE_TABLES: [&str; 7] = [
    "cdm_company",
    "transactioncurrency",
    "msdyn_customergroup",
    "account",
    "contact",
    "salesorder",
    "salesorderdetail",
];

/// The schema, as SQL statements.
pub fn dataverse_schema() -> String {
    TEMPLATE.replace("@GUID@", GUID_EXPRESSION)
}
