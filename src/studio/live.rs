//! A live test transaction from the app: the rows of one unit of work written on one side and
//! carried to the other in one distributed transaction, with its protocol trace.
//!
//! The app draws the trace as a sequence diagram (source pre-commit, batch to target, target
//! commit or abort, source commit or rollback), for a success as for a failure; refusals (over
//! the limits, live and async maps mixed) come back as outcomes too, with the reason.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::live::{LiveOptions, LiveOutcome, TxnRow};
use crate::engine::Engine;
use crate::model::Side;

use super::error::StudioError;
use super::secrets::KeychainSecrets;

/// A live test transaction the user composed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LiveRequest {
    pub project_path: String,
    /// The side the unit of work is written on.
    pub from: Side,
    pub rows: Vec<TxnRow>,
}

/// Runs the transaction; `Err` only when the engine cannot even start (project, endpoints).
pub async fn run_live(request: &LiveRequest) -> Result<LiveOutcome, StudioError> {
    if request.rows.is_empty() {
        return Err(StudioError::EmptyTransaction);
    }
    let path = Path::new(&request.project_path);
    let engine = Engine::open_with_secrets(path, None, &KeychainSecrets).await?;
    let outcome = engine
        .live_transaction(request.from, &request.rows, &LiveOptions::default())
        .await;
    engine.close().await;
    tracing::info!(
        committed = outcome.committed,
        refused = outcome.refused,
        "live test transaction"
    );
    Ok(outcome)
}
