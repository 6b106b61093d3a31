//! `dualwrite graph` in each format and `dualwrite order`'s waves.

use serde_json::Value;

use super::support::*;

/// The waves printed by `order`, as lists of entries (`A`, `B [cycle 1]`...).
fn waves(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("wave "))
        .enumerate()
        .map(|(index, rest)| {
            let (number, members) = rest.split_once(": ").expect("wave N: members");
            assert_eq!(number, (index + 1).to_string(), "waves are numbered from 1");
            members.split(", ").map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn order_prints_prerequisites_first() {
    let ws = Workspace::new();
    let file = ws.project("chain.dwproj.json", &chain_project());
    let output = dualwrite().arg("order").arg(&file).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let mut waves = waves(&stdout_of(&output));
    for wave in &mut waves {
        wave.sort();
    }
    assert_eq!(waves, [vec!["A", "D"], vec!["B"], vec!["C"]]);
}

#[test]
fn order_marks_cycles_and_self_references_for_a_second_pass() {
    let ws = Workspace::new();
    let project = project(
        vec![
            map("Base", "live", &[]),
            map("Customer", "live", &["Contact", "Base"]),
            map("Contact", "live", &["Customer"]),
            map("Warehouse", "live", &["Warehouse"]),
        ],
        vec![],
    );
    let file = ws.project("cycle.dwproj.json", &project);
    let output = dualwrite().arg("order").arg(&file).output().expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let stdout = stdout_of(&output);
    let waves = waves(&stdout);
    let wave_of = |entry: &str| waves.iter().position(|w| w.iter().any(|e| e == entry));
    let customer = wave_of("Customer [cycle 1]").expect("Customer marked as in cycle 1");
    assert_eq!(wave_of("Contact [cycle 1]"), Some(customer), "{stdout}");
    assert!(wave_of("Base").expect("Base") < customer, "{stdout}");
    assert!(wave_of("Warehouse [self]").is_some(), "{stdout}");
    // Each cycle and self-reference is named, then the lookup to fill in a second pass.
    let explained = |heading: &str| {
        let mut lines = stdout.lines().skip_while(|l| *l != heading);
        lines.next().expect(heading);
        lines.next().unwrap_or_default().to_string()
    };
    let cycle = explained("cycle 1: Customer, Contact");
    assert!(cycle.contains("second pass"), "{stdout}");
    assert!(
        cycle.contains("cr_contactid of Customer") || cycle.contains("cr_customerid of Contact"),
        "{stdout}"
    );
    let warehouse = explained("self-reference: Warehouse");
    assert!(
        warehouse.contains("second pass fills column cr_warehouseid"),
        "{stdout}"
    );
}

#[test]
fn graph_as_dot_has_the_edges() {
    let ws = Workspace::new();
    let file = ws.project("chain.dwproj.json", &chain_project());
    let output = dualwrite()
        .args(["graph", "--format", "dot"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let dot = stdout_of(&output);
    assert!(dot.trim_start().starts_with("digraph"), "{dot}");
    let edge = |from: &str, to: &str| {
        dot.lines()
            .any(|l| l.contains(&format!("\"{from}\" -> \"{to}\"")))
    };
    assert!(edge("A", "B") && edge("B", "C"), "{dot}");
    assert!(!edge("A", "C") && !edge("A", "D"), "{dot}");
}

#[test]
fn graph_as_mermaid_has_the_edges() {
    let ws = Workspace::new();
    let file = ws.project("chain.dwproj.json", &chain_project());
    let output = dualwrite()
        .args(["graph", "--format", "mermaid"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let mermaid = stdout_of(&output);
    let first = mermaid.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("flowchart") || first.starts_with("graph"),
        "{mermaid}"
    );
    let edges = mermaid.lines().filter(|l| l.contains("-->")).count();
    assert_eq!(edges, 2, "{mermaid}");
    for name in ["A", "B", "C", "D"] {
        assert!(mermaid.contains(name), "{name} missing: {mermaid}");
    }
}

#[test]
fn graph_as_json_has_nodes_and_edges() {
    let ws = Workspace::new();
    let file = ws.project("chain.dwproj.json", &chain_project());
    let output = dualwrite()
        .args(["graph", "--format", "json"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let graph: Value = serde_json::from_str(&stdout_of(&output)).expect("JSON");
    let nodes = graph["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 4);
    let edges = graph["edges"].as_array().expect("edges");
    let pairs: Vec<(&str, &str)> = edges
        .iter()
        .filter_map(|e| Some((e["from"].as_str()?, e["to"].as_str()?)))
        .collect();
    assert_eq!(pairs.len(), 2, "{edges:?}");
    assert!(
        pairs.contains(&("A", "B")) && pairs.contains(&("B", "C")),
        "{pairs:?}"
    );
}

#[test]
fn graph_of_a_missing_file_exits_2() {
    let ws = Workspace::new();
    dualwrite()
        .arg("graph")
        .arg(ws.path("gone.dwproj.json"))
        .assert()
        .code(2);
}
