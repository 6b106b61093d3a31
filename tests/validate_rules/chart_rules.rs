//! DW003 (cycles), DW004 (self-references), DW005 (sequences), DW006 (missing
//! prerequisites) and DW007 (live on async), read from the dependency chart.

use dualwrite::chart::{DependencyChart, EdgeCause};
use dualwrite::model::{GroupMember, Project, Side};
use dualwrite::validate::{Code, Severity};

use crate::builders::*;

/// The realistic project plus live contacts that look up customers, while customers look up
/// their primary contact: a cycle through primary contact, as in the standard maps.
fn with_contact_cycle() -> Project {
    let mut p = realistic();
    let mut contacts = striped(map("contacts", "ContactPersonV2Entity", "contact"));
    contacts.fno.keys[0] = "CONTACTPERSONID".into();
    contacts.dataverse.keys[0] = "msdyn_contactpersonid".into();
    contacts.fields[0] = field("CONTACTPERSONID", "msdyn_contactpersonid");
    contacts.fields.push(lookup(
        "ASSOCIATEDCUSTOMERACCOUNT",
        "parentcustomerid",
        "account",
        "accountnumber",
    ));
    p.table_maps.push(contacts);
    p.table_maps[CUSTOMERS].fields.push(lookup(
        "PRIMARYCONTACTPERSONID",
        "primarycontactid",
        "contact",
        "msdyn_contactpersonid",
    ));
    p.groups[MASTER_DATA].members.push(GroupMember {
        map: "contacts".into(),
        sequence: 40,
    });
    p
}

#[test]
fn dw003_lists_the_cycle_and_names_the_lookup_to_defer() {
    let p = with_contact_cycle();
    let f = single(&p, Code::DW003);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subjects, ids(&["customers", "contacts"]));
    assert!(
        f.message
            .contains("\"customers\" looks up \"contacts\" (column \"primarycontactid\")"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("\"contacts\" looks up \"customers\" (column \"parentcustomerid\")"),
        "{}",
        f.message
    );

    // The lookup to defer is the chart's choice; the finding must name it and point at it.
    let chart = DependencyChart::build(&p);
    let defer = &chart.cycles()[0].defer;
    let Some(EdgeCause::Lookup {
        column,
        field_index,
        ..
    }) = defer.causes.first()
    else {
        panic!("the deferred edge of this cycle is a lookup: {defer:?}");
    };
    assert!(["primarycontactid", "parentcustomerid"].contains(&column.as_str()));
    assert!(
        f.message.contains(&format!(
            "defer the lookup column \"{column}\" of map \"{}\" (into \"{}\") to a second pass",
            defer.to, defer.from
        )),
        "{}",
        f.message
    );
    let dependent = p.table_maps.iter().position(|m| m.id == defer.to).unwrap();
    assert_eq!(
        f.path,
        Some(format!("tableMaps[{dependent}].fields[{field_index}]"))
    );
}

#[test]
fn dw003_is_gone_once_one_side_of_the_cycle_no_longer_looks_up_the_other() {
    let mut p = with_contact_cycle();
    p.table_maps[CUSTOMERS].fields.pop();
    assert_none(&p, Code::DW003);
}

#[test]
fn dw003_through_depends_on_says_which_entry_to_remove() {
    let mut p = realistic();
    p.table_maps[CUSTOMER_GROUPS].depends_on = vec!["customers".into()];
    let f = single(&p, Code::DW003);
    assert_eq!(f.subjects, ids(&["customer-groups", "customers"]));
    assert!(
        f.message
            .contains("\"customer-groups\" names \"customers\" in dependsOn"),
        "{}",
        f.message
    );
    p.table_maps[CUSTOMER_GROUPS].depends_on.clear();
    assert_none(&p, Code::DW003);
}

#[test]
fn dw004_names_the_field_that_references_its_own_table() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].fields.push(lookup(
        "INVOICEACCOUNT",
        "msdyn_billingaccount",
        "account",
        "accountnumber",
    ));
    let field_index = p.table_maps[CUSTOMERS].fields.len() - 1;

    let f = single(&p, Code::DW004);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(f.path, Some(format!("tableMaps[2].fields[{field_index}]")));
    assert!(
        f.message.contains("column \"msdyn_billingaccount\""),
        "{}",
        f.message
    );
    assert!(f.message.contains("two passes"), "{}", f.message);

    p.table_maps[CUSTOMERS].fields.pop();
    assert_none(&p, Code::DW004);
}

