//! Every validation rule, each with a project that triggers it (right code, severity,
//! subjects, path and message) and the corrected project that no longer does; plus a clean
//! realistic project with no findings at all.

mod alert_rules;
mod builders;
mod chart_rules;
mod docs;
mod fields;
mod groups;
mod keys;
mod limits;
mod maps;
mod whole_project;
