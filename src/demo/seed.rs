//! Deterministic demo data for the F&O side (and the little a fresh Dataverse already has).
//!
//! Everything is drawn from a ChaCha RNG seeded with [`DemoOptions::seed`], one stream per table,
//! so the same options always give the same rows, and growing one table does not reshuffle the
//! others. Numbers are chosen so that the data looks like a Contoso demo company: company-prefixed
//! account and order numbers (unique across companies, as F&O number sequences with a company
//! segment make them), several currencies, credit ratings, order statuses and line amounts that
//! add up.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::catalog::{
    Company, COMPANIES, CREDIT_RATINGS, CURRENCIES, CUSTOMER_GROUPS, ORDER_STATUSES,
};
use super::names;
use super::DemoOptions;
use crate::endpoint::Value;

const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// RNG streams, one per generated table.
const CUSTOMER_STREAM: u64 = 1;
const ORDER_STREAM: u64 = 2;
const LINE_STREAM: u64 = 3;

/// A table's rows in column order.
pub type Rows = Vec<Vec<Value>>;

/// The generated F&O reference data, customers, contacts and order headers; lines are generated
/// while they are inserted ([`FnoData::lines`]), as they are the bulk of the data.
pub struct FnoData {
    pub currencies: Rows,
    pub legal_entities: Rows,
    pub customer_groups: Rows,
    pub customers: Rows,
    pub contacts: Rows,
    pub orders: Rows,
    /// (order number, company, number of lines) per order, in order.
    line_plan: Vec<(String, &'static str, u32)>,
    seed: u64,
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Picks from `(value, share %)` pairs; `None` for the remainder up to 100.
fn weighted<T: Copy>(rng: &mut ChaCha8Rng, choices: &[(T, u32)]) -> Option<T> {
    let mut roll = rng.gen_range(0..100u32);
    for &(value, share) in choices {
        if roll < share {
            return Some(value);
        }
        roll -= share;
    }
    None
}

fn pick<'a>(rng: &mut ChaCha8Rng, words: &[&'a str]) -> &'a str {
    words.choose(rng).copied().unwrap_or_default()
}

impl FnoData {
    /// Generates everything but the order lines.
    pub fn generate(options: &DemoOptions) -> Self {
        let currencies = CURRENCIES
            .iter()
            .map(|(code, name, symbol, decimals)| {
                vec![
                    text(*code),
                    text(*name),
                    text(*symbol),
                    Value::Integer(*decimals),
                ]
            })
            .collect();
        let legal_entities = COMPANIES
            .iter()
            .map(|c| vec![text(c.id), text(c.name), text(c.country), text(c.currency)])
            .collect();
        let customer_groups = COMPANIES
            .iter()
            .flat_map(|c| {
                CUSTOMER_GROUPS
                    .iter()
                    .map(move |(id, description, terms, _)| {
                        vec![text(*id), text(c.id), text(*description), text(*terms)]
                    })
            })
            .collect();
        let (customers, contacts, customer_index) = customers_and_contacts(options);
        let (orders, line_plan) = order_headers(options, &customer_index);
        Self {
            currencies,
            legal_entities,
            customer_groups,
            customers,
            contacts,
            orders,
            line_plan,
            seed: options.seed,
        }
    }

    /// How many order lines [`Self::lines`] yields.
    pub fn line_count(&self) -> u64 {
        self.line_plan.iter().map(|(_, _, n)| u64::from(*n)).sum()
    }

    /// The order lines, generated as they are consumed.
    pub fn lines(&self) -> impl Iterator<Item = Vec<Value>> + '_ {
        let mut rng = rng(self.seed, LINE_STREAM);
        self.line_plan
            .iter()
            .flat_map(move |(number, company, count)| {
                (1..=*count)
                    .map(|sequence| {
                        let (item, cents) = names::ITEMS[rng.gen_range(0..names::ITEMS.len())];
                        let quantity = rng.gen_range(1..=24i64);
                        vec![
                            text(number.as_str()),
                            Value::Integer(i64::from(sequence)),
                            text(*company),
                            text(item),
                            Value::Real(quantity as f64),
                            Value::Real(cents as f64 / 100.0),
                            Value::Real((quantity * cents) as f64 / 100.0),
                        ]
                    })
                    .collect::<Vec<_>>()
            })
    }
}

/// What an order needs to know about a customer.
struct CustomerRef {
    account: String,
    company: &'static Company,
    currency: &'static str,
}

