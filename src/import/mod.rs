//! Imports of other tools' configuration formats. STUB: being written.

pub mod helper_config;
