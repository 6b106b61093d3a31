//! Demo environments: a ready-made F&O database, Dataverse database and project to sync them.
//!
//! `dualwrite demo DIR` and the desktop app's first start need something to sync without an
//! environment of one's own. [`create`] writes into a directory:
//! - `fno.db`, shaped like F&O data entities (natural keys, company-striped, UNIQUE entity keys,
//!   foreign keys), seeded with deterministic, realistic data: three legal entities, currencies,
//!   customer groups, thousands of customers with contact persons, sales orders and their lines;
//! - `dataverse.db`, shaped like Dataverse tables (database-generated GUID ids, GUID lookups,
//!   UNIQUE integration keys), holding only what a fresh organisation has (its base currency), so
//!   an initial sync has everything to do;
//! - `contoso.dwproj.json`, the shipped example project, whose names match both schemas exactly.
//!
//! The same [`DemoOptions`] always produce the same F&O rows (seeded ChaCha RNG), so demos,
//! screenshots and benchmarks are reproducible. Databases are built in temporary files and renamed
//! into place, so a failed seed never leaves a half-made demo; an existing demo is only replaced
//! with [`DemoOptions::force`].

mod build;
mod catalog;
mod dataverse_schema;
mod error;
mod fno_schema;
mod insert;
pub mod live_examples;
mod names;
mod populate;
mod project;
mod seed;

use std::path::{Path, PathBuf};

pub use dataverse_schema::{dataverse_schema, DATAVERSE_TABLES, GUID_EXPRESSION};
pub use error::DemoError;
pub use fno_schema::{FNO_ENTITIES, FNO_SCHEMA};
pub use project::{demo_project, DATAVERSE_FILE, FNO_FILE, PROJECT_FILE};

use crate::model::Side;
use build::TempDatabase;
use insert::ProgressTracker;
use populate::{seed_dataverse, seed_fno};
use seed::FnoData;

/// The seed of the standard demo.
pub const DEFAULT_SEED: u64 = 20_240_601;

/// The directory beside the project file that holds the engine's runtime store; removed when a
/// demo is replaced, as it describes the old databases.
const STATE_DIR: &str = ".dualwrite";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Customers across all legal entities (at least 1).
    pub customers: usize,
    /// Sales order headers across all legal entities.
    pub orders: usize,
    /// Average lines per order (1 to 1,000); the total is exactly `orders * lines_per_order`.
    pub lines_per_order: u32,
    /// Seed of the random generator: same seed, same data.
    pub seed: u64,
    /// Replace an existing demo in the directory.
    pub force: bool,
}

impl Default for DemoOptions {
    /// The standard demo: 3,000 customers, 5,000 orders, 30,000 order lines.
    fn default() -> Self {
        Self {
            customers: 3_000,
            orders: 5_000,
            lines_per_order: 6,
            seed: DEFAULT_SEED,
            force: false,
        }
    }
}

impl DemoOptions {
    /// A small demo for tests: 60 customers, 40 orders, 120 lines.
    pub fn small() -> Self {
        Self {
            customers: 60,
            orders: 40,
            lines_per_order: 3,
            ..Self::default()
        }
    }

    fn check(&self) -> Result<(), DemoError> {
        if self.customers == 0 {
            return Err(DemoError::InvalidOption {
                option: "customers",
                reason: "a demo needs at least one customer".into(),
            });
        }
        if !(1..=1_000).contains(&self.lines_per_order) {
            return Err(DemoError::InvalidOption {
                option: "lines_per_order",
                reason: format!("{} is not between 1 and 1,000", self.lines_per_order),
            });
        }
        Ok(())
    }
}

/// Progress of seeding, reported after every statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedProgress {
    /// The database being filled.
    pub side: Side,
    /// The table being filled.
    pub table: &'static str,
    /// Rows of this table inserted so far.
    pub table_rows_done: u64,
    /// Rows this table will have.
    pub table_rows_total: u64,
    /// Rows inserted so far in both databases.
    pub rows_done: u64,
    /// Rows both databases will have.
    pub rows_total: u64,
}

