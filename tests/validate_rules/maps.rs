//! DW002 (async deletes), DW009 (company striping) and DW016 (async primary side).

use dualwrite::model::{MapDirection, Side};
use dualwrite::validate::{Code, Severity};

use crate::builders::*;

#[test]
fn dw002_warns_about_an_async_map_that_syncs_deletes() {
    let mut p = realistic();
    p.table_maps[ORDER_HEADERS].sync_deletes = true;

    let f = single(&p, Code::DW002);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subjects, ids(&["sales-order-headers"]));
    assert_eq!(f.path.as_deref(), Some("tableMaps[3].syncDeletes"));
    assert!(
        f.message.contains("deletes always go live"),
        "{}",
        f.message
    );

    p.table_maps[ORDER_HEADERS].sync_deletes = false;
    assert_none(&p, Code::DW002);
}

#[test]
fn dw002_leaves_live_maps_that_sync_deletes_alone() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].sync_deletes = true;
    assert_none(&p, Code::DW002);
}

#[test]
fn dw009_reports_striping_that_differs_between_the_sides() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].dataverse.company_striped = false;

    let f = single(&p, Code::DW009);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(
        f.path.as_deref(),
        Some("tableMaps[2].dataverse.companyStriped")
    );
    assert!(
        f.message
            .contains("company-striped on the finance and operations side"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("global on the Dataverse side"),
        "{}",
        f.message
    );

    p.table_maps[CUSTOMERS].dataverse.company_striped = true;
    assert_none(&p, Code::DW009);
}

#[test]
fn dw016_requires_a_primary_side_on_a_bidirectional_async_map() {
    let mut p = realistic();
    p.table_maps[ORDER_LINES].primary = None;

    let f = single(&p, Code::DW016);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["sales-order-lines"]));
    assert_eq!(f.path.as_deref(), Some("tableMaps[4].primary"));
    assert!(f.message.contains("\"sales-order-lines\""), "{}", f.message);

    p.table_maps[ORDER_LINES].primary = Some(Side::Dataverse);
    assert_none(&p, Code::DW016);
}

#[test]
fn dw016_does_not_apply_to_one_way_or_live_maps() {
    let mut p = realistic();
    p.table_maps[ORDER_LINES].primary = None;
    p.table_maps[ORDER_LINES].direction = MapDirection::ToDataverse;
    p.table_maps[CUSTOMERS].primary = None;
    assert_none(&p, Code::DW016);
}
