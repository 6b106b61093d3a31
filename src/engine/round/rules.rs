//! The rules of an upsert, shared by the batched path ([`super::batch`]) and the per-entry path
//! ([`super::process`]).
//!
//! Both paths read the same things (the source row, its snapshot, the target row) and must come
//! to the same decision, so the decision lives here once and each path only says how it reads
//! (a whole batch per round trip, or one row) and how it writes:
//! - **Concurrency** ([`moved_on`]): when the row's version moved on since the change was
//!   queued, the entry is skipped (a newer entry exists for the newer version).
//! - **No phantom updates** ([`source_changed`]): when the source row still equals its snapshot
//!   (the state both sides had after the last sync) on the columns the map carries, nothing is
//!   written. This is also what settles a bidirectional map after one round.
//! - **Conflicts** ([`conflicts`]): when the target row also differs from its snapshot, both
//!   sides changed since the last sync. The map's primary side (F&O when unset) wins
//!   ([`Candidate::new`]): its row is written to the other side (whichever side the entry came
//!   from), and the losing values are recorded as a conflict, not as an error. Only
//!   bidirectional maps have conflicts; a one-way map's source always wins. A target that
//!   changed to exactly what the source would write (plain fields equal, lookups as synced) is
//!   no conflict: that is what a crash between the target's commit and the snapshot's leaves,
//!   and the round settles it.
//! - **Created on both sides**: a row with no snapshot was never synced (the initial sync and
//!   every applied entry write one), so when the target holds the key too, both sides created it
//!   since the last sync: a conflict like any other, whatever the values (with no snapshot there
//!   is no way to tell a crash's leftover from two creations). A placeholder the engine created
//!   on the target is the exception: the real row hydrates it. The decision this takes: an
//!   initial sync run with `snapshots: false` leaves every copied row without one, so the first
//!   change of such a row after it is a conflict that the primary side wins.
//! - What a written row leaves ([`Candidate::settle`]): the snapshot of both sides as written,
//!   the conflict record when there was one, and the placeholder it hydrates.

use crate::endpoint::{Key, Operation, Row, Value};
use crate::model::{MapDirection, Side};
use crate::store::{
    KeyText, NewConflict, PlaceholderRef, QueueEntry, SideSnapshot, Snapshot, Timestamp,
};

use super::super::rows::{comparable, key_text, row_json};
use super::super::transform::transform_row;
use super::super::ResolvedMap;
use super::missing_parent;

/// Whether the source row's version (none when the endpoint captured none) moved on since
/// `entry` was queued.
pub(super) fn moved_on(entry: &QueueEntry, version: Option<i64>) -> bool {
    version.is_some_and(|v| v.to_string() != entry.row_version)
}

/// The operation that deletes the row of `side` with this key.
pub(super) fn delete(map: &ResolvedMap, side: Side, key: Key) -> Operation {
    Operation::Delete {
        table: map.table(side).to_string(),
        key_columns: map.keys(side).to_vec(),
        key,
    }
}

/// The key of a row on F&O (the snapshot's key), from its key on the source side and on the
/// target side.
pub(super) fn fno_key(source_side: Side, key: &Key, target_key: &Key) -> Key {
    match source_side {
        Side::Fno => key.clone(),
        Side::Dataverse => target_key.clone(),
    }
}

/// Whether the source row changed since the last sync on the columns the map carries (a row
/// with no snapshot was never synced: changed).
pub(super) fn source_changed(
    map: &ResolvedMap,
    source_side: Side,
    source_row: &Row,
    snapshot: Option<&Snapshot>,
) -> bool {
    snapshot.is_none_or(|s| {
        differs(
            source_row,
            &s.side(source_side).values,
            carried(map, source_side, source_side.other()),
        )
    })
}