/// How many rows one table of the demo got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCount {
    /// The database.
    pub side: Side,
    /// The table (F&O entity or Dataverse table).
    pub table: &'static str,
    /// Rows seeded.
    pub rows: u64,
}

/// A created demo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demo {
    /// `DIR/contoso.dwproj.json`.
    pub project_path: PathBuf,
    /// `DIR/fno.db`.
    pub fno_path: PathBuf,
    /// `DIR/dataverse.db`.
    pub dataverse_path: PathBuf,
    /// Rows per table, F&O entities then Dataverse tables, parents first (tables left empty
    /// included).
    pub counts: Vec<TableCount>,
}

impl Demo {
    /// Rows seeded in one table, if the demo has that table.
    pub fn rows(&self, side: Side, table: &str) -> Option<u64> {
        self.counts
            .iter()
            .find(|c| c.side == side && c.table == table)
            .map(|c| c.rows)
    }

    /// Rows seeded in both databases.
    pub fn total_rows(&self) -> u64 {
        self.counts.iter().map(|c| c.rows).sum()
    }
}

/// Creates a demo in `dir` (created when missing). See the module docs.
pub async fn create(dir: &Path, options: &DemoOptions) -> Result<Demo, DemoError> {
    create_with_progress(dir, options, &mut |_| {}).await
}

/// [`create`], calling `progress` as rows are inserted (for a progress bar).
pub async fn create_with_progress(
    dir: &Path,
    options: &DemoOptions,
    progress: &mut (dyn FnMut(&SeedProgress) + Send),
) -> Result<Demo, DemoError> {
    options.check()?;
    std::fs::create_dir_all(dir).map_err(|source| DemoError::Io {
        action: "create the demo directory",
        path: dir.to_owned(),
        source,
    })?;
    let project_path = dir.join(PROJECT_FILE);
    let fno_path = dir.join(FNO_FILE);
    let dataverse_path = dir.join(DATAVERSE_FILE);
    if !options.force {
        if let Some(existing) = [&project_path, &fno_path, &dataverse_path]
            .into_iter()
            .find(|p| p.exists())
        {
            return Err(DemoError::AlreadyExists {
                path: existing.clone(),
            });
        }
    }

    tracing::info!(dir = %dir.display(), ?options, "creating demo environments");
    let data = FnoData::generate(options);
    let base_currency = seed::dataverse_base_currency();
    let total = [
        &data.currencies,
        &data.legal_entities,
        &data.customer_groups,
        &data.customers,
        &data.contacts,
        &data.orders,
        &base_currency,
    ]
    .iter()
    .map(|rows| rows.len() as u64)
    .sum::<u64>()
        + data.line_count();
    let mut tracker = ProgressTracker::new(total, progress);

    let mut fno = TempDatabase::create(dir, FNO_FILE, FNO_SCHEMA).await?;
    let mut counts = seed_fno(&mut fno, &data, &mut tracker).await?;
    let mut dataverse = TempDatabase::create(dir, DATAVERSE_FILE, &dataverse_schema()).await?;
    counts.extend(seed_dataverse(&mut dataverse, base_currency, &mut tracker).await?);

    if options.force {
        remove_state_dir(&dir.join(STATE_DIR))?;
    }
    fno.finish(&fno_path).await?;
    dataverse.finish(&dataverse_path).await?;
    project::write_project(&project_path)?;
    tracing::info!(
        project = %project_path.display(),
        rows = counts.iter().map(|c| c.rows).sum::<u64>(),
        "demo environments created"
    );
    Ok(Demo {
        project_path,
        fno_path,
        dataverse_path,
        counts,
    })
}

fn remove_state_dir(state: &Path) -> Result<(), DemoError> {
    match std::fs::remove_dir_all(state) {
        Ok(()) => {
            tracing::info!(path = %state.display(), "removed the old demo's sync state");
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DemoError::Io {
            action: "remove the old sync state",
            path: state.to_owned(),
            source,
        }),
    }
}
