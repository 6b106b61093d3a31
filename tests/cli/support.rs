//! Helpers of the CLI tests: the binary with a clean environment, and project files written
//! from JSON in a temporary directory.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::{json, Value};

/// The `dualwrite` binary, without the caller's logging and colour settings.
pub fn dualwrite() -> assert_cmd::Command {
    let mut command = cargo_bin_cmd!("dualwrite");
    for var in ["RUST_LOG", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        command.env_remove(var);
    }
    command
}

/// A temporary directory holding project files.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// A path inside the workspace.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `text` to `name` and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, text).expect("write test file");
        path
    }

    /// Writes a project and returns its path.
    pub fn project(&self, name: &str, project: &Value) -> PathBuf {
        self.write(name, &serde_json::to_string_pretty(project).expect("JSON"))
    }
}

/// The Dataverse table of a test map.
pub fn table_of(map: &str) -> String {
    format!("cr_{}", map.to_lowercase())
}

/// A table map `id` whose fields look up the tables of `lookups` (map ids).
pub fn map(id: &str, sync_mode: &str, lookups: &[&str]) -> Value {
    let mut fields = vec![json!({ "fno": "Code", "dataverse": "cr_code" })];
    for target in lookups {
        fields.push(json!({
            "fno": format!("{target}Code"),
            "dataverse": format!("cr_{}id", target.to_lowercase()),
            "lookup": { "table": table_of(target), "key": "cr_code" }
        }));
    }
    json!({
        "id": id,
        "name": id,
        "fno": { "entity": format!("{id}Entity"), "keys": ["Code"] },
        "dataverse": { "table": table_of(id), "keys": ["cr_code"] },
        "syncMode": sync_mode,
        "fields": fields
    })
}

/// A group of maps with sequence numbers 1, 2, 3... in the given order.
pub fn group(id: &str, maps: &[&str]) -> Value {
    let members: Vec<Value> = maps
        .iter()
        .zip(1..)
        .map(|(map, sequence)| json!({ "map": map, "sequence": sequence }))
        .collect();
    json!({ "id": id, "name": id, "members": members })
}

/// A project with these maps and groups.
pub fn project(maps: Vec<Value>, groups: Vec<Value>) -> Value {
    json!({
        "schemaVersion": 1,
        "name": "Test",
        "tableMaps": maps,
        "groups": groups
    })
}

/// A -> B -> C (B looks up A, C looks up B) and an independent D, all live.
pub fn chain_project() -> Value {
    project(
        vec![
            map("A", "live", &[]),
            map("B", "live", &["A"]),
            map("C", "live", &["B"]),
            map("D", "live", &[]),
        ],
        vec![],
    )
}

/// Standard output of a finished command as text.
pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// Standard error of a finished command as text.
pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Loads a project file with the library, as the app would.
pub fn load(path: &Path) -> dualwrite::model::Project {
    dualwrite::project_file::load(path).expect("the written project loads")
}
