//! docs/findings.md stays true: one section per code with the code's title, and every
//! example project produces its section's finding with the documented severity.

use std::path::Path;

use dualwrite::validate::{validate, Code};

/// (heading, body) per `## ` section.
fn sections(text: &str) -> Vec<(&str, &str)> {
    text.split("\n## ")
        .skip(1)
        .map(|s| s.split_once('\n').unwrap_or((s, "")))
        .collect()
}

#[test]
fn every_code_has_a_section_whose_example_triggers_it() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/findings.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let sections = sections(&text);
    assert_eq!(sections.len(), Code::ALL.len(), "one section per code");

    for (code, (heading, body)) in Code::ALL.into_iter().zip(sections) {
        assert_eq!(heading, format!("{code} {}", code.title()));
        let json = body
            .split("```json\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| panic!("{code}: no json example"));
        let file = Path::new("findings.md");
        let project = dualwrite::project_file::parse(json, file)
            .unwrap_or_else(|e| panic!("{code}: example does not load: {e}"));
        let findings = validate(&project);
        let found = findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("{code}: example does not trigger it: {findings:#?}"));
        let severity_line = body
            .lines()
            .find(|l| l.starts_with("**Severity:**"))
            .unwrap_or_else(|| panic!("{code}: no severity line"));
        assert!(
            severity_line.contains(found.severity.as_str()),
            "{code}: documented {severity_line:?}, found {}",
            found.severity
        );
    }
}
