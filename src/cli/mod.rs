//! The `dualwrite` command line: clap definitions and dispatch.
//!
//! The CLI is a thin shell over the library so that what a consultant sees in a terminal or a CI
//! log is exactly what the desktop app computes: every command loads a project with
//! [`crate::project_file`], asks the owning module (validation, chart, templates, import) for the
//! answer and only formats it. Exit codes are part of the interface, because CI pipelines branch
//! on them: 0 all is well, 1 the project has errors or the operation failed on its merits, 2 the
//! command line or an input file is wrong (clap's own usage errors included).

mod conflicts;
mod console;
mod demo;
mod engine_runtime;
mod error;
mod errors;
mod graph;
mod import;
mod live;
mod logging;
mod new;
mod order;
mod output;
mod pause;
mod progress;
mod retry;
mod status;
mod sync;
mod target_file;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::templates::Template;

pub use error::CliError;

use console::Console;

/// Design and check Dynamics 365 dual-write configurations.
#[derive(Debug, Parser)]
#[command(name = "dualwrite", version, about, propagate_version = true)]
pub struct Cli {
    /// Print only errors on stderr (no warnings, no logs).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG, when set, takes precedence.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a project for live/async misconfigurations and platform limits.
    Validate(ValidateArgs),
    /// Print the dependency chart between table maps.
    Graph(GraphArgs),
    /// Print the initial-sync order: waves of maps that can sync in parallel.
    Order(OrderArgs),
    /// Create a new project file from a template.
    New(NewArgs),
    /// Create a project from another tool's configuration.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Create demo F&O and Dataverse databases with a project, and sync them once.
    Demo(DemoArgs),
    /// Run an initial sync, or async rounds (once until the queue is empty, or until Ctrl-C).
    Sync(SyncArgs),
    /// Show each map's sync mode, pause state, queue and errors, and the last runs.
    Status(ListArgs),
    /// List the sync error log.
    Errors(ErrorsArgs),
    /// List conflicts (rows both sides changed; the primary side won).
    Conflicts(ListArgs),
    /// Re-queue failed entries of the error log once their cause is fixed.
    Retry(RetryArgs),
    /// Pause a map: its changes queue up until it is resumed.
    Pause(MapArgs),
    /// Resume a paused map: its queued changes catch up.
    Resume(MapArgs),
    /// Runs one live (synchronous) transaction from a transaction file: both sides commit or
    /// neither does.
    Live(LiveArgs),
}

/// Arguments of `dualwrite live`.
#[derive(Debug, Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub target: ProjectStateArgs,
    /// The side whose unit of work the file holds.
    #[arg(long, value_enum)]
    pub from: SideArg,
    /// The transaction file: `[{ "table": T, "op": "upsert"|"delete", "values": { column: value } }]`.
    #[arg(long, value_name = "FILE")]
    pub txn: PathBuf,
    /// Run the rows as the platform's "multiple transactions" pattern: chunks of at most N
    /// records, each committing or rolling back on its own.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub split: Option<u32>,
    /// The time limit up to the target's commit, in seconds (the platform's default is 120).
    #[arg(long, value_name = "SECONDS")]
    pub time_limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// A dual-write side on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SideArg {
    /// Finance and operations.
    Fno,
    /// Dataverse.
    Dataverse,
}

impl SideArg {
    /// The model's side.
    pub fn side(self) -> crate::model::Side {
        match self {
            SideArg::Fno => crate::model::Side::Fno,
            SideArg::Dataverse => crate::model::Side::Dataverse,
        }
    }
}

/// The project an engine command works on, and where its runtime store is.
#[derive(Debug, Args)]
pub struct ProjectStateArgs {
    /// The project file (NAME.dwproj.json).
    pub project: PathBuf,
    /// The engine's runtime store directory (default: `.dualwrite/` beside the project).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

/// `dualwrite demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The directory to create the demo in (created when missing).
    pub dir: PathBuf,
    /// Replace an existing demo in DIR (its databases and sync state are rebuilt).
    #[arg(long)]
    pub force: bool,
    /// Customers across all legal entities.
    #[arg(long, default_value_t = 3_000)]
    pub customers: usize,
    /// Sales orders across all legal entities.
    #[arg(long, default_value_t = 5_000)]
    pub orders: usize,
}

/// `dualwrite sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub target: ProjectStateArgs,
    /// Copy the existing rows of the selected maps instead of running async rounds.
    #[arg(long)]
    pub initial: bool,
    /// Run async rounds until the queue is empty (the default).
    #[arg(long, conflicts_with_all = ["watch", "initial"])]
    pub once: bool,
    /// Run async rounds until Ctrl-C.
    #[arg(long, conflicts_with = "initial")]
    pub watch: bool,
    /// Only the maps of this entity group (initial sync: copy them; async: process their
    /// queue entries, the others stay queued).
    #[arg(long, conflicts_with = "map")]
    pub group: Option<String>,
    /// Only this map (repeatable; initial sync: copy it; async: process its queue entries).
    #[arg(long)]
    pub map: Vec<String>,
    /// Async rounds: entity groups (and maps of one chart wave) processed at the same time.
    #[arg(long, default_value_t = crate::engine::RoundOptions::default().workers,
          value_parser = clap::value_parser!(u32).range(1..=64), conflicts_with = "initial")]
    pub workers: u32,
}

