//! `dualwrite`: the core of Dual-write Studio.
//!
//! Everything the desktop app and the CLI do lives here, with no dependency on Tauri: the
//! project model and file format, validation of live/async misconfigurations and platform
//! limits, the dependency chart between table maps, the standard template library, imports,
//! and (with the engine) endpoints, the runtime store and the sync engine.

pub mod bindings;
pub mod chart;
pub mod cli;
pub mod demo;
pub mod endpoint;
pub mod engine;
pub mod import;
pub mod model;
mod native_sqlite;
pub mod project_file;
pub mod schema;
pub mod store;
pub mod studio;
pub mod templates;
pub mod validate;
