//! The `dualwrite` command line: clap definitions and dispatch.
//!
//! The CLI is a thin shell over the library so that what a consultant sees in a terminal or a CI
//! log is exactly what the desktop app computes: every command loads a project with
//! [`crate::project_file`], asks the owning module (validation, chart, templates, import) for the
//! answer and only formats it. Exit codes are part of the interface, because CI pipelines branch
//! on them: 0 all is well, 1 the project has errors or the operation failed on its merits, 2 the
//! command line or an input file is wrong (clap's own usage errors included).

mod console;
mod error;
mod graph;
mod import;
mod logging;
mod new;
mod order;
mod output;
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
}

impl Outcome {
    /// The process exit code.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Success => ExitCode::SUCCESS,
            Outcome::Findings => ExitCode::from(1),
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
