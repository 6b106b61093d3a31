//! Import of the Dual-write helper App.config, on Microsoft's real file and on small broken ones.

use std::path::{Path, PathBuf};

use dualwrite::chart::DependencyChart;
use dualwrite::import::helper_config::{self, HelperConfigError, HelperConfigImport};
use dualwrite::model::{MapDirection, Side};
use dualwrite::project_file;
use dualwrite::validate::{validate, Code, Finding};

const CUSTOMERS: &str = "accounts - Customers V3";
const CONTACTS: &str = "msdyn_contactforparties - Contacts V2";
const VENDORS: &str = "msdyn_vendors - Vendors V2";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dual-write-helper/App.config")
}

fn real_import() -> HelperConfigImport {
    helper_config::import_with_report(&fixture()).unwrap()
}

/// `(mapName, keys)` of every `<Map>`, read independently of the importer.
fn maps_in_file() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("Map"))
        .map(|n| {
            (
                n.attribute("mapName").unwrap().to_string(),
                n.attribute("keys").unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_real_file_gives_73_maps_in_one_group_in_microsofts_order() {
    let import = real_import();
    let project = &import.project;
    let in_file = maps_in_file();
    assert_eq!(in_file.len(), 73);
    assert_eq!(project.table_maps.len(), 73);
    assert_eq!(project.groups.len(), 1);
    let group = &project.groups[0];
    assert_eq!((group.id.as_str(), group.name.as_str()), ("All", "All"));
    assert!(group.initial_sync);
    assert_eq!(group.members.len(), 73);
    for (i, (member, (name, _))) in group.members.iter().zip(&in_file).enumerate() {
        assert_eq!(&member.map, name);
        assert_eq!(member.sequence, 10 * (i as u32 + 1));
    }
    let ids: Vec<&str> = project.table_maps.iter().map(|m| m.id.as_str()).collect();
    let names: Vec<&str> = in_file.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(ids, names);
}

#[test]
fn every_map_is_live_with_dataverse_primary_and_the_files_keys() {
    let project = real_import().project;
    for (map, (_, keys)) in project.table_maps.iter().zip(maps_in_file()) {
        assert_eq!(
            map.primary,
            Some(Side::Dataverse),
            "{} has master=CE",
            map.id
        );
        assert_eq!(map.dataverse.keys.join(","), keys, "{}", map.id);
        assert!(map.fno.keys.is_empty());
    }
    let entries = project
        .map("msdyn_inventoryonhandentries - CDS inventory on-hand entries")
        .unwrap();
    assert_eq!(entries.dataverse.keys.len(), 7);
    assert_eq!(entries.dataverse.keys[0], "msdyn_atpdate");
    let customers = project.map(CUSTOMERS).unwrap();
    assert_eq!(
        customers.dataverse.keys,
        vec!["accountnumber", "msdyn_company.cdm_companycode"]
    );
}

#[test]
fn standard_maps_are_enriched_from_the_template() {
    let project = real_import().project;
    let customers = project.map(CUSTOMERS).unwrap();
    assert_eq!(customers.fno.entity, "CustCustomerV3Entity");
    assert_eq!(
        customers.fno.filter.as_deref(),
        Some("((PartyType == \"Organization\"))")
    );
    assert!(customers.company_striped(Side::Fno));
    assert!(customers.depends_on.iter().any(|d| d == CUSTOMERS));
    assert!(customers.depends_on.iter().any(|d| d == CONTACTS));
    assert!(customers.depends_on.iter().any(|d| d == VENDORS));
    let contacts = project.map(CONTACTS).unwrap();
    assert!(contacts.depends_on.iter().any(|d| d == CUSTOMERS));
    assert!(contacts.depends_on.iter().any(|d| d == VENDORS));
    let units = project.map("uoms - Units").unwrap();
    assert_eq!(units.direction, MapDirection::ToDataverse);
    // Every dependency names a map of the file.
    for map in &project.table_maps {
        for dependency in &map.depends_on {
            assert!(
                project.map(dependency).is_some(),
                "{} -> {dependency}",
                map.id
            );
        }
    }
}

#[test]
fn dependencies_on_maps_the_file_lacks_are_dropped_and_noted() {
    let import = real_import();
    let quotes = import
        .project
        .map("quotes - CDS sales quotation header")
        .unwrap();
    assert!(quotes
        .depends_on
        .iter()
        .any(|d| d == "salesorders - CDS sales order headers"));
    assert!(!quotes
        .depends_on
        .iter()
        .any(|d| d == "msdyn_internalorganizations - Operating unit"));
    assert!(import
        .notes
        .iter()
        .any(|n| n.contains("quotes - CDS sales quotation header")
            && n.contains("msdyn_internalorganizations - Operating unit")));
}

#[test]
fn maps_outside_the_template_are_derived_from_their_name_and_noted() {
    let import = real_import();
    let roles = import
        .project
        .map("msdyn_addressroles - CDS location roles")
        .unwrap();
    assert_eq!(roles.dataverse.table, "msdyn_addressroles");
    assert_eq!(roles.fno.entity, "CDS location roles");
    assert_eq!(roles.name, "CDS location roles");
    assert!(roles.depends_on.is_empty());
    let zones = import
        .project
        .map("msdyn_warehousezones - Warehouse zones")
        .unwrap();
    assert!(zones.company_striped(Side::Dataverse));
    let derived = import
        .notes
        .iter()
        .filter(|n| n.contains("is not a standard map"))
        .count();
    // 73 maps in the file, 65 of them in the standard template.
    assert_eq!(derived, 8);
}

#[test]
fn what_the_project_cannot_hold_is_reported() {
    let notes = real_import().notes;
    let group_note = notes
        .iter()
        .find(|n| n.starts_with("group \"All\""))
        .unwrap();
    for attribute in [
        "targetState=\"Running\"",
        "exceptionHandling=\"skip\"",
        "retry=\"true\"",
    ] {
        assert!(group_note.contains(attribute), "{group_note}");
    }
    assert!(notes
        .iter()
        .any(|n| n.contains("version") && n.contains("\"latest\" on 73 maps")));
    assert!(notes
        .iter()
        .any(|n| n.contains("authors") && n.contains("\"Any\" on 73 maps")));
    assert!(notes
        .iter()
        .any(|n| n.contains("solutions") && n.contains("msdyn_DualWriteAppCoreMaps")));
}

#[test]
fn the_import_round_trips_through_the_project_file() {
    let project = helper_config::import(&fixture()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("imported.dwproj.json");
    project_file::save(&project, &path).unwrap();
    assert_eq!(project_file::load(&path).unwrap(), project);
}

/// Microsoft's order puts Contacts V2 (570) before Vendors V2 (600) and Customers V3 (620);
/// the documented circular references make the three one cycle.
#[test]
fn the_chart_finds_the_circular_references_in_microsofts_order() {
    let project = real_import().project;
    let chart = DependencyChart::build(&project);
    let cycles = chart.cycles();
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert_eq!(cycles[0].maps, vec![CONTACTS, VENDORS, CUSTOMERS]);
    assert!(chart.unknown_dependencies().is_empty());
    let violations = chart.sequence_violations(&project);
    let pairs: Vec<(&str, u32, &str, u32)> = violations
        .iter()
        .map(|v| {
            (
                v.map.as_str(),
                v.sequence,
                v.depends_on.as_str(),
                v.dependency_sequence,
            )
        })
        .collect();
    // The chart defers the lookups that run against the project's (= Microsoft's) order: the
    // two documented circular references from Contacts V2 into Customers V3 and Vendors V2.
    // With those filled in a second pass, Microsoft's order respects every other edge.
    assert!(pairs.is_empty(), "{pairs:?}");
    assert!(chart.is_deferred(CUSTOMERS, CONTACTS));
    assert!(chart.is_deferred(VENDORS, CONTACTS));
    assert!(!chart.is_deferred(VENDORS, CUSTOMERS));
    assert_eq!(cycles[0].feedback_edges.len(), 2);
}

/// What validation makes of Microsoft's file: the circular references are a cycle (DW003)
/// whose deferred lookups are the two documented ones from Contacts V2, six maps reference
/// themselves (DW004), and Microsoft's order breaks no dependency (no DW005, no error at all):
/// the file is consistent once the cycle's lookups go to a second pass.
#[test]
fn validation_of_microsofts_file_reports_the_cycle_and_no_sequence_error() {
    let project = real_import().project;
    let findings = validate(&project);

    let dw003: Vec<&Finding> = findings.iter().filter(|f| f.code == Code::DW003).collect();
    assert_eq!(dw003.len(), 1, "{dw003:?}");
    for map in [CUSTOMERS, CONTACTS, VENDORS] {
        assert!(dw003[0].subjects.iter().any(|s| s == map), "{:?}", dw003[0]);
    }
    assert!(dw003[0].message.contains(CONTACTS), "{}", dw003[0].message);

    let dw004: Vec<&str> = findings
        .iter()
        .filter(|f| f.code == Code::DW004)
        .map(|f| f.subjects[0].as_str())
        .collect();
    assert!(dw004.contains(&CUSTOMERS), "{dw004:?}");
    assert_eq!(dw004.len(), 6, "{dw004:?}");

    let errors: Vec<&Finding> = findings.iter().filter(|f| f.is_error()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(findings.iter().all(|f| f.code != Code::DW005));
}

// ---- small files ----

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("App.config");
    std::fs::write(&path, text).unwrap();
    path
}

fn config(groups: &str, maps: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<configuration>\n<DWSettings>\n<Groups>\n{groups}\n</Groups>\n\
         <MapConfigs>\n{maps}\n</MapConfigs>\n</DWSettings>\n</configuration>\n"
    )
}

fn import_text(text: &str) -> Result<HelperConfigImport, HelperConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, text);
    helper_config::import_with_report(&path)
}

fn error_of(text: &str) -> String {
    import_text(text).unwrap_err().to_string()
}

const GROUP_ALL: &str = r#"<Group name="All" initialSync="false"/>"#;

#[test]
fn an_unreadable_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.config");
    let err = helper_config::import(&missing).unwrap_err();
    assert!(matches!(err, HelperConfigError::Read { .. }));
    assert!(err.to_string().contains("nope.config"), "{err}");
}

