//! Small builders for projects in code, and a clean realistic project that rule tests break
//! in one place (and then repair the way the finding's hint says).

use dualwrite::model::{
    DataverseSide, EndpointKind, Environment, FieldDirection, FieldMapping, FnoSide, Group,
    GroupMember, Lookup, MapDirection, Project, Side, SyncMode, TableMap,
};
use dualwrite::validate::{validate, Code, Finding};

/// A live, bidirectional map with keys `KEY` / `key` and a field mapping them.
pub fn map(id: &str, entity: &str, table: &str) -> TableMap {
    TableMap {
        id: id.to_string(),
        name: id.to_string(),
        fno: FnoSide {
            entity: entity.to_string(),
            keys: vec!["KEY".to_string()],
            filter: None,
            company_striped: false,
        },
        dataverse: DataverseSide {
            table: table.to_string(),
            keys: vec!["key".to_string()],
            filter: None,
            company_striped: false,
        },
        sync_mode: SyncMode::Live,
        direction: MapDirection::Bidirectional,
        primary: None,
        sync_deletes: false,
        placeholders: false,
        fields: vec![field("KEY", "key")],
        depends_on: Vec::new(),
    }
}

/// A bidirectional field mapping.
pub fn field(fno: &str, dataverse: &str) -> FieldMapping {
    FieldMapping {
        fno: fno.to_string(),
        dataverse: dataverse.to_string(),
        direction: FieldDirection::Both,
        transform: None,
        lookup: None,
    }
}

/// A one-way field mapping.
pub fn field_to(fno: &str, dataverse: &str, direction: FieldDirection) -> FieldMapping {
    FieldMapping {
        direction,
        ..field(fno, dataverse)
    }
}

/// A bidirectional field that looks up `table` by `key`.
pub fn lookup(fno: &str, dataverse: &str, table: &str, key: &str) -> FieldMapping {
    FieldMapping {
        lookup: Some(Lookup {
            table: table.to_string(),
            key: key.to_string(),
        }),
        ..field(fno, dataverse)
    }
}

/// The company lookup of a company-striped map.
pub fn company() -> FieldMapping {
    lookup(
        "DATAAREAID",
        "msdyn_company",
        "cdm_company",
        "cdm_companycode",
    )
}

/// Makes a map company-striped on both sides, with DATAAREAID / msdyn_company in its keys and
/// the company lookup among its fields.
pub fn striped(mut map: TableMap) -> TableMap {
    map.fno.company_striped = true;
    map.dataverse.company_striped = true;
    map.fno.keys.push("DATAAREAID".to_string());
    map.dataverse
        .keys
        .push("msdyn_company.cdm_companycode".to_string());
    map.fields.push(company());
    map
}

/// Makes a map async with a primary side.
pub fn asynchronous(mut map: TableMap, primary: Side) -> TableMap {
    map.sync_mode = SyncMode::Async;
    map.primary = Some(primary);
    map
}

/// A group with (map id, sequence) members.
pub fn group(id: &str, members: &[(&str, u32)]) -> Group {
    Group {
        id: id.to_string(),
        name: id.to_string(),
        members: members
            .iter()
            .map(|(map, sequence)| GroupMember {
                map: map.to_string(),
                sequence: *sequence,
            })
            .collect(),
        expected_records_per_transaction: None,
        expected_payload_bytes: None,
        legal_entities: Vec::new(),
        initial_sync: false,
    }
}

/// A project with an F&O and a Dataverse environment.
pub fn project(table_maps: Vec<TableMap>, groups: Vec<Group>) -> Project {
    let environment = |id: &str, side: Side, entities: &[&str]| Environment {
        id: id.to_string(),
        side,
        kind: EndpointKind::Sqlite,
        url: format!("{id}.db"),
        legal_entities: entities.iter().map(|e| e.to_string()).collect(),
    };
    Project {
        environments: vec![
            environment("fno", Side::Fno, &["USMF", "DEMF", "GBSI"]),
            environment("dataverse", Side::Dataverse, &[]),
        ],
        table_maps,
        groups,
        ..Project::empty("test")
    }
}

/// Indexes of the realistic project's maps and groups.
pub const LEGAL_ENTITIES: usize = 0;
pub const CUSTOMER_GROUPS: usize = 1;
pub const CUSTOMERS: usize = 2;
pub const ORDER_HEADERS: usize = 3;
pub const ORDER_LINES: usize = 4;
pub const MASTER_DATA: usize = 0;
pub const SALES: usize = 1;

