//! The journal entry of a live transaction (format 2): what recovery needs, and no more.
//!
//! Recovery (see [`super::recovery`]) must answer two questions from the endpoints: did the
//! source commit, and did the target? And when only the target did, it must put the target back
//! as it was. So the entry keeps, per side, the operations grouped by table, key columns, kind
//! and written columns (consecutive operations of one shape share a group, so the table and
//! column names are written once, not once per row):
//! - the keys, in operation order;
//! - for upserts, one **digest** of the written values of all the group's rows (in key order,
//!   each value in its comparable text form, see [`super::super::rows::comparable`]): a side
//!   holds the group when reading its rows back gives the same digest, which is the check
//!   format 1 made value by value, without journaling the values themselves;
//! - for the target, the pre-image of each row that existed before the write (new rows have
//!   none: compensating them deletes them).
//!
//! Format 1 ([`super::journal_summary`], written by earlier builds) kept both sides' values as
//! JSON per operation; it is still read ([`JournalEntry::from_json`] turns it into this form, the
//! digest computed from the journaled values), so an entry an older build left unfinished is
//! settled the same way.
//!
//! The digest is SipHash-1-3 with 128-bit output and fixed keys (`siphasher`): stable across
//! processes, builds and platforms, which the standard library's hasher does not promise, and
//! several times cheaper than a cryptographic hash. It guards against no adversary (the entry is
//! the engine's own record); a chance collision (2^-128) would make a rolled-back side look
//! committed. Each value is fed with its length first, so values cannot run into each other.

use std::hash::Hasher as _;

use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};

use crate::endpoint::{Key, Row, Value};

use super::super::rows::comparable;
use super::journal_summary::{row_from_json, JournalOp, JournalSummary};
use super::txn_file::TxnOp;

/// The version number format-2 entries carry (format 1 has no `version` field).
pub const FORMAT: u8 = 2;

/// Both sides' operations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub version: u8,
    pub source: Vec<OpGroup>,
    pub target: Vec<OpGroup>,
}

/// Consecutive operations of one shape on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpGroup {
    pub map: String,
    pub table: String,
    pub key_columns: Vec<String>,
    pub op: TxnOp,
    /// Upserts: the written columns the digest covers, in the order they are fed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// One key per operation, in operation order.
    pub keys: Vec<Key>,
    /// Upserts: the digest of the rows' `columns` values, in key order (32 hex digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Target side: (position in `keys`, row before the write) for the rows that existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pre_images: Vec<(usize, Row)>,
}

impl JournalEntry {
    /// Reads an entry of either format.
    pub fn from_json(json: &serde_json::Value) -> Result<JournalEntry, serde_json::Error> {
        if json.get("version").is_some() {
            return JournalEntry::deserialize(json);
        }
        let summary = JournalSummary::deserialize(json)?;
        Ok(JournalEntry {
            version: 1,
            source: from_format_1(&summary.source)?,
            target: from_format_1(&summary.target)?,
        })
    }
}

/// Format-1 operations as one group each, the digest computed from their journaled values.
fn from_format_1(ops: &[JournalOp]) -> Result<Vec<OpGroup>, serde_json::Error> {
    let mut groups = Vec::with_capacity(ops.len());
    for op in ops {
        let key = Key::parse(&op.key).map_err(serde::de::Error::custom)?;
        let values = op.values.as_ref().map(row_from_json).unwrap_or_default();
        let mut builder = GroupBuilder::default();
        let slot = match op.op {
            TxnOp::Upsert => builder.upsert(&op.map, &op.table, &op.key_columns, key, &values),
            TxnOp::Delete => builder.delete(&op.map, &op.table, &op.key_columns, key),
        };
        if let Some(pre_image) = &op.pre_image {
            builder.pre_image(slot, row_from_json(pre_image));
        }
        groups.extend(builder.finish());
    }
    Ok(groups)
}

/// Where an operation sits in the groups: (group, position in its keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(usize, usize);

/// Builds one side's groups operation by operation.
#[derive(Default)]
pub struct GroupBuilder {
    groups: Vec<OpGroup>,
    digest: Option<Digest>,
}

impl GroupBuilder {
    /// Adds an upsert of `values` (the written columns) under `key`.
    pub fn upsert(
        &mut self,
        map: &str,
        table: &str,
        key_columns: &[String],
        key: Key,
        values: &Row,
    ) -> Slot {
        let joins = self.joins(map, table, key_columns, TxnOp::Upsert)
            && self.groups.last().is_some_and(|g| {
                g.columns.len() == values.len()
                    && g.columns.iter().zip(values.keys()).all(|(a, b)| a == b)
            });
        if !joins {
            let columns = values.keys().map(|k| k.to_string()).collect();
            self.start(map, table, key_columns, TxnOp::Upsert, columns);
            self.digest = Some(Digest::default());
        }
        if let Some(digest) = &mut self.digest {
            for value in values.values() {
                digest.value(value);
            }
        }
        self.push_key(key)
    }

    /// Adds a delete of `key`.
    pub fn delete(&mut self, map: &str, table: &str, key_columns: &[String], key: Key) -> Slot {
        if !self.joins(map, table, key_columns, TxnOp::Delete) {
            self.start(map, table, key_columns, TxnOp::Delete, Vec::new());
        }
        self.push_key(key)
    }

