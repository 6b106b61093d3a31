//! The sync engine: moves rows between the two endpoints of a project through its table maps.
//!
//! [`Engine::open`] does everything that can fail before a row moves: it loads the project,
//! connects the environment of each side, opens the runtime store, discovers both schemas and
//! resolves every table map against them ([`resolve`]), so that a misspelt column is reported
//! up front with the map, side and closest name. Then:
//! - [`Engine::initial_sync`] copies existing rows in dependency order ([`initial`]);
//! - [`Engine::live_transaction`] carries one unit of work across in one distributed
//!   transaction ([`live`]); [`Engine::open`] first settles live transactions a crash left
//!   unfinished;
//! - rows are carried across by [`transform`] (field directions, value maps, defaults) and
//!   [`lookup`] (natural key <-> GUID id of referenced rows).
//!
//! # Legal entities (company striping)
//! A map is company-striped when its F&O side says so; its company is carried by the field whose
//! F&O column is `dataAreaId`, and that field's Dataverse column is the company column on the
//! Dataverse side. Initial syncs copy such maps one legal entity at a time, and lookups between
//! two company-striped maps are qualified by the row's company (see [`lookup`]).

pub mod breaker;
mod error;
pub mod initial;
pub mod live;
pub mod lookup;
pub mod resolve;
pub mod round;
pub mod rows;
pub mod transform;

pub use breaker::{BreakerConfig, BreakerMetrics, BreakerState, CircuitBreaker};
pub use error::EngineError;
pub use initial::{InitialSyncOptions, InitialSyncReport, MapReport, Pass, ProgressEvent};
pub use live::{LiveOptions, LiveOutcome};
pub use lookup::LookupResolver;
pub use resolve::{ResolvedField, ResolvedLookup, ResolvedMap};
pub use round::{RoundOptions, RoundReport};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::chart::DependencyChart;
use crate::endpoint::{connect_with_secrets, Endpoint, EnvironmentVariables, SecretSource};
use crate::model::{Environment, Project, Side};
use crate::store::{LiveOwnerLock, Store};

/// A project connected to its endpoints and its runtime store, with its maps resolved.
pub struct Engine {
    project: Project,
    project_path: PathBuf,
    fno: Arc<dyn Endpoint>,
    dataverse: Arc<dyn Endpoint>,
    fno_environment: Environment,
    dataverse_environment: Environment,
    store: Store,
    maps: Vec<Arc<ResolvedMap>>,
    chart: DependencyChart,
    breakers: breaker::Breakers,
    /// Held while the engine is open; the queue leases it takes name it.
    queue_owner: LiveOwnerLock,
}

impl Engine {
    /// Opens the project at `project_path`: connects one environment per side (the first of
    /// each), opens the store in `state_dir` (default: `.dualwrite/` beside the project),
    /// discovers both schemas and resolves every map.
    pub async fn open(
        project_path: &Path,
        state_dir: Option<&Path>,
    ) -> Result<Engine, EngineError> {
        Self::open_with_secrets(project_path, state_dir, &EnvironmentVariables).await
    }

    /// [`Engine::open`], taking the values of `${NAME}` in environment URLs from `secrets`.
    pub async fn open_with_secrets(
        project_path: &Path,
        state_dir: Option<&Path>,
        secrets: &dyn SecretSource,
    ) -> Result<Engine, EngineError> {
        let project = crate::project_file::load(project_path)?;
        let project_dir = project_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let fno_environment = environment_of(&project, project_path, Side::Fno)?;
        let dataverse_environment = environment_of(&project, project_path, Side::Dataverse)?;
        let fno: Arc<dyn Endpoint> =
            Arc::from(connect_with_secrets(&fno_environment, project_dir, secrets).await?);
        let dataverse: Arc<dyn Endpoint> =
            Arc::from(connect_with_secrets(&dataverse_environment, project_dir, secrets).await?);
        let state_dir = state_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(|| crate::store::default_dir(project_path));
        let store = Store::open(&state_dir).await?;
        let engine = Self::with_parts(project, project_path, fno, dataverse, store).await?;
        // A crash may have left live transactions between their two commits: settle them
        // before anything else moves rows (see `live::recovery`).
        engine.resolve_in_doubt().await?;
        // Queue entries claimed by an engine that was killed stay leased (two minutes by
        // default); without this, a restart's `sync --once` found nothing ready and left them
        // pending until the lease ran out. Leases name their engine's owner lock, so only those
        // of engines that are gone are freed: the claims of a `sync --watch` running beside
        // this engine stay its own (see `store::queue::claim`).
        let released = engine
            .store
            .release_orphaned_leases(crate::store::Timestamp::now())
            .await?;
        if released > 0 {
            tracing::info!(released, "queue leases of a previous run released");
        }
        // With their leases and live transactions settled, the lock files of killed runs
        // would only pile up (see `store::owner_sweep`).
        let swept = engine
            .store
            .sweep_stale_owner_locks(crate::store::Timestamp::now())
            .await?;
        if swept > 0 {
            tracing::info!(swept, "owner lock files of finished runs removed");
        }
        Ok(engine)
    }

