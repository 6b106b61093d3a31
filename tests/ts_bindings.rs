//! The committed TypeScript bindings of the desktop app match the Rust types.

use std::path::Path;

#[test]
fn ui_bindings_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let generated = dualwrite::bindings::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).expect("write ui/src/bindings.ts");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "ui/src/bindings.ts is out of date with the Rust types; run \
         `UPDATE_BINDINGS=1 cargo test --test ts_bindings` and commit the result"
    );
}

#[test]
fn bindings_declare_the_project_file_contract() {
    let ts = dualwrite::bindings::typescript();
    for needle in [
        "export type Project = {",
        "tableMaps: Array<TableMap>",
        "export type SyncMode = \"live\" | \"async\"",
        "export type Finding = {",
    ] {
        assert!(ts.contains(needle), "missing `{needle}` in:\n{ts}");
    }
}

#[test]
fn every_type_is_declared_once() {
    let ts = dualwrite::bindings::typescript();
    let mut names: Vec<&str> = ts
        .lines()
        .filter_map(|line| line.strip_prefix("export type "))
        .filter_map(|rest| rest.split([' ', '<']).next())
        .collect();
    let total = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        total,
        "a TypeScript name is declared twice: {names:?}"
    );
}
