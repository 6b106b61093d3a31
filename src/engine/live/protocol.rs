//! The two-sided protocol of one live transaction:
//!
//! ```text
//! source: begin (as the application) -> write the unit of work, returning its rows (held open)
//!         | meanwhile: journal the source's operations; target: begin (as the engine)
//! target: ordered batch; with its last sub-batch, journal "prepared" (one store statement)
//! target: commit (after both) -> journal "target_committed" and source: commit, together
//!         -> journal "committed"
//! ```
//!
//! Recovery reads "prepared" and "target_committed" alike (the databases decide, see
//! [`super::recovery`]), so the "target_committed" step is written while the source commits
//! rather than before it: its store statement overlaps the source's commit instead of delaying
//! it. Each step is a `tracing` debug span (`live_*`); the engine throughput bench prints their
//! times with `ENGINE_BENCH_TRACE`.
//!
//! The one ordering crash safety rests on: the "prepared" entry is committed to the store
//! before the target commits (the target's commit awaits the journal's statement), so every
//! target commit that might lack its source commit has an entry naming its keys and pre-images.
//!
//! Everything up to the target's commit runs under the time limit (`tokio::time::timeout`);
//! any failure or the limit rolls back both open transactions and journals "rolled_back". The
//! target is written with [`Origin::Engine`], so its change capture does not report the rows
//! back as application changes (no loopback). If the source fails to commit after the target
//! did, the target is compensated at once (see [`super::recovery`]). From before the journal
//! entry exists until the transaction returns, it holds an owner lock that the entry names, so
//! another process starting meanwhile leaves the entry alone.

use std::time::Duration;

use tracing::Instrument;

use crate::endpoint::{EndpointTransaction, ErrorCategory, Operation, Origin};
use crate::model::Side;
use crate::store::{LiveState, LiveTxnId, StoreError, Timestamp};

use super::super::{Engine, EngineError};
use super::batch::apply_target;
use super::journal_entry::{GroupBuilder, JournalEntry, OpGroup, FORMAT};
use super::outcome::{LiveOutcome, Step, Trace};
use super::plan::{plan, PlannedRow};
use super::post_image::take_post_images;
use super::txn_file::{TxnOp, TxnRow};
use super::LiveOptions;

/// Why the attempt failed before the target committed.
enum Failure {
    Engine(EngineError),
    TimeLimit(Duration),
    /// The protocol could not keep its own records (journal serialization): a system failure.
    Internal(String),
}

impl Failure {
    fn category(&self) -> ErrorCategory {
        match self {
            Failure::Engine(e) => e.category(),
            Failure::TimeLimit(_) | Failure::Internal(_) => ErrorCategory::System,
        }
    }

    fn message(&self) -> String {
        match self {
            Failure::Engine(e) => e.to_string(),
            Failure::TimeLimit(limit) => format!(
                "the live transaction exceeded its time limit of {} ms; both sides were rolled \
                 back (retry later, or split it into smaller transactions)",
                limit.as_millis()
            ),
            Failure::Internal(message) => message.clone(),
        }
    }
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        Failure::Engine(e)
    }
}

impl From<crate::endpoint::EndpointError> for Failure {
    fn from(e: crate::endpoint::EndpointError) -> Self {
        Failure::Engine(e.into())
    }
}

type Tx = Box<dyn EndpointTransaction>;

