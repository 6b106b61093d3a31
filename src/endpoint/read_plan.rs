//! What a read means, decided once for every SQL backend.
//!
//! Reading by key and keyset scans resolve the same names, convert the same values and build the
//! same `SELECT ... WHERE (keys) > (after) AND filter = value ORDER BY keys LIMIT n` on SQLite and
//! PostgreSQL; only the dialect differs (how a parameter is written and bound, how columns are
//! selected and decoded, how a table is named). Keeping the meaning here means both backends
//! page through a table the same way, and a fix to it is made once.

use super::ident::{quote_ident, quote_idents};
use super::schema::column_names;
use super::write_plan::{convert_key, convert_value};
use super::{ColumnSchema, Key, Result, ScanRequest, Schema, TableSchema, Value};

/// Keys resolved against the schema for [`Endpoint::read_by_keys`](super::Endpoint::read_by_keys).
pub(crate) struct KeyRead<'s> {
    pub table: &'s TableSchema,
    pub key_columns: Vec<&'s ColumnSchema>,
    /// The keys, converted to the key columns' classes, in the order given.
    pub keys: Vec<Key>,
}

impl<'s> KeyRead<'s> {
    /// Resolves `table` and `key_columns` and converts `keys`; an unknown name or a value that
    /// does not fit its column is an error before any SQL is sent.
    pub fn new(
        endpoint: &str,
        schema: &'s Schema,
        table: &str,
        key_columns: &[String],
        keys: &[Key],
    ) -> Result<Self> {
        let table = schema.table(endpoint, table)?;
        let key_columns = table.columns_named(endpoint, key_columns)?;
        let keys = keys
            .iter()
            .map(|k| convert_key(endpoint, table, &key_columns, k))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            table,
            key_columns,
            keys,
        })
    }

    /// Every column of the table, in schema order (what a read by key returns).
    pub fn columns(&self) -> Vec<&'s ColumnSchema> {
        self.table.columns.iter().collect()
    }
}

/// One page of a keyset scan, resolved and converted, ready to be written in a dialect.
pub(crate) struct ScanPlan<'s> {
    pub table: &'s TableSchema,
    pub key_columns: Vec<&'s ColumnSchema>,
    /// The columns to return, in order.
    pub columns: Vec<&'s ColumnSchema>,
    /// The statement's parameters in order, each with the column it is compared with.
    pub parameters: Vec<(&'s ColumnSchema, Value)>,
    conditions: Vec<String>,
    limit: usize,
}

impl<'s> ScanPlan<'s> {
    /// Resolves `request` against `schema`; `placeholder(column, n)` writes the `n`-th parameter
    /// (from 1) compared with `column` in the backend's dialect.
    pub fn new(
        endpoint: &str,
        schema: &'s Schema,
        request: &ScanRequest,
        placeholder: impl Fn(&ColumnSchema, usize) -> String,
    ) -> Result<Self> {
        let table = schema.table(endpoint, &request.table)?;
        let key_columns = table.columns_named(endpoint, &request.key_columns)?;
        let columns = table.selected_columns(endpoint, &request.columns)?;
        let mut conditions = Vec::new();
        let mut parameters = Vec::new();
        if let Some(after) = &request.after {
            let after = convert_key(endpoint, table, &key_columns, after)?;
            let placeholders: Vec<String> = key_columns
                .iter()
                .enumerate()
                .map(|(i, c)| placeholder(c, i + 1))
                .collect();
            conditions.push(format!(
                "({}) > ({})",
                quote_idents(&column_names(&key_columns)),
                placeholders.join(", ")
            ));
            parameters.extend(key_columns.iter().copied().zip(after.into_values()));
        }
        if let Some((column, value)) = &request.filter {
            let column = table.column(endpoint, column)?;
            let value = convert_value(endpoint, &table.name, column, value)?;
            let placeholder = placeholder(column, parameters.len() + 1);
            conditions.push(format!("{} = {placeholder}", quote_ident(&column.name)));
            parameters.push((column, value));
        }
        Ok(Self {
            table,
            key_columns,
            columns,
            parameters,
            conditions,
            limit: request.limit,
        })
    }

    /// The statement: `select_list` from `table_sql`, filtered, in key order, limited.
    pub fn sql(&self, select_list: &str, table_sql: &str) -> String {
        format!(
            "SELECT {select_list} FROM {table_sql}{} ORDER BY {} LIMIT {}",
            self.where_clause(),
            quote_idents(&column_names(&self.key_columns)),
            self.limit,
        )
    }

    /// The statement counting every row the scan pages through (no order, no limit).
    pub fn count_sql(&self, table_sql: &str) -> String {
        format!("SELECT count(*) FROM {table_sql}{}", self.where_clause())
    }

    /// ` WHERE ...` with the cursor and filter conditions, or nothing.
    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// What the scan is called in errors: `scan "table"`.
    pub fn action(&self) -> String {
        format!("scan \"{}\"", self.table.name)
    }
}
