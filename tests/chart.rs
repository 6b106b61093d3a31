//! The dependency chart: order, waves, cycles, self-references, sequence checks and exports.

use std::path::Path;

use dualwrite::chart::{export, DependencyChart, EdgeCause};
use dualwrite::model::Project;
use serde_json::{json, Value};

/// A map `id` on table `t_<id>` / entity `E_<id>`, with lookups into the given tables.
fn map(id: &str, lookups: &[&str], depends_on: &[&str]) -> Value {
    let fields: Vec<Value> = lookups
        .iter()
        .map(|t| json!({ "fno": format!("REF_{t}"), "dataverse": format!("ref_{t}"), "lookup": { "table": t, "key": "code" } }))
        .collect();
    json!({
        "id": id, "name": id,
        "fno": { "entity": format!("E_{id}"), "keys": ["CODE"] },
        "dataverse": { "table": format!("t_{id}"), "keys": ["code"] },
        "syncMode": "live",
        "fields": fields,
        "dependsOn": depends_on,
    })
}

fn project(maps: Vec<Value>, groups: Value) -> Project {
    let text =
        json!({ "schemaVersion": 1, "name": "t", "tableMaps": maps, "groups": groups }).to_string();
    dualwrite::project_file::parse(&text, Path::new("t.dwproj.json")).expect("valid project")
}

#[test]
fn a_chain_orders_prerequisites_first_and_independent_maps_share_a_wave() {
    let p = project(
        vec![
            map("c", &["t_b"], &[]),
            map("b", &["E_a"], &[]),
            map("a", &[], &[]),
            map("d", &[], &[]),
        ],
        json!([]),
    );
    let chart = DependencyChart::build(&p);
    assert_eq!(chart.topological_order(), vec!["a", "d", "b", "c"]);
    assert_eq!(chart.waves(), vec![vec!["a", "d"], vec!["b"], vec!["c"]]);
    assert_eq!(chart.wave_of("c"), Some(2));
    assert_eq!(chart.dependencies_of("b"), vec!["a"]);
    assert_eq!(chart.dependents_of("b"), vec!["c"]);
    assert!(chart.cycles().is_empty());
}

#[test]
fn lookups_resolve_either_side_case_insensitively_and_name_the_column() {
    let p = project(
        vec![
            map("parent", &[], &[]),
            map("child", &["E_PARENT", "T_parent"], &[]),
        ],
        json!([]),
    );
    let chart = DependencyChart::build(&p);
    let edges = chart.edges();
    assert_eq!(
        edges.len(),
        1,
        "two lookups into one map make one edge: {edges:?}"
    );
    assert_eq!(
        (edges[0].from.as_str(), edges[0].to.as_str()),
        ("parent", "child")
    );
    assert_eq!(edges[0].causes.len(), 2);
    assert!(
        matches!(&edges[0].causes[0], EdgeCause::Lookup { column, field_index: 0, .. } if column == "ref_E_PARENT")
    );
}

#[test]
fn a_cycle_shares_a_wave_names_an_edge_to_defer_and_does_not_block_the_order() {
    let p = project(
        vec![
            map("account", &["t_contact"], &[]),
            map("contact", &["t_account"], &[]),
            map("order", &["t_account"], &[]),
        ],
        json!([]),
    );
    let chart = DependencyChart::build(&p);
    let cycles = chart.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].maps, vec!["account", "contact"]);
    assert_eq!(cycles[0].edges.len(), 2);
    assert_eq!(cycles[0].feedback_edges.len(), 1);
    let defer = &cycles[0].defer;
    assert!(chart.is_deferred(&defer.from, &defer.to));
    assert_eq!(chart.wave_of("account"), chart.wave_of("contact"));
    assert_eq!(chart.wave_of("order"), Some(1));
    assert_eq!(
        chart.topological_order(),
        vec!["account", "contact", "order"]
    );
    assert!(chart.in_cycle("contact") && !chart.in_cycle("order"));
}

#[test]
fn self_references_come_from_lookups_and_depends_on() {
    let p = project(
        vec![
            map("customer", &["t_customer"], &[]),
            map("category", &[], &["category"]),
            map("plain", &[], &[]),
        ],
        json!([]),
    );
    let chart = DependencyChart::build(&p);
    let refs = chart.self_references();
    assert_eq!(
        refs.iter().map(|r| r.map.as_str()).collect::<Vec<_>>(),
        vec!["customer", "category"]
    );
    assert!(matches!(&refs[0].causes[0], EdgeCause::Lookup { table, .. } if table == "t_customer"));
    assert_eq!(refs[1].causes, vec![EdgeCause::DependsOn]);
    assert!(
        chart.edges().is_empty(),
        "self-references are not edges between maps"
    );
    assert!(chart.cycles().is_empty());
}