/// Whether it takes knowing if the target row is an unhydrated placeholder to decide the
/// conflict: a bidirectional map, no snapshot, and a target row (created on both sides, unless
/// the target's row is a placeholder). Finding out costs a store read, so it is only asked then.
pub(super) fn asks_placeholder(
    map: &ResolvedMap,
    target_row: Option<&Row>,
    snapshot: Option<&Snapshot>,
) -> bool {
    map.map.direction == MapDirection::Bidirectional && snapshot.is_none() && target_row.is_some()
}

/// Whether writing `source_row` over `target_row` is a conflict (see the module doc).
/// `placeholder`: the target row is a placeholder the engine created and the real row has not
/// hydrated yet (only read when [`asks_placeholder`]).
fn conflicts(
    map: &ResolvedMap,
    target_side: Side,
    source_row: &Row,
    target_row: Option<&Row>,
    snapshot: Option<&Snapshot>,
    placeholder: bool,
) -> bool {
    map.map.direction == MapDirection::Bidirectional
        && match (snapshot, target_row) {
            (Some(s), Some(row)) => target_conflicts(map, target_side, source_row, row, s),
            // Never synced, yet on both sides: created on both since the last sync.
            (None, Some(_)) => !placeholder,
            (_, None) => false,
        }
}

/// An upsert entry that got as far as a write: the rows of both sides and which one wins.
pub(super) struct Candidate<'a> {
    pub(super) entry: &'a QueueEntry,
    /// The key on the source side, on the target side and on F&O (the snapshot's key).
    pub(super) key: Key,
    pub(super) target_key: Key,
    pub(super) fno_key: Key,
    pub(super) source_row: Row,
    pub(super) target_row: Option<Row>,
    pub(super) conflict: bool,
    /// The side whose row is written to the other.
    pub(super) from: Side,
}

/// What a written candidate leaves in the store.
pub(super) struct Applied {
    /// Both sides as synced.
    pub(super) snapshot: Snapshot,
    /// The conflict, if both sides had changed.
    pub(super) conflict: Option<NewConflict>,
    /// The row written (which hydrates it if it was a placeholder).
    pub(super) written: PlaceholderRef,
}

impl<'a> Candidate<'a> {
    /// The candidate of `entry`, deciding whether it is a conflict ([`conflicts`]) and who
    /// wins: the source, unless the target is the primary side of a conflict (and holds a row).
    /// `keys`: on the source side and on the target side; `rows`: the source row and the target
    /// row if there is one.
    pub(super) fn new(
        map: &ResolvedMap,
        entry: &'a QueueEntry,
        (key, target_key): (Key, Key),
        (source_row, target_row): (Row, Option<Row>),
        snapshot: Option<&Snapshot>,
        placeholder: bool,
    ) -> Self {
        let source_side = entry.source_side;
        let target_side = source_side.other();
        let conflict = conflicts(
            map,
            target_side,
            &source_row,
            target_row.as_ref(),
            snapshot,
            placeholder,
        );
        let primary = map.map.primary.unwrap_or(Side::Fno);
        let from = if conflict && primary == target_side && target_row.is_some() {
            target_side
        } else {
            source_side
        };
        Candidate {
            entry,
            fno_key: fno_key(source_side, &key, &target_key),
            key,
            target_key,
            source_row,
            target_row,
            conflict,
            from,
        }
    }

    pub(super) fn winning_row(&self) -> &Row {
        if self.from == self.entry.source_side {
            &self.source_row
        } else {
            self.target_row.as_ref().unwrap_or(&self.source_row)
        }
    }

    pub(super) fn losing_row(&self) -> Option<&Row> {
        if self.from == self.entry.source_side {
            self.target_row.as_ref()
        } else {
            Some(&self.source_row)
        }
    }

