//! The target batch, ordered as a unit of work orders it: deletes first, children before
//! parents; then upserts map by map, parents before children along the dependency chart, so the
//! order in which the source wrote the rows does not matter.
//!
//! Keys generated on the target are propagated within the batch: each map's upserts are applied
//! as a sub-batch of the one target transaction, and the ids the target generated
//! ([`OperationResult::Upserted::generated`]) are kept by natural key, so a child's lookup to a
//! parent created earlier in the same batch resolves to the parent's new id, which no other
//! connection could see yet. Lookups to rows outside the batch go through the
//! [`LookupResolver`]. On the way to F&O the batch's own Dataverse rows (ids as the source
//! generated them) play that role.
//!
//! A self-reference to a row of the same map in the same batch (a customer invoicing to another
//! customer created with it) is written in two passes on the way to Dataverse: the rows without
//! those lookups first, then again with them once every row of the map has its id.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use tracing::Instrument;

use crate::endpoint::{EndpointTransaction, Key, Operation, OperationResult, Row, Value};
use crate::model::Side;

use super::super::lookup::LookupResolver;
use super::super::resolve::ResolvedMap;
use super::super::rows::comparable;
use super::super::transform::transform_row;
use super::super::{Engine, EngineError};
use super::batch_lookups::{
    all_lookups, remember_ids, self_references, transform_with_lookups, IdKey,
};
use super::journal_summary::JournalOp;
use super::plan::PlannedRow;
use super::txn_file::TxnOp;

/// Applies the whole unit of work on the target inside `tx`; returns the journaled operations.
pub(super) async fn apply_target(
    engine: &Engine,
    source: Side,
    planned: &[PlannedRow],
    tx: &mut dyn EndpointTransaction,
) -> Result<Vec<JournalOp>, EngineError> {
    let target = source.other();
    let order = engine.chart().topological_order();
    let rank = |map: &ResolvedMap| {
        order
            .iter()
            .position(|m| *m == map.id())
            .unwrap_or(usize::MAX)
    };
    let lookups = all_lookups(engine.maps());
    let mut journal = Vec::new();

    // Deletes, children first.
    let mut deletes: Vec<&PlannedRow> = planned.iter().filter(|r| r.op == TxnOp::Delete).collect();
    deletes.sort_by_key(|r| std::cmp::Reverse(rank(&r.map)));
    let mut operations = Vec::new();
    for row in &deletes {
        let transformed = transform_row(&row.map, target, &row.source, |_| true)?;
        let key = target_key(&row.map, target, &transformed)?;
        operations.push((
            row.map.id().to_string(),
            Operation::Delete {
                table: row.map.table(target).to_string(),
                key_columns: row.map.keys(target).to_vec(),
                key: key.clone(),
            },
            key,
        ));
    }
    journal.extend(
        apply_with_pre_images(engine, target, operations, tx)
            .await?
            .0,
    );

    // Upserts, parents first, one sub-batch per map.
    let mut maps: Vec<&Arc<ResolvedMap>> = Vec::new();
    for row in planned.iter().filter(|r| r.op == TxnOp::Upsert) {
        if !maps.iter().any(|m| m.id() == row.map.id()) {
            maps.push(&row.map);
        }
    }
    maps.sort_by_key(|m| rank(m));
    let mut ids: HashMap<IdKey, Value> = HashMap::new();
    if target == Side::Fno {
        for row in planned.iter().filter(|r| r.op == TxnOp::Upsert) {
            remember_ids(
                &lookups,
                row.map.id(),
                &row.source,
                &Row::new(),
                false,
                &mut ids,
            );
        }
    }
    let resolver = LookupResolver::new(Arc::clone(engine.endpoint(Side::Dataverse)));
    for map in maps {
        let rows: Vec<&PlannedRow> = planned
            .iter()
            .filter(|r| r.op == TxnOp::Upsert && r.map.id() == map.id())
            .collect();
        let sources: Vec<Row> = rows.iter().map(|r| r.source.clone()).collect();
        // A reference to a row of the same map waits for a second pass, when the whole
        // sub-batch has its ids.
        let deferred = self_references(map, target, &sources);
        let transformed = transform_with_lookups(map, target, &sources, &ids, &resolver, &deferred)
            .instrument(tracing::debug_span!("live_transform"))
            .await?;
        let mut operations = Vec::with_capacity(transformed.len());
        for values in &transformed {
            let key = target_key(map, target, values)?;
            operations.push((
                map.id().to_string(),
                Operation::Upsert {
                    table: map.table(target).to_string(),
                    key_columns: map.keys(target).to_vec(),
                    values: values.clone(),
                },
                key,
            ));
        }
        let (journaled, results) = apply_with_pre_images(engine, target, operations, tx).await?;
        journal.extend(journaled);
        if target == Side::Dataverse {
            for (values, result) in transformed.iter().zip(&results) {
                if let OperationResult::Upserted { generated, .. } = result {
                    remember_ids(&lookups, map.id(), values, generated, true, &mut ids);
                }
            }
        }
        if !deferred.is_empty() {
            let full =
                transform_with_lookups(map, target, &sources, &ids, &resolver, &BTreeSet::new())
                    .await?;
            let second: Vec<Operation> = full
                .into_iter()
                .map(|values| Operation::Upsert {
                    table: map.table(target).to_string(),
                    key_columns: map.keys(target).to_vec(),
                    values,
                })
                .collect();
            tx.apply(&second).await?;
        }
    }
    Ok(journal)
}

