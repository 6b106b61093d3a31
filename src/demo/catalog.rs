//! The fixed master data of the demo: legal entities, currencies, customer groups, and the
//! shares of credit ratings and order statuses the generated rows follow.
//!
//! Kept apart from the generator so the demo's "world" can be read (and changed) in one place.

/// One legal entity of the demo.
#[derive(Debug, Clone, Copy)]
pub struct Company {
    /// Company code (DATAAREAID / cdm_companycode).
    pub id: &'static str,
    /// Legal entity name.
    pub name: &'static str,
    /// ISO country (ADDRESSCOUNTRYREGIONID).
    pub country: &'static str,
    /// Index into the per-country word lists.
    pub country_index: usize,
    /// Accounting currency.
    pub currency: &'static str,
    /// Prefix of account and order numbers.
    pub prefix: &'static str,
    /// Top-level domain of customers' e-mail addresses.
    pub tld: &'static str,
}

/// The legal entities, in the order the example project lists them.
pub static COMPANIES: [Company; 3] = [
    Company {
        id: "USMF",
        name: "Contoso Entertainment System USA",
        country: "USA",
        country_index: 0,
        currency: "USD",
        prefix: "US",
        tld: "com",
    },
    Company {
        id: "DEMF",
        name: "Contoso Entertainment System Germany",
        country: "DEU",
        country_index: 1,
        currency: "EUR",
        prefix: "DE",
        tld: "de",
    },
    Company {
        id: "GBSI",
        name: "Contoso Entertainment Systems UK",
        country: "GBR",
        country_index: 2,
        currency: "GBP",
        prefix: "GB",
        tld: "co.uk",
    },
];

/// Currencies: code, name, symbol, decimals.
pub const CURRENCIES: [(&str, &str, &str, i64); 10] = [
    ("USD", "US Dollar", "$", 2),
    ("EUR", "Euro", "€", 2),
    ("GBP", "Pound Sterling", "£", 2),
    ("CAD", "Canadian Dollar", "$", 2),
    ("AUD", "Australian Dollar", "$", 2),
    ("CHF", "Swiss Franc", "CHF", 2),
    ("DKK", "Danish Krone", "kr", 2),
    ("SEK", "Swedish Krona", "kr", 2),
    ("NOK", "Norwegian Krone", "kr", 2),
    ("JPY", "Japanese Yen", "¥", 0),
];

/// Customer groups of every company: id, description, payment terms, share of customers (%).
pub const CUSTOMER_GROUPS: [(&str, &str, &str, u32); 5] = [
    ("10", "Wholesale customers", "Net30", 30),
    ("20", "Major customers", "Net45", 20),
    ("30", "Retail customers", "Net10", 40),
    ("80", "Other customers", "Net30", 10),
    ("90", "Intercompany customers", "Net60", 0),
];

/// Credit ratings and their shares (%); the rest have none.
pub const CREDIT_RATINGS: [(&str, u32); 3] = [("Excellent", 30), ("Good", 45), ("Poor", 10)];

/// Sales order statuses and their shares (%).
pub const ORDER_STATUSES: [(&str, u32); 4] = [
    ("Backorder", 30),
    ("Delivered", 25),
    ("Invoiced", 40),
    ("Canceled", 5),
];
