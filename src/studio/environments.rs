//! Testing an environment's connection and browsing what it holds.
//!
//! The environment editor tests an endpoint before the project is saved, so this takes the
//! environment as edited plus the directory relative SQLite paths are taken from. A test
//! connects, discovers the schema (tables, columns, keys: the same discovery the engine
//! resolves maps against) and closes; the URL shown back has any password hidden.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::endpoint::{connect_with_secrets, redact_url, TableSchema};
use crate::model::{EndpointKind, Environment, Side};

use super::error::StudioError;
use super::secrets::{references, KeychainSecrets, SecretStatus};

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    pub environment: String,
    pub side: Side,
    pub kind: EndpointKind,
    /// The URL with `${NAME}` references kept and any literal password hidden.
    pub url: String,
    /// Tables and views with their columns and keys, in the database's order.
    pub tables: Vec<TableSchema>,
    /// How long connecting and discovering took.
    pub elapsed_ms: u64,
    /// The passwords the URL refers to and where each comes from.
    pub secrets: Vec<SecretStatus>,
}

/// Connects to `environment`, discovers its schema and closes.
pub async fn test_connection(
    environment: &Environment,
    project_dir: &Path,
) -> Result<ConnectionReport, StudioError> {
    let started = Instant::now();
    let secrets = KeychainSecrets;
    let endpoint = connect_with_secrets(environment, project_dir, &secrets).await?;
    let schema = endpoint.discover().await;
    endpoint.close().await;
    let schema = schema?;
    Ok(ConnectionReport {
        environment: environment.id.clone(),
        side: environment.side,
        kind: environment.kind,
        url: redact_url(&environment.url),
        tables: schema.tables.values().cloned().collect(),
        elapsed_ms: started.elapsed().as_millis() as u64,
        secrets: references(&environment.url)
            .iter()
            .map(|name| secrets.status(name))
            .collect(),
    })
}