    /// Builds an engine from endpoints and a store that are already open (tests, the app).
    pub async fn with_parts(
        project: Project,
        project_path: &Path,
        fno: Arc<dyn Endpoint>,
        dataverse: Arc<dyn Endpoint>,
        store: Store,
    ) -> Result<Engine, EngineError> {
        let fno_environment = environment_of(&project, project_path, Side::Fno)?;
        let dataverse_environment = environment_of(&project, project_path, Side::Dataverse)?;
        let fno_schema = fno.discover().await?;
        let dataverse_schema = dataverse.discover().await?;
        let maps = resolve::resolve_project(
            &project,
            (fno.name(), &fno_schema),
            (dataverse.name(), &dataverse_schema),
        )?
        .into_iter()
        .map(Arc::new)
        .collect();
        let chart = DependencyChart::build(&project);
        let queue_owner = store.claim_queue_owner()?;
        Ok(Engine {
            project,
            project_path: project_path.to_path_buf(),
            fno,
            dataverse,
            fno_environment,
            dataverse_environment,
            store,
            maps,
            chart,
            breakers: breaker::Breakers::default(),
            queue_owner,
        })
    }

    /// The project.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The project file.
    pub fn project_path(&self) -> &Path {
        &self.project_path
    }

    /// The runtime store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The owner id the queue leases of this engine name (its owner lock is held while the
    /// engine is open; see `store::queue::claim`).
    pub fn queue_owner(&self) -> &str {
        self.queue_owner.owner()
    }

    /// The endpoint of a side.
    pub fn endpoint(&self, side: Side) -> &Arc<dyn Endpoint> {
        match side {
            Side::Fno => &self.fno,
            Side::Dataverse => &self.dataverse,
        }
    }

    /// The environment of a side.
    pub fn environment(&self, side: Side) -> &Environment {
        match side {
            Side::Fno => &self.fno_environment,
            Side::Dataverse => &self.dataverse_environment,
        }
    }

    /// The resolved maps, in project order.
    pub fn maps(&self) -> &[Arc<ResolvedMap>] {
        &self.maps
    }

    /// The state and counts of a side's circuit breaker (`None` before the async round used it).
    pub fn breaker_metrics(&self, side: Side) -> Option<BreakerMetrics> {
        self.breakers.metrics(&self.environment(side).id)
    }

    /// The resolved map with this id.
    pub fn map(&self, id: &str) -> Option<&Arc<ResolvedMap>> {
        self.maps.iter().find(|m| m.id() == id)
    }

    /// The dependency chart of the project.
    pub fn chart(&self) -> &DependencyChart {
        &self.chart
    }

    /// Closes the endpoints and the store.
    pub async fn close(self) {
        drop(self.queue_owner);
        self.fno.close().await;
        self.dataverse.close().await;
        self.store.close().await;
    }
}

/// The first environment of the project that plays `side`.
fn environment_of(
    project: &Project,
    project_path: &Path,
    side: Side,
) -> Result<Environment, EngineError> {
    project
        .environments
        .iter()
        .find(|e| e.side == side)
        .cloned()
        .ok_or_else(|| EngineError::MissingEnvironment {
            path: project_path.to_path_buf(),
            side,
        })
}
