//! SARIF 2.1.0 as GitHub code scanning accepts it.
//!
//! One run. Rule descriptors for every rule that ran, results with
//! repository-relative uris (`%SRCROOT%`), line-independent
//! `partialFingerprints`, `suppressions` for suppressed findings, and input
//! errors as tool execution notifications. GitHub's per-run limits are
//! respected by dropping the least severe results, with a notification.

use std::collections::HashMap;
use std::io;

use palisade_model::{Finding, InputError, RuleMeta, RuleStatus, Severity, Span, SuppressionKind};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::paths::{base_uri, Artifact, SRCROOT};
use crate::{fingerprints, plural, Report};

/// The most results GitHub code scanning accepts in one run.
pub const MAX_RESULTS: usize = 25_000;
/// The most rules GitHub code scanning accepts in one run.
pub const MAX_RULES: usize = 25_000;
/// The most tags GitHub accepts on one rule.
const MAX_TAGS: usize = 20;

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The `partialFingerprints` key; the suffix is the fingerprint version.
const FINGERPRINT_KEY: &str = "palisade/v1";
/// The project's home (the workspace `repository`); left out when unset.
const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// GitHub's `security-severity` score for a severity.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.0",
        Severity::High => "7.5",
        Severity::Medium => "5.0",
        Severity::Low => "2.0",
    }
}

/// The SARIF `level` for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// `Privileged container` -> `PrivilegedContainer`.
fn pascal_name(title: &str, id: &str) -> String {
    let mut name = String::new();
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    if name.is_empty() {
        id.to_string()
    } else {
        name
    }
}

fn rule_descriptor(rule: &RuleMeta) -> Value {
    let mut tags = vec!["security".to_string(), "kubernetes".to_string()];
    if let Some((level, _)) = rule.pss {
        tags.push(format!("pss-{level}"));
    }
    if rule.status == RuleStatus::Preview {
        tags.push("preview".to_string());
    }
    tags.truncate(MAX_TAGS);

    let mut text = format!(
        "{}\n\n{}\n\nFix: {}",
        rule.title, rule.rationale, rule.remediation
    );
    let mut markdown = format!(
        "**{}**\n\n{}\n\n**How to fix:** {}",
        rule.title, rule.rationale, rule.remediation
    );
    if !rule.example.trim().is_empty() {
        text.push_str(&format!("\n\nExample:\n{}", rule.example.trim_end()));
        markdown.push_str(&format!("\n\n```yaml\n{}\n```", rule.example.trim_end()));
    }
    if let Some((level, check)) = rule.pss {
        text.push_str(&format!("\n\nPod Security Standards: {level} ({check})"));
        markdown.push_str(&format!("\n\nPod Security Standards: {level} (`{check}`)"));
    }
    if !rule.references.is_empty() {
        text.push_str("\n\nReferences:");
        markdown.push_str("\n\n**References:**\n");
        for r in rule.references {
            text.push_str(&format!("\n- {r}"));
            markdown.push_str(&format!("\n- {r}"));
        }
    }
    let full = if rule.rationale.trim().is_empty() {
        rule.title
    } else {
        rule.rationale
    };
    let mut d = json!({
        "id": rule.id,
        "name": pascal_name(rule.title, rule.id),
        "shortDescription": { "text": non_empty(rule.title, rule.id) },
        "fullDescription": { "text": non_empty(full, rule.id) },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(rule.severity),
            "precision": "high",
        },
    });
    if let Some(uri) = rule
        .references
        .iter()
        .find(|r| r.starts_with("https://") || r.starts_with("http://"))
    {
        d["helpUri"] = json!(uri);
    }
    d
}

fn non_empty<'a>(s: &'a str, fallback: &'a str) -> &'a str {
    if s.trim().is_empty() {
        fallback
    } else {
        s
    }
}

/// A descriptor for a rule that produced findings but whose metadata the
/// caller did not pass: enough for a valid log and a usable alert.
fn bare_descriptor(id: &str, severity: Severity) -> Value {
    json!({
        "id": id,
        "name": id,
        "shortDescription": { "text": id },
        "defaultConfiguration": { "level": level(severity) },
        "properties": {
            "tags": ["security", "kubernetes"],
            "security-severity": security_severity(severity),
        },
    })
}