/// Legal entities -> customer groups -> customers (live group "master-data"), sales order
/// headers -> lines (async group "sales"), with company lookups, keys that are mapped, an
/// invertible value map, correct sequences and volumes within the limits.
pub fn realistic() -> Project {
    let mut legal_entities = map("legal-entities", "OMLegalEntity", "cdm_company");
    legal_entities.direction = MapDirection::ToDataverse;
    legal_entities.fno.keys = vec!["LEGALENTITYID".into()];
    legal_entities.dataverse.keys = vec!["cdm_companycode".into()];
    legal_entities.fields = vec![
        field_to(
            "LEGALENTITYID",
            "cdm_companycode",
            FieldDirection::ToDataverse,
        ),
        field_to("NAME", "cdm_name", FieldDirection::ToDataverse),
    ];

    let mut customer_groups = striped(map(
        "customer-groups",
        "CustCustomerGroupEntity",
        "msdyn_customergroup",
    ));
    customer_groups.fno.keys[0] = "CUSTOMERGROUPID".into();
    customer_groups.dataverse.keys[0] = "msdyn_groupid".into();
    customer_groups.fields[0] = field("CUSTOMERGROUPID", "msdyn_groupid");
    customer_groups
        .fields
        .push(field("DESCRIPTION", "msdyn_description"));

    let mut customers = striped(map("customers", "CustCustomerV3Entity", "account"));
    customers.fno.keys[0] = "CUSTOMERACCOUNT".into();
    customers.dataverse.keys[0] = "accountnumber".into();
    customers.fields[0] = field("CUSTOMERACCOUNT", "accountnumber");
    customers.fields.extend([
        lookup(
            "CUSTOMERGROUPID",
            "msdyn_customergroupid",
            "msdyn_customergroup",
            "msdyn_groupid",
        ),
        field("ORGANIZATIONNAME", "name"),
        value_mapped(
            "CREDITRATING",
            "msdyn_creditrating",
            &[("Good", 1), ("Fair", 2), ("Poor", 3)],
        ),
    ]);

    let mut headers = asynchronous(
        striped(map(
            "sales-order-headers",
            "SalesOrderHeaderV2Entity",
            "salesorder",
        )),
        Side::Fno,
    );
    headers.fno.keys[0] = "SALESORDERNUMBER".into();
    headers.dataverse.keys[0] = "msdyn_salesordernumber".into();
    headers.fields[0] = field("SALESORDERNUMBER", "msdyn_salesordernumber");
    headers.fields.extend([
        lookup(
            "ORDERINGCUSTOMERACCOUNTNUMBER",
            "customerid",
            "account",
            "accountnumber",
        ),
        field_to(
            "SALESORDERSTATUS",
            "statuscode",
            FieldDirection::ToDataverse,
        ),
    ]);

    let mut lines = asynchronous(
        striped(map(
            "sales-order-lines",
            "SalesOrderLineV2Entity",
            "salesorderdetail",
        )),
        Side::Fno,
    );
    lines.fno.keys = vec![
        "SALESORDERNUMBER".into(),
        "LINECREATIONSEQUENCENUMBER".into(),
        "DATAAREAID".into(),
    ];
    lines.dataverse.keys = vec![
        "salesorderid.msdyn_salesordernumber".into(),
        "sequencenumber".into(),
        "msdyn_company.cdm_companycode".into(),
    ];
    lines.fields = vec![
        lookup(
            "SALESORDERNUMBER",
            "salesorderid",
            "salesorder",
            "msdyn_salesordernumber",
        ),
        field("LINECREATIONSEQUENCENUMBER", "sequencenumber"),
        company(),
        field("ITEMNUMBER", "productnumber"),
        field_to("LINEAMOUNT", "extendedamount", FieldDirection::ToDataverse),
    ];

    let mut master_data = group(
        "master-data",
        &[
            ("legal-entities", 10),
            ("customer-groups", 20),
            ("customers", 30),
        ],
    );
    master_data.expected_records_per_transaction = Some(50);
    master_data.expected_payload_bytes = Some(2_000_000);
    master_data.legal_entities = vec!["USMF".into(), "DEMF".into()];
    master_data.initial_sync = true;
    let mut sales = group(
        "sales",
        &[("sales-order-headers", 10), ("sales-order-lines", 20)],
    );
    sales.expected_records_per_transaction = Some(5_000);

    project(
        vec![legal_entities, customer_groups, customers, headers, lines],
        vec![master_data, sales],
    )
}

/// A bidirectional field with a value map from F&O values to Dataverse option values.
pub fn value_mapped(fno: &str, dataverse: &str, values: &[(&str, i64)]) -> FieldMapping {
    FieldMapping {
        transform: Some(dualwrite::model::Transform::ValueMap(
            values
                .iter()
                .map(|(from, to)| (from.to_string(), serde_json::json!(to)))
                .collect(),
        )),
        ..field(fno, dataverse)
    }
}

/// The project's findings of one code.
pub fn findings(project: &Project, code: Code) -> Vec<Finding> {
    validate(project)
        .into_iter()
        .filter(|f| f.code == code)
        .collect()
}

/// The only finding of `code`, with a readable failure listing all of them.
pub fn single(project: &Project, code: Code) -> Finding {
    let mut found = findings(project, code);
    assert_eq!(
        found.len(),
        1,
        "expected one {code} finding, got {found:#?}"
    );
    found.remove(0)
}

/// Asserts the project has no finding of `code`.
pub fn assert_none(project: &Project, code: Code) {
    let found = findings(project, code);
    assert!(
        found.is_empty(),
        "expected no {code} finding, got {found:#?}"
    );
}

/// Owned subject list for comparisons.
pub fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}
