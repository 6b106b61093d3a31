//! The built-in templates, checked on the real standard data.

use dualwrite::chart::DependencyChart;
use dualwrite::model::{MapDirection, Side, SyncMode};
use dualwrite::project_file;
use dualwrite::templates::{project_from_template, standard_map, standard_project, Template};
use dualwrite::validate::{validate, Code, Finding, Severity};

const CUSTOMERS: &str = "accounts - Customers V3";
const CONTACTS: &str = "msdyn_contactforparties - Contacts V2";
const VENDORS: &str = "msdyn_vendors - Vendors V2";

#[test]
fn the_standard_project_has_one_map_per_reference_map() {
    let project = project_from_template(Template::Standard, "Contoso").unwrap();
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
    let project = project_from_template(Template::Standard, "Round trip").unwrap();
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
fn the_chart_sees_customers_v3_referencing_itself() {
    let project = standard_project("p").unwrap();
    let chart = DependencyChart::build(&project);
    let self_referencing: Vec<String> =
        chart.self_references().into_iter().map(|s| s.map).collect();
    assert!(
        self_referencing.iter().any(|m| m == CUSTOMERS),
        "{self_referencing:?}"
    );
    assert!(self_referencing.iter().any(|m| m == VENDORS));
    assert!(self_referencing
        .iter()
        .any(|m| m == "msdyn_warehouses - Warehouses"));
    assert!(chart.unknown_dependencies().is_empty());
}

#[test]
fn the_chart_finds_the_customers_v3_contacts_v2_cycle() {
    let project = standard_project("p").unwrap();
    let chart = DependencyChart::build(&project);
    let cycles = chart.cycles();
    let with_customers: Vec<_> = cycles
        .iter()
        .filter(|c| c.maps.iter().any(|m| m == CUSTOMERS))
        .collect();
    assert_eq!(with_customers.len(), 1, "{cycles:?}");
    // Vendors V2 is in the same circle: Customers V3 looks it up, and its primary contact is a
    // Contacts V2 row as well. Maps are in project (reference) order.
    assert_eq!(with_customers[0].maps, vec![CONTACTS, CUSTOMERS, VENDORS]);
    assert!(chart.dependencies_of(CONTACTS).contains(&CUSTOMERS));
    assert!(chart.dependencies_of(CUSTOMERS).contains(&CONTACTS));
    // It is the only cycle of the standard maps.
    assert_eq!(cycles.len(), 1);
}

#[test]
fn the_empty_template_has_no_maps() {
    let project = project_from_template(Template::Empty, "Blank").unwrap();
    assert_eq!(project.name, "Blank");
    assert!(project.table_maps.is_empty());
    assert!(project.groups.is_empty());
}

// ---- what validation finds in the standard template ----

fn findings_of(project: &dualwrite::model::Project, code: Code) -> Vec<Finding> {
    validate(project)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

#[test]
fn validation_reports_the_customers_v3_self_reference_at_its_depends_on_entry() {
    let project = standard_project("p").unwrap();
    let dw004 = findings_of(&project, Code::DW004);
    let customers: Vec<&Finding> = dw004.iter().filter(|f| f.subjects == [CUSTOMERS]).collect();
    assert_eq!(customers.len(), 1, "{dw004:?}");
    let index = project
        .table_maps
        .iter()
        .position(|m| m.id == CUSTOMERS)
        .unwrap();
    let entry = project.table_maps[index]
        .depends_on
        .iter()
        .position(|d| d == CUSTOMERS)
        .unwrap();
    assert_eq!(
        customers[0].path.as_deref(),
        Some(format!("tableMaps[{index}].dependsOn[{entry}]").as_str())
    );
    assert!(
        customers[0].message.contains("two passes"),
        "{}",
        customers[0].message
    );
    // Every self-reference of the reference (`self` in deps) is reported, and nothing else.
    let mut reported: Vec<&str> = dw004.iter().map(|f| f.subjects[0].as_str()).collect();
    reported.sort_unstable();
    let mut expected: Vec<&str> = project
        .table_maps
        .iter()
        .filter(|m| m.depends_on.contains(&m.id))
        .map(|m| m.id.as_str())
        .collect();
    expected.sort_unstable();
    assert_eq!(reported, expected);
    assert_eq!(reported.len(), 6);
}

#[test]
fn validation_reports_one_cycle_naming_customers_v3_and_contacts_v2() {
    let project = standard_project("p").unwrap();
    let dw003 = findings_of(&project, Code::DW003);
    assert_eq!(dw003.len(), 1, "{dw003:?}");
    let cycle = &dw003[0];
    assert_eq!(cycle.severity, Severity::Warning);
    for map in [CUSTOMERS, CONTACTS, VENDORS] {
        assert!(
            cycle.subjects.iter().any(|s| s == map),
            "{:?}",
            cycle.subjects
        );
        assert!(cycle.message.contains(map), "{}", cycle.message);
    }
}

/// The template is a starting point, not a finished configuration: the sources give no
/// integration keys for 28 of the 93 maps, and validation says so, as errors on exactly
/// those maps; no dependency is dangling (no DW006) and nothing else is an error.
#[test]
fn the_only_errors_of_the_template_are_the_maps_the_sources_give_no_keys() {
    let project = standard_project("p").unwrap();
    let errors: Vec<Finding> = validate(&project)
        .into_iter()
        .filter(Finding::is_error)
        .collect();
    assert!(errors.iter().all(|f| f.code == Code::DW008), "{errors:?}");
    let mut flagged: Vec<&str> = errors.iter().map(|f| f.subjects[0].as_str()).collect();
    flagged.sort_unstable();
    let mut keyless: Vec<&str> = project
        .table_maps
        .iter()
        .filter(|m| m.dataverse.keys.is_empty())
        .map(|m| m.id.as_str())
        .collect();
    keyless.sort_unstable();
    assert_eq!(flagged, keyless);
    assert_eq!(flagged.len(), 93 - 65);
}
