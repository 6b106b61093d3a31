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
use std::future::Future;
use std::sync::Arc;

use tracing::Instrument;

use crate::endpoint::{EndpointTransaction, Key, Operation, OperationResult, Row, Value};
use crate::model::Side;
use crate::store::LiveTxnId;

use super::super::lookup::LookupResolver;
use super::super::resolve::ResolvedMap;
use super::super::rows::comparable;
use super::super::transform::transform_row;
use super::super::{Engine, EngineError};
use super::batch_lookups::{
    all_lookups, remember_ids, self_references, transform_with_lookups, IdKey,
};
use super::journal_entry::{GroupBuilder, OpGroup, Slot};
use super::plan::PlannedRow;
use super::txn_file::TxnOp;

/// Applies the whole unit of work on the target inside `tx`, journaling it on the way: the
/// target's operations (keys, digests, pre-images) join the journal's groups, and once the last
/// sub-batch is known, `journal` is given both sides' groups and runs while that sub-batch is
/// written (the journal and the target are different files). The id it returns is put in
/// `journal_slot` as soon as it is known, so a failed write can still mark the entry.
pub(super) async fn apply_target<J, F>(
    engine: &Engine,
    source: Side,
    planned: &mut [PlannedRow],
    tx: &mut dyn EndpointTransaction,
    journal: J,
    journal_slot: &mut Option<LiveTxnId>,
) -> Result<(), EngineError>
where
    J: FnOnce(Vec<OpGroup>) -> F,
    F: Future<Output = Result<LiveTxnId, EngineError>>,
{
    let target = source.other();
    let order = engine.chart().topological_order();
    let rank = |map: &ResolvedMap| {
        order
            .iter()
            .position(|m| *m == map.id())
            .unwrap_or(usize::MAX)
    };
    let lookups = all_lookups(engine.maps());
    let mut stage = Stage {
        engine,
        target,
        tx,
        builder: GroupBuilder::default(),
        journal_slot,
    };

    // Upserts, parents first, one sub-batch per map (collected first: the journal goes with
    // the last sub-batch, deletes or upserts).
    let mut maps: Vec<Arc<ResolvedMap>> = Vec::new();
    for row in planned.iter().filter(|r| r.op == TxnOp::Upsert) {
        if !maps.iter().any(|m| m.id() == row.map.id()) {
            maps.push(Arc::clone(&row.map));
        }
    }
    maps.sort_by_key(|m| rank(m));
    let mut journal = Some(journal);
    let mut last_stage = |is_last: bool| if is_last { journal.take() } else { None };

    // Deletes, children first.
    let mut deletes: Vec<&PlannedRow> = planned.iter().filter(|r| r.op == TxnOp::Delete).collect();
    if !deletes.is_empty() {
        deletes.sort_by_key(|r| std::cmp::Reverse(rank(&r.map)));
        let mut operations = Vec::new();
        for row in &deletes {
            let transformed = transform_row(&row.map, target, &row.source, |_| true)?;
            let key = target_key(&row.map, target, &transformed)?;
            operations.push((
                row.map.id(),
                Operation::Delete {
                    table: row.map.table(target).to_string(),
                    key_columns: row.map.keys(target).to_vec(),
                    key: key.clone(),
                },
                key,
            ));
        }
        stage.apply(operations, last_stage(maps.is_empty())).await?;
    }

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
    let map_count = maps.len();
    for (n, map) in maps.iter().enumerate() {
        // The map's rows are taken out of the plan, which needs them no more.
        let sources: Vec<Row> = planned
            .iter_mut()
            .filter(|r| r.op == TxnOp::Upsert && r.map.id() == map.id())
            .map(|r| std::mem::take(&mut r.source))
            .collect();
        // A reference to a row of the same map waits for a second pass, when the whole
        // sub-batch has its ids.
        let deferred = self_references(map, target, &sources);
        let transformed = transform_with_lookups(map, target, &sources, &ids, &resolver, &deferred)
            .instrument(tracing::debug_span!("live_transform"))
            .await?;
        let mut operations = Vec::with_capacity(transformed.len());
        let mut kept = Vec::new();
        for values in transformed {
            let key = target_key(map, target, &values)?;
            if target == Side::Dataverse {
                kept.push(values.clone());
            }
            operations.push((
                map.id(),
                Operation::Upsert {
                    table: map.table(target).to_string(),
                    key_columns: map.keys(target).to_vec(),
                    values,
                },
                key,
            ));
        }
        let results = stage
            .apply(operations, last_stage(n + 1 == map_count))
            .await?;
        for (values, result) in kept.iter().zip(&results) {
            if let OperationResult::Upserted { generated, .. } = result {
                remember_ids(&lookups, map.id(), values, generated, true, &mut ids);
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
            stage.tx.apply(&second).await?;
        }
    }
    Ok(())
}

/// The target side of the batch: what each sub-batch needs to read pre-images, journal and
/// write, and the journal groups so far.
struct Stage<'a> {
    engine: &'a Engine,
    target: Side,
    tx: &'a mut dyn EndpointTransaction,
    builder: GroupBuilder,
    journal_slot: &'a mut Option<LiveTxnId>,
}

