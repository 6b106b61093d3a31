//! End-to-end tests of the `dualwrite` binary: output and exit code of every command.

#[path = "cli/engine_commands.rs"]
mod engine_commands;
#[path = "cli/graph_order.rs"]
mod graph_order;
#[path = "cli/new_import.rs"]
mod new_import;
#[path = "cli/support.rs"]
mod support;
#[path = "cli/validate.rs"]
mod validate;

use predicates::prelude::*;
use support::dualwrite;

#[test]
fn bad_usage_exits_2() {
    dualwrite().assert().code(2);
    dualwrite().arg("frobnicate").assert().code(2);
    dualwrite()
        .arg("validate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PROJECT"));
    dualwrite()
        .args(["validate", "x.dwproj.json", "--format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sarif"));
    dualwrite()
        .args(["new", "x.dwproj.json", "--template", "fancy"])
        .assert()
        .code(2);
    dualwrite()
        .args(["-q", "-v", "order", "x.dwproj.json"])
        .assert()
        .code(2);
    dualwrite()
        .args(["import", "helper-config", "App.config"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--out"));
}

#[test]
fn help_and_version_exit_0() {
    dualwrite()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("validate"));
    dualwrite()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}
