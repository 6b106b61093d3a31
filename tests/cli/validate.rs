//! `dualwrite validate`: findings in each format, exit codes, unreadable and invalid files.

use predicates::prelude::*;
use serde_json::{json, Value};

use super::support::*;

/// A group mixing a live and an async map: a transaction the platform refuses (DW001, and
/// nothing else: the async map has its primary side).
fn mixed_group_project() -> Value {
    let mut async_map = map("B", "async", &["A"]);
    async_map["primary"] = json!("fno");
    project(
        vec![map("A", "live", &[]), async_map],
        vec![group("G", &["A", "B"])],
    )
}

#[test]
fn a_clean_project_exits_0_with_no_errors() {
    let ws = Workspace::new();
    let file = ws.project("clean.dwproj.json", &chain_project());
    dualwrite()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with(
            "0 errors, 0 warnings, 0 infos in ".to_string() + &file.display().to_string() + "\n",
        ));
}

#[test]
fn an_error_finding_exits_1_in_every_format() {
    let ws = Workspace::new();
    let file = ws.project("mixed.dwproj.json", &mixed_group_project());

    // JSON first: it says which code the error has, the other formats must show the same.
    let output = dualwrite()
        .args(["validate", "--format", "json"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    let findings: Value = serde_json::from_str(&stdout_of(&output)).expect("a JSON array");
    let findings = findings.as_array().expect("an array");
    let error = findings
        .iter()
        .find(|f| f["severity"] == "error")
        .expect("an error finding");
    assert_eq!(findings.len(), 1, "{findings:?}");
    let code = error["code"].as_str().expect("a code").to_string();
    assert_eq!(code, "DW001");
    assert_eq!(error["path"], "groups[0].members[1]");
    assert_eq!(error["subjects"], json!(["G", "B"]));
    for key in ["subjects", "message", "hint"] {
        assert!(error.get(key).is_some(), "finding without {key}: {error}");
    }

    let output = dualwrite()
        .arg("validate")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let text = stdout_of(&output);
    assert!(text.contains(&format!("error[{code}]: ")), "{text}");
    assert!(text.contains("hint: "), "{text}");
    let errors = findings.iter().filter(|f| f["severity"] == "error").count();
    let summary = text.lines().last().expect("a summary line");
    assert!(summary.starts_with(&format!("{errors} error")), "{summary}");
    assert!(summary.ends_with("mixed.dwproj.json"), "{summary}");
    assert!(
        !text.contains('\u{1b}'),
        "escape codes in piped output: {text:?}"
    );

    let output = dualwrite()
        .args(["validate", "--format", "sarif"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout_of(&output)).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.iter().any(|r| r["id"] == code.as_str()), "{rules:?}");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), findings.len());
    let result = results
        .iter()
        .find(|r| r["ruleId"] == code.as_str() && r["level"] == "error")
        .expect("the error's result");
    let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("a file URI");
    assert!(
        uri.starts_with("file://") && uri.ends_with("/mixed.dwproj.json"),
        "{uri}"
    );
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "groups[0].members[1]"
    );
    let rule = &rules[result["ruleIndex"].as_u64().expect("ruleIndex") as usize];
    assert_eq!(rule["id"], "DW001");
}

#[test]
fn colour_only_when_asked_for_and_never_with_no_color() {
    let ws = Workspace::new();
    let file = ws.project("mixed.dwproj.json", &mixed_group_project());
    let forced = dualwrite()
        .arg("validate")
        .arg(&file)
        .env("CLICOLOR_FORCE", "1")
        .output()
        .expect("runs");
    assert!(
        stdout_of(&forced).contains("\u{1b}["),
        "no colour when forced"
    );
    let no_color = dualwrite()
        .arg("validate")
        .arg(&file)
        .env("CLICOLOR_FORCE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(
        !stdout_of(&no_color).contains('\u{1b}'),
        "colour despite NO_COLOR"
    );
}

#[test]
fn a_missing_file_exits_2_naming_it() {
    let ws = Workspace::new();
    let missing = ws.path("nowhere.dwproj.json");
    dualwrite()
        .arg("validate")
        .arg(&missing)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("nowhere.dwproj.json"));
}

#[test]
fn a_bad_file_exits_2_with_path_position_and_suggestion() {
    let ws = Workspace::new();
    // `syncMod` instead of `syncMode`, on line 7 of the file.
    let text = r#"{
  "schemaVersion": 1,
  "name": "Typo",
  "tableMaps": [
    { "id": "A", "name": "A",
      "fno": { "entity": "AEntity" }, "dataverse": { "table": "cr_a" },
      "syncMod": "live" }
  ]
}
"#;
    let file = ws.write("typo.dwproj.json", text);
    let output = dualwrite()
        .arg("validate")
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = stderr_of(&output);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("typo.dwproj.json:7:"), "{stderr}");
    assert!(stderr.contains("tableMaps[0]"), "{stderr}");
    assert!(stderr.contains("did you mean `syncMode`"), "{stderr}");
}

#[test]
fn verbosity_flags_control_the_log_on_stderr() {
    let ws = Workspace::new();
    let file = ws.project("clean.dwproj.json", &chain_project());
    dualwrite()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
    dualwrite()
        .args(["-v", "validate"])
        .arg(&file)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("INFO"));
    dualwrite()
        .args(["validate", "--quiet"])
        .arg(&file)
        .env("RUST_LOG", "debug")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("DEBUG"));
}