/// The SARIF region of a span, leaving out unknown (zero) and inverted
/// values; `None` when even the start line is unknown.
fn region(span: Span) -> Option<Value> {
    let (start, end) = (span.start, span.end);
    if start.line == 0 {
        return None;
    }
    let mut r = Map::new();
    r.insert("startLine".into(), json!(start.line));
    if start.column > 0 {
        r.insert("startColumn".into(), json!(start.column));
    }
    if end.line > start.line {
        r.insert("endLine".into(), json!(end.line));
        if end.column > 0 {
            r.insert("endColumn".into(), json!(end.column));
        }
    } else if end.line == start.line && start.column > 0 && end.column > start.column {
        r.insert("endLine".into(), json!(end.line));
        r.insert("endColumn".into(), json!(end.column));
    }
    Some(Value::Object(r))
}

fn physical_location(file: &str, span: Option<Span>, report: &Report) -> Value {
    let (uri, base) = Artifact::of(file, report.base_dir).uri();
    let mut artifact = json!({ "uri": uri });
    if let Some(base) = base {
        artifact["uriBaseId"] = json!(base);
    }
    let mut loc = json!({ "artifactLocation": artifact });
    if let Some(r) = span.and_then(region) {
        loc["region"] = r;
    }
    loc
}

fn result(f: &Finding, fingerprint: &str, rule_index: Option<usize>, report: &Report) -> Value {
    let mut fqn = f.resource.to_string();
    if let Some(c) = &f.container {
        fqn.push_str(&format!("/{c}"));
    }
    let mut r = json!({
        "ruleId": f.rule_id,
        "level": level(f.severity),
        "message": { "text": f.message },
        "locations": [{
            "physicalLocation": physical_location(&f.location.file, Some(f.location.span), report),
            "logicalLocations": [{
                "name": if f.resource.name.is_empty() { &f.resource.kind } else { &f.resource.name },
                "fullyQualifiedName": fqn,
                "kind": "resource",
            }],
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
        "properties": {
            "severity": f.severity.as_str(),
            "resource": {
                "kind": f.resource.kind,
                "name": f.resource.name,
                "namespace": f.resource.namespace,
            },
            "container": f.container,
        },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if let Some(pss) = f.pss {
        r["properties"]["pss"] = json!({ "level": pss.level, "check": pss.check });
    }
    if let Some(s) = &f.suppressed {
        let kind = match s.kind {
            SuppressionKind::Annotation => "inSource",
            SuppressionKind::Config => "external",
        };
        r["suppressions"] = json!([{
            "kind": kind,
            "status": "accepted",
            "justification": s.reason,
        }]);
    }
    r
}

fn error_notification(e: &InputError, report: &Report) -> Value {
    let mut text = e.message.clone();
    if let Some(help) = &e.help {
        text.push_str(&format!(" (help: {help})"));
    }
    json!({
        "level": "error",
        "descriptor": { "id": "input-error" },
        "message": { "text": text },
        "locations": [{ "physicalLocation": physical_location(&e.file, e.span, report) }],
    })
}

/// Indices of the findings to keep: all when within the limit, otherwise
/// the `limit` most severe (unsuppressed before suppressed, then order).
fn kept(findings: &[Finding], limit: usize) -> Vec<bool> {
    if findings.len() <= limit {
        return vec![true; findings.len()];
    }
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| {
        let f = &findings[i];
        (std::cmp::Reverse(f.severity), f.suppressed.is_some(), i)
    });
    let mut keep = vec![false; findings.len()];
    for &i in order.iter().take(limit) {
        keep[i] = true;
    }
    keep
}

pub(crate) fn render(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    render_with_limits(report, MAX_RESULTS, MAX_RULES, out)
}

fn render_with_limits(
    report: &Report,
    max_results: usize,
    max_rules: usize,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut notifications: Vec<Value> = Vec::new();

    // Rules: every rule that ran, then any rule that only findings name.
    let mut rules: Vec<Value> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut dropped_rules = 0usize;
    let extra = report
        .findings
        .iter()
        .map(|f| (f.rule_id, None, f.severity));
    let known = report.rules.iter().map(|r| (r.id, Some(*r), r.severity));
    for (id, meta, severity) in known.chain(extra) {
        if index.contains_key(id) {
            continue;
        }
        if rules.len() >= max_rules {
            dropped_rules += 1;
            continue;
        }
        index.insert(id, rules.len());
        rules.push(match meta {
            Some(m) => rule_descriptor(m),
            None => bare_descriptor(id, severity),
        });
    }
    if dropped_rules > 0 {
        notifications.push(json!({
            "level": "warning",
            "descriptor": { "id": "rules-truncated" },
            "message": { "text": format!(
                "{} left out of the rule list: GitHub code scanning accepts at most {max_rules} rules per run",
                plural(dropped_rules, "rule", "rules")
            )},
        }));
    }

    let prints = fingerprints(report.findings, report.base_dir);
    let keep = kept(report.findings, max_results);
    let results: Vec<Value> = report
        .findings
        .par_iter()
        .zip(&prints)
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|((f, print), _)| result(f, print, index.get(f.rule_id).copied(), report))
        .collect();
    let dropped = report.findings.len() - results.len();
    if dropped > 0 {
        notifications.push(json!({
            "level": "warning",
            "descriptor": { "id": "results-truncated" },
            "message": { "text": format!(
                "{} of {} left out, least severe first: GitHub code scanning accepts at most {max_results} results per run; use the JSON format for all of them",
                plural(dropped, "finding", "findings"),
                report.findings.len()
            )},
        }));
    }
    for e in report.errors {
        notifications.push(error_notification(e, report));
    }

    // Large arrays are moved into place: `json!` would deep-copy them.
    let mut driver = json!({ "name": "palisade" });
    driver["rules"] = Value::Array(rules);
    if !INFORMATION_URI.is_empty() {
        driver["informationUri"] = json!(INFORMATION_URI);
    }
    if !report.tool_version.is_empty() {
        driver["semanticVersion"] = json!(report.tool_version);
        driver["version"] = json!(report.tool_version);
    }
    let mut invocation = json!({ "executionSuccessful": report.errors.is_empty() });
    invocation["toolExecutionNotifications"] = Value::Array(notifications);
    let mut run = json!({ "columnKind": "unicodeCodePoints" });
    run["tool"] = json!({});
    run["tool"]["driver"] = driver;
    run["invocations"] = Value::Array(vec![invocation]);
    run["results"] = Value::Array(results);
    if let Some(uri) = report.base_dir.and_then(base_uri) {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": uri } });
    }
    let mut log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
    });
    log["runs"] = Value::Array(vec![run]);
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_model::{Location, ResourceRef};

    use super::*;

    fn finding(line: u32, severity: Severity) -> Finding {
        Finding {
            location: Location {
                file: Arc::from("a.yaml"),
                span: Span::point(line, 3),
            },
            rule_id: "R-1",
            severity,
            message: format!("problem {line}"),
            resource: ResourceRef {
                kind: "Pod".into(),
                name: "p".into(),
                namespace: None,
            },
            container: None,
            pss: None,
            suppressed: None,
        }
    }

    #[test]
    fn truncation_keeps_the_most_severe_and_says_so() {
        let findings = vec![
            finding(1, Severity::Low),
            finding(2, Severity::Critical),
            finding(3, Severity::Medium),
            finding(4, Severity::High),
        ];
        let report = Report {
            findings: &findings,
            ..Report::default()
        };
        let mut out = Vec::new();
        render_with_limits(&report, 2, 1, &mut out).unwrap();
        let log: Value = serde_json::from_slice(&out).unwrap();
        let run = &log["runs"][0];
        let lines: Vec<u64> = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(lines, [2, 4]);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("2 findings of 4 left out"));
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn regions_omit_unknown_and_inverted_values() {
        use palisade_model::Pos;
        assert_eq!(region(Span::point(0, 0)), None);
        assert_eq!(region(Span::point(4, 0)).unwrap(), json!({"startLine": 4}));
        assert_eq!(
            region(Span::point(4, 2)).unwrap(),
            json!({"startLine": 4, "startColumn": 2})
        );
        let span = Span::new(Pos { line: 4, column: 2 }, Pos { line: 4, column: 9 });
        assert_eq!(
            region(span).unwrap(),
            json!({"startLine": 4, "startColumn": 2, "endLine": 4, "endColumn": 9})
        );
        let inverted = Span::new(Pos { line: 4, column: 2 }, Pos { line: 3, column: 9 });
        assert_eq!(
            region(inverted).unwrap(),
            json!({"startLine": 4, "startColumn": 2})
        );
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(
            pascal_name("privileged container", "X"),
            "PrivilegedContainer"
        );
        assert_eq!(
            pascal_name("host-path volume (rw)", "X"),
            "HostPathVolumeRw"
        );
        assert_eq!(pascal_name("  ", "X"), "X");
    }
}
