//! The F&O database of the demo: data entities keyed by natural keys.
//!
//! F&O exposes data entities, not tables with surrogate ids: a customer is identified by its
//! account and company (DATAAREAID), a lookup holds the referenced row's natural key. The schema
//! mirrors that so the engine meets the same shapes it meets against a real environment: one
//! UNIQUE key per entity (the entity key the project's `fno.keys` names and the engine upserts
//! by), and foreign keys where F&O validates a relation. The SQL is in `sql/fno.sql`.

/// The schema, as SQL statements.
pub const FNO_SCHEMA: &str = include_str!("sql/fno.sql");

/// The entities, parents before children (the order they are seeded in).
pub const FNO_ENTITIES: [&str; 7] = [
    "CurrencyEntity",
    "OMLegalEntity",
    "CustCustomerGroupEntity",
    "CustCustomerV3Entity",
    "ContactPersonEntity",
    "SalesOrderHeaderV2Entity",
    "SalesOrderLineV2Entity",
];
