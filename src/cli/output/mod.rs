//! Renderings of validation findings: text for people, SARIF for code-scanning tools.
//!
//! JSON needs no module of its own: it is `Finding`'s own serialisation, so the CLI and the app
//! cannot drift apart on it. Codes, titles and the severity tally come from
//! [`crate::validate`]; this module only lays them out.

pub mod sarif;
pub mod text;
