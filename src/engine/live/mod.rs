//! Live sync: a unit of work written on one side is carried to the other side in one
//! distributed transaction, as dual-write's synchronous mode does, so both sides commit or
//! neither does.
//!
//! The pieces, in the order a transaction meets them:
//! - [`txn_file`]: the rows of the unit of work (`--txn FILE`);
//! - [`plan`]: refusals before anything is sent (1,000 records, 116.85 MB, 250 legal entities,
//!   live and async maps mixed, tables no map covers), each saying how to split;
//! - `protocol`: source written and held open, target batch applied in one transaction, target
//!   commit, then source commit; failures and the time limit roll back both;
//! - `post_image`: the upserted rows read back inside the open source transaction, so the target
//!   gets whole records even when the unit of work set only some columns;
//! - `batch`: the target batch in unit-of-work order with generated ids propagated;
//! - [`journal_entry`]: what the journal keeps of a transaction (keys, digests of the written
//!   values, the target's pre-images), written while the target's last sub-batch is;
//! - [`recovery`]: unfinished journal entries settled after a crash (compensating the target of a
//!   half-written pair), never one whose owner process is still running it;
//! - [`outcome`]: the result with its trace for the app's sequence diagram.
//!
//! Deletes always go live: a delete of an async map's table is accepted in a live transaction
//! (the platform sends deletes live whatever the map's mode); creates and updates of async maps
//! are refused, since those go through the queue.

mod batch;
mod batch_lookups;
pub mod journal_entry;
pub mod journal_summary;
pub mod outcome;
pub mod plan;
mod post_image;
mod protocol;
pub mod recovery;
pub mod txn_file;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tracing::Instrument;

pub use outcome::{ChunkOutcome, LiveOutcome, Step, TraceStep};
pub use plan::{LiveLimits, Refusal};
pub use recovery::{Resolution, ResolvedTxn};
pub use txn_file::{load_txn_file, parse_txn, TxnFileError, TxnOp, TxnRow};

use crate::model::Side;

use super::{Engine, EngineError};

/// The time limit of a live transaction by default (the platform's two minutes).
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(120);

/// How a live transaction runs.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveOptions {
    /// Everything up to the target's commit must finish within this time.
    pub time_limit: Duration,
    /// The limits refusals are checked against.
    pub limits: LiveLimits,
    /// Test hook: stop right after the target commits, leaving the source uncommitted, as a
    /// crash between the two commits would (resolve with [`Engine::resolve_in_doubt`]).
    pub stop_after_target_commit: bool,
    /// Test hook: after the target commits, signal [`LiveHold::held`] and wait for
    /// [`LiveHold::release`] before committing the source, as a slow source commit would (the
    /// transaction is running, unfinished in the journal, for as long as the test likes).
    pub hold_after_target_commit: Option<LiveHold>,
}

/// The two signals of [`LiveOptions::hold_after_target_commit`].
#[derive(Debug, Clone, Default)]
pub struct LiveHold {
    /// Notified once the target has committed and the transaction waits.
    pub held: Arc<Notify>,
    /// Notify to let the transaction commit its source and finish.
    pub release: Arc<Notify>,
}

impl PartialEq for LiveHold {
    /// The same hold: the same two signals.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.held, &other.held) && Arc::ptr_eq(&self.release, &other.release)
    }
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            time_limit: DEFAULT_TIME_LIMIT,
            limits: LiveLimits::default(),
            stop_after_target_commit: false,
            hold_after_target_commit: None,
        }
    }
}

impl Engine {
    /// Runs one live transaction of `rows` written on `from`; both sides commit or neither.
    /// Refusals, failures and successes are all outcomes; nothing here returns an error.
    pub async fn live_transaction(
        &self,
        from: Side,
        rows: &[TxnRow],
        options: &LiveOptions,
    ) -> LiveOutcome {
        protocol::run(self, from, rows, options)
            .instrument(tracing::debug_span!("live_transaction", rows = rows.len()))
            .await
    }

    /// The platform's "multiple transactions" pattern: the rows in chunks of at most
    /// `chunk_size` records, each committed or rolled back on its own; one outcome per chunk.
    pub async fn live_split(
        &self,
        from: Side,
        rows: &[TxnRow],
        chunk_size: usize,
        options: &LiveOptions,
    ) -> Vec<ChunkOutcome> {
        let mut chunks = Vec::new();
        for (n, chunk) in rows.chunks(chunk_size.max(1)).enumerate() {
            chunks.push(ChunkOutcome {
                first_row: n * chunk_size.max(1),
                rows: chunk.len(),
                outcome: self.live_transaction(from, chunk, options).await,
            });
        }
        chunks
    }

    /// Settles the live transactions a crash left unfinished (see [`recovery`]); one entry per
    /// settled transaction. A transaction another process or engine is still running is left
    /// alone.
    pub async fn resolve_in_doubt(&self) -> Result<Vec<ResolvedTxn>, EngineError> {
        recovery::resolve_all(self).await
    }
}