    /// The snapshot, conflict and hydrated placeholder once the winning row was written as
    /// `written` on the other side.
    pub(super) fn settle(&self, map: &ResolvedMap, written: Row) -> Applied {
        let from = self.from;
        let fno_text = key_text(&self.fno_key);
        let conflict = self.conflict.then(|| NewConflict {
            map_id: map.id().to_string(),
            key: fno_text.clone(),
            winning_side: from,
            winning_values: row_json(self.winning_row()),
            losing_values: self.losing_row().map(row_json).unwrap_or_default(),
        });
        let written_key = if from == self.entry.source_side {
            &self.target_key
        } else {
            &self.key
        };
        let written_ref = missing_parent::hydrated_ref(map, from.other(), written_key);
        let mut to_after = self.losing_row().cloned().unwrap_or_default();
        to_after.extend(written);
        Applied {
            snapshot: synced_snapshot(map, fno_text, from, self.winning_row().clone(), to_after),
            conflict,
            written: written_ref,
        }
    }
}

/// The snapshot after writing `from_row` of side `from` over the other side's row, which is
/// `to_after` once written.
fn synced_snapshot(
    map: &ResolvedMap,
    fno_key: KeyText,
    from: Side,
    from_row: Row,
    to_after: Row,
) -> Snapshot {
    let (fno_values, dataverse_values) = match from {
        Side::Fno => (from_row, to_after),
        Side::Dataverse => (to_after, from_row),
    };
    Snapshot {
        map_id: map.id().to_string(),
        key: fno_key,
        fno: SideSnapshot {
            values: row_json(&fno_values),
            version: None,
        },
        dataverse: SideSnapshot {
            values: row_json(&dataverse_values),
            version: None,
        },
        synced_at: Timestamp::now(),
    }
}

/// The columns of `side` that the map carries to `other`.
fn carried(map: &ResolvedMap, side: Side, other: Side) -> Vec<&str> {
    map.fields_to(other).map(|f| f.column(side)).collect()
}

/// Whether the target row changed since the last sync in a way that conflicts with the
/// source's change: it differs from its snapshot and does not already hold the source's change.
///
/// It already holds what `source_row` would write when its plain (not lookup) fields equal the
/// transformed source values, and its lookup fields are unchanged since the snapshot on both
/// sides. That is what a crash leaves between the target's commit and the store's (the row
/// written, its snapshot not saved): the target changed since the snapshot, but to the source's
/// own values, so it is settled, not reported as a conflict. Lookup fields are compared with the
/// snapshot only (their target values need resolving), so a change that moved a lookup is still
/// treated as a conflict after such a crash, the primary side winning as usual.
fn target_conflicts(
    map: &ResolvedMap,
    target_side: Side,
    source_row: &Row,
    target_row: &Row,
    snapshot: &Snapshot,
) -> bool {
    let carried_columns = carried(map, target_side, target_side.other());
    if !differs(
        target_row,
        &snapshot.side(target_side).values,
        carried_columns,
    ) {
        return false;
    }
    // Does it already hold the source's change?
    let Ok(expected) = transform_row(map, target_side, source_row, |f| f.lookup.is_none()) else {
        return true;
    };
    let plain_agree = expected.iter().all(|(column, value)| {
        comparable(value) == target_row.get(column).map(comparable).unwrap_or_default()
    });
    // The lookup columns of `side` are as synced in `row`.
    let lookups_synced = |row: &Row, side: Side| {
        let lookups = map
            .fields
            .iter()
            .filter(|f| f.lookup.is_some())
            .map(|f| f.column(side));
        !differs(row, &snapshot.side(side).values, lookups.collect())
    };
    let already_holds = plain_agree
        && lookups_synced(target_row, target_side)
        && lookups_synced(source_row, target_side.other());
    !already_holds
}

/// Whether `row` differs from the snapshot values on these columns (columns the snapshot does
/// not hold are not compared).
fn differs(row: &Row, snapshot: &serde_json::Value, columns: Vec<&str>) -> bool {
    columns.into_iter().any(|column| {
        let Some(before) = snapshot.get(column) else {
            return false;
        };
        let before = Value::from_json(before).unwrap_or(Value::Null);
        let now = row.get(column).cloned().unwrap_or(Value::Null);
        comparable(&before) != comparable(&now)
    })
}
