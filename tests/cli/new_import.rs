//! `dualwrite new` and `dualwrite import helper-config`: files written, overwrite rules.

use std::path::Path;

use predicates::prelude::*;

use super::support::*;

const HELPER_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/dual-write-helper/App.config"
);

#[test]
fn new_standard_writes_the_out_of_box_maps() {
    let ws = Workspace::new();
    let file = ws.path("Contoso UK.dwproj.json");
    dualwrite()
        .args(["new", "--template", "standard"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("93 table maps"))
        .stderr(predicate::str::is_empty());
    let project = load(&file);
    assert_eq!(project.name, "Contoso UK");
    assert_eq!(project.table_maps.len(), 93);
}

#[test]
fn new_empty_writes_a_project_without_maps() {
    let ws = Workspace::new();
    let file = ws.path("blank.dwproj.json");
    dualwrite()
        .args(["new", "--template", "empty", "--name", "Fabrikam"])
        .arg(&file)
        .assert()
        .code(0);
    let project = load(&file);
    assert_eq!(project.name, "Fabrikam");
    assert!(project.table_maps.is_empty());
    // What `new` writes is a project the other commands accept.
    dualwrite()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors"));
}

#[test]
fn new_refuses_to_overwrite_without_force() {
    let ws = Workspace::new();
    let file = ws.write("mine.dwproj.json", "hours of work");
    dualwrite()
        .args(["new", "--template", "empty"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mine.dwproj.json"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("kept"),
        "hours of work"
    );

    dualwrite()
        .args(["new", "--template", "empty", "--force"])
        .arg(&file)
        .assert()
        .code(0);
    assert_eq!(load(&file).name, "mine");
}

#[test]
fn new_warns_about_a_file_name_without_the_suffix() {
    let ws = Workspace::new();
    let file = ws.path("plain.json");
    dualwrite()
        .args(["new", "--template", "empty"])
        .arg(&file)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("warning:"))
        .stderr(predicate::str::contains(".dwproj.json"));
    assert_eq!(load(&file).name, "plain");

    let quiet = ws.path("quiet.json");
    dualwrite()
        .args(["--quiet", "new", "--template", "empty"])
        .arg(&quiet)
        .assert()
        .code(0)
        .stderr(predicate::str::is_empty());
    assert!(quiet.exists());
}

#[test]
fn import_helper_config_writes_its_maps() {
    let ws = Workspace::new();
    let out = ws.path("helper.dwproj.json");
    let output = dualwrite()
        .args(["import", "helper-config", HELPER_CONFIG, "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let project = load(&out);
    assert_eq!(project.table_maps.len(), 73);
    let stdout = stdout_of(&output);
    assert!(stdout.contains("73 table maps"), "{stdout}");
    assert_eq!(
        project.groups.len(),
        1,
        "the helper puts every map in one group"
    );
    assert!(stdout.contains("73 table maps, 1 group\n"), "{stdout}");
    for group in &project.groups {
        assert!(
            stdout.contains(&group.name),
            "group {} missing: {stdout}",
            group.name
        );
    }
}

#[test]
fn import_refuses_to_overwrite_without_force() {
    let ws = Workspace::new();
    let out = ws.write("taken.dwproj.json", "{}");
    dualwrite()
        .args(["import", "helper-config", HELPER_CONFIG, "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).expect("kept"), "{}");
    dualwrite()
        .args(["import", "helper-config", HELPER_CONFIG, "--force", "--out"])
        .arg(&out)
        .assert()
        .code(0);
    assert_eq!(load(&out).table_maps.len(), 73);
}

#[test]
fn import_of_a_missing_file_exits_2_and_writes_nothing() {
    let ws = Workspace::new();
    let out = ws.path("never.dwproj.json");
    dualwrite()
        .args(["import", "helper-config"])
        .arg(ws.path("App.config"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("App.config"));
    assert!(!Path::new(&out).exists());
}

#[test]
fn import_of_a_file_that_is_not_xml_exits_2_with_its_position() {
    let ws = Workspace::new();
    let config = ws.write("App.config", "<configuration>\n  <MapConfigs>\n");
    let out = ws.path("never.dwproj.json");
    dualwrite()
        .args(["import", "helper-config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::is_match(r"^error: .*App\.config:\d+:\d+: not well-formed XML")
                .expect("regex"),
        );
    assert!(!out.exists());
}
