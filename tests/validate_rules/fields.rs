//! DW010 (two fields write one column) and DW011 (value maps that cannot be inverted).

use dualwrite::model::{FieldDirection, MapDirection};
use dualwrite::validate::{Code, Severity};

use crate::builders::*;

#[test]
fn dw010_two_fields_writing_one_dataverse_column() {
    let mut p = realistic();
    // Customers already map ORGANIZATIONNAME <-> name (fields[3]).
    p.table_maps[CUSTOMERS]
        .fields
        .push(field_to("KNOWNAS", "NAME", FieldDirection::ToDataverse));
    let second = p.table_maps[CUSTOMERS].fields.len() - 1;

    let f = single(&p, Code::DW010);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(f.path, Some(format!("tableMaps[2].fields[{second}]")));
    assert!(
        f.message.contains("Dataverse column \"name\" 2 times"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("fields[3] (from ORGANIZATIONNAME)"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains(&format!("fields[{second}] (from KNOWNAS)")),
        "{}",
        f.message
    );

    // Corrected: the second field only writes to F&O now.
    p.table_maps[CUSTOMERS].fields[second].direction = FieldDirection::ToFno;
    assert_none(&p, Code::DW010);
}

#[test]
fn dw010_two_fields_writing_one_fno_column() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS]
        .fields
        .push(field("ORGANIZATIONNAME", "msdyn_tradename"));

    let f = single(&p, Code::DW010);
    assert!(
        f.message
            .contains("finance and operations column \"ORGANIZATIONNAME\""),
        "{}",
        f.message
    );
    let last = p.table_maps[CUSTOMERS].fields.len() - 1;
    p.table_maps[CUSTOMERS].fields[last].direction = FieldDirection::ToDataverse;
    assert_none(&p, Code::DW010);
}

#[test]
fn dw011_names_the_source_values_that_share_a_destination_value() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].fields[4] = value_mapped(
        "CREDITRATING",
        "msdyn_creditrating",
        &[("Good", 1), ("Excellent", 1), ("Fair", 2), ("Poor", 3)],
    );

    let f = single(&p, Code::DW011);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(
        f.path.as_deref(),
        Some("tableMaps[2].fields[4].transform.valueMap")
    );
    assert!(
        f.message
            .contains("\"Good\" and \"Excellent\" both map to 1"),
        "{}",
        f.message
    );
    assert!(f.message.contains("msdyn_creditrating"), "{}", f.message);

    // Corrected as the hint says: the field becomes one-way.
    p.table_maps[CUSTOMERS].fields[4].direction = FieldDirection::ToDataverse;
    assert_none(&p, Code::DW011);
}

#[test]
fn dw011_ignores_value_maps_of_one_way_maps() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].fields[4] = value_mapped(
        "CREDITRATING",
        "msdyn_creditrating",
        &[("Good", 1), ("Excellent", 1)],
    );
    p.table_maps[CUSTOMERS].direction = MapDirection::ToDataverse;
    assert_none(&p, Code::DW011);
}