#[test]
fn sequence_violations_flag_earlier_and_equal_numbers_only() {
    let maps = || {
        vec![
            map("a", &[], &[]),
            map("b", &["t_a"], &[]),
            map("c", &["t_b"], &[]),
        ]
    };
    let bad = project(
        maps(),
        json!([{ "id": "g", "name": "G", "members": [
            { "map": "b", "sequence": 10 }, { "map": "a", "sequence": 20 }, { "map": "c", "sequence": 20 } ] }]),
    );
    let violations = DependencyChart::build(&bad).sequence_violations(&bad);
    let pairs: Vec<(&str, &str, u32, u32)> = violations
        .iter()
        .map(|v| {
            (
                v.map.as_str(),
                v.depends_on.as_str(),
                v.sequence,
                v.dependency_sequence,
            )
        })
        .collect();
    assert_eq!(pairs, vec![("b", "a", 10, 20)]);

    let equal = project(
        maps(),
        json!([{ "id": "g", "name": "G", "members": [
            { "map": "a", "sequence": 10 }, { "map": "b", "sequence": 20 }, { "map": "c", "sequence": 20 } ] }]),
    );
    let violations = DependencyChart::build(&equal).sequence_violations(&equal);
    assert_eq!(violations.len(), 1);
    assert_eq!(
        (
            violations[0].map.as_str(),
            violations[0].depends_on.as_str()
        ),
        ("c", "b")
    );

    let good = project(
        maps(),
        json!([{ "id": "g", "name": "G", "members": [
            { "map": "a", "sequence": 10 }, { "map": "b", "sequence": 20 }, { "map": "c", "sequence": 30 } ] }]),
    );
    assert!(DependencyChart::build(&good)
        .sequence_violations(&good)
        .is_empty());
}

#[test]
fn the_deferred_edge_of_a_cycle_is_not_a_sequence_violation() {
    let p = project(
        vec![
            map("account", &["t_contact"], &[]),
            map("contact", &["t_account"], &[]),
        ],
        json!([{ "id": "g", "name": "G", "members": [
            { "map": "account", "sequence": 10 }, { "map": "contact", "sequence": 20 } ] }]),
    );
    let chart = DependencyChart::build(&p);
    let defer = chart.cycles()[0].defer.clone();
    let violations = chart.sequence_violations(&p);
    // Exactly one order of the pair is fine: the one that puts the deferred edge's target first.
    if defer.to == "account" {
        assert!(violations.is_empty(), "{violations:?}");
    } else {
        assert_eq!(violations.len(), 1, "{violations:?}");
    }
}

#[test]
fn unresolved_lookups_and_unknown_dependencies_are_reported() {
    let p = project(vec![map("a", &["msdyn_missing"], &["nope"])], json!([]));
    let chart = DependencyChart::build(&p);
    let unresolved = chart.unresolved_lookups();
    assert_eq!(unresolved.len(), 1);
    assert_eq!(
        (unresolved[0].map.as_str(), unresolved[0].table.as_str()),
        ("a", "msdyn_missing")
    );
    assert_eq!(unresolved[0].column, "ref_msdyn_missing");
    let unknown = chart.unknown_dependencies();
    assert_eq!(
        (unknown[0].map.as_str(), unknown[0].depends_on.as_str()),
        ("a", "nope")
    );
}

fn exported_project() -> Project {
    let mut async_map = map("lines \"v2\"", &["t_header"], &[]);
    async_map["syncMode"] = json!("async");
    project(
        vec![map("header", &[], &[]), async_map],
        json!([{ "id": "g", "name": "Orders & lines", "members": [{ "map": "header", "sequence": 1 }] }]),
    )
}

#[test]
fn dot_export_clusters_groups_and_escapes_ids() {
    let p = exported_project();
    let dot = export::to_dot(&DependencyChart::build(&p), &p);
    assert!(dot.starts_with("digraph dependencies {"));
    assert!(dot.contains("subgraph cluster_0"));
    assert!(dot.contains("label=\"Orders & lines\""));
    assert!(
        dot.contains("\"header\" -> \"lines \\\"v2\\\"\" [label=\"ref_t_header\"]"),
        "{dot}"
    );
}

#[test]
fn mermaid_export_uses_safe_ids_and_labels() {
    let p = exported_project();
    let text = export::to_mermaid(&DependencyChart::build(&p), &p);
    assert!(text.starts_with("flowchart LR\n"));
    assert!(text.contains("subgraph g0[\"Orders & lines\"]"));
    assert!(
        text.contains("n1[\"lines #quot;v2#quot;\"]:::async"),
        "{text}"
    );
    assert!(text.contains("n0 -->|\"ref_t_header\"| n1"), "{text}");
}

#[test]
fn json_export_has_nodes_with_group_mode_and_wave_and_edges_with_causes() {
    let p = exported_project();
    let value: Value =
        serde_json::from_str(&export::to_json(&DependencyChart::build(&p), &p)).unwrap();
    assert_eq!(value["nodes"][0]["group"], "g");
    assert_eq!(value["nodes"][1]["syncMode"], "async");
    assert_eq!(value["nodes"][1]["wave"], 1);
    assert_eq!(value["nodes"][1]["group"], Value::Null);
    assert_eq!(value["edges"][0]["causes"][0]["kind"], "lookup");
    assert_eq!(value["edges"][0]["causes"][0]["column"], "ref_t_header");
    assert_eq!(value["waves"], json!([["header"], ["lines \"v2\""]]));
}
