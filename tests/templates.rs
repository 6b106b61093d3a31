//! The built-in templates, checked on the real standard data.

use dualwrite::model::{MapDirection, Side, SyncMode};
use dualwrite::project_file;
use dualwrite::templates::{project_from_template, standard_map, standard_project, Template};
use petgraph::graphmap::DiGraphMap;

const CUSTOMERS: &str = "accounts - Customers V3";
const CONTACTS: &str = "msdyn_contactforparties - Contacts V2";
const VENDORS: &str = "msdyn_vendors - Vendors V2";

#[test]
fn the_standard_project_has_one_map_per_reference_map() {
    let project = project_from_template(Template::Standard, "Contoso");
    assert_eq!(project.name, "Contoso");
    assert_eq!(project.table_maps.len(), 93);
    assert!(project.groups.is_empty());
    assert!(project
        .table_maps
        .iter()
        .all(|m| m.sync_mode == SyncMode::Live));
    assert!(project.table_maps.iter().all(|m| m.fields.is_empty()));
}

#[test]
fn the_standard_project_round_trips_through_the_project_file() {
    let project = project_from_template(Template::Standard, "Round trip");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("standard.dwproj.json");
    project_file::save(&project, &path).unwrap();
    let loaded = project_file::load(&path).unwrap();
    assert_eq!(loaded, project);
    // Saving what was loaded writes the same bytes: the file diffs cleanly in git.
    let again = dir.path().join("again.dwproj.json");
    project_file::save(&loaded, &again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );
}

#[test]
fn customers_v3_is_filtered_striped_and_references_itself() {
    let project = standard_project("p").unwrap();
    let customers = project.map(CUSTOMERS).unwrap();
    assert_eq!(customers.name, "Customers V3");
    assert_eq!(customers.fno.entity, "CustCustomerV3Entity");
    assert_eq!(customers.dataverse.table, "accounts");
    assert_eq!(
        customers.dataverse.keys,
        vec!["accountnumber", "msdyn_company.cdm_companycode"]
    );
    assert!(customers.fno.keys.is_empty());
    assert!(customers.company_striped(Side::Fno) && customers.company_striped(Side::Dataverse));
    assert_eq!(
        customers.fno.filter.as_deref(),
        Some("((PartyType == \"Organization\"))")
    );
    assert_eq!(
        customers.dataverse.filter.as_deref(),
        Some("customertypecode eq 3")
    );
    assert_eq!(customers.direction, MapDirection::Bidirectional);
    assert!(
        customers.depends_on.iter().any(|d| d == CUSTOMERS),
        "self-reference"
    );
    // Company-striped: the legal entity edge is satisfied by linking, not by map order.
    assert!(!customers
        .depends_on
        .iter()
        .any(|d| d == "cdm_companies - Legal entities"));
}

#[test]
fn maps_without_company_keys_keep_the_legal_entity_dependency() {
    let project = standard_project("p").unwrap();
    let ledger = project.map("msdyn_ledgers - Ledger").unwrap();
    assert!(!ledger.company_striped(Side::Dataverse));
    assert_eq!(ledger.direction, MapDirection::ToDataverse);
    assert!(ledger
        .depends_on
        .iter()
        .any(|d| d == "cdm_companies - Legal entities"));
}

#[test]
fn maps_without_an_entity_name_use_the_label_and_say_so() {
    let contacts = standard_map(CONTACTS).unwrap();
    assert_eq!(contacts.fno_entity, "Contacts V2");
    assert!(contacts.notes.iter().any(|n| n.contains("stands in")));
    let parties = standard_map("msdyn_parties - CDS Parties").unwrap();
    assert_eq!(parties.fno_entity, "CDS Parties");
}

#[test]
fn every_dependency_names_a_map_of_the_template() {
    let project = standard_project("p").unwrap();
    for map in &project.table_maps {
        for dep in &map.depends_on {
            assert!(project.map(dep).is_some(), "{} -> {dep}", map.id);
        }
    }
}

#[test]
fn customers_v3_and_contacts_v2_depend_on_each_other() {
    let project = standard_project("p").unwrap();
    let mut graph = DiGraphMap::<&str, ()>::new();
    for map in &project.table_maps {
        graph.add_node(map.id.as_str());
        for dep in map.depends_on.iter().filter(|d| **d != map.id) {
            graph.add_edge(dep.as_str(), map.id.as_str(), ());
        }
    }
    let cycles: Vec<Vec<&str>> = petgraph::algo::tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .collect();
    let with_customers: Vec<&Vec<&str>> =
        cycles.iter().filter(|c| c.contains(&CUSTOMERS)).collect();
    assert_eq!(with_customers.len(), 1, "{cycles:?}");
    let mut cycle = with_customers[0].clone();
    cycle.sort_unstable();
    // Vendors V2 is in the same circle: Customers V3 looks it up and its primary contact is
    // a Contacts V2 row too.
    assert_eq!(cycle, vec![CUSTOMERS, CONTACTS, VENDORS]);
}

#[test]
fn the_empty_template_has_no_maps() {
    let project = project_from_template(Template::Empty, "Blank");
    assert_eq!(project.name, "Blank");
    assert!(project.table_maps.is_empty());
    assert!(project.groups.is_empty());
}
