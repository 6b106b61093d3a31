//! Copying one map (one pass, one legal entity at a time) from its source to its target.
//!
//! Streaming: the source is read in key order one page at a time (keyset pagination, never a
//! whole table in memory); each page is transformed, its lookups resolved in one batch, and
//! upserted on the target by the target's integration key in one transaction. Right after the
//! target commits, the store records the page's last key, its row count, the rows' snapshots and
//! the rows that failed, in one store transaction. After a crash the run resumes after the last
//! recorded key. A page committed on the target but not yet recorded is copied again: harmless,
//! because upserts by integration key are idempotent. Resuming still matters: it skips the rows
//! already copied (hours for millions of rows), keeps the counts and the progress honest, and does
//! not repeat row failures in the error log.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::endpoint::{Endpoint, Key, ScanRequest, Value};
use crate::model::Side;
use crate::store::{RunId, Store, Timestamp};

use super::super::lookup::LookupResolver;
use super::super::resolve::{ResolvedField, ResolvedMap};
use super::super::rows::key_text;
use super::super::EngineError;
use super::options::{MapReport, Pass, ProgressEvent};
use super::page::write_page;

/// What every copy of a run shares.
pub(crate) struct RunContext {
    pub run: RunId,
    pub store: Store,
    pub fno: Arc<dyn Endpoint>,
    pub dataverse: Arc<dyn Endpoint>,
    pub lookups: Arc<LookupResolver>,
    pub batch_size: usize,
    pub snapshots: bool,
    pub count_rows: bool,
    pub stop_after_batches: Option<u64>,
    /// Set from outside to stop the run (see `InitialSyncOptions::cancel`).
    pub cancel: Option<Arc<AtomicBool>>,
    pub batches: AtomicU64,
    pub stopped: AtomicBool,
    pub progress: Option<UnboundedSender<ProgressEvent>>,
    pub fno_legal_entities: Vec<String>,
    pub dataverse_legal_entities: Vec<String>,
}

impl RunContext {
    fn endpoint(&self, side: Side) -> &Arc<dyn Endpoint> {
        match side {
            Side::Fno => &self.fno,
            Side::Dataverse => &self.dataverse,
        }
    }

    fn legal_entities(&self, side: Side) -> &[String] {
        match side {
            Side::Fno => &self.fno_legal_entities,
            Side::Dataverse => &self.dataverse_legal_entities,
        }
    }

    /// Whether the run was told to stop (checked before each batch).
    pub fn should_stop(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
            || self
                .cancel
                .as_ref()
                .is_some_and(|cancel| cancel.load(Ordering::SeqCst))
    }

    fn batch_committed(&self) {
        let done = self.batches.fetch_add(1, Ordering::SeqCst) + 1;
        if self.stop_after_batches.is_some_and(|limit| done >= limit) {
            self.stopped.store(true, Ordering::SeqCst);
        }
    }
}

/// One pass of one map.
#[derive(Debug, Clone)]
pub(crate) struct MapJob {
    pub map: Arc<ResolvedMap>,
    pub source: Side,
    /// Indices of the fields whose lookups wait for the second pass.
    pub deferred: HashSet<usize>,
    pub pass: Pass,
}

impl MapJob {
    pub(super) fn includes(&self, field: &ResolvedField) -> bool {
        self.pass == Pass::Second || !self.deferred.contains(&field.index)
    }

    /// The name under which progress is recorded (the second pass has its own resume point).
    pub fn progress_name(&self) -> String {
        match self.pass {
            Pass::First => self.map.id().to_string(),
            Pass::Second => format!("{} (second pass)", self.map.id()),
        }
    }
}

/// Copies every legal entity of the job; stops early when the run is told to stop.
pub(crate) async fn copy_map(ctx: Arc<RunContext>, job: MapJob) -> Result<MapReport, EngineError> {
    let mut report = MapReport {
        map_id: job.map.id().to_string(),
        source: Some(job.source),
        second_pass: job.pass == Pass::Second,
        ..MapReport::default()
    };
    let company_column = job
        .map
        .company_column(job.source)
        .filter(|_| job.map.map.company_striped(job.source))
        .map(str::to_string);
    let segments: Vec<Option<String>> = match &company_column {
        Some(_) if !ctx.legal_entities(job.source).is_empty() => ctx
            .legal_entities(job.source)
            .iter()
            .cloned()
            .map(Some)
            .collect(),
        _ => vec![None],
    };
    for legal_entity in segments {
        if ctx.should_stop() {
            break;
        }
        let filter = company_column
            .clone()
            .zip(legal_entity.clone().map(Value::Text));
        copy_segment(&ctx, &job, legal_entity.as_deref(), filter, &mut report).await?;
    }
    Ok(report)
}

