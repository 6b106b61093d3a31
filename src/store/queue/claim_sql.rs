//! The SQL of claims and of the ready-entry query, written once for both drivers.
//!
//! A claim runs through rusqlite on its own
//! ([`Store::claim_batch`](crate::store::Store::claim_batch), one hand-off for the whole batch)
//! and through sqlx inside a [`StoreTx`](crate::store::StoreTx); the groups with ready entries
//! are asked through sqlx. All three share the conditions that make an entry ready, so a
//! [`Statement`] holds the SQL with `?` parameters and its values in order, and binds them for
//! whichever driver runs it. sqlx's `QueryBuilder` cannot be handed to rusqlite, hence this
//! small builder.

use sqlx::sqlite::SqliteArguments;
use sqlx::Arguments;

use super::claim::ClaimRequest;
use super::ENTRY_COLUMNS;
use crate::store::error::StoreError;
use crate::store::types::Timestamp;

/// A statement with its parameters in order, run by either driver (see the module docs).
pub(super) struct Statement {
    pub(super) sql: String,
    parameters: Vec<Parameter>,
}

enum Parameter {
    Int(i64),
    Text(String),
    Null,
}

impl Statement {
    pub(super) fn new(sql: &str) -> Self {
        Self {
            sql: sql.to_string(),
            parameters: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    fn bind(&mut self, parameter: Parameter) -> &mut Self {
        self.sql.push('?');
        self.parameters.push(parameter);
        self
    }

    /// Appends ` AND map_id IN (...)` for a non-empty list of maps.
    pub(super) fn map_filter(&mut self, maps: &[String]) -> &mut Self {
        if maps.is_empty() {
            return self;
        }
        self.push(" AND map_id IN (");
        for (i, map) in maps.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(Parameter::Text(map.clone()));
        }
        self.push(")")
    }

    /// Appends the conditions that make a pending entry ready to process at `now`.
    pub(super) fn ready_conditions(&mut self, now: Timestamp) -> &mut Self {
        self.push(" status = 'pending' AND next_attempt_at <= ")
            .bind(Parameter::Int(now.as_millis()))
            .push(" AND (leased_until IS NULL OR leased_until <= ")
            .bind(Parameter::Int(now.as_millis()))
            .push(") AND map_id NOT IN (SELECT map_id FROM map_state WHERE paused = 1)")
    }

    /// The claim of `request` at `now` (see [`StoreTx::claim`]).
    pub(super) fn claim(request: &ClaimRequest, now: Timestamp) -> Self {
        let mut claim =
            Statement::new("UPDATE queue_entries SET attempts = attempts + 1, leased_until = ");
        claim
            .bind(Parameter::Int(now.plus(request.lease).as_millis()))
            .push(", lease_owner = ")
            .bind(match &request.owner {
                Some(owner) => Parameter::Text(owner.clone()),
                None => Parameter::Null,
            })
            .push(", updated_at = ")
            .bind(Parameter::Int(now.as_millis()))
            .push(" WHERE id IN (SELECT id FROM queue_entries WHERE")
            .ready_conditions(now);
        if let Some(group) = &request.group {
            claim
                .push(" AND group_id = ")
                .bind(Parameter::Text(group.clone()));
        }
        if let Some(wave) = request.wave {
            claim
                .push(" AND wave = ")
                .bind(Parameter::Int(i64::from(wave)));
        }
        claim
            .map_filter(&request.maps)
            .push(" ORDER BY sequence, wave, id LIMIT ")
            .bind(Parameter::Int(i64::from(request.limit)))
            .push(") RETURNING ")
            .push(ENTRY_COLUMNS);
        claim
    }

    /// The parameters for sqlx.
    pub(super) fn sqlx_arguments(&self) -> Result<SqliteArguments<'_>, StoreError> {
        let mut arguments = SqliteArguments::default();
        for parameter in &self.parameters {
            let added = match parameter {
                Parameter::Int(i) => arguments.add(*i),
                Parameter::Text(t) => arguments.add(t.as_str()),
                Parameter::Null => arguments.add(None::<i64>),
            };
            added.map_err(|e| StoreError::Database {
                operation: "bind a queue query's parameter",
                source: sqlx::Error::Encode(e),
            })?;
        }
        Ok(arguments)
    }

    /// The parameters for rusqlite.
    pub(super) fn native_parameters(&self) -> impl rusqlite::Params + '_ {
        rusqlite::params_from_iter(self.parameters.iter())
    }
}

impl rusqlite::ToSql for Parameter {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Parameter::Int(i) => ValueRef::Integer(*i),
            Parameter::Text(t) => ValueRef::Text(t.as_bytes()),
            Parameter::Null => ValueRef::Null,
        }))
    }
}