#[test]
fn dw005_reports_a_map_sequenced_before_its_prerequisite() {
    let mut p = realistic();
    p.groups[SALES].members[0].sequence = 30; // headers after lines (20)

    let f = single(&p, Code::DW005);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.subjects,
        ids(&["sales", "sales-order-lines", "sales-order-headers"])
    );
    assert_eq!(f.path.as_deref(), Some("groups[1].members[1]"));
    assert!(
        f.message.contains(
            "runs map \"sales-order-lines\" (sequence 20) before \"sales-order-headers\" (sequence 30)"
        ),
        "{}",
        f.message
    );
    assert!(f.hint.contains("higher than 30"), "{}", f.hint);

    p.groups[SALES].members[0].sequence = 10;
    assert_none(&p, Code::DW005);
}

#[test]
fn dw005_reports_a_map_sequenced_together_with_its_prerequisite() {
    let mut p = realistic();
    p.groups[MASTER_DATA].members[2].sequence = 20; // customers with customer groups

    let f = single(&p, Code::DW005);
    assert_eq!(
        f.subjects,
        ids(&["master-data", "customers", "customer-groups"])
    );
    assert_eq!(f.path.as_deref(), Some("groups[0].members[2]"));
    assert!(
        f.message.contains("together with \"customer-groups\""),
        "{}",
        f.message
    );

    p.groups[MASTER_DATA].members[2].sequence = 21;
    assert_none(&p, Code::DW005);
}

#[test]
fn dw006_reports_a_lookup_into_a_table_no_map_provides() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].fields.push(lookup(
        "PAYMENTTERMS",
        "msdyn_paymentterm",
        "msdyn_paymentterm",
        "msdyn_name",
    ));
    let field_index = p.table_maps[CUSTOMERS].fields.len() - 1;

    let f = single(&p, Code::DW006);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(f.path, Some(format!("tableMaps[2].fields[{field_index}]")));
    assert!(
        f.message.contains("table \"msdyn_paymentterm\""),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("prerequisite is missing"),
        "{}",
        f.message
    );

    // Corrected: the prerequisite map is added (and sequenced first).
    let mut terms = striped(map(
        "payment-terms",
        "PaymentTermsEntity",
        "msdyn_paymentterm",
    ));
    terms.fno.keys[0] = "NAME".into();
    terms.dataverse.keys[0] = "msdyn_name".into();
    terms.fields[0] = field("NAME", "msdyn_name");
    p.table_maps.push(terms);
    p.groups[MASTER_DATA].members.push(GroupMember {
        map: "payment-terms".into(),
        sequence: 15,
    });
    assert_none(&p, Code::DW006);
}

#[test]
fn dw006_reports_a_depends_on_naming_no_map_with_the_closest_id() {
    let mut p = realistic();
    p.table_maps[CUSTOMERS].depends_on = vec!["customer-group".into()];

    let f = single(&p, Code::DW006);
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subjects, ids(&["customers"]));
    assert_eq!(f.path.as_deref(), Some("tableMaps[2].dependsOn[0]"));
    assert!(f.message.contains("\"customer-group\""), "{}", f.message);
    assert!(
        f.hint.contains("Did you mean \"customer-groups\"?"),
        "{}",
        f.hint
    );

    p.table_maps[CUSTOMERS].depends_on = vec!["customer-groups".into()];
    assert_none(&p, Code::DW006);
}

/// Customer groups made async (in their own async group) while live customers look them up.
fn live_customers_on_async_groups() -> Project {
    let mut p = realistic();
    p.table_maps[CUSTOMER_GROUPS] =
        asynchronous(p.table_maps[CUSTOMER_GROUPS].clone(), Side::Dataverse);
    p.groups[MASTER_DATA].members.remove(1);
    p.groups
        .push(group("customer-groups", &[("customer-groups", 10)]));
    p
}

#[test]
fn dw007_warns_when_a_live_map_depends_on_an_async_map() {
    let p = live_customers_on_async_groups();
    let f = single(&p, Code::DW007);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.subjects, ids(&["customers", "customer-groups"]));
    assert_eq!(f.path.as_deref(), Some("tableMaps[2].fields[2]"));
    assert!(
        f.message.contains(
            "\"customers\" looks up \"customer-groups\" (column \"msdyn_customergroupid\"), which is async"
        ),
        "{}",
        f.message
    );
    assert!(
        f.hint.contains("placeholders on \"customers\""),
        "{}",
        f.hint
    );
}

#[test]
fn dw007_is_satisfied_by_placeholders_on_the_live_map_or_a_live_parent() {
    let mut p = live_customers_on_async_groups();
    p.table_maps[CUSTOMERS].placeholders = true;
    assert_none(&p, Code::DW007);

    // An async map depending on a live one is fine: the live parent is committed first.
    assert!(findings(&realistic(), Code::DW007).is_empty());
}
