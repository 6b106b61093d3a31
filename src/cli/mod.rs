//! The `dualwrite` command line. STUB: being written.

/// Runs the CLI with the process arguments.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