/// Runs one live transaction; every outcome (refusal, failure, success) is an [`LiveOutcome`].
pub(super) async fn run(
    engine: &Engine,
    source: Side,
    rows: &[TxnRow],
    options: &LiveOptions,
) -> LiveOutcome {
    let mut trace = Trace::default();
    let planned = match tracing::debug_span!("live_plan")
        .in_scope(|| plan(engine.maps(), source, rows, &options.limits))
    {
        Ok(planned) => planned,
        Err(refusal) => {
            let reason = refusal.to_string();
            trace.push(Step::Refused, Some(reason.clone()));
            return LiveOutcome {
                committed: false,
                refused: true,
                category: Some(ErrorCategory::Application),
                reason: Some(reason),
                journal_id: None,
                trace: trace.0,
            };
        }
    };
    // Held until this function returns, however it returns: while it is held, no other
    // process's recovery settles the journal entry (see `store::LiveOwnerLock`).
    let owner = match tracing::debug_span!("live_owner_lock")
        .in_scope(|| engine.store().claim_live_owner())
    {
        Ok(owner) => owner,
        Err(e) => {
            let failure = Failure::Engine(e.into());
            return abort(engine, failure, None, None, None, trace).await;
        }
    };
    let mut source_tx: Option<Tx> = None;
    let mut target_tx: Option<Tx> = None;
    let mut journal_id: Option<LiveTxnId> = None;
    let prepared = tokio::time::timeout(
        options.time_limit,
        prepare(
            engine,
            source,
            owner.owner(),
            planned,
            &mut source_tx,
            &mut target_tx,
            &mut journal_id,
            &mut trace,
        ),
    )
    .await
    .unwrap_or(Err(Failure::TimeLimit(options.time_limit)));
    if let Err(failure) = prepared {
        return abort(engine, failure, source_tx, target_tx, journal_id, trace).await;
    }
    let (Some(source_tx), Some(target_tx), Some(id)) = (source_tx, target_tx, journal_id) else {
        let failure =
            Failure::Internal("the live transaction was prepared without both transactions".into());
        return abort(engine, failure, None, None, None, trace).await;
    };
    if let Err(e) = target_tx
        .commit()
        .instrument(tracing::debug_span!("live_target_commit"))
        .await
    {
        let failure = Failure::Engine(e.into());
        return abort(engine, failure, Some(source_tx), None, Some(id), trace).await;
    }
    trace.push(Step::TargetCommit, None);
    let target_committed = journal(engine, id, LiveState::TargetCommitted)
        .instrument(tracing::debug_span!("live_journal_target_committed"));
    let held = options.stop_after_target_commit || options.hold_after_target_commit.is_some();
    let source_commit = if held {
        target_committed.await;
        if options.stop_after_target_commit {
            drop(source_tx);
            trace.push(
                Step::CrashSimulated,
                Some("stopped between the two commits".into()),
            );
            return outcome_failed(
                ErrorCategory::System,
                "stopped after the target commit (simulated crash); resolve with resolve_in_doubt"
                    .into(),
                Some(id),
                trace,
            );
        }
        if let Some(hold) = &options.hold_after_target_commit {
            hold.held.notify_one();
            hold.release.notified().await;
        }
        source_tx
            .commit()
            .instrument(tracing::debug_span!("live_source_commit"))
            .await
    } else {
        // The journal's step and the source's commit touch different databases, so they run
        // together: recovery treats "prepared" and "target_committed" alike (the databases
        // decide), so a crash with the source committed and the step not yet written is
        // settled as committed, as a crash before the "committed" step is.
        let (_, committed) = tokio::join!(
            target_committed,
            source_tx
                .commit()
                .instrument(tracing::debug_span!("live_source_commit"))
        );
        committed
    };
    if let Err(e) = source_commit {
        let error = EngineError::from(e);
        trace.push(Step::SourceRollback, Some(error.to_string()));
        match super::recovery::resolve_one(engine, id).await {
            Ok(_) => trace.push(Step::TargetCompensated, None),
            Err(r) => tracing::error!(journal = id.0, error = %r, "live transaction left in doubt"),
        }
        return outcome_failed(error.category(), error.to_string(), Some(id), trace);
    }
    trace.push(Step::SourceCommit, None);
    journal(engine, id, LiveState::Committed)
        .instrument(tracing::debug_span!("live_journal_committed"))
        .await;
    LiveOutcome {
        committed: true,
        refused: false,
        category: None,
        reason: None,
        journal_id: Some(id.0),
        trace: trace.0,
    }
}

