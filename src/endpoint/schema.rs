//! The discovered schema of an endpoint, and resolution of project names against it.
//!
//! Discovery is the authority on names: a table or column named in a project file is used only
//! after it has been found here, and then under the name the database reported. Matching is exact
//! first, then case-insensitive when that is unambiguous (PostgreSQL folds unquoted names to lower
//! case, so `CustCustomerV3Entity` in a project may be `custcustomerv3entity` in the database).
//! A name that is not found is an error naming it and the closest existing name.
//!
//! The engine's own tables (`_dualwrite_*`) are never part of a discovered schema.

use indexmap::IndexMap;
use serde::Serialize;

use super::{EndpointError, ValueClass};

/// Prefix of the tables, triggers and functions the engine installs on an endpoint.
pub const ENGINE_PREFIX: &str = "_dualwrite_";

/// The tables of one endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Schema {
    /// Tables by name, in the order the database listed them.
    pub tables: IndexMap<String, TableSchema>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TableSchema {
    /// The name as the database spells it.
    pub name: String,
    /// Columns in table order.
    pub columns: Vec<ColumnSchema>,
    /// Primary key columns in key order (empty when there is none).
    pub primary_key: Vec<String>,
    /// Other unique keys (unique constraints and full, non-expression unique indexes).
    pub unique_keys: Vec<Vec<String>>,
}

/// One column.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnSchema {
    /// The name as the database spells it.
    pub name: String,
    /// The declared type, as the database shows it (`VARCHAR(20)`, `numeric(10,2)`).
    pub declared_type: String,
    /// The type without modifiers, used for casts (`numeric`, `character varying`).
    pub base_type: String,
    /// What kind of value the column holds.
    pub class: ValueClass,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Whether the database fills the column when an insert leaves it out (a default, an
    /// identity or serial, SQLite's rowid alias): its value is reported back after upserts.
    pub has_default: bool,
    /// Whether the column is computed by the database and cannot be written.
    pub computed: bool,
}

impl ColumnSchema {
    /// Whether an INSERT must give this column a value: NOT NULL, no default, not computed.
    pub fn required_on_insert(&self) -> bool {
        !self.nullable && !self.has_default && !self.computed
    }
}

impl Schema {
    /// The table named `name` (see the module docs for matching), or an error naming the closest.
    pub fn table(&self, endpoint: &str, name: &str) -> Result<&TableSchema, EndpointError> {
        super::ident::check_name(name, "table")?;
        resolve_name(self.tables.values(), |t| &t.name, name).ok_or_else(|| {
            EndpointError::UnknownTable {
                endpoint: endpoint.to_string(),
                table: name.to_string(),
                suggestion: closest(self.tables.keys().map(String::as_str), name),
            }
        })
    }
}

impl TableSchema {
    /// The column named `name`, or an error naming the table and the closest column.
    pub fn column(&self, endpoint: &str, name: &str) -> Result<&ColumnSchema, EndpointError> {
        super::ident::check_name(name, "column")?;
        resolve_name(self.columns.iter(), |c| &c.name, name).ok_or_else(|| {
            EndpointError::UnknownColumn {
                endpoint: endpoint.to_string(),
                table: self.name.clone(),
                column: name.to_string(),
                suggestion: closest(self.columns.iter().map(|c| c.name.as_str()), name),
            }
        })
    }

    /// Resolves several column names, keeping their order.
    pub fn columns_named<S: AsRef<str>>(
        &self,
        endpoint: &str,
        names: &[S],
    ) -> Result<Vec<&ColumnSchema>, EndpointError> {
        names
            .iter()
            .map(|n| self.column(endpoint, n.as_ref()))
            .collect()
    }

    /// The requested columns resolved, or all columns when none are named.
    pub fn selected_columns<S: AsRef<str>>(
        &self,
        endpoint: &str,
        requested: &[S],
    ) -> Result<Vec<&ColumnSchema>, EndpointError> {
        if requested.is_empty() {
            Ok(self.columns.iter().collect())
        } else {
            self.columns_named(endpoint, requested)
        }
    }

    /// All keys that make a row unique: the primary key first, then the unique keys.
    pub fn keys(&self) -> impl Iterator<Item = &Vec<String>> {
        std::iter::once(&self.primary_key)
            .filter(|pk| !pk.is_empty())
            .chain(self.unique_keys.iter())
    }

    /// Whether some primary or unique key has exactly these columns (in any order), which is
    /// what `INSERT ... ON CONFLICT (columns)` needs.
    pub fn is_unique_key<S: AsRef<str>>(&self, columns: &[S]) -> bool {
        let mut wanted: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
        wanted.sort_unstable();
        wanted.dedup();
        wanted.len() == columns.len()
            && self.keys().any(|key| {
                let mut have: Vec<&str> = key.iter().map(String::as_str).collect();
                have.sort_unstable();
                have == wanted
            })
    }

