//! The committed JSON Schema matches the model, and validates real project files.

use std::path::PathBuf;

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/dwproj.schema.json")
}

#[test]
fn the_committed_schema_matches_the_model() {
    let generated = dualwrite::schema::project_schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(committed_path(), &generated).unwrap();
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/dwproj.schema.json is out of date: run `UPDATE_SCHEMA=1 cargo test --test schema` and commit it"
    );
}

#[test]
fn the_schema_describes_the_contract_names() {
    let schema: serde_json::Value =
        serde_json::from_str(&dualwrite::schema::project_schema_json()).unwrap();
    let required = schema["required"].as_array().unwrap();
    assert!(required.contains(&"schemaVersion".into()) && required.contains(&"name".into()));
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are refused by editors too"
    );
    let table_map = &schema["$defs"]["TableMap"]["properties"];
    for key in [
        "id",
        "name",
        "fno",
        "dataverse",
        "syncMode",
        "direction",
        "primary",
        "syncDeletes",
        "placeholders",
        "fields",
        "dependsOn",
    ] {
        assert!(
            table_map.get(key).is_some(),
            "TableMap.{key} is in the schema"
        );
    }
}