/// Writes the source, sends the ordered batch to the target and journals it as prepared;
/// leaves both transactions open in the slots.
#[allow(clippy::too_many_arguments)]
async fn prepare(
    engine: &Engine,
    source: Side,
    owner: &str,
    mut planned: Vec<PlannedRow>,
    source_slot: &mut Option<Tx>,
    target_slot: &mut Option<Tx>,
    journal_slot: &mut Option<LiveTxnId>,
    trace: &mut Trace,
) -> Result<(), Failure> {
    let source_endpoint = engine.endpoint(source);
    let source_tx = source_slot.insert(
        source_endpoint
            .begin_as(Origin::App)
            .instrument(tracing::debug_span!("live_source_begin"))
            .await?,
    );
    let mut source_ops = Vec::with_capacity(planned.len());
    let mut source_keys = Vec::with_capacity(planned.len());
    for row in &mut planned {
        let key = row
            .source_key(source)
            .ok_or_else(|| EngineError::InvalidMap {
                map: row.map.id().to_string(),
                reason: format!("row [{}] has no {source} key", row.index),
            })?;
        let table = row.map.table(source).to_string();
        let key_columns = row.map.keys(source).to_vec();
        source_ops.push(match row.op {
            // The values move into the operation; the post-image (or, for a row the write did
            // not return, these values) takes their place in the plan after the write.
            TxnOp::Upsert => Operation::Upsert {
                table,
                key_columns,
                values: std::mem::take(&mut row.source),
            },
            TxnOp::Delete => Operation::Delete {
                table,
                key_columns,
                key: key.clone(),
            },
        });
        source_keys.push(key);
    }
    // The source write runs on the source's connection while this task journals its operations
    // and the target's transaction begins (three different files). The target gets the records
    // as they now stand on the source, not only the columns written: the write returns them
    // (see `post_image`).
    let journal_source = async {
        let mut builder = GroupBuilder::default();
        for ((row, operation), key) in planned.iter().zip(&source_ops).zip(source_keys) {
            match operation {
                Operation::Upsert {
                    table,
                    key_columns,
                    values,
                } => builder.upsert(row.map.id(), table, key_columns, key, values),
                Operation::Delete {
                    table, key_columns, ..
                } => builder.delete(row.map.id(), table, key_columns, key),
            };
        }
        builder.finish()
    }
    .instrument(tracing::debug_span!("live_journal_source"));
    let (written, target_begun, source_groups) = tokio::join!(
        source_tx
            .apply_returning_rows(&source_ops)
            .instrument(tracing::debug_span!("live_source_write")),
        engine
            .endpoint(source.other())
            .begin()
            .instrument(tracing::debug_span!("live_target_begin")),
        journal_source,
    );
    let target_tx = target_slot.insert(target_begun?);
    take_post_images(source, &mut planned, written?, source_ops);
    trace.push(
        Step::SourcePreCommit,
        Some(format!("{} rows", planned.len())),
    );
    trace.push(
        Step::BatchToTarget,
        Some(format!("{} records", planned.len())),
    );
    let store = engine.store();
    let journal = |target: Vec<OpGroup>| {
        let entry = JournalEntry {
            version: FORMAT,
            source: source_groups,
            target,
        };
        async move {
            let text = serde_json::to_string(&entry).map_err(|source| StoreError::Json {
                what: "a live transaction's journal entry",
                source,
            })?;
            Ok(store
                .journal_prepare_text(source, owner, &text, Timestamp::now())
                .await?)
        }
        .instrument(tracing::debug_span!("live_journal_prepare"))
    };
    apply_target(
        engine,
        source,
        &mut planned,
        target_tx.as_mut(),
        journal,
        journal_slot,
    )
    .instrument(tracing::debug_span!("live_target_batch"))
    .await?;
    trace.push(Step::TargetApplied, None);
    if let Some(id) = journal_slot {
        trace.push(Step::Journaled, Some(format!("journal {}", id.0)));
    }
    Ok(())
}

/// Rolls back whatever is open and journals the transaction as rolled back.
async fn abort(
    engine: &Engine,
    failure: Failure,
    source_tx: Option<Tx>,
    target_tx: Option<Tx>,
    journal_id: Option<LiveTxnId>,
    mut trace: Trace,
) -> LiveOutcome {
    let message = failure.message();
    // The failure belongs to the target's abort when the batch reached the target; a failure
    // while writing the source itself is reported on the source's rollback.
    let reached_target = target_tx.is_some();
    if let Some(tx) = target_tx {
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "target rollback failed (the database discards it)");
        }
        trace.push(Step::TargetAbort, Some(message.clone()));
    }
    if let Some(tx) = source_tx {
        if let Err(e) = tx.rollback().await {
            tracing::warn!(error = %e, "source rollback failed (the database discards it)");
        }
    }
    trace.push(
        Step::SourceRollback,
        (!reached_target).then(|| message.clone()),
    );
    if let Some(id) = journal_id {
        journal(engine, id, LiveState::RolledBack).await;
    }
    outcome_failed(failure.category(), message, journal_id, trace)
}

fn outcome_failed(
    category: ErrorCategory,
    reason: String,
    journal_id: Option<LiveTxnId>,
    trace: Trace,
) -> LiveOutcome {
    LiveOutcome {
        committed: false,
        refused: false,
        category: Some(category),
        reason: Some(reason),
        journal_id: journal_id.map(|id| id.0),
        trace: trace.0,
    }
}

/// Moves the journal on; a failure here leaves the entry unresolved, which the next start
/// settles by looking at both sides.
async fn journal(engine: &Engine, id: LiveTxnId, to: LiveState) {
    if let Err(e) = engine
        .store()
        .journal_transition(id, to, Timestamp::now())
        .await
    {
        tracing::error!(journal = id.0, error = %e, "could not journal a live transaction step");
    }
}
