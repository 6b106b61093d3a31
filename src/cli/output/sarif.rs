//! Findings as SARIF 2.1.0, so that CI code-scanning (GitHub, Azure DevOps) shows them as
//! annotations on the project file.
//!
//! The types come from the maintained `serde-sarif` crate (generated from the official SARIF
//! schema) rather than hand-written structs, so the output is schema-shaped by construction.
//! Every finding code is a rule (titled as in the documentation), each finding a result whose physical location is the project
//! file and whose logical location is the JSON path of the place to fix. Subjects and hint are
//! carried in the result's properties (and the hint in the Markdown message) because SARIF has
//! no field of their own for them.

use std::collections::BTreeMap;
use std::path::Path;

use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent, Version, SCHEMA_URL,
};

use crate::validate::{Code, Finding, Severity};

/// The SARIF log of one validation run over `file`.
pub fn to_sarif(findings: &[Finding], file: &Path) -> Result<serde_json::Value, serde_json::Error> {
    let rules = rules();
    let artifact = artifact_location(file);
    let results: Vec<SarifResult> = findings
        .iter()
        .map(|finding| result(finding, &rules, &artifact))
        .collect();
    let driver = ToolComponent::builder()
        .name("dualwrite")
        .full_name("Dual-write Studio")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = Run::builder()
        .tool(Tool::from(driver))
        .results(results)
        .invocations(vec![Invocation::builder()
            .execution_successful(true)
            .build()])
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URL)
        .version(serde_json::to_value(Version::V2_1_0)?)
        .runs(vec![run])
        .build();
    serde_json::to_value(log)
}

/// One rule per finding code, in code order, named by the code's title.
fn rules() -> Vec<ReportingDescriptor> {
    Code::ALL
        .into_iter()
        .map(|code| {
            ReportingDescriptor::builder()
                .id(code.as_str())
                .name(code.title())
                .short_description(
                    MultiformatMessageString::builder()
                        .text(code.title())
                        .build(),
                )
                .build()
        })
        .collect()
}

fn result(
    finding: &Finding,
    rules: &[ReportingDescriptor],
    artifact: &ArtifactLocation,
) -> SarifResult {
    let rule_id = finding.code.as_str();
    let rule_index = rules.iter().position(|rule| rule.id == rule_id);
    let mut location = Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact.clone())
                .build(),
        )
        .build();
    if let Some(json_path) = &finding.path {
        location.logical_locations = Some(vec![LogicalLocation::builder()
            .fully_qualified_name(json_path.clone())
            .build()]);
    }
    let message = Message::builder()
        .text(finding.message.clone())
        .markdown(format!("{}\n\n**Hint:** {}", finding.message, finding.hint))
        .build();
    let properties = PropertyBag::builder()
        .additional_properties(BTreeMap::from([
            ("subjects".to_string(), serde_json::json!(finding.subjects)),
            ("hint".to_string(), serde_json::json!(finding.hint)),
        ]))
        .build();
    let mut result = SarifResult::builder()
        .message(message)
        .rule_id(rule_id)
        .level(level(finding.severity))
        .locations(vec![location])
        .properties(properties)
        .build();
    result.rule_index = rule_index.and_then(|i| i64::try_from(i).ok());
    result
}

fn level(severity: Severity) -> ResultLevel {
    match severity {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

/// The project file as an absolute `file:` URI (SARIF wants URIs, and viewers resolve
/// absolute ones without knowing where the tool ran).
fn artifact_location(file: &Path) -> ArtifactLocation {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    let uri = match url::Url::from_file_path(&absolute) {
        Ok(url) => url.to_string(),
        Err(()) => file.display().to_string(),
    };
    ArtifactLocation::builder().uri(uri).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: Code, severity: Severity, path: Option<&str>) -> Finding {
        Finding {
            code,
            severity,
            subjects: vec!["accounts".into()],
            message: "something is off".into(),
            hint: "fix it".into(),
            path: path.map(str::to_string),
        }
    }

    #[test]
    fn results_point_at_their_rule_file_and_json_path() {
        let findings = [
            finding(Code::DW007, Severity::Warning, Some("tableMaps[1]")),
            finding(Code::DW002, Severity::Error, None),
            finding(Code::DW007, Severity::Info, Some("tableMaps[4]")),
        ];
        let log = to_sarif(&findings, Path::new("my project.dwproj.json")).expect("serialises");
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), Code::ALL.len());
        assert_eq!(rules[6]["id"], "DW007");
        assert_eq!(rules[6]["shortDescription"]["text"], Code::DW007.title());

        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        assert_eq!(results[0]["ruleId"], "DW007");
        assert_eq!(results[0]["ruleIndex"], 6);
        assert_eq!(results[1]["ruleIndex"], 1);
        assert_eq!(results[0]["level"], "warning");
        assert_eq!(results[1]["level"], "error");
        assert_eq!(results[2]["level"], "note");
        let location = &results[0]["locations"][0];
        let uri = location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri.starts_with("file:///"), "{uri}");
        assert!(uri.ends_with("/my%20project.dwproj.json"), "{uri}");
        assert_eq!(
            location["logicalLocations"][0]["fullyQualifiedName"],
            "tableMaps[1]"
        );
        assert!(results[1]["locations"][0].get("logicalLocations").is_none());
        assert_eq!(results[0]["properties"]["subjects"][0], "accounts");
        assert_eq!(results[0]["properties"]["hint"], "fix it");
    }
}
