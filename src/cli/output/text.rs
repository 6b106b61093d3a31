//! Findings as text for people, in the shape compilers made familiar:
//!
//! ```text
//! error[DW001]: group "Customers" mixes live and async maps
//!   --> customers.dwproj.json: groups[0]
//!   subjects: Customers, accounts - Customers V3
//!   hint: make every member of the group async
//!
//! 1 error, 0 warnings, 0 infos in customers.dwproj.json
//! ```

use std::io::{self, Write};
use std::path::Path;

use anstyle::Style;

use crate::cli::console::{ERROR, INFO, LABEL, WARNING};
use crate::validate::{Finding, Severity, Summary};

/// Writes the findings and a closing summary line.
pub fn write_findings(out: &mut dyn Write, findings: &[Finding], file: &Path) -> io::Result<()> {
    for finding in findings {
        write_finding(out, finding, file)?;
        writeln!(out)?;
    }
    let summary = Summary::of(findings);
    let style = if summary.has_errors() {
        ERROR
    } else if summary.warnings > 0 {
        WARNING
    } else {
        LABEL
    };
    writeln!(out, "{style}{summary}{style:#} in {}", file.display())
}

fn write_finding(out: &mut dyn Write, finding: &Finding, file: &Path) -> io::Result<()> {
    let style = severity_style(finding.severity);
    let label = finding.severity.as_str();
    writeln!(
        out,
        "{style}{label}[{}]{style:#}{LABEL}:{LABEL:#} {}",
        finding.code, finding.message
    )?;
    match &finding.path {
        Some(json_path) => writeln!(out, "  {LABEL}-->{LABEL:#} {}: {json_path}", file.display())?,
        None => writeln!(out, "  {LABEL}-->{LABEL:#} {}", file.display())?,
    }
    if !finding.subjects.is_empty() {
        writeln!(
            out,
            "  {LABEL}subjects:{LABEL:#} {}",
            finding.subjects.join(", ")
        )?;
    }
    if !finding.hint.is_empty() {
        writeln!(out, "  {LABEL}hint:{LABEL:#} {}", finding.hint)?;
    }
    Ok(())
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => ERROR,
        Severity::Warning => WARNING,
        Severity::Info => INFO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Code;

    fn finding(severity: Severity) -> Finding {
        Finding {
            code: Code::DW003,
            severity,
            subjects: vec!["Customers".into(), "accounts".into()],
            message: "group mixes live and async maps".into(),
            hint: "make them all async".into(),
            path: Some("groups[0]".into()),
        }
    }

    fn render(findings: &[Finding]) -> String {
        let mut out = Vec::new();
        let mut plain = anstream::StripStream::new(&mut out);
        write_findings(&mut plain, findings, Path::new("x.dwproj.json")).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_finding_shows_code_place_subjects_and_hint() {
        let text = render(&[finding(Severity::Error), finding(Severity::Warning)]);
        assert!(
            text.contains("error[DW003]: group mixes live and async maps"),
            "{text}"
        );
        assert!(text.contains("warning[DW003]:"), "{text}");
        assert!(text.contains("--> x.dwproj.json: groups[0]"), "{text}");
        assert!(text.contains("subjects: Customers, accounts"), "{text}");
        assert!(text.contains("hint: make them all async"), "{text}");
        assert!(
            text.ends_with("1 error, 1 warning, 0 infos in x.dwproj.json\n"),
            "{text}"
        );
    }

    #[test]
    fn a_clean_project_gets_only_the_summary() {
        assert_eq!(
            render(&[]),
            "0 errors, 0 warnings, 0 infos in x.dwproj.json\n"
        );
    }
}
