//! Value types shared by the store's tables: times, row keys, ids and the fixed words stored
//! as text (statuses, categories...).
//!
//! Times are UTC milliseconds since the Unix epoch: they sort and compare as integers in SQL
//! (windows, backoff) without a date library, and callers pass "now" explicitly so the engine
//! and its tests decide what time it is. Row keys are a canonical text (a compact JSON array of
//! the key values in key-column order) so the store does not depend on the endpoints' types.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::error::{ParseWordError, StoreError};
use crate::model::Side;

/// A point in time: UTC milliseconds since the Unix epoch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The current time (the epoch if the clock is set before it).
    pub fn now() -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Self(i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX))
    }

    /// The time `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// This time plus a duration (saturating).
    pub fn plus(self, duration: Duration) -> Self {
        Self(self.0.saturating_add(duration_millis(duration)))
    }

    /// This time minus a duration (saturating), e.g. the start of an alert window.
    pub fn minus(self, duration: Duration) -> Self {
        Self(self.0.saturating_sub(duration_millis(duration)))
    }
}

fn duration_millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The canonical text of a row key: a compact JSON array of the key values, in the order of
/// the map's key columns, e.g. `["USMF","US-001"]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(transparent)]
pub struct KeyText(String);

impl KeyText {
    /// The key text of these key values.
    pub fn from_values(values: &[serde_json::Value]) -> Self {
        Self(serde_json::Value::Array(values.to_vec()).to_string())
    }

    /// Checks that `text` is a JSON array and brings it to the canonical compact form.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let invalid = |reason: String| StoreError::InvalidKey {
            text: text.to_string(),
            reason,
        };
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Array(values)) if values.is_empty() => {
                Err(invalid("a key needs at least one value".to_string()))
            }
            Ok(serde_json::Value::Array(values)) => Ok(Self::from_values(&values)),
            Ok(_) => Err(invalid(
                "expected an array such as [\"USMF\",\"US-001\"]".to_string(),
            )),
            Err(e) => Err(invalid(e.to_string())),
        }
    }

    /// The key values.
    pub fn values(&self) -> Result<Vec<serde_json::Value>, StoreError> {
        serde_json::from_str(&self.0).map_err(|e| StoreError::InvalidKey {
            text: self.0.clone(),
            reason: e.to_string(),
        })
    }

    /// The text as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps a text that is already canonical: the compact JSON array text of the key values,
    /// as serde_json writes it (the engine serialises keys straight from their values).
    pub(crate) fn from_canonical(text: String) -> Self {
        Self(text)
    }

    /// Wraps a text read back from the store (written canonical by this module).
    pub(crate) fn from_stored(text: String) -> Self {
        Self(text)
    }
}

impl std::fmt::Display for KeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares an id newtype over SQLite's integer row id.
macro_rules! row_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

row_id!(
    /// Id of a queue entry.
    EntryId
);
row_id!(
    /// Id of an error log record.
    ErrorId
);
row_id!(
    /// Id of a recorded conflict.
    ConflictId
);
row_id!(
    /// Id of a run of the engine.
    RunId
);
row_id!(
    /// Id of a journaled live transaction.
    LiveTxnId
);
row_id!(
    /// Id of an activity log line.
    ActivityId
);

/// Declares an enum stored as a fixed word, with its text form, parsing and `Display`.
macro_rules! word_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and shown to users.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::store::ParseWordError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::store::ParseWordError {
                        what: $what,
                        value: value.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use word_enum;

/// The word stored for a side.
pub(crate) fn side_word(side: Side) -> &'static str {
    match side {
        Side::Fno => "fno",
        Side::Dataverse => "dataverse",
    }
}

/// A result row of either driver of the store file: sqlx's, or rusqlite's for the reads and
/// writes that go around sqlx's per-row hand-off (see [`super::bulk`]). [`RowReader`] decodes
/// both the same way.
pub(crate) trait StoredRow {
    fn int_or_null(&self, column: &'static str) -> Result<Option<i64>, StoreError>;
    fn text_or_null(&self, column: &'static str) -> Result<Option<String>, StoreError>;
}

impl StoredRow for sqlx::sqlite::SqliteRow {
    fn int_or_null(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        use sqlx::Row;
        self.try_get(column).map_err(read_error)
    }

    fn text_or_null(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        use sqlx::Row;
        self.try_get(column).map_err(read_error)
    }
}

impl StoredRow for rusqlite::Row<'_> {
    fn int_or_null(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.get(column).map_err(native_read_error)
    }

    fn text_or_null(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        self.get(column).map_err(native_read_error)
    }
}

fn read_error(source: sqlx::Error) -> StoreError {
    StoreError::Database {
        operation: "read a stored row",
        source,
    }
}

fn native_read_error(source: rusqlite::Error) -> StoreError {
    StoreError::Native {
        operation: "read a stored row",
        source,
    }
}

/// Reads the columns of one result row, naming the operation in any error.
pub(crate) struct RowReader<'r, R: StoredRow = sqlx::sqlite::SqliteRow> {
    pub(crate) row: &'r R,
    pub(crate) table: &'static str,
}

