//! Imports of other tools' configuration formats.
//!
//! Consultants arrive with a configuration they already keep elsewhere; an import turns it
//! into a project and says what it could not carry over, rather than making them retype it.

pub mod helper_config;
