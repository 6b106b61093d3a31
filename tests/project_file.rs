//! Loading and saving project files: the errors a consultant sees, and atomic, stable saves.

use std::path::Path;

use dualwrite::model::{Project, SCHEMA_VERSION};
use dualwrite::project_file::{self, ProjectFileError};

const GOOD: &str = r#"{
  "schemaVersion": 1,
  "name": "Contoso",
  "environments": [
    { "id": "fno", "side": "fno", "kind": "sqlite", "url": "fno.db", "legalEntities": ["USMF", "DEMF"] },
    { "id": "dv", "side": "dataverse", "kind": "postgres", "url": "postgres://dw:${PGPASSWORD}@localhost/dv" }
  ],
  "tableMaps": [
    {
      "id": "msdyn_customergroups - Customer groups",
      "name": "Customer groups",
      "fno": { "entity": "CustCustomerGroupEntity", "keys": ["CUSTOMERGROUPID"], "companyStriped": true },
      "dataverse": { "table": "msdyn_customergroup", "keys": ["msdyn_groupid"], "companyStriped": true },
      "syncMode": "live",
      "direction": "bidirectional",
      "fields": [
        { "fno": "CUSTOMERGROUPID", "dataverse": "msdyn_groupid", "direction": "both" },
        { "fno": "CLEARINGPERIODPAYMENTTERMNAME", "dataverse": "msdyn_paymentterm", "direction": "toDataverse",
          "transform": { "default": "Net30" } },
        { "fno": "ISSALESTAXINCLUDEDINPRICE", "dataverse": "msdyn_taxincluded", "direction": "both",
          "transform": { "valueMap": { "Yes": true, "No": false } } }
      ]
    }
  ],
  "groups": [
    { "id": "setup", "name": "Setup", "members": [{ "map": "msdyn_customergroups - Customer groups", "sequence": 10 }],
      "expectedRecordsPerTransaction": 50 }
  ]
}
"#;

fn parse(text: &str) -> Result<Project, ProjectFileError> {
    project_file::parse(text, Path::new("contoso.dwproj.json"))
}

fn error_text(text: &str) -> String {
    parse(text).expect_err("the file is invalid").to_string()
}

#[test]
fn a_complete_project_loads_with_its_values() {
    let p = parse(GOOD).unwrap();
    assert_eq!(p.schema_version, SCHEMA_VERSION);
    assert_eq!(
        p.environments[1].url,
        "postgres://dw:${PGPASSWORD}@localhost/dv"
    );
    let map = &p.table_maps[0];
    assert!(map.fno.company_striped && map.dataverse.company_striped);
    assert_eq!(map.fields.len(), 3);
    assert_eq!(p.groups[0].expected_records_per_transaction, Some(50));
}

#[test]
fn a_misspelt_key_names_file_path_position_and_suggests_the_key() {
    let text = GOOD.replace("\"syncMode\": \"live\"", "\"syncMod\": \"live\"");
    let message = error_text(&text);
    assert!(message.starts_with("contoso.dwproj.json:"), "{message}");
    assert!(message.contains("tableMaps[0]"), "{message}");
    assert!(message.contains("unknown field `syncMod`"), "{message}");
    assert!(message.contains("did you mean `syncMode`?"), "{message}");
    assert!(
        message.contains(":14:15:"),
        "the line of the misspelt key: {message}"
    );
}

#[test]
fn a_wrong_value_names_the_nested_path() {
    let text = GOOD.replace(
        "\"direction\": \"toDataverse\"",
        "\"direction\": \"toDatavrse\"",
    );
    let message = error_text(&text);
    assert!(
        message.contains("tableMaps[0].fields[1].direction"),
        "{message}"
    );
    assert!(message.contains("did you mean `toDataverse`?"), "{message}");
}

#[test]
fn a_wrong_type_and_a_missing_value_are_errors_with_their_path() {
    let message = error_text(&GOOD.replace("\"sequence\": 10", "\"sequence\": \"ten\""));
    assert!(
        message.contains("groups[0].members[0].sequence"),
        "{message}"
    );
    assert!(message.contains("invalid type"), "{message}");

    let message = error_text(&GOOD.replace("\"name\": \"Customer groups\",", ""));
    assert!(message.contains("tableMaps[0]"), "{message}");
    assert!(message.contains("missing field `name`"), "{message}");
}

#[test]
fn broken_json_reports_line_and_column() {
    let message = error_text("{\n  \"schemaVersion\": 1,\n  \"name\": \"x\",,\n}");
    assert!(message.starts_with("contoso.dwproj.json:3:"), "{message}");
}

#[test]
fn a_newer_schema_version_is_refused_with_a_clear_message() {
    let text = GOOD
        .replace("\"schemaVersion\": 1", "\"schemaVersion\": 7")
        .replace(
            "\"name\": \"Contoso\"",
            "\"name\": \"Contoso\", \"futureKey\": true",
        );
    let err = parse(&text).unwrap_err();
    assert!(
        matches!(err, ProjectFileError::TooNew { found: 7, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("update Dual-write Studio"));
}

#[test]
fn duplicate_ids_are_refused_with_both_places() {
    let text = GOOD.replace("\"id\": \"dv\"", "\"id\": \"fno\"");
    let message = error_text(&text);
    assert!(message.contains("environments[1].id"), "{message}");
    assert!(message.contains("environments[0]"), "{message}");
}

#[test]
fn a_missing_file_is_a_read_error_naming_it() {
    let err = project_file::load(Path::new("/nonexistent/x.dwproj.json")).unwrap_err();
    assert!(matches!(err, ProjectFileError::Read { .. }));
    assert!(err.to_string().contains("/nonexistent/x.dwproj.json"));
}

#[test]
fn saving_round_trips_with_stable_two_space_output_and_no_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contoso.dwproj.json");
    let project = parse(GOOD).unwrap();
    project_file::save(&project, &path).unwrap();
    let first = std::fs::read_to_string(&path).unwrap();
    assert!(first
        .starts_with("{\n  \"schemaVersion\": 1,\n  \"name\": \"Contoso\",\n  \"environments\""));
    assert!(first.ends_with("}\n"));
    // Value maps keep the file's order, not an alphabetical one.
    assert!(first.find("\"Yes\"").unwrap() < first.find("\"No\"").unwrap());
    let reloaded = project_file::load(&path).unwrap();
    assert_eq!(reloaded, project);
    project_file::save(&reloaded, &path).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        first,
        "saving twice changes nothing"
    );
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "no temporary file is left behind");
}

#[test]
fn a_failed_save_leaves_the_previous_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.dwproj.json");
    std::fs::write(&path, "previous").unwrap();
    // A directory where the file should be renamed to makes the rename fail.
    let blocked = dir.path().join("blocked.dwproj.json");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep"), "x").unwrap();
    let err = project_file::save(&parse(GOOD).unwrap(), &blocked).unwrap_err();
    assert!(matches!(err, ProjectFileError::Write { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous");
    assert!(blocked.join("keep").exists());
}

#[cfg(unix)]
#[test]
fn saving_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.dwproj.json");
    let project = parse(GOOD).unwrap();
    project_file::save(&project, &path).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&path),
        0o644,
        "a new project file is readable like any document"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    project_file::save(&project, &path).unwrap();
    assert_eq!(mode(&path), 0o640);
}