fn customers_and_contacts(options: &DemoOptions) -> (Rows, Rows, Vec<CustomerRef>) {
    let mut rng = rng(options.seed, CUSTOMER_STREAM);
    let mut customers = Vec::with_capacity(options.customers);
    let mut contacts = Vec::with_capacity(options.customers * 3 / 2);
    let mut index: Vec<CustomerRef> = Vec::with_capacity(options.customers);
    let mut accounts_per_company = [0usize; 3];
    let mut contacts_per_company = [0usize; 3];
    let mut company_customers: [Vec<usize>; 3] = Default::default();
    for _ in 0..options.customers {
        // Half of the customers in the US, 30 % in Germany, 20 % in the UK.
        let c = weighted(&mut rng, &[(0usize, 50), (1, 30)]).unwrap_or(2);
        let company = &COMPANIES[c];
        accounts_per_company[c] += 1;
        let account = format!("{}-{:05}", company.prefix, accounts_per_company[c]);
        let first_word = pick(&mut rng, names::ORGANIZATION_FIRST);
        let name = format!(
            "{first_word} {} {}",
            pick(&mut rng, names::ORGANIZATION_TRADE),
            pick(&mut rng, names::LEGAL_FORMS[company.country_index]),
        );
        let group = weighted(&mut rng, &CUSTOMER_GROUPS.map(|(id, _, _, s)| (id, s)))
            .unwrap_or(CUSTOMER_GROUPS[0].0);
        let currency = if rng.gen_bool(0.9) {
            company.currency
        } else {
            CURRENCIES[rng.gen_range(0..CURRENCIES.len())].0
        };
        // Some customers are invoiced through another customer of the same company.
        let invoice_account = match company_customers[c].choose(&mut rng) {
            Some(&other) if rng.gen_bool(0.08) => text(index[other].account.as_str()),
            _ => Value::Null,
        };
        let contact_count = weighted(&mut rng, &[(0usize, 15), (1, 55)]).unwrap_or(2);
        let domain: String = first_word
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase();
        let mut primary_contact = Value::Null;
        for _ in 0..contact_count {
            contacts_per_company[c] += 1;
            let id = format!("CP-{}-{:06}", company.prefix, contacts_per_company[c]);
            if primary_contact.is_null() {
                primary_contact = text(id.as_str());
            }
            let first = pick(&mut rng, names::FIRST_NAMES);
            let last = pick(&mut rng, names::LAST_NAMES);
            let email = format!(
                "{}.{}@{domain}.{}",
                first.to_lowercase(),
                last.to_lowercase(),
                company.tld
            );
            contacts.push(vec![
                text(id),
                text(company.id),
                text(first),
                text(last),
                text(email),
                text(account.as_str()),
            ]);
        }
        let credit_rating = weighted(&mut rng, &CREDIT_RATINGS).map_or(Value::Null, text);
        customers.push(vec![
            text(account.as_str()),
            text(company.id),
            text(name),
            text("Organization"),
            text(group),
            text(currency),
            invoice_account,
            primary_contact,
            Value::Real(f64::from(rng.gen_range(1..=40u32) * 5_000)),
            credit_rating,
            text(pick(&mut rng, names::CITIES[company.country_index])),
            text(company.country),
        ]);
        company_customers[c].push(index.len());
        index.push(CustomerRef {
            account,
            company,
            currency,
        });
    }
    (customers, contacts, index)
}

fn order_headers(
    options: &DemoOptions,
    customers: &[CustomerRef],
) -> (Rows, Vec<(String, &'static str, u32)>) {
    let mut rng = rng(options.seed, ORDER_STREAM);
    let mut orders = Vec::with_capacity(options.orders);
    let mut plan = Vec::with_capacity(options.orders);
    let mut numbers_per_company = [0usize; 3];
    let average = options.lines_per_order;
    let mut pending_partner: Option<u32> = None;
    for k in 0..options.orders {
        let Some(customer) = customers.choose(&mut rng) else {
            break;
        };
        let c = COMPANIES
            .iter()
            .position(|x| x.id == customer.company.id)
            .unwrap_or(0);
        numbers_per_company[c] += 1;
        let number = format!(
            "SO-{}-{:06}",
            customer.company.prefix, numbers_per_company[c]
        );
        let (month, day) = day_of_year(rng.gen_range(0..365));
        let status = weighted(&mut rng, &ORDER_STATUSES).unwrap_or("Backorder");
        // Line counts vary around the average in pairs (average + d, average - d), so the total
        // is exactly orders x average.
        let lines = match pending_partner.take() {
            Some(partner) => partner,
            None if k + 1 < options.orders => {
                let d = rng.gen_range(0..average);
                pending_partner = Some(average - d);
                average + d
            }
            None => average,
        };
        orders.push(vec![
            text(number.as_str()),
            text(customer.company.id),
            text(customer.account.as_str()),
            text(customer.currency),
            text(format!("2026-{month:02}-{day:02}")),
            text(status),
        ]);
        plan.push((number, customer.company.id, lines));
    }
    (orders, plan)
}

/// (month, day) of a zero-based day of a non-leap year.
fn day_of_year(mut day: u32) -> (u32, u32) {
    for (month, days) in MONTH_DAYS.iter().enumerate() {
        if day < *days {
            return (month as u32 + 1, day + 1);
        }
        day -= days;
    }
    (12, 31)
}

/// The base currency row of a fresh Dataverse organisation (USD, as the F&O side has it).
pub fn dataverse_base_currency() -> Rows {
    let (code, name, symbol, decimals) = CURRENCIES[0];
    vec![vec![
        text(code),
        text(name),
        text(symbol),
        Value::Integer(decimals),
    ]]
}
