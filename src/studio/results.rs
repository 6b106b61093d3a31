//! What test syncs left behind, from the runtime store: status, error log, conflicts, and the
//! actions on them (retry errors, pause and resume maps).
//!
//! These read only the store (`.dualwrite/` beside the project), never the endpoints, so the
//! results panel and the map list's status column stay quick and work while an endpoint is down.

use std::path::Path;

use crate::model::Project;
use crate::project_file;
use crate::store::{
    Conflict, ConflictFilter, ErrorCategory, ErrorFilter, ErrorId, ErrorRecord, PauseReason,
    RetryOutcome, RetrySelection, Store, Timestamp,
};

use super::error::StudioError;
use super::status::{project_status, Status};

/// How many error log lines and conflicts the app lists at most (newest kept).
pub const LIST_LIMIT: u32 = 500;

async fn open(project_path: &Path) -> Result<(Project, Store), StudioError> {
    let project = project_file::load(project_path)?;
    let store = Store::open(&crate::store::default_dir(project_path)).await?;
    Ok((project, store))
}

/// Where each map stands.
pub async fn status(project_path: &Path) -> Result<Status, StudioError> {
    let (project, store) = open(project_path).await?;
    let status = project_status(&project, &store).await;
    store.close().await;
    Ok(status?)
}

/// The error log, oldest first, optionally of one category and only unresolved.
pub async fn errors(
    project_path: &Path,
    category: Option<ErrorCategory>,
    unresolved_only: bool,
) -> Result<Vec<ErrorRecord>, StudioError> {
    let (_, store) = open(project_path).await?;
    let filter = ErrorFilter {
        category,
        unresolved_only,
        ..ErrorFilter::default()
    };
    let errors = store.list_errors(&filter).await;
    store.close().await;
    let mut errors = errors?;
    let excess = errors.len().saturating_sub(LIST_LIMIT as usize);
    errors.drain(..excess);
    Ok(errors)
}

/// Re-queues the entries of these errors (all unresolved ones when `ids` is `None`).
pub async fn retry(
    project_path: &Path,
    ids: Option<Vec<i64>>,
) -> Result<RetryOutcome, StudioError> {
    let (_, store) = open(project_path).await?;
    let selection = match ids {
        Some(ids) => RetrySelection::Ids(ids.into_iter().map(ErrorId).collect()),
        None => RetrySelection::AllUnresolved,
    };
    let outcome = store.retry_errors(&selection, Timestamp::now()).await;
    store.close().await;
    Ok(outcome?)
}

/// The recorded conflicts, oldest first.
pub async fn conflicts(project_path: &Path) -> Result<Vec<Conflict>, StudioError> {
    let (_, store) = open(project_path).await?;
    let conflicts = store.list_conflicts(&ConflictFilter::default()).await;
    store.close().await;
    let mut conflicts = conflicts?;
    let excess = conflicts.len().saturating_sub(LIST_LIMIT as usize);
    conflicts.drain(..excess);
    Ok(conflicts)
}

/// Pauses (`true`) or resumes a map; returns the new status.
pub async fn set_paused(
    project_path: &Path,
    map: &str,
    paused: bool,
) -> Result<Status, StudioError> {
    let (project, store) = open(project_path).await?;
    project.require_map(map)?;
    let changed = if paused {
        store
            .pause_map(map, &PauseReason::Manual, Timestamp::now())
            .await
    } else {
        store.resume_map(map, Timestamp::now()).await.map(|_| ())
    };
    let status = match changed {
        Ok(()) => project_status(&project, &store).await,
        Err(error) => Err(error),
    };
    store.close().await;
    Ok(status?)
}
