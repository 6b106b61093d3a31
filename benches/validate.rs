//! Validation of a large generated project: 5,000 maps with 50,000 field mappings (10 per
//! map, some of them lookups into earlier maps' tables, so the chart has realistic edges) in
//! groups of 20 maps. Target: `validate` (chart build included) under 50 ms.
//!
//! Run with `cargo bench --bench validate`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use dualwrite::chart::DependencyChart;
use dualwrite::model::{
    DataverseSide, EndpointKind, Environment, FieldDirection, FieldMapping, FnoSide, Group,
    GroupMember, Lookup, MapDirection, Project, Side, SyncMode, TableMap,
};
use dualwrite::validate::{validate, validate_with_chart};

const MAPS: usize = 5_000;
const FIELDS_PER_MAP: usize = 10;
const MAPS_PER_GROUP: usize = 20;

fn field(fno: String, dataverse: String, lookup: Option<Lookup>) -> FieldMapping {
    FieldMapping {
        fno,
        dataverse,
        direction: FieldDirection::Both,
        transform: None,
        lookup,
    }
}

fn table(i: usize) -> String {
    format!("dw_table{i}")
}

/// Map `i`: company-striped, keys mapped, a company lookup (into map 0, the legal entities),
/// lookups into one to three earlier maps, and plain fields up to ten. Groups of 20 are
/// alternately live and async, so some live maps look up async ones (DW007 findings) and
/// some lookups cross groups.
fn generated_map(i: usize) -> TableMap {
    let asynchronous = (i / MAPS_PER_GROUP) % 2 == 1;
    let mut fields = vec![field(format!("ID{i}"), format!("dw_id{i}"), None)];
    if i > 0 {
        fields.push(field(
            "DATAAREAID".into(),
            "msdyn_company".into(),
            Some(Lookup {
                table: table(0),
                key: "dw_id0".into(),
            }),
        ));
        // A parent a few maps back (often in the same group), one anywhere before, and for
        // every seventh map one more: 2 to 3 lookups besides the company per map.
        let mut parents = vec![i - 1 - (i * 7) % i.min(5), (i * 37 + 11) % i];
        if i % 7 == 0 {
            parents.push(i / 2);
        }
        // A few self-references (a parent row of the same table), as customers have.
        if i % 1_000 == 500 {
            parents.push(i);
        }
        parents.dedup();
        for parent in parents {
            fields.push(field(
                format!("REF{parent}"),
                format!("dw_ref{parent}"),
                Some(Lookup {
                    table: table(parent),
                    key: format!("dw_id{parent}"),
                }),
            ));
        }
    }
    let mut plain = 0;
    while fields.len() < FIELDS_PER_MAP {
        fields.push(field(format!("COL{plain}"), format!("dw_col{plain}"), None));
        plain += 1;
    }
    TableMap {
        id: format!("map {i}"),
        name: format!("Map {i}"),
        fno: FnoSide {
            entity: format!("DwEntity{i}"),
            keys: vec![format!("ID{i}"), "DATAAREAID".into()],
            filter: None,
            company_striped: i > 0,
        },
        dataverse: DataverseSide {
            table: table(i),
            keys: vec![format!("dw_id{i}"), "msdyn_company.cdm_companycode".into()],
            filter: None,
            company_striped: i > 0,
        },
        sync_mode: if asynchronous {
            SyncMode::Async
        } else {
            SyncMode::Live
        },
        direction: MapDirection::Bidirectional,
        primary: asynchronous.then_some(Side::Fno),
        sync_deletes: false,
        placeholders: false,
        fields,
        depends_on: Vec::new(),
    }
}

fn generated_project() -> Project {
    let table_maps: Vec<TableMap> = (0..MAPS).map(generated_map).collect();
    let groups = table_maps
        .chunks(MAPS_PER_GROUP)
        .enumerate()
        .map(|(g, maps)| Group {
            id: format!("group {g}"),
            name: format!("Group {g}"),
            members: maps
                .iter()
                .enumerate()
                .map(|(k, m)| GroupMember {
                    map: m.id.clone(),
                    sequence: 10 * (k as u32 + 1),
                })
                .collect(),
            expected_records_per_transaction: Some(100 + g as u64),
            expected_payload_bytes: Some(1_000_000),
            legal_entities: vec!["USMF".into(), "DEMF".into()],
            initial_sync: g % 3 == 0,
        })
        .collect();
    Project {
        environments: vec![Environment {
            id: "fno".into(),
            side: Side::Fno,
            kind: EndpointKind::Sqlite,
            url: "fno.db".into(),
            legal_entities: vec!["USMF".into(), "DEMF".into(), "GBSI".into()],
        }],
        table_maps,
        groups,
        ..Project::empty("generated")
    }
}

fn bench(c: &mut Criterion) {
    let project = generated_project();
    let fields: usize = project.table_maps.iter().map(|m| m.fields.len()).sum();
    let chart = DependencyChart::build(&project);
    let findings = validate(&project);
    eprintln!(
        "generated project: {} maps, {fields} field mappings, {} groups, {} chart edges, {} findings",
        project.table_maps.len(),
        project.groups.len(),
        chart.edge_count(),
        findings.len()
    );

    let mut group = c.benchmark_group("validate 5000 maps");
    group.bench_function("validate (chart build included)", |b| {
        b.iter(|| validate(black_box(&project)))
    });
    group.bench_function("chart build only", |b| {
        b.iter(|| DependencyChart::build(black_box(&project)))
    });
    group.bench_function("rules only (validate_with_chart)", |b| {
        b.iter(|| validate_with_chart(black_box(&project), black_box(&chart)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
