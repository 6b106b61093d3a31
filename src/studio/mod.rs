//! The desktop app's use cases, over the rest of the core.
//!
//! Dual-write Studio's Tauri shell (`src-tauri/`) must stay a thin adapter: each of its commands
//! is one call into this module. Keeping the use cases here, free of Tauri, means they are
//! tested with a plain `cargo test` on real files and databases, and the CLI and the app can
//! never disagree about what "open", "save", "analyse" or "run a test sync" mean. Every type
//! that crosses the IPC boundary is declared to TypeScript by [`crate::bindings`].

pub mod analysis;
pub mod document;
pub mod environments;
pub mod error;
pub mod exports;
pub mod first_start;
pub mod live;
pub mod recent;
pub mod records;
pub mod results;
pub mod runs;
pub mod secrets;
pub mod session;
pub mod status;

pub use analysis::{analyze, Analysis, FindingCounts};
pub use document::{OpenedProject, TemplateKind};
pub use error::{AppError, StudioError};
pub use session::Studio;