/// Reads the target's rows before the write (committed state), applies the operations and
/// returns them journaled with their pre-images.
async fn apply_with_pre_images(
    engine: &Engine,
    target: Side,
    operations: Vec<(String, Operation, Key)>,
    tx: &mut dyn EndpointTransaction,
) -> Result<(Vec<JournalOp>, Vec<OperationResult>), EngineError> {
    if operations.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let endpoint = engine.endpoint(target);
    let mut journal = Vec::with_capacity(operations.len());
    let mut by_table: HashMap<(String, Vec<String>), Vec<Key>> = HashMap::new();
    for (_, operation, key) in &operations {
        let (table, columns) = table_and_columns(operation);
        by_table
            .entry((table.to_string(), columns.to_vec()))
            .or_default()
            .push(key.clone());
    }
    let mut before: HashMap<(String, String), Row> = HashMap::new();
    for ((table, columns), keys) in &by_table {
        let rows = endpoint
            .read_by_keys(table, columns, keys)
            .instrument(tracing::debug_span!("live_target_pre_images"))
            .await?;
        for row in rows {
            if let Some(key) = Key::from_row(&row, columns) {
                before.insert((table.clone(), key_text(&key)), row);
            }
        }
    }
    for (map, operation, key) in &operations {
        let (table, _) = table_and_columns(operation);
        let pre_image = before.get(&(table.to_string(), key_text(key)));
        journal.push(JournalOp::of(map, operation, key, pre_image));
    }
    let batch: Vec<Operation> = operations.into_iter().map(|(_, o, _)| o).collect();
    let results = tx
        .apply(&batch)
        .instrument(tracing::debug_span!("live_target_write"))
        .await?;
    Ok((journal, results))
}

fn table_and_columns(operation: &Operation) -> (&str, &[String]) {
    match operation {
        Operation::Upsert {
            table, key_columns, ..
        }
        | Operation::Delete {
            table, key_columns, ..
        } => (table, key_columns),
    }
}

/// Comparable text of a key (classes differ between what was sent and what is read back).
pub(super) fn key_text(key: &Key) -> String {
    key.values()
        .iter()
        .map(comparable)
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

fn target_key(map: &ResolvedMap, target: Side, row: &Row) -> Result<Key, EngineError> {
    Key::from_row(row, map.keys(target)).ok_or_else(|| EngineError::InvalidMap {
        map: map.id().to_string(),
        reason: format!(
            "the {target} key ({}) is not carried by the map's fields towards {target}",
            map.keys(target).join(", ")
        ),
    })
}
