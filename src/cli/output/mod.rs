//! Renderings of validation findings: text for people, SARIF for code-scanning tools.
//!
//! JSON needs no module of its own: it is `Finding`'s own serialisation, so the CLI and the app
//! cannot drift apart on it.

pub mod sarif;
pub mod text;

use crate::validate::{Code, Finding, Severity};

/// The stable name of a finding code, as it is serialised (`DW001`).
pub fn code_name(code: Code) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(name)) => name,
        // Unit variants always serialise as strings; Debug prints the same variant name.
        _ => format!("{code:?}"),
    }
}

/// How many findings of each severity there are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl SeverityCounts {
    /// Counts the findings by severity.
    pub fn of(findings: &[Finding]) -> Self {
        findings
            .iter()
            .fold(Self::default(), |mut counts, finding| {
                match finding.severity {
                    Severity::Error => counts.errors += 1,
                    Severity::Warning => counts.warnings += 1,
                    Severity::Info => counts.infos += 1,
                }
                counts
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_the_serialised_codes() {
        assert_eq!(code_name(Code::DW001), "DW001");
        assert_eq!(code_name(Code::DW016), "DW016");
    }
}
