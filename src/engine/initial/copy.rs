//! Copying one map (one pass, one legal entity at a time) from its source to its target.
//!
//! Streaming: the source is read in key order one page at a time (keyset pagination, never a
//! whole table in memory); each page is transformed, its lookups resolved in one batch, and
//! upserted on the target by the target's integration key in one transaction. After the target
//! commits, the store records the rows' snapshots, then the page's last key, its row count and
//! the rows that failed in one store transaction. After a crash the run resumes after the last
//! recorded key. A page committed on the target but not yet recorded is copied again: harmless,
//! because upserts by integration key are idempotent. Resuming still matters: it skips the rows
//! already copied (hours for millions of rows), keeps the counts and the progress honest, and does
//! not repeat row failures in the error log.
//!
//! Pipelined: reading (and preparing: transform, lookups), writing the target and recording in
//! the store are three stages that run at the same time on consecutive pages, joined by bounded
//! channels ([`PAGES_AHEAD`] pages to the writer, [`PAGES_TO_RECORD`] to the recorder), so a
//! copy costs about its slowest stage rather than the sum of all three, and memory stays at a
//! few pages whatever the table's size. Preparing a page only reads (lookups read parents
//! copied in earlier waves or passes, never rows of pages still in flight), so it may run ahead
//! of the writes. The stages keep the resume guarantee above: one reader hands pages to one
//! writer in key order; the writer hands a page to the recorder only after the target committed
//! it; the one recorder records pages in the order it gets them. So a recorded key is always one
//! whose page and every page before it are committed on the target; `kill -9` at any point loses
//! nothing and at most re-copies the pages in flight.
//! The recorder commits a backlog's snapshots and the progress they make (the last page's key,
//! the rows of all its pages) in one transaction of the store's bulk writer (the cheapest way to
//! write a million snapshots), so a crash leaves both or neither. A backlog with rows to log in
//! the error log commits its snapshots first, then its progress with the errors in a store
//! transaction: a crash between the two leaves snapshots of pages not yet recorded, which the
//! resumed copy writes again (an upsert of the same values), and never progress for rows
//! without snapshots or errors.
//! When the writer stops (told to stop, or failing), the recorder still records every page the
//! target committed before the segment returns; when the recorder fails, the writer stops at its
//! next page.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc::{self, Receiver, Sender, UnboundedSender};
use tokio::task::JoinHandle;

use crate::endpoint::{Endpoint, Key, ScanRequest, Value};
use crate::model::Side;
use crate::store::{CopiedPages, NewError, RunId, SnapshotArrays, Store, Timestamp};

use super::super::lookup::LookupResolver;
use super::super::resolve::{ResolvedField, ResolvedMap};
use super::super::rows::key_text;
use super::super::EngineError;
use super::options::{MapReport, Pass, ProgressEvent};
use super::page::{prepare_page, snapshots_of, write_page, Layouts, PreparedPage};

/// Pages waiting between two stages: enough to keep each stage busy while the next one works
/// (on two cores four measured faster than two, with [`PAGES_TO_RECORD`] at 16 rather than 8:
/// BENCHMARKS.md), few enough that memory stays flat (about 10 MB more than two and eight).
const PAGES_AHEAD: usize = 4;

/// Committed pages waiting for the recorder, all recorded in one go when it falls behind: a
/// store transaction (of snapshots, then of progress) costs about as much for one page as for
/// several, so a backlog is cheaper to catch up with than to record page by page. Bounded, so
/// memory stays at a few pages.
const PAGES_TO_RECORD: usize = 16;

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

    /// A batch was committed on the target.
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
        copy_segment(&ctx, &job, legal_entity, filter, &mut report).await?;
    }
    Ok(report)
}

/// How long each stage of a segment was busy (waiting on its neighbours not counted), for the
/// debug log: the busiest stage is what limits the copy.
#[derive(Default)]
struct StageTimes {
    read: AtomicU64,
    prepare: AtomicU64,
    write: AtomicU64,
    record: AtomicU64,
    /// Building the snapshots from the rows (on a blocking thread of its own, while the writer
    /// goes on; the recorder waits for it, inside `record`). Writing them is most of `record`.
    snapshot_build: AtomicU64,
}

impl StageTimes {
    fn add(counter: &AtomicU64, since: Instant) {
        let micros = u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX);
        counter.fetch_add(micros, Ordering::Relaxed);
    }

    fn seconds(counter: &AtomicU64) -> f64 {
        counter.load(Ordering::Relaxed) as f64 / 1e6
    }
}

/// A page the target committed, on its way to the store: what the store records of it, not
/// its rows (a backlog of these stays small).
struct Committed {
    last_key: Key,
    /// Source rows in the page (written or failed).
    rows: u64,
    /// The snapshots of the rows written, being built on a blocking thread (none when the run
    /// writes no snapshots).
    snapshots: Option<JoinHandle<Vec<SnapshotArrays>>>,
    errors: Vec<NewError>,
}

