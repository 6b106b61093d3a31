//! The JSON Schema of the project file, generated from the model types.
//!
//! The schema is committed at `schema/dwproj.schema.json` so editors can validate project files
//! without the tool; a test regenerates it and fails when the committed copy has drifted
//! (run `UPDATE_SCHEMA=1 cargo test --test schema` to refresh it).

use crate::model::Project;

/// The schema as pretty JSON with a final newline.
pub fn project_schema_json() -> String {
    let schema = schemars::schema_for!(Project);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