impl Stage<'_> {
    /// Journals the operations, then applies them while their target rows as they were before
    /// are read and join the journal (with `journal`, the last sub-batch, the entry is then
    /// written, still while the sub-batch is).
    ///
    /// The pre-images are read on the endpoint's own connections, not in the open transaction,
    /// so they are the committed rows whatever the transaction has written meanwhile: on SQLite
    /// the transaction holds the write lock from its start (nothing else commits) and a reader
    /// sees the last commit (WAL); on PostgreSQL a reader sees committed rows only. So the read
    /// need not come before the write, and runs with it on another connection. (On PostgreSQL
    /// another writer could still commit a row between this read and the write's lock on it, as
    /// it could when the read came first: row locks, unlike SQLite's, come with the write.)
    async fn apply<J, F>(
        &mut self,
        operations: Vec<(&str, Operation, Key)>,
        journal: Option<J>,
    ) -> Result<Vec<OperationResult>, EngineError>
    where
        J: FnOnce(Vec<OpGroup>) -> F,
        F: Future<Output = Result<LiveTxnId, EngineError>>,
    {
        let endpoint = self.engine.endpoint(self.target);
        // One read per table, its keys beside the journal slots their pre-images go to.
        let mut reads: Vec<PreImageRead> = Vec::new();
        let mut batch = Vec::with_capacity(operations.len());
        for (map, operation, key) in operations {
            let (table, key_columns) = table_and_columns(&operation);
            let slot = match &operation {
                Operation::Upsert { values, .. } => {
                    self.builder
                        .upsert(map, table, key_columns, key.clone(), values)
                }
                Operation::Delete { .. } => {
                    self.builder.delete(map, table, key_columns, key.clone())
                }
            };
            let read = match reads
                .iter()
                .position(|r| r.table == table && r.columns == key_columns)
            {
                Some(index) => &mut reads[index],
                None => {
                    reads.push(PreImageRead {
                        table: table.to_string(),
                        columns: key_columns.to_vec(),
                        keys: Vec::new(),
                        slots: Vec::new(),
                    });
                    let last = reads.len() - 1;
                    &mut reads[last]
                }
            };
            read.keys.push(key);
            read.slots.push(slot);
            batch.push(operation);
        }
        let Stage {
            tx,
            builder,
            journal_slot,
            ..
        } = self;
        let read_and_journal = async {
            for read in &reads {
                let rows = endpoint
                    .read_by_keys(&read.table, &read.columns, &read.keys)
                    .await?;
                if rows.is_empty() {
                    continue;
                }
                let mut found: HashMap<String, Row> = rows
                    .into_iter()
                    .filter_map(|row| {
                        Key::from_row(&row, &read.columns).map(|key| (key_text(&key), row))
                    })
                    .collect();
                for (key, slot) in read.keys.iter().zip(&read.slots) {
                    if let Some(pre_image) = found.remove(&key_text(key)) {
                        builder.pre_image(*slot, pre_image);
                    }
                }
            }
            let id = match journal {
                Some(journal) => Some(journal(std::mem::take(builder).finish()).await?),
                None => None,
            };
            Ok::<_, EngineError>(id)
        }
        .instrument(tracing::debug_span!("live_target_pre_images"));
        let write = tx
            .apply(&batch)
            .instrument(tracing::debug_span!("live_target_write"));
        let (journaled, written) = tokio::join!(read_and_journal, write);
        if let Some(id) = journaled? {
            **journal_slot = Some(id);
        }
        Ok(written?)
    }
}

/// The target rows of one table (by the same key columns) read as pre-images: `keys[i]`'s row
/// joins the journal at `slots[i]`.
struct PreImageRead {
    table: String,
    columns: Vec<String>,
    keys: Vec<Key>,
    slots: Vec<Slot>,
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
