//! The unit of work of one live transaction, as the `--txn FILE` JSON lists it:
//! `[{ "table": T, "op": "upsert"|"delete", "values": { column: value } }]`.
//!
//! Parsed through `serde_path_to_error` so a mistake is reported with the file and the JSON path
//! (`[3].op`), the way project files are.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a row of the unit of work does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum TxnOp {
    /// Insert or update by the map's integration key.
    Upsert,
    /// Delete by the map's integration key (the key columns must be among the values).
    Delete,
}

/// One row of the unit of work, in the source side's table and columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct TxnRow {
    /// The source side's table (F&O entity or Dataverse table).
    pub table: String,
    /// Upsert or delete.
    pub op: TxnOp,
    /// Column values (scalars); for a delete, at least the key columns.
    #[serde(default)]
    pub values: serde_json::Map<String, serde_json::Value>,
}

/// Why a transaction file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TxnFileError {
    /// The file could not be read.
    #[error("transaction file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The JSON does not have the expected shape.
    #[error(
        "transaction file {}, at {json_path}: {message}; expected a list of \
         {{ \"table\": T, \"op\": \"upsert\"|\"delete\", \"values\": {{ column: value }} }}",
        path.display()
    )]
    Invalid {
        path: PathBuf,
        json_path: String,
        message: String,
    },
}

/// Parses the rows of a transaction file's text; `path` names the file in errors.
pub fn parse_txn(text: &str, path: &Path) -> Result<Vec<TxnRow>, TxnFileError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| TxnFileError::Invalid {
        path: path.to_path_buf(),
        json_path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Reads and parses a transaction file.
pub fn load_txn_file(path: &Path) -> Result<Vec<TxnRow>, TxnFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| TxnFileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_txn(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_issue_format() {
        let rows = parse_txn(
            r#"[{"table":"T","op":"delete","values":{"a":1}},{"table":"U","op":"upsert","values":{}}]"#,
            Path::new("t.json"),
        )
        .expect("parses");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].op, TxnOp::Delete);
        assert_eq!(rows[1].table, "U");
    }

    #[test]
    fn a_bad_op_names_the_file_and_path() {
        let error = parse_txn(
            r#"[{"table":"T","op":"upsert"},{"table":"T","op":"merge"}]"#,
            Path::new("t.json"),
        )
        .expect_err("bad op");
        let message = error.to_string();
        assert!(message.contains("t.json"), "{message}");
        assert!(message.contains("[1].op"), "{message}");
    }
}