/// Where one segment's progress goes: the store, and the progress events.
struct Segment {
    ctx: Arc<RunContext>,
    job: MapJob,
    name: String,
    legal_entity: Option<String>,
    resumed_from: u64,
    total: Option<u64>,
    started: Instant,
    times: Arc<StageTimes>,
}

async fn copy_segment(
    ctx: &Arc<RunContext>,
    job: &MapJob,
    legal_entity: Option<String>,
    filter: Option<(String, Value)>,
    report: &mut MapReport,
) -> Result<(), EngineError> {
    let name = job.progress_name();
    let map = &job.map;
    let source = ctx.endpoint(job.source);
    let source_keys = map.keys(job.source).to_vec();
    let previous = ctx
        .store
        .progress_of(ctx.run, &name, legal_entity.as_deref())
        .await?;
    if previous.as_ref().is_some_and(|p| p.completed) {
        tracing::info!(map = %name, ?legal_entity, "already copied in this run");
        return Ok(());
    }
    let resumed_from = previous.as_ref().map_or(0, |p| p.rows_done);
    let after = match previous.as_ref().and_then(|p| p.last_key.as_ref()) {
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
    let request = ScanRequest {
        table: map.table(job.source).to_string(),
        key_columns: source_keys,
        after,
        limit: ctx.batch_size.max(1),
        filter,
        columns: Vec::new(),
    };
    let total = if ctx.count_rows {
        let whole = ScanRequest {
            after: None,
            ..request.clone()
        };
        Some(source.count(&whole).await?)
    } else {
        None
    };
    let segment = Segment {
        ctx: ctx.clone(),
        job: job.clone(),
        name,
        legal_entity,
        resumed_from,
        total,
        started: Instant::now(),
        times: Arc::new(StageTimes::default()),
    };
    let times = segment.times.clone();
    let (page_sender, mut pages) = mpsc::channel(PAGES_AHEAD);
    let reader = tokio::spawn(read_pages(
        ctx.clone(),
        job.clone(),
        request,
        page_sender,
        times.clone(),
    ));
    let (committed_sender, committed) = mpsc::channel(PAGES_TO_RECORD);
    let recorder = tokio::spawn(record_pages(segment, committed));
    let written = write_pages(ctx, job, &mut pages, committed_sender, report, &times).await;
    // Stop reading ahead; the recorder ends once it recorded every committed page.
    drop(pages);
    reader.abort();
    let recorded = recorder
        .await
        .map_err(|e| EngineError::Worker(e.to_string()))?;
    let reached_end = written?;
    let (segment, rows_done) = recorded?;
    tracing::debug!(
        map = %segment.name,
        legal_entity = ?segment.legal_entity,
        rows = rows_done - segment.resumed_from,
        seconds = segment.started.elapsed().as_secs_f64(),
        read_busy = StageTimes::seconds(&times.read),
        prepare_busy = StageTimes::seconds(&times.prepare),
        write_busy = StageTimes::seconds(&times.write),
        record_busy = StageTimes::seconds(&times.record),
        snapshot_build_busy = StageTimes::seconds(&times.snapshot_build),
        "segment copied"
    );
    if reached_end {
        let mut tx = ctx.store.begin().await?;
        tx.complete_progress(
            ctx.run,
            &segment.name,
            segment.legal_entity.as_deref(),
            Timestamp::now(),
        )
        .await?;
        tx.commit().await?;
        segment.send(rows_done, true);
    }
    Ok(())
}

/// The reader stage: pages in key order, each prepared for the target (transformed, lookups
/// resolved), until the table ends or the writer hangs up.
async fn read_pages(
    ctx: Arc<RunContext>,
    job: MapJob,
    mut request: ScanRequest,
    pages: Sender<Result<PreparedPage, EngineError>>,
    times: Arc<StageTimes>,
) {
    let source = ctx.endpoint(job.source).clone();
    let target_side = job.source.other();
    loop {
        let busy = Instant::now();
        let page = match source.scan(&request).await {
            Ok(page) if page.is_empty() => return,
            Ok(page) => page,
            Err(error) => {
                let _ = pages.send(Err(error.into())).await;
                return;
            }
        };
        StageTimes::add(&times.read, busy);
        let last = page
            .last()
            .and_then(|row| Key::from_row(row, &request.key_columns));
        let Some(last) = last else {
            let _ = pages
                .send(Err(EngineError::InvalidMap {
                    map: job.map.id().to_string(),
                    reason: "a scanned row lacks a key column".to_string(),
                }))
                .await;
            return;
        };
        request.after = Some(last.clone());
        let busy = Instant::now();
        let prepared = prepare_page(&ctx, &job, target_side, page, last).await;
        StageTimes::add(&times.prepare, busy);
        let failed = prepared.is_err();
        if pages.send(prepared).await.is_err() || failed {
            return;
        }
    }
}

/// The writer stage: each prepared page committed on the target, then handed to the recorder
/// with its snapshots, which a blocking thread builds from the page's rows while the writer
/// goes on with the next page (the recorder awaits them in page order).
/// `Ok(true)` when the source has no more rows, `Ok(false)` when the run was told to stop or the
/// recorder hung up (its error is the segment's).
async fn write_pages(
    ctx: &RunContext,
    job: &MapJob,
    pages: &mut Receiver<Result<PreparedPage, EngineError>>,
    committed: Sender<Committed>,
    report: &mut MapReport,
    times: &Arc<StageTimes>,
) -> Result<bool, EngineError> {
    let target_side = job.source.other();
    let target = ctx.endpoint(target_side);
    loop {
        if ctx.should_stop() {
            return Ok(false);
        }
        let Some(prepared) = pages.recv().await else {
            return Ok(true);
        };
        let busy = Instant::now();
        let (page, last_key, outcome) =
            write_page(&job.map, target.as_ref(), target_side, prepared?).await?;
        StageTimes::add(&times.write, busy);
        ctx.batch_committed();
        report.rows_written += outcome.written.len() as u64;
        report.rows_failed += outcome.errors.len() as u64;
        let rows = page.len() as u64;
        // Built while the next page is written: the build only reads the page's rows.
        let snapshots = ctx.snapshots.then(|| {
            let (map, source, times) = (job.map.clone(), job.source, times.clone());
            let written = outcome.written;
            tokio::task::spawn_blocking(move || {
                let build = Instant::now();
                let snapshots =
                    snapshots_of(&map, source, &page, &written, &mut Layouts::default());
                StageTimes::add(&times.snapshot_build, build);
                snapshots
            })
        });
        let page = Committed {
            last_key,
            rows,
            snapshots,
            errors: outcome.errors,
        };
        if committed.send(page).await.is_err() {
            return Ok(false);
        }
    }
}

/// The recorder stage: each committed page recorded in the store, in the order committed (a
/// backlog of pages in one snapshot transaction, then one progress transaction) until the
/// writer hangs up; returns the segment and its rows done.
async fn record_pages(
    segment: Segment,
    mut committed: Receiver<Committed>,
) -> Result<(Segment, u64), EngineError> {
    let ctx = &segment.ctx;
    let mut rows_done = segment.resumed_from;
    let mut backlog: Vec<Committed> = Vec::new();
    while committed.recv_many(&mut backlog, PAGES_TO_RECORD).await > 0 {
        let busy = Instant::now();
        let mut snapshots: Vec<SnapshotArrays> = Vec::new();
        for page in &mut backlog {
            if let Some(build) = page.snapshots.take() {
                let built = build
                    .await
                    .map_err(|e| EngineError::Worker(e.to_string()))?;
                snapshots.extend(built);
            }
        }
        let rows: u64 = backlog.iter().map(|page| page.rows).sum();
        let errors = backlog.iter().any(|page| !page.errors.is_empty());
        match backlog.last() {
            // The usual case: the snapshots and the progress in one transaction of the
            // store's bulk writer.
            Some(last) if !errors => {
                ctx.store
                    .record_copied_pages(CopiedPages {
                        run: ctx.run,
                        map_id: segment.job.map.id().to_string(),
                        progress_name: segment.name.clone(),
                        legal_entity: segment.legal_entity.clone(),
                        last_key: key_text(&last.last_key),
                        rows_added: rows,
                        snapshots,
                        now: Timestamp::now(),
                    })
                    .await?;
                backlog.clear();
            }
            // Rows to log: the snapshots first, in a transaction of their own, then the
            // progress with the errors (progress is recorded only after the snapshots of its
            // rows are committed; see the module docs).
            _ => {
                ctx.store
                    .write_snapshot_arrays(segment.job.map.id(), snapshots)
                    .await?;
                let mut tx = ctx.store.begin().await?;
                for page in backlog.drain(..) {
                    tx.record_progress(
                        ctx.run,
                        &segment.name,
                        segment.legal_entity.as_deref(),
                        &key_text(&page.last_key),
                        page.rows,
                        Timestamp::now(),
                    )
                    .await?;
                    if !page.errors.is_empty() {
                        tx.log_errors(&page.errors, Timestamp::now()).await?;
                    }
                }
                tx.commit().await?;
            }
        }
        rows_done += rows;
        StageTimes::add(&segment.times.record, busy);
        segment.send(rows_done, false);
    }
    Ok((segment, rows_done))
}

impl Segment {
    fn send(&self, rows_done: u64, finished: bool) {
        let Some(progress) = &self.ctx.progress else {
            return;
        };
        let elapsed = self.started.elapsed().as_secs_f64();
        let this_attempt = rows_done.saturating_sub(self.resumed_from);
        let rows_per_second = if elapsed > 0.0 {
            this_attempt as f64 / elapsed
        } else {
            0.0
        };
        let eta = match self.total {
            Some(total) if rows_per_second > 0.0 => Some(Duration::from_secs_f64(
                total.saturating_sub(rows_done) as f64 / rows_per_second,
            )),
            _ => None,
        };
        // A closed receiver only means nobody is watching.
        let _ = progress.send(ProgressEvent {
            map_id: self.job.map.id().to_string(),
            legal_entity: self.legal_entity.clone(),
            pass: self.job.pass,
            rows_done,
            resumed_from: self.resumed_from,
            total: self.total,
            rows_per_second,
            eta,
            finished,
        });
    }
}
