//! DW008: integration keys present on both sides and mapped by the map's fields.

use dualwrite::validate::{Code, Severity};

use crate::builders::*;

#[test]
fn dw008_missing_dataverse_keys_are_an_error() {
    let mut p = realistic();
    let keys = std::mem::take(&mut p.table_maps[CUSTOMER_GROUPS].dataverse.keys);

    let f = single(&p, Code::DW008);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customer-groups"]));
    assert_eq!(f.path.as_deref(), Some("tableMaps[1].dataverse.keys"));
    assert!(
        f.message
            .contains("no Dataverse keys for table msdyn_customergroup"),
        "{}",
        f.message
    );

    p.table_maps[CUSTOMER_GROUPS].dataverse.keys = keys;
    assert_none(&p, Code::DW008);
}

#[test]
fn dw008_missing_fno_keys_are_a_warning() {
    let mut p = realistic();
    p.table_maps[CUSTOMER_GROUPS].fno.keys.clear();

    let f = single(&p, Code::DW008);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.path.as_deref(), Some("tableMaps[1].fno.keys"));
    assert!(
        f.message.contains("falls back to the key it discovers"),
        "{}",
        f.message
    );

    p.table_maps[CUSTOMER_GROUPS].fno.keys = vec!["CUSTOMERGROUPID".into(), "DATAAREAID".into()];
    assert_none(&p, Code::DW008);
}

#[test]
fn dw008_a_key_column_no_field_maps_is_reported_on_its_side() {
    let mut p = realistic();
    // Customers: keys accountnumber / CUSTOMERACCOUNT, mapped by fields[0]; map another column.
    p.table_maps[CUSTOMERS].fields[0] = field("CUSTOMERACCOUNT", "msdyn_accountcode");

    let f = single(&p, Code::DW008);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(f.path.as_deref(), Some("tableMaps[2].dataverse.keys[0]"));
    assert!(
        f.message.contains("Dataverse key column \"accountnumber\""),
        "{}",
        f.message
    );

    p.table_maps[CUSTOMERS].fields[0] = field("CUSTOMERACCOUNT", "accountnumber");
    assert_none(&p, Code::DW008);
}

#[test]
fn dw008_a_dotted_key_needs_its_lookup_column_mapped() {
    let mut p = realistic();
    // Lines key on salesorderid.msdyn_salesordernumber; drop the salesorderid lookup field.
    let lookup_field = p.table_maps[ORDER_LINES].fields.remove(0);

    let found = findings(&p, Code::DW008);
    let dataverse: Vec<_> = found
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert_eq!(dataverse.len(), 1, "{found:#?}");
    assert_eq!(
        dataverse[0].path.as_deref(),
        Some("tableMaps[4].dataverse.keys[0]")
    );
    assert!(
        dataverse[0]
            .message
            .contains("\"salesorderid.msdyn_salesordernumber\""),
        "{}",
        dataverse[0].message
    );
    // The same field carried the F&O key SALESORDERNUMBER: a warning on that side.
    let fno: Vec<_> = found
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .collect();
    assert_eq!(fno.len(), 1, "{found:#?}");
    assert_eq!(fno[0].path.as_deref(), Some("tableMaps[4].fno.keys[0]"));

    p.table_maps[ORDER_LINES].fields.insert(0, lookup_field);
    assert_none(&p, Code::DW008);
}

#[test]
fn dw008_does_not_check_mapping_on_a_map_without_fields() {
    let mut p = realistic();
    // A standard template carries keys but no field mappings.
    p.table_maps[CUSTOMER_GROUPS].fields.clear();
    assert_none(&p, Code::DW008);
}
