//! Initial sync: copying the existing rows of the selected maps from one side to the other.
//!
//! Order is the dependency chart's: wave by wave, so that every lookup into a map of an earlier
//! wave finds its row; maps of one wave run concurrently (`parallelism`). A map that looks up its
//! own table (an invoice account pointing at another customer) or a lookup the chart defers to
//! break a cycle cannot be filled in one pass, because the referenced row may come later in key
//! order: the first pass writes every row without those columns, and after the wave a second pass
//! writes every row again with all lookups, now that every referenced row exists. The second
//! pass writes whole rows (not just the deferred columns) because an upsert of a partial row
//! would fail on NOT NULL columns the insert half of the statement leaves out.
//!
//! Per legal entity: a map that is company-striped on its source side is copied one legal entity
//! of the source environment (`legalEntities`) at a time, each with its own resume point (rows of
//! companies the environment does not list are not copied; an environment that lists none has
//! its maps copied whole, with one resume point per map). The filter compares the source's
//! company column with the company code, so a Dataverse source must hold the code there.
//!
//! The source side of each map: a one-way map's source; a bidirectional map's primary side, else
//! F&O; [`InitialSyncOptions::source`] overrides it for bidirectional maps (a first load from F&O
//! into an empty Dataverse whose maps have Dataverse as primary).
//!
//! A run is recorded in the store. If the last initial run did not succeed (crash, Ctrl-C,
//! `stop_after_batches`, a system failure), the next call resumes it: completed (map, legal
//! entity, pass) segments are skipped and the others continue after their last recorded key
//! (see [`copy`]). Rows that fail (transform, lookup not found, constraint) go to the error log
//! and the copy goes on; a system failure stops the run, which can then be resumed.

mod copy;
mod options;
mod page;

pub use options::{InitialSyncOptions, InitialSyncReport, MapReport, Pass, ProgressEvent};

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::chart::DependencyChart;
use crate::model::{MapDirection, Side, TableMap};
use crate::store::{RunId, RunKind, RunStatus, Timestamp};

use super::lookup::LookupResolver;
use super::resolve::ResolvedMap;
use super::{Engine, EngineError};
use copy::{copy_map, MapJob, RunContext};

impl Engine {
    /// Copies the existing rows of the selected maps; see the module docs.
    pub async fn initial_sync(
        &self,
        options: &InitialSyncOptions,
    ) -> Result<InitialSyncReport, EngineError> {
        let selected = self.select_maps(options)?;
        let (run, resumed) = self.start_or_resume_run(options.fresh).await?;
        tracing::info!(run = %run, resumed, maps = selected.len(), "initial sync");
        let ctx = Arc::new(RunContext {
            run,
            store: self.store.clone(),
            fno: self.fno.clone(),
            dataverse: self.dataverse.clone(),
            lookups: Arc::new(LookupResolver::new(self.dataverse.clone())),
            batch_size: options.batch_size,
            snapshots: options.snapshots,
            count_rows: options.count_rows,
            stop_after_batches: options.stop_after_batches,
            cancel: options.cancel.clone(),
            batches: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            progress: options.progress.clone(),
            fno_legal_entities: self.fno_environment.legal_entities.clone(),
            dataverse_legal_entities: self.dataverse_environment.legal_entities.clone(),
        });
        let outcome = self.run_waves(&ctx, &selected, options).await;
        let (status, report) = match outcome {
            Ok(maps) => {
                let interrupted = ctx.should_stop();
                let report = InitialSyncReport {
                    run,
                    resumed,
                    interrupted,
                    maps,
                };
                let status = if interrupted {
                    RunStatus::Interrupted
                } else {
                    RunStatus::Succeeded
                };
                (status, Ok(report))
            }
            Err(error) => (RunStatus::Failed, Err(error)),
        };
        let counters = match &report {
            Ok(r) => serde_json::json!({
                "rowsWritten": r.rows_written(),
                "rowsFailed": r.rows_failed(),
            }),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        };
        self.store
            .finish_run(run, status, &counters, Timestamp::now())
            .await?;
        report
    }

    /// The maps to copy, in project order, each with its source side.
    fn select_maps(
        &self,
        options: &InitialSyncOptions,
    ) -> Result<Vec<(Arc<ResolvedMap>, Side)>, EngineError> {
        let wanted: Option<HashSet<&str>> = if !options.maps.is_empty() {
            for id in &options.maps {
                if self.project.map(id).is_none() {
                    return Err(EngineError::UnknownMap(id.clone()));
                }
            }
            Some(options.maps.iter().map(String::as_str).collect())
        } else if options.all_maps {
            None
        } else {
            Some(
                self.project
                    .groups
                    .iter()
                    .filter(|g| g.initial_sync)
                    .flat_map(|g| g.members.iter().map(|m| m.map.as_str()))
                    .collect(),
            )
        };
        Ok(self
            .maps
            .iter()
            .filter(|m| wanted.as_ref().is_none_or(|w| w.contains(m.id())))
            .map(|m| (m.clone(), source_side(&m.map, options.source)))
            .collect())
    }

