//! A live test transaction from the app: the rows of one unit of work written on one side and
//! carried to the other in one distributed transaction, with its protocol trace.
//!
//! The app draws the trace as a sequence diagram (source pre-commit, batch to target, target
//! commit or abort, source commit or rollback), for a success as for a failure; refusals (over
//! the limits, live and async maps mixed) come back as outcomes too, with the reason.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::demo::live_examples::{self, LiveExample};
use crate::engine::live::{LiveOptions, LiveOutcome, TxnRow};
use crate::engine::Engine;
use crate::model::{Project, Side};
use crate::project_file;

use super::error::StudioError;
use super::records::{record_pair, RecordRequest};
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

/// Which demo example to load into the live editor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LiveExampleRequest {
    pub project_path: String,
    /// The side the example is written on.
    pub from: Side,
    /// The example that fails and rolls back, rather than the one that commits.
    pub failing: bool,
}

/// The demo's examples for `from` that fit the project being edited (none for other projects).
pub fn live_examples(project: &Project, from: Side) -> Vec<LiveExample> {
    live_examples::examples(project, from)
}

/// The rows of a demo example, made for the project on disk: an order with a fresh number on
/// F&O; on Dataverse, an edit of the demo customer as the Dataverse database identifies it
/// (read there, so the customers must have been synced once).
pub async fn load_live_example(request: &LiveExampleRequest) -> Result<Vec<TxnRow>, StudioError> {
    let path = Path::new(&request.project_path);
    let project = project_file::load(path)?;
    if !live_examples::fits(&project) {
        return Err(StudioError::LiveExampleUnavailable(format!(
            "{}: the live examples need the demo's customer and sales order maps; compose the rows yourself",
            path.display()
        )));
    }
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64);
    match request.from {
        Side::Fno => Ok(live_examples::order(
            &live_examples::example_order_number(stamp),
            request.failing,
        )),
        Side::Dataverse => {
            let [customer, company] = live_examples::CUSTOMER_KEY;
            let pair = record_pair(&RecordRequest {
                project_path: request.project_path.clone(),
                map: live_examples::ACCOUNTS_MAP.to_string(),
                side: Side::Fno,
                key: vec![customer.to_string(), company.to_string()],
            })
            .await?;
            match pair.dataverse_row {
                Some(serde_json::Value::Object(account)) => Ok(live_examples::account_edit(
                    &account,
                    request.failing,
                    stamp,
                )),
                _ => Err(StudioError::LiveExampleUnavailable(format!(
                    "customer {customer} of {company} is not on Dataverse yet: run an initial sync of the \
                     groups Reference data and Customers first"
                ))),
            }
        }
    }
}
