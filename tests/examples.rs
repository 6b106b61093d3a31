//! The shipped example project loads and is saved exactly as committed (stable format).

use std::path::PathBuf;

use dualwrite::validate::Severity;

#[test]
fn the_example_project_round_trips_byte_for_byte() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.dwproj.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let project = dualwrite::project_file::parse(&text, &path).unwrap();
    assert_eq!(project.table_maps.len(), 7);
    assert_eq!(dualwrite::project_file::to_json(&project).unwrap(), text);
}

#[test]
fn the_example_project_shows_its_documented_warnings_and_no_errors() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.dwproj.json");
    let project = dualwrite::project_file::load(&path).unwrap();
    let findings = dualwrite::validate::validate(&project);
    let summary: Vec<(String, Severity, Vec<String>)> = findings
        .iter()
        .map(|f| (format!("{:?}", f.code), f.severity, f.subjects.clone()))
        .collect();
    let customers = "accounts - Customers V3".to_string();
    let contacts = "contacts - Contact persons".to_string();
    // The demo shows the classic Customers V3 <-> contact person cycle, the invoice-account
    // self-reference, and a live map depending on an async one; nothing that stops a sync.
    assert_eq!(
        summary,
        vec![
            (
                "DW003".into(),
                Severity::Warning,
                vec![customers.clone(), contacts.clone()]
            ),
            ("DW004".into(), Severity::Warning, vec![customers.clone()]),
            ("DW007".into(), Severity::Warning, vec![customers, contacts]),
        ]
    );
}
