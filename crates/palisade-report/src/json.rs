//! The JSON format: one object, schema version 1, documented in
//! `docs/output-formats.md`. Changes are additive only.

use std::io;

use palisade_model::{Finding, InputError, PssRef, Severity, Suppression};
use serde::Serialize;

use crate::{fingerprints, Counts, Report};

/// The schema version; raised only for a change that is not additive.
const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<Vec<JsonFinding<'a>>>,
    errors: Vec<JsonError<'a>>,
    summary: JsonSummary<'a>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule_id: &'a str,
    severity: Severity,
    message: &'a str,
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    end_line: Option<u32>,
    end_column: Option<u32>,
    resource: JsonResource<'a>,
    container: Option<&'a str>,
    pss: Option<PssRef>,
    fingerprint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression: Option<&'a Suppression>,
}

#[derive(Serialize)]
struct JsonResource<'a> {
    kind: &'a str,
    name: &'a str,
    namespace: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    documents: usize,
    objects: usize,
    skipped_non_kubernetes: usize,
    skipped_unknown_kinds: usize,
    rules_run: usize,
    findings: usize,
    by_severity: BySeverity,
    suppressed: usize,
    errors: usize,
    tool_version: &'a str,
}

#[derive(Serialize)]
struct BySeverity {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
}

/// A positive line or column; 0 means unknown.
fn known(n: u32) -> Option<u32> {
    (n > 0).then_some(n)
}

fn finding<'a>(f: &'a Finding, fingerprint: String) -> JsonFinding<'a> {
    let span = f.location.span;
    let (end_line, end_column) = if span.end.line >= span.start.line && span.end.line > 0 {
        (known(span.end.line), known(span.end.column))
    } else {
        (None, None)
    };
    JsonFinding {
        rule_id: f.rule_id,
        severity: f.severity,
        message: &f.message,
        file: &f.location.file,
        line: known(span.start.line),
        column: known(span.start.column),
        end_line,
        end_column,
        resource: JsonResource {
            kind: &f.resource.kind,
            name: &f.resource.name,
            namespace: f.resource.namespace.as_deref(),
        },
        container: f.container.as_deref(),
        pss: f.pss,
        fingerprint,
        suppression: f.suppressed.as_ref(),
    }
}

fn error(e: &InputError) -> JsonError<'_> {
    JsonError {
        file: &e.file,
        line: e.span.and_then(|s| known(s.start.line)),
        column: e.span.and_then(|s| known(s.start.column)),
        message: &e.message,
        help: e.help.as_deref(),
    }
}

pub(crate) fn render(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let prints = fingerprints(report.findings, report.base_dir);
    let mut active = Vec::new();
    let mut suppressed = Vec::new();
    for (f, print) in report.findings.iter().zip(prints) {
        if f.suppressed.is_some() {
            suppressed.push(finding(f, print));
        } else {
            active.push(finding(f, print));
        }
    }
    let counts = Counts::of(report.findings);
    let s = report.summary;
    let doc = JsonReport {
        version: SCHEMA_VERSION,
        findings: active,
        suppressed: report.show_suppressed.then_some(suppressed),
        errors: report.errors.iter().map(error).collect(),
        summary: JsonSummary {
            files: s.files,
            documents: s.documents,
            objects: s.objects,
            skipped_non_kubernetes: s.skipped_non_kubernetes,
            skipped_unknown_kinds: s.skipped_unknown_kinds,
            rules_run: s.rules_run,
            findings: counts.active(),
            by_severity: BySeverity {
                critical: counts.get(Severity::Critical),
                high: counts.get(Severity::High),
                medium: counts.get(Severity::Medium),
                low: counts.get(Severity::Low),
            },
            suppressed: counts.suppressed,
            errors: report.errors.len(),
            tool_version: report.tool_version,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
    out.write_all(b"\n")
}
