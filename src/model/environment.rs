//! Environments: the endpoints a test sync reads from and writes to.
//!
//! A project names its environments but never holds their secrets: `url` may reference
//! `${ENV_VAR}` placeholders that are expanded when a connection is opened, so the file can be
//! committed without leaking a password.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Which side of dual-write an environment stands for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum Side {
    /// Finance and operations apps (data entities).
    Fno,
    /// Dataverse (tables).
    Dataverse,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Fno => Side::Dataverse,
            Side::Dataverse => Side::Fno,
        }
    }

    /// How people name the side in messages.
    pub fn label(self) -> &'static str {
        match self {
            Side::Fno => "finance and operations",
            Side::Dataverse => "Dataverse",
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The kind of database or service behind an environment.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum EndpointKind {
    /// A SQLite file; `url` is a path relative to the project file.
    Sqlite,
    /// A PostgreSQL server; `url` is a `postgres://` URL, typically with `${PGPASSWORD}`.
    Postgres,
}

/// One endpoint of a test sync.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Environment {
    /// Unique id of the environment within the project.
    pub id: String,
    /// The dual-write side this environment plays.
    pub side: Side,
    /// What kind of endpoint it is.
    pub kind: EndpointKind,
    /// Where it is: a SQLite path relative to the project file, or a connection URL.
    /// May contain `${ENV_VAR}`; never put a password here.
    pub url: String,
    /// Legal entities (company codes) present in this environment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_entities: Vec<String>,
}
