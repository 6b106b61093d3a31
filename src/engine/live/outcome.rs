//! What a live transaction reports: whether both sides committed, why not, and the protocol's
//! steps with timestamps, which the desktop app draws as a sequence diagram.

use serde::Serialize;

use crate::endpoint::ErrorCategory;
use crate::store::Timestamp;

/// One step of the two-sided protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// Refused before anything was sent (limits, maps).
    Refused,
    /// The unit of work was written on the source, in a transaction held open.
    SourcePreCommit,
    /// The transformed, ordered batch was sent to the target.
    BatchToTarget,
    /// The target applied the whole batch (not committed yet).
    TargetApplied,
    /// The transaction was journaled as prepared.
    Journaled,
    /// The target committed.
    TargetCommit,
    /// The target rolled back.
    TargetAbort,
    /// The source committed: both sides hold the rows.
    SourceCommit,
    /// The source rolled back.
    SourceRollback,
    /// A test hook stopped the protocol between the two commits (a simulated crash).
    CrashSimulated,
    /// The target's pre-images were restored after the source failed to commit.
    TargetCompensated,
}

/// A step with when it happened and what it carried.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TraceStep {
    pub step: Step,
    /// Milliseconds since the Unix epoch.
    pub at: Timestamp,
    /// Records, error message, journal id...
    pub detail: Option<String>,
}

/// The result of one live transaction.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LiveOutcome {
    /// Both sides committed.
    pub committed: bool,
    /// Refused before anything was sent (bad input: nothing was written anywhere).
    pub refused: bool,
    /// Why it did not commit: system (retry may help) or application (fix the data or maps).
    pub category: Option<ErrorCategory>,
    /// The error message, when it did not commit.
    pub reason: Option<String>,
    /// The journal entry, once journaled.
    pub journal_id: Option<i64>,
    /// The protocol's steps in order.
    pub trace: Vec<TraceStep>,
}

/// One chunk of a `--split N` run.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChunkOutcome {
    /// Index of the chunk's first row in the transaction file.
    pub first_row: usize,
    /// Rows in the chunk.
    pub rows: usize,
    pub outcome: LiveOutcome,
}

/// Collects the trace of a transaction.
#[derive(Debug, Default)]
pub(super) struct Trace(pub Vec<TraceStep>);

impl Trace {
    pub fn push(&mut self, step: Step, detail: Option<String>) {
        tracing::debug!(?step, detail = detail.as_deref().unwrap_or(""), "live sync");
        self.0.push(TraceStep {
            step,
            at: Timestamp::now(),
            detail,
        });
    }
}