    /// Whether an operation of this shape joins the last group (upserts: columns aside).
    fn joins(&self, map: &str, table: &str, key_columns: &[String], op: TxnOp) -> bool {
        self.groups.last().is_some_and(|g| {
            g.op == op && g.map == map && g.table == table && g.key_columns == key_columns
        })
    }

    /// Closes the last group and starts a new one.
    fn start(
        &mut self,
        map: &str,
        table: &str,
        key_columns: &[String],
        op: TxnOp,
        columns: Vec<String>,
    ) {
        self.close_digest();
        self.groups.push(OpGroup {
            map: map.to_string(),
            table: table.to_string(),
            key_columns: key_columns.to_vec(),
            op,
            columns,
            keys: Vec::new(),
            digest: None,
            pre_images: Vec::new(),
        });
    }

    fn push_key(&mut self, key: Key) -> Slot {
        let group = self.groups.len().saturating_sub(1);
        match self.groups.last_mut() {
            Some(last) => {
                last.keys.push(key);
                Slot(group, last.keys.len() - 1)
            }
            None => Slot(0, 0),
        }
    }

    /// The row as it was before the operation at `slot` (target side, rows that existed).
    pub fn pre_image(&mut self, slot: Slot, row: Row) {
        if let Some(group) = self.groups.get_mut(slot.0) {
            group.pre_images.push((slot.1, row));
        }
    }

    /// The groups, digests closed.
    pub fn finish(mut self) -> Vec<OpGroup> {
        self.close_digest();
        self.groups
    }

    fn close_digest(&mut self) {
        if let (Some(digest), Some(group)) = (self.digest.take(), self.groups.last_mut()) {
            group.digest = Some(digest.hex());
        }
    }
}

/// The running digest of a group's values.
pub struct Digest(SipHasher13);

impl Default for Digest {
    fn default() -> Self {
        Digest(SipHasher13::new_with_keys(0, 0))
    }
}

impl Digest {
    /// Feeds one value in its comparable form, its length first.
    pub fn value(&mut self, value: &Value) {
        match value {
            Value::Text(text) => self.bytes(text.as_bytes()),
            other => self.bytes(comparable(other).as_bytes()),
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.0.write(&(bytes.len() as u64).to_le_bytes());
        self.0.write(bytes);
    }

    /// The digest as 32 hex digits.
    pub fn hex(&self) -> String {
        format!("{:032x}", self.0.finish128().as_u128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, Value)]) -> Row {
        pairs
            .iter()
            .map(|(c, v)| (crate::endpoint::ColumnName::from(*c), v.clone()))
            .collect()
    }

    #[test]
    fn consecutive_operations_of_one_shape_share_a_group() {
        let keys = vec!["id".to_string()];
        let mut builder = GroupBuilder::default();
        let mut slots = Vec::new();
        for i in 0..3 {
            let values = row(&[("id", Value::Integer(i)), ("name", Value::Text("a".into()))]);
            slots.push(builder.upsert("m", "t", &keys, Key::new(vec![Value::Integer(i)]), &values));
        }
        builder.pre_image(slots[2], row(&[("id", Value::Integer(2))]));
        let other = row(&[("id", Value::Integer(9))]);
        builder.upsert("m", "t", &keys, Key::new(vec![Value::Integer(9)]), &other);
        builder.delete("m", "t", &keys, Key::new(vec![Value::Integer(4)]));
        let groups = builder.finish();
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].keys.len(), 3);
        assert_eq!(groups[0].columns, ["id", "name"]);
        assert_eq!(groups[0].pre_images[0].0, 2);
        assert!(groups[1].digest.is_some());
        assert_eq!(groups[2].op, TxnOp::Delete);
        assert_eq!(groups[2].digest, None);
    }

    #[test]
    fn the_digest_compares_values_as_comparable_text_and_keeps_them_apart() {
        let hex = |values: &[Value]| {
            let mut digest = Digest::default();
            values.iter().for_each(|v| digest.value(v));
            digest.hex()
        };
        // The same comparable text: a whole real and an integer, a boolean and 0/1.
        assert_eq!(
            hex(&[Value::Real(5.0), Value::Bool(true)]),
            hex(&[Value::Integer(5), Value::Integer(1)])
        );
        assert_ne!(
            hex(&[Value::Text("ab".into()), Value::Text("c".into())]),
            hex(&[Value::Text("a".into()), Value::Text("bc".into())])
        );
        assert_eq!(hex(&[]).len(), 32);
    }

    #[test]
    fn a_format_1_summary_reads_as_one_group_per_operation() {
        let json = serde_json::json!({
            "source": [{ "map": "m", "table": "t", "keyColumns": ["id"], "key": "[1]",
                         "op": "upsert", "values": { "id": 1, "name": "x" }, "preImage": null }],
            "target": [{ "map": "m", "table": "u", "keyColumns": ["id"], "key": "[1]",
                         "op": "delete", "values": null, "preImage": { "id": 1, "name": "y" } }]
        });
        let entry = JournalEntry::from_json(&json).expect("format 1");
        assert_eq!(entry.version, 1);
        let mut digest = Digest::default();
        digest.value(&Value::Integer(1));
        digest.value(&Value::Text("x".into()));
        assert_eq!(entry.source[0].digest, Some(digest.hex()));
        assert_eq!(entry.target[0].pre_images.len(), 1);
        let round = serde_json::to_value(&entry).expect("serialise");
        assert_eq!(JournalEntry::from_json(&round).expect("format 2"), entry);
    }
}
