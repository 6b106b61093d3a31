//! What validation reports: findings with a stable code, a severity and a place to fix.
//!
//! Codes are part of the product's contract (documentation, CLI filters and the app link to
//! them), so they never change meaning; a new rule gets a new code. Findings are plain data,
//! sorted deterministically, so the CLI and the app can diff two runs.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// How bad a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// The configuration will fail on the platform; fix it before running.
    Error,
    /// The configuration runs but will misbehave in some situations.
    Warning,
    /// Something to plan for; nothing is wrong.
    Info,
}

impl Severity {
    /// How the severity is written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Stable finding codes, documented in `docs/findings.md`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ts_rs::TS,
)]
pub enum Code {
    DW001,
    DW002,
    DW003,
    DW004,
    DW005,
    DW006,
    DW007,
    DW008,
    DW009,
    DW010,
    DW011,
    DW012,
    DW013,
    DW014,
    DW015,
    DW016,
    DW017,
}

impl Code {
    /// Every code, in order.
    pub const ALL: [Code; 17] = [
        Code::DW001,
        Code::DW002,
        Code::DW003,
        Code::DW004,
        Code::DW005,
        Code::DW006,
        Code::DW007,
        Code::DW008,
        Code::DW009,
        Code::DW010,
        Code::DW011,
        Code::DW012,
        Code::DW013,
        Code::DW014,
        Code::DW015,
        Code::DW016,
        Code::DW017,
    ];

    /// The code as written in reports and documentation, e.g. `DW001`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::DW001 => "DW001",
            Code::DW002 => "DW002",
            Code::DW003 => "DW003",
            Code::DW004 => "DW004",
            Code::DW005 => "DW005",
            Code::DW006 => "DW006",
            Code::DW007 => "DW007",
            Code::DW008 => "DW008",
            Code::DW009 => "DW009",
            Code::DW010 => "DW010",
            Code::DW011 => "DW011",
            Code::DW012 => "DW012",
            Code::DW013 => "DW013",
            Code::DW014 => "DW014",
            Code::DW015 => "DW015",
            Code::DW016 => "DW016",
            Code::DW017 => "DW017",
        }
    }

    /// A short title, the heading of the code's section in `docs/findings.md`.
    pub fn title(self) -> &'static str {
        match self {
            Code::DW001 => "Group mixes live and async maps",
            Code::DW002 => "Async map syncs deletes",
            Code::DW003 => "Dependency cycle between maps",
            Code::DW004 => "Self-referencing map",
            Code::DW005 => "Group sequences a map before its prerequisite",
            Code::DW006 => "Missing prerequisite",
            Code::DW007 => "Live map depends on an async map",
            Code::DW008 => "Missing or unmapped integration keys",
            Code::DW009 => "Company striping differs between the sides",
            Code::DW010 => "Two fields write the same column",
            Code::DW011 => "Value map cannot be inverted",
            Code::DW012 => "Too many records per live transaction",
            Code::DW013 => "Live transaction payload too large",
            Code::DW014 => "Too many legal entities",
            Code::DW015 => "Map in several groups, or unknown group member",
            Code::DW016 => "Bidirectional async map without a primary side",
            Code::DW017 => "Alert rule that cannot trip as meant",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not a finding code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a finding code; codes run from DW001 to DW017")]
pub struct UnknownCode(pub String);

impl FromStr for Code {
    type Err = UnknownCode;

    /// Parses `DW001` (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownCode(s.to_string()))
    }
}

/// One problem found in a project.
#[derive(
    Debug,
    Clone,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
    ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// Ids of the maps and groups concerned.
    pub subjects: Vec<String>,
    pub message: String,
    pub hint: String,
    /// JSON path in the project file of the place to fix, e.g. `tableMaps[2].fields[5]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Finding {
    /// A finding at a place in the project file.
    pub(crate) fn new(
        code: Code,
        severity: Severity,
        subjects: Vec<String>,
        message: String,
        hint: String,
        path: String,
    ) -> Self {
        Finding {
            code,
            severity,
            subjects,
            message,
            hint,
            path: Some(path),
        }
    }

    /// Whether the finding is an error (the configuration fails on the platform).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The deterministic report order: by code, then subjects, then path (numbers in the
    /// path compare as numbers, so `fields[2]` comes before `fields[10]`), then message.
    pub fn report_order(&self, other: &Finding) -> Ordering {
        self.code
            .cmp(&other.code)
            .then_with(|| self.subjects.cmp(&other.subjects))
            .then_with(|| match (&self.path, &other.path) {
                (Some(a), Some(b)) => natural_cmp(a, b),
                (a, b) => a.cmp(b),
            })
            .then_with(|| self.message.cmp(&other.message))
    }
}

impl fmt::Display for Finding {
    /// `DW001 error at groups[0].members[2]: message (hint)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.severity)?;
        if let Some(path) = &self.path {
            write!(f, " at {path}")?;
        }
        write!(f, ": {} ({})", self.message, self.hint)
    }
}

/// Compares two strings, treating runs of ASCII digits as numbers.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (da, ra) = split_digits(a);
                let (db, rb) = split_digits(b);
                let (ta, tb) = (trim_zeros(da), trim_zeros(db));
                let order = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (ra, rb);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                (a, b) = (&a[1..], &b[1..]);
            }
        }
    }
}

fn split_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    s.split_at(end)
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let start = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    &digits[start..]
}

/// How many findings of each severity a validation produced.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    /// Counts the findings by severity.
    pub fn of(findings: &[Finding]) -> Self {
        findings.iter().fold(Summary::default(), |mut s, f| {
            match f.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
            s
        })
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.errors > 0
    }

    /// All findings.
    pub fn total(&self) -> usize {
        self.errors + self.warnings + self.infos
    }
}

impl fmt::Display for Summary {
    /// `2 errors, 1 warning, 0 infos`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        write!(
            f,
            "{}, {}, {}",
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_indexes_as_numbers() {
        assert_eq!(natural_cmp("fields[2]", "fields[10]"), Ordering::Less);
        assert_eq!(natural_cmp("fields[10]", "fields[9]"), Ordering::Greater);
        assert_eq!(natural_cmp("a[1].b", "a[1].c"), Ordering::Less);
        assert_eq!(natural_cmp("a[01]", "a[1]"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "a[0]"), Ordering::Less);
    }

    #[test]
    fn codes_parse_from_their_text_and_titles_are_distinct() {
        for code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            assert_eq!(code.as_str(), format!("{code:?}"));
        }
        assert_eq!("dw007".parse::<Code>(), Ok(Code::DW007));
        assert!("DW018".parse::<Code>().is_err());
        let titles: std::collections::HashSet<_> = Code::ALL.iter().map(|c| c.title()).collect();
        assert_eq!(titles.len(), Code::ALL.len());
    }
}