/// Output formats of the engine's listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// For people.
    Text,
    /// Stable JSON, for scripts and the app.
    Json,
}

/// `dualwrite status` and `dualwrite conflicts`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub target: ProjectStateArgs,
    /// How to print.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

/// `dualwrite errors`.
#[derive(Debug, Args)]
pub struct ErrorsArgs {
    #[command(flatten)]
    pub list: ListArgs,
    /// Only errors of this category.
    #[arg(long, value_enum)]
    pub category: Option<errors::CategoryArg>,
}

/// `dualwrite retry`.
#[derive(Debug, Args)]
pub struct RetryArgs {
    #[command(flatten)]
    pub target: ProjectStateArgs,
    /// Retry every unresolved error.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,
    /// The error ids to retry (see `dualwrite errors`).
    #[arg(value_name = "ID", required_unless_present = "all")]
    pub ids: Vec<i64>,
    /// Then process the queue once.
    #[arg(long)]
    pub run: bool,
}

/// `dualwrite pause` and `dualwrite resume`.
#[derive(Debug, Args)]
pub struct MapArgs {
    #[command(flatten)]
    pub target: ProjectStateArgs,
    /// The table map's id.
    #[arg(long)]
    pub map: String,
}

/// `dualwrite validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The project file (NAME.dwproj.json).
    pub project: PathBuf,
    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    pub format: FindingsFormat,
}

/// Output formats of `dualwrite validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// For people, coloured on a terminal.
    Text,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// `dualwrite graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The project file (NAME.dwproj.json).
    pub project: PathBuf,
    /// The graph format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Output formats of `dualwrite graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart (renders in Markdown on GitHub and Azure DevOps).
    Mermaid,
    /// Nodes and edges as JSON.
    Json,
}

/// `dualwrite order`.
#[derive(Debug, Args)]
pub struct OrderArgs {
    /// The project file (NAME.dwproj.json).
    pub project: PathBuf,
}

/// `dualwrite new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The project file to create (NAME.dwproj.json).
    pub project: PathBuf,
    /// What the project starts with.
    #[arg(long, value_enum, default_value_t = Template::Standard)]
    pub template: Template,
    /// The project's name; by default the file name without `.dwproj.json`.
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub overwrite: OverwriteArgs,
}

/// `dualwrite import ...`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import the App.config of Microsoft's Dual-write helper.
    HelperConfig(HelperConfigArgs),
}

/// `dualwrite import helper-config`.
#[derive(Debug, Args)]
pub struct HelperConfigArgs {
    /// The Dual-write helper's App.config.
    pub file: PathBuf,
    /// The project file to create (NAME.dwproj.json).
    #[arg(long, value_name = "PROJECT")]
    pub out: PathBuf,
    #[command(flatten)]
    pub overwrite: OverwriteArgs,
}

/// Whether a command that writes a project file may replace an existing one.
#[derive(Debug, Args)]
pub struct OverwriteArgs {
    /// Replace the project file if it already exists.
    #[arg(long)]
    pub force: bool,
}

/// Runs the CLI with the process arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 2 on usage errors and 0 for --help/--version.
            let code = e.exit_code();
            // If even the usage message cannot be printed, the exit code still tells.
            let _ = e.print();
            return ExitCode::from(u8::try_from(code).unwrap_or(2));
        }
    };
    logging::init(cli.quiet, cli.verbose);
    let console = Console::new(cli.quiet);
    match run(cli.command, &console) {
        Ok(outcome) => outcome.exit_code(),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            console.error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing wrong.
    Success,
    /// The command worked, and what it found is an error (validation errors).
    Findings,
    /// The input was refused (exit 2), with the reason already printed.
    BadInput,
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
            Outcome::BadInput => ExitCode::from(2),
        }
    }
}

/// Runs one parsed command.
fn run(command: Command, console: &Console) -> Result<Outcome, CliError> {
    tracing::debug!(?command, "running");
    let mut stdout = anstream::stdout().lock();
    match command {
        Command::Validate(args) => validate::run(&args, &mut stdout),
        Command::Graph(args) => graph::run(&args, &mut stdout),
        Command::Order(args) => order::run(&args, &mut stdout, console),
        Command::New(args) => new::run(&args, &mut stdout, console),
        Command::Import(ImportCommand::HelperConfig(args)) => {
            import::run_helper_config(&args, &mut stdout, console)
        }
        Command::Demo(args) => demo::run(&args, &mut stdout, console),
        Command::Sync(args) => sync::run(&args, &mut stdout, console),
        Command::Status(args) => status::run(&args, &mut stdout),
        Command::Errors(args) => errors::run(&args, &mut stdout),
        Command::Conflicts(args) => conflicts::run(&args, &mut stdout),
        Command::Retry(args) => retry::run(&args, &mut stdout),
        Command::Pause(args) => pause::run(&args, true, &mut stdout),
        Command::Resume(args) => pause::run(&args, false, &mut stdout),
        Command::Live(args) => live::run(&args, &mut stdout),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definitions_are_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
