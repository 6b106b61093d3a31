//! Errors of the engine, with the category that decides what happens next.
//!
//! The engine meets three kinds of trouble: a project that does not fit its endpoints (a map
//! naming a column that does not exist: fix the project), data that cannot be carried across (a
//! value map without the value, a lookup that finds no row: an application failure, logged per
//! row), and endpoints or the store failing (system failures are retried by the caller). Every
//! message names the map, side, table, column or value involved, because the reader is a
//! consultant, not a debugger.

use std::path::PathBuf;

use crate::endpoint::{EndpointError, ErrorCategory};
use crate::model::Side;
use crate::store::StoreError;

/// Why the engine could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The project file could not be loaded.
    #[error(transparent)]
    Project(Box<crate::project_file::ProjectFileError>),
    /// The project has no environment for a side.
    #[error(
        "project {}: no environment plays the {side} side; add an environment with \"side\": \"{}\"",
        path.display(), side_word(*side)
    )]
    MissingEnvironment { path: PathBuf, side: Side },
    /// A table map does not fit the discovered schema of one side.
    #[error("table map \"{map}\", {side} side: {source}")]
    Resolve {
        map: String,
        side: Side,
        #[source]
        source: Box<EndpointError>,
    },
    /// A table map is not usable as written (no keys, a key without a field...).
    #[error("table map \"{map}\": {reason}")]
    InvalidMap { map: String, reason: String },
    /// A value has no entry in a field's value map.
    #[error(
        "table map \"{map}\", field {field}: the value {value} has no entry in the value map; \
         add it to the field's valueMap"
    )]
    UnmappedValue {
        map: String,
        field: String,
        value: String,
    },
    /// A bidirectional value map sends several source values to this value, so the way back is
    /// ambiguous.
    #[error(
        "table map \"{map}\", field {field}: the value map is not invertible: {value} comes from \
         {} on the way there; make the valueMap one-to-one or the field one-way",
        candidates.join(", ")
    )]
    NotInvertible {
        map: String,
        field: String,
        value: String,
        candidates: Vec<String>,
    },
    /// A referenced row was not found.
    #[error("lookup not found: table \"{table}\" has no row with \"{column}\" = {value}{}",
        company.as_ref().map(|c| format!(" in company {c}")).unwrap_or_default())]
    LookupNotFound {
        table: String,
        column: String,
        value: String,
        company: Option<String>,
    },
    /// A map was asked for that the project does not have.
    #[error("there is no table map \"{0}\" in the project")]
    UnknownMap(String),
    /// An endpoint failed.
    #[error(transparent)]
    Endpoint(Box<EndpointError>),
    /// The runtime store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A worker task ended abnormally.
    #[error("an initial sync worker stopped unexpectedly: {0}")]
    Worker(String),
}

impl From<EndpointError> for EngineError {
    fn from(error: EndpointError) -> Self {
        EngineError::Endpoint(Box::new(error))
    }
}

impl From<crate::project_file::ProjectFileError> for EngineError {
    fn from(error: crate::project_file::ProjectFileError) -> Self {
        EngineError::Project(Box::new(error))
    }
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Fno => "fno",
        Side::Dataverse => "dataverse",
    }
}

impl EngineError {
    /// Whether retrying later may help (system) or the cause must be fixed first (application).
    pub fn category(&self) -> ErrorCategory {
        match self {
            EngineError::Endpoint(e) => e.category(),
            EngineError::Store(_) | EngineError::Worker(_) => ErrorCategory::System,
            _ => ErrorCategory::Application,
        }
    }
}