impl<'r, R: StoredRow> RowReader<'r, R> {
    pub(crate) fn new(row: &'r R, table: &'static str) -> Self {
        Self { row, table }
    }

    /// A column that must not be NULL.
    fn required<T>(&self, column: &'static str, value: Option<T>) -> Result<T, StoreError> {
        value.ok_or_else(|| StoreError::Corrupt {
            table: self.table,
            column,
            value: "NULL".to_string(),
            reason: "a value is required".to_string(),
        })
    }

    pub(crate) fn text(&self, column: &'static str) -> Result<String, StoreError> {
        let value = self.row.text_or_null(column)?;
        self.required(column, value)
    }

    pub(crate) fn opt_text(&self, column: &'static str) -> Result<Option<String>, StoreError> {
        self.row.text_or_null(column)
    }

    pub(crate) fn int(&self, column: &'static str) -> Result<i64, StoreError> {
        let value = self.row.int_or_null(column)?;
        self.required(column, value)
    }

    pub(crate) fn opt_int(&self, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.row.int_or_null(column)
    }

    pub(crate) fn time(&self, column: &'static str) -> Result<Timestamp, StoreError> {
        self.int(column).map(Timestamp::from_millis)
    }

    pub(crate) fn opt_time(&self, column: &'static str) -> Result<Option<Timestamp>, StoreError> {
        Ok(self.opt_int(column)?.map(Timestamp::from_millis))
    }

    pub(crate) fn u32(&self, column: &'static str) -> Result<u32, StoreError> {
        u32_from_stored(self.table, column, self.int(column)?)
    }

    pub(crate) fn u64(&self, column: &'static str) -> Result<u64, StoreError> {
        u64_from_stored(self.table, column, self.int(column)?)
    }

    pub(crate) fn key(&self, column: &'static str) -> Result<KeyText, StoreError> {
        self.text(column).map(KeyText::from_stored)
    }

    pub(crate) fn opt_key(&self, column: &'static str) -> Result<Option<KeyText>, StoreError> {
        Ok(self.opt_text(column)?.map(KeyText::from_stored))
    }

    pub(crate) fn side(&self, column: &'static str) -> Result<Side, StoreError> {
        side_from_stored(self.table, column, &self.text(column)?)
    }

    pub(crate) fn json(&self, column: &'static str) -> Result<serde_json::Value, StoreError> {
        json_from_stored(self.table, column, &self.text(column)?)
    }

    pub(crate) fn opt_json(
        &self,
        column: &'static str,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        self.opt_text(column)?
            .map(|text| json_from_stored(self.table, column, &text))
            .transpose()
    }

    /// Reads a stored word (status, category...); anything else means the file was not
    /// written by this build.
    pub(crate) fn word<W>(&self, column: &'static str) -> Result<W, StoreError>
    where
        W: std::str::FromStr<Err = ParseWordError>,
    {
        let text = self.text(column)?;
        text.parse()
            .map_err(|e: ParseWordError| StoreError::Corrupt {
                table: self.table,
                column,
                value: text.clone(),
                reason: e.to_string(),
            })
    }

    pub(crate) fn bool(&self, column: &'static str) -> Result<bool, StoreError> {
        Ok(self.int(column)? != 0)
    }
}

/// Reads a stored side.
pub(crate) fn side_from_stored(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<Side, StoreError> {
    match text {
        "fno" => Ok(Side::Fno),
        "dataverse" => Ok(Side::Dataverse),
        _ => Err(StoreError::Corrupt {
            table,
            column,
            value: text.to_string(),
            reason: "expected fno or dataverse".to_string(),
        }),
    }
}

/// Reads a stored JSON text.
pub(crate) fn json_from_stored(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        column,
        value: text.to_string(),
        reason: e.to_string(),
    })
}

/// Reads a stored non-negative integer that must fit in `u32`.
pub(crate) fn u32_from_stored(
    table: &'static str,
    column: &'static str,
    value: i64,
) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| StoreError::Corrupt {
        table,
        column,
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// Reads a stored count.
pub(crate) fn u64_from_stored(
    table: &'static str,
    column: &'static str,
    value: i64,
) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|e| StoreError::Corrupt {
        table,
        column,
        value: value.to_string(),
        reason: e.to_string(),
    })
}

/// A count or size as SQLite's integer (saturating; no store count comes near 2^63).
pub(crate) fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The most bound parameters one statement uses; SQLite allows 32,766.
pub(crate) const MAX_BINDS: usize = 30_000;

/// Chunk size for `id IN (...)` lists.
pub(crate) const IDS_PER_STATEMENT: usize = 900;