    async fn start_or_resume_run(&self, fresh: bool) -> Result<(RunId, bool), EngineError> {
        if !fresh {
            let last = self
                .store
                .list_runs(Some(RunKind::Initial), false, 1)
                .await?;
            if let Some(run) = last.first().filter(|r| r.status != RunStatus::Succeeded) {
                let mut tx = self.store.begin().await?;
                tx.set_run_counters(run.id, &run.counters).await?;
                tx.commit().await?;
                return Ok((run.id, true));
            }
        }
        Ok((
            self.store
                .start_run(RunKind::Initial, Timestamp::now())
                .await?,
            false,
        ))
    }

    async fn run_waves(
        &self,
        ctx: &Arc<RunContext>,
        selected: &[(Arc<ResolvedMap>, Side)],
        options: &InitialSyncOptions,
    ) -> Result<Vec<MapReport>, EngineError> {
        let by_id: HashMap<&str, &(Arc<ResolvedMap>, Side)> =
            selected.iter().map(|s| (s.0.id(), s)).collect();
        let mut reports: HashMap<String, MapReport> = HashMap::new();
        for wave in self.chart.waves() {
            let jobs: Vec<MapJob> = wave
                .iter()
                .filter_map(|id| by_id.get(id))
                .map(|(map, source)| MapJob {
                    map: map.clone(),
                    source: *source,
                    deferred: deferred_fields(&self.chart, map, source.other()),
                    pass: Pass::First,
                })
                .collect();
            let second: Vec<MapJob> = jobs
                .iter()
                .filter(|j| !j.deferred.is_empty())
                .map(|j| MapJob {
                    pass: Pass::Second,
                    ..j.clone()
                })
                .collect();
            let mut stages = self.stages(jobs);
            stages.push(second);
            for stage in stages {
                if ctx.should_stop() {
                    break;
                }
                for report in run_jobs(ctx, stage, options.parallelism).await? {
                    let total = reports.entry(report.map_id.clone()).or_insert(MapReport {
                        map_id: report.map_id.clone(),
                        source: report.source,
                        ..MapReport::default()
                    });
                    total.rows_written += report.rows_written;
                    total.rows_failed += report.rows_failed;
                    total.second_pass |= report.second_pass;
                }
            }
        }
        Ok(selected
            .iter()
            .filter_map(|(m, _)| reports.remove(m.id()))
            .collect())
    }
}

impl Engine {
    /// Splits a wave's first-pass jobs into stages that run one after the other: members of a
    /// cycle share a wave, but a member whose (not deferred) lookup points at another member
    /// must wait until that member's rows exist. Maps without such dependencies share a stage
    /// and run concurrently.
    fn stages(&self, mut pending: Vec<MapJob>) -> Vec<Vec<MapJob>> {
        let mut stages = Vec::new();
        while !pending.is_empty() {
            let waiting: HashSet<String> = pending.iter().map(|j| j.map.id().to_string()).collect();
            let (ready, blocked): (Vec<MapJob>, Vec<MapJob>) =
                pending.into_iter().partition(|job| {
                    let id = job.map.id();
                    self.chart
                        .dependencies_of(id)
                        .iter()
                        .all(|dep| !waiting.contains(*dep) || self.chart.is_deferred(dep, id))
                });
            if ready.is_empty() {
                // Cannot happen with the chart's deferred edges; never loop forever.
                stages.push(blocked);
                break;
            }
            stages.push(ready);
            pending = blocked;
        }
        stages
    }
}

/// Runs the jobs at most `parallelism` at a time; the first error stops the rest.
async fn run_jobs(
    ctx: &Arc<RunContext>,
    jobs: Vec<MapJob>,
    parallelism: usize,
) -> Result<Vec<MapReport>, EngineError> {
    let permits = Arc::new(Semaphore::new(parallelism.max(1)));
    let mut set = JoinSet::new();
    for job in jobs {
        let ctx = ctx.clone();
        let permits = permits.clone();
        set.spawn(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .map_err(|e| EngineError::Worker(e.to_string()))?;
            copy_map(ctx, job).await
        });
    }
    let mut reports = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(Ok(report)) => reports.push(report),
            Ok(Err(error)) => {
                set.abort_all();
                return Err(error);
            }
            Err(join_error) => {
                set.abort_all();
                return Err(EngineError::Worker(join_error.to_string()));
            }
        }
    }
    Ok(reports)
}

/// The side a map is copied from.
pub fn source_side(map: &TableMap, requested: Option<Side>) -> Side {
    match map.direction {
        MapDirection::ToDataverse => Side::Fno,
        MapDirection::ToFno => Side::Dataverse,
        MapDirection::Bidirectional => requested.or(map.primary).unwrap_or(Side::Fno),
    }
}

/// The fields (writing to `destination`) whose lookups wait for the second pass: lookups of the
/// map's own table and lookups the chart defers to break a cycle.
pub fn deferred_fields(
    chart: &DependencyChart,
    map: &ResolvedMap,
    destination: Side,
) -> HashSet<usize> {
    map.fields_to(destination)
        .filter(|f| {
            f.lookup.as_ref().is_some_and(|l| {
                l.provider_map == map.id() || chart.is_deferred(&l.provider_map, map.id())
            })
        })
        .map(|f| f.index)
        .collect()
}