async fn copy_segment(
    ctx: &RunContext,
    job: &MapJob,
    legal_entity: Option<&str>,
    filter: Option<(String, Value)>,
    report: &mut MapReport,
) -> Result<(), EngineError> {
    let name = job.progress_name();
    let map = &job.map;
    let source = ctx.endpoint(job.source);
    let target_side = job.source.other();
    let target = ctx.endpoint(target_side);
    let source_keys = map.keys(job.source).to_vec();
    let previous = ctx.store.progress_of(ctx.run, &name, legal_entity).await?;
    if previous.as_ref().is_some_and(|p| p.completed) {
        tracing::info!(map = %name, ?legal_entity, "already copied in this run");
        return Ok(());
    }
    let resumed_from = previous.as_ref().map_or(0, |p| p.rows_done);
    let mut after = match previous.as_ref().and_then(|p| p.last_key.as_ref()) {
        Some(text) => Some(
            Key::parse(text.as_str()).map_err(|e| EngineError::InvalidMap {
                map: map.id().to_string(),
                reason: format!("the recorded resume point cannot be read: {e}"),
            })?,
        ),
        None => None,
    };
    if after.is_some() {
        tracing::info!(map = %name, ?legal_entity, rows = resumed_from, "resuming initial sync");
    }
    let total = if ctx.count_rows {
        Some(
            count_rows(
                source.as_ref(),
                map.table(job.source),
                &source_keys,
                &filter,
            )
            .await?,
        )
    } else {
        None
    };
    let started = Instant::now();
    let mut rows_done = resumed_from;
    loop {
        if ctx.should_stop() {
            return Ok(());
        }
        let request = ScanRequest {
            table: map.table(job.source).to_string(),
            key_columns: source_keys.clone(),
            after: after.clone(),
            limit: ctx.batch_size.max(1),
            filter: filter.clone(),
            columns: Vec::new(),
        };
        let page = source.scan(&request).await?;
        let Some(last) = page.last() else {
            let mut tx = ctx.store.begin().await?;
            tx.complete_progress(ctx.run, &name, legal_entity, Timestamp::now())
                .await?;
            tx.commit().await?;
            send(
                ctx,
                job,
                legal_entity,
                rows_done,
                resumed_from,
                total,
                started,
                true,
            );
            return Ok(());
        };
        let last_key =
            Key::from_row(last, &source_keys).ok_or_else(|| EngineError::InvalidMap {
                map: map.id().to_string(),
                reason: "a scanned row lacks a key column".to_string(),
            })?;
        let outcome = write_page(ctx, job, target.as_ref(), target_side, &page).await?;
        let mut tx = ctx.store.begin().await?;
        tx.record_progress(
            ctx.run,
            &name,
            legal_entity,
            &key_text(&last_key),
            page.len() as u64,
            Timestamp::now(),
        )
        .await?;
        if !outcome.snapshots.is_empty() {
            tx.upsert_snapshots(&outcome.snapshots).await?;
        }
        if !outcome.errors.is_empty() {
            tx.log_errors(&outcome.errors, Timestamp::now()).await?;
        }
        tx.commit().await?;
        ctx.batch_committed();
        report.rows_written += outcome.written;
        report.rows_failed += outcome.errors.len() as u64;
        rows_done += page.len() as u64;
        send(
            ctx,
            job,
            legal_entity,
            rows_done,
            resumed_from,
            total,
            started,
            false,
        );
        after = Some(last_key);
    }
}

/// Counts the rows of a segment with a key-only scan (streamed, like the copy).
async fn count_rows(
    source: &dyn Endpoint,
    table: &str,
    keys: &[String],
    filter: &Option<(String, Value)>,
) -> Result<u64, EngineError> {
    let mut request = ScanRequest::new(table, keys.to_vec(), 10_000);
    request.filter = filter.clone();
    request.columns = keys.to_vec();
    let mut count = 0u64;
    loop {
        let page = source.scan(&request).await?;
        let Some(last) = page.last() else {
            return Ok(count);
        };
        count += page.len() as u64;
        request.after = Key::from_row(last, keys);
        if request.after.is_none() {
            return Ok(count);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn send(
    ctx: &RunContext,
    job: &MapJob,
    legal_entity: Option<&str>,
    rows_done: u64,
    resumed_from: u64,
    total: Option<u64>,
    started: Instant,
    finished: bool,
) {
    let Some(progress) = &ctx.progress else {
        return;
    };
    let elapsed = started.elapsed().as_secs_f64();
    let this_attempt = rows_done.saturating_sub(resumed_from);
    let rows_per_second = if elapsed > 0.0 {
        this_attempt as f64 / elapsed
    } else {
        0.0
    };
    let eta = match total {
        Some(total) if rows_per_second > 0.0 => Some(Duration::from_secs_f64(
            total.saturating_sub(rows_done) as f64 / rows_per_second,
        )),
        _ => None,
    };
    // A closed receiver only means nobody is watching.
    let _ = progress.send(ProgressEvent {
        map_id: job.map.id().to_string(),
        legal_entity: legal_entity.map(str::to_string),
        pass: job.pass,
        rows_done,
        resumed_from,
        total,
        rows_per_second,
        eta,
        finished,
    });
}