    /// Checks that `columns` (resolved names) form a unique key, for upserts.
    pub fn require_unique_key(
        &self,
        endpoint: &str,
        columns: &[String],
    ) -> Result<(), EndpointError> {
        if self.is_unique_key(columns) {
            return Ok(());
        }
        Err(EndpointError::NoUniqueKey {
            endpoint: endpoint.to_string(),
            table: self.name.clone(),
            columns: columns.to_vec(),
            available: self.keys().cloned().collect(),
        })
    }
}

/// The names of resolved columns.
pub fn column_names<'a>(columns: &[&'a ColumnSchema]) -> Vec<&'a str> {
    columns.iter().map(|c| c.name.as_str()).collect()
}

/// The last discovered schema of an endpoint, shared by its methods.
#[derive(Default)]
pub(crate) struct SchemaCache(std::sync::Mutex<Option<std::sync::Arc<Schema>>>);

impl SchemaCache {
    /// The cached schema, if discovered.
    pub fn get(&self) -> Option<std::sync::Arc<Schema>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the cached schema.
    pub fn set(&self, schema: std::sync::Arc<Schema>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(schema);
    }
}

/// The item named `wanted` the way SQLite, SQL Server and Dataverse match names: the exact name,
/// or else the one name equal to it ignoring ASCII case (`None` when two different names are).
/// Items with the same name count once. Shared by the schema's lookups and the live planner's
/// spelling of a transaction's columns (`engine::live::plan`).
pub(crate) fn resolve_name<'a, T: ?Sized>(
    items: impl Iterator<Item = &'a T> + Clone,
    name_of: impl Fn(&T) -> &str,
    wanted: &str,
) -> Option<&'a T> {
    if let Some(exact) = items.clone().find(|i| name_of(i) == wanted) {
        return Some(exact);
    }
    let mut folded = items.filter(|i| name_of(i).eq_ignore_ascii_case(wanted));
    let first = folded.next()?;
    folded
        .all(|other| name_of(other) == name_of(first))
        .then_some(first)
}

/// The existing name closest to `wanted`, when one is reasonably close.
fn closest<'a>(names: impl Iterator<Item = &'a str>, wanted: &str) -> Option<String> {
    let wanted_lower = wanted.to_lowercase();
    names
        .map(|n| (strsim::jaro_winkler(&n.to_lowercase(), &wanted_lower), n))
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str) -> ColumnSchema {
        ColumnSchema {
            name: name.to_string(),
            declared_type: "TEXT".to_string(),
            base_type: "TEXT".to_string(),
            class: ValueClass::Text,
            nullable: true,
            has_default: false,
            computed: false,
        }
    }

    fn schema() -> Schema {
        let table = TableSchema {
            name: "custcustomerv3entity".to_string(),
            columns: vec![column("customeraccount"), column("dataareaid")],
            primary_key: vec![],
            unique_keys: vec![vec![
                "dataareaid".to_string(),
                "customeraccount".to_string(),
            ]],
        };
        Schema {
            tables: [(table.name.clone(), table)].into_iter().collect(),
        }
    }

    #[test]
    fn names_resolve_exactly_then_case_insensitively() {
        let schema = schema();
        let table = schema.table("fno", "CustCustomerV3Entity").unwrap();
        assert_eq!(table.name, "custcustomerv3entity");
        assert_eq!(
            table.column("fno", "DataAreaId").unwrap().name,
            "dataareaid"
        );
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let schema = schema();
        let error = schema.table("fno", "CustCustomerV2Entity").unwrap_err();
        assert!(error
            .to_string()
            .contains("did you mean \"custcustomerv3entity\""));
        let table = schema.table("fno", "custcustomerv3entity").unwrap();
        let error = table.column("fno", "customeracount").unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("no column \"customeracount\""),
            "{message}"
        );
        assert!(
            message.contains("did you mean \"customeraccount\""),
            "{message}"
        );
    }

    #[test]
    fn unique_keys_match_in_any_order() {
        let schema = schema();
        let table = schema.table("fno", "custcustomerv3entity").unwrap();
        assert!(table.is_unique_key(&["customeraccount", "dataareaid"]));
        assert!(!table.is_unique_key(&["customeraccount"]));
        let error = table
            .require_unique_key("fno", &["customeraccount".to_string()])
            .unwrap_err();
        assert!(error.to_string().contains("(dataareaid, customeraccount)"));
    }
}
