//! Diagnostics of the tool itself, through `tracing`, on stderr.
//!
//! stdout carries the command's result (findings, a graph) and must stay parseable, so logs go
//! to stderr. The level comes from `RUST_LOG` when it is set (for whoever debugs the tool), else
//! from `--quiet`/`-v` (for whoever runs it).

use tracing::level_filters::LevelFilter;
use tracing_subscriber::EnvFilter;

/// Installs the stderr subscriber; does nothing if one is already installed.
pub fn init(quiet: bool, verbose: u8) {
    let level = if quiet {
        LevelFilter::ERROR
    } else {
        match verbose {
            0 => LevelFilter::WARN,
            1 => LevelFilter::INFO,
            2 => LevelFilter::DEBUG,
            _ => LevelFilter::TRACE,
        }
    };
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(anstream::stderr)
        .with_target(verbose >= 2)
        .without_time()
        .try_init();
    if installed.is_err() {
        tracing::debug!("a tracing subscriber was already installed");
    }
}
