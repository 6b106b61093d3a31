//! Quoting of identifiers and literals in generated SQL.
//!
//! Table and column names come from a project file, which is edited by hand and shared: they are
//! data, never SQL. Two rules make injection impossible by construction:
//! 1. every name is first resolved against the discovered schema (see [`super::schema`]), so only
//!    names that already exist in the database reach SQL text, and
//! 2. every name is always written as a double-quoted identifier with embedded quotes doubled, and
//!    every string literal with single quotes doubled (PostgreSQL: as an `E''` literal with
//!    backslashes doubled too, so `standard_conforming_strings` cannot change its meaning).
//!
//! A name containing a NUL character is refused: neither database can hold one, and C-string
//! handling could truncate the statement at it.

use super::EndpointError;

/// `name` as a double-quoted SQL identifier: `a"b` -> `"a""b"`.
pub fn quote_ident(name: &str) -> String {
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push('"');
    for ch in name.chars() {
        if ch == '"' {
            quoted.push('"');
        }
        quoted.push(ch);
    }
    quoted.push('"');
    quoted
}

/// A comma-separated list of quoted identifiers.
pub fn quote_idents<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `text` as a SQLite string literal: `it's` -> `'it''s'`.
pub fn sqlite_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `text` as a PostgreSQL escape-string literal whose meaning does not depend on
/// `standard_conforming_strings`: `it's \x` -> `E'it''s \\x'`.
pub fn postgres_literal(text: &str) -> String {
    format!("E'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// Refuses names no database can hold, before they reach any SQL text.
pub fn check_name(name: &str, what: &'static str) -> Result<(), EndpointError> {
    if name.is_empty() {
        return Err(EndpointError::InvalidName {
            what,
            name: name.to_string(),
            reason: "it is empty",
        });
    }
    if name.contains('\0') {
        return Err(EndpointError::InvalidName {
            what,
            name: name.replace('\0', "\\0"),
            reason: "it contains a NUL character",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_double_quoted_with_quotes_doubled() {
        assert_eq!(quote_ident("CustTable"), "\"CustTable\"");
        assert_eq!(
            quote_ident("x\"; DROP TABLE y; --"),
            "\"x\"\"; DROP TABLE y; --\""
        );
        assert_eq!(quote_idents(&["a", "b\"c"]), "\"a\", \"b\"\"c\"");
    }

    #[test]
    fn literals_cannot_escape_their_quotes() {
        assert_eq!(sqlite_literal("it's"), "'it''s'");
        assert_eq!(postgres_literal("a\\'b"), "E'a\\\\''b'");
    }

    #[test]
    fn empty_and_nul_names_are_refused() {
        assert!(check_name("", "table").is_err());
        assert!(check_name("a\0b", "column").is_err());
        assert!(check_name("ok name", "column").is_ok());
    }
}