#[test]
fn broken_xml_names_line_and_column() {
    let err = import_text("<configuration>\n  <DWSettings>\n</configuration>\n").unwrap_err();
    match &err {
        HelperConfigError::NotXml { line, message, .. } => {
            assert_eq!(*line, 3);
            assert!(message.contains("DWSettings"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("App.config:3:"), "{err}");
}

#[test]
fn a_file_without_map_configs_is_refused() {
    let err = error_of("<configuration><appSettings/></configuration>");
    assert!(err.contains("no <MapConfigs>"), "{err}");
}

#[test]
fn a_map_without_map_name_is_refused_with_its_line() {
    let err = error_of(&config(
        GROUP_ALL,
        r#"<Map mapName="uoms - Units" group="All" master="CE"/>
<Map version="latest" group="All" master="CE"/>"#,
    ));
    assert!(
        err.contains("App.config:9:1: <Map> has no mapName"),
        "{err}"
    );
}

#[test]
fn a_bad_master_names_line_attribute_and_the_allowed_values() {
    let err = error_of(&config(
        GROUP_ALL,
        r#"<Map mapName="uoms - Units" group="All" master="Dataverse"/>"#,
    ));
    assert!(err.contains("App.config:8:"), "{err}");
    assert!(err.contains("master=\"Dataverse\""), "{err}");
    assert!(err.contains("\"CE\"") && err.contains("\"FO\""), "{err}");
}

#[test]
fn a_bad_initial_sync_is_refused() {
    let err = error_of(&config(
        r#"<Group name="All" initialSync="yes"/>"#,
        r#"<Map mapName="uoms - Units" group="All"/>"#,
    ));
    assert!(err.contains("initialSync=\"yes\""), "{err}");
    assert!(err.contains("\"true\" or \"false\""), "{err}");
}

#[test]
fn a_duplicate_map_name_is_refused_naming_both_lines() {
    let err = error_of(&config(
        GROUP_ALL,
        r#"<Map mapName="uoms - Units" group="All"/>
<Map mapName="UOMS - Units" group="All"/>"#,
    ));
    assert!(err.contains("App.config:9:"), "{err}");
    assert!(err.contains("already listed on line 8"), "{err}");
}

#[test]
fn a_duplicate_group_is_refused() {
    let err = error_of(&config(
        r#"<Group name="All" initialSync="true"/>
<Group name="all" initialSync="false"/>"#,
        r#"<Map mapName="uoms - Units" group="All"/>"#,
    ));
    assert!(err.contains("already defined on line 5"), "{err}");
}

#[test]
fn a_map_name_without_table_and_label_is_refused() {
    let err = error_of(&config(GROUP_ALL, r#"<Map mapName="Units" group="All"/>"#));
    assert!(err.contains("mapName=\"Units\""), "{err}");
    assert!(
        err.contains("<Dataverse table> - <F&O entity label>"),
        "{err}"
    );
}

#[test]
fn a_group_missing_from_groups_is_created_with_the_helpers_defaults() {
    let import = import_text(&config(
        GROUP_ALL,
        r#"<Map mapName="uoms - Units" group="Products" master="FO"/>
<Map mapName="msdyn_globalproducts - All products" group="products"/>
<Map mapName="cdm_companies - Legal entities" group="ALL"/>"#,
    ))
    .unwrap();
    let project = &import.project;
    assert_eq!(project.groups.len(), 2);
    let products = project.group("Products").unwrap();
    assert!(!products.initial_sync);
    let members: Vec<(&str, u32)> = products
        .members
        .iter()
        .map(|m| (m.map.as_str(), m.sequence))
        .collect();
    assert_eq!(
        members,
        vec![
            ("uoms - Units", 10),
            ("msdyn_globalproducts - All products", 20)
        ]
    );
    // Groups match ignoring case, as in the helper.
    assert_eq!(project.group("All").unwrap().members[0].sequence, 10);
    assert_eq!(
        project.map("uoms - Units").unwrap().primary,
        Some(Side::Fno)
    );
    // No master: the helper's default, CE.
    assert_eq!(
        project
            .map("cdm_companies - Legal entities")
            .unwrap()
            .primary,
        Some(Side::Dataverse)
    );
    assert!(import
        .notes
        .iter()
        .any(|n| n.contains("\"Products\"") && n.contains("does not define")));
    assert!(import.notes.iter().any(|n| n.contains("has no master")));
}

#[test]
fn credentials_in_app_settings_are_never_read() {
    let text = config(GROUP_ALL, r#"<Map mapName="uoms - Units" group="All"/>"#).replace(
        "<configuration>",
        r#"<configuration><appSettings><add key="MFASecretKey" value="S3CR3T-VALUE"/></appSettings>"#,
    );
    let import = import_text(&text).unwrap();
    let saved = project_file::to_json(&import.project).unwrap();
    assert!(!saved.contains("S3CR3T-VALUE"));
    assert!(!import.notes.iter().any(|n| n.contains("S3CR3T-VALUE")));
}

#[test]
fn parse_and_import_agree() {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let parsed = helper_config::parse(&text, &fixture()).unwrap();
    assert_eq!(parsed, helper_config::import(&fixture()).unwrap());
}

#[test]
fn a_second_map_configs_is_refused() {
    let err = error_of(
        "<configuration><DWSettings>\n<MapConfigs/>\n<MapConfigs/>\n</DWSettings></configuration>",
    );
    assert!(
        err.contains("App.config:3:1: a second <MapConfigs>"),
        "{err}"
    );
    assert!(err.contains("the first is on line 2"), "{err}");
}
