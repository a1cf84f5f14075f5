//! The JSON format: one object, schema version 1, documented in
//! `docs/output-formats.md`. Changes are additive only.

use std::io;

use palisade_model::{Finding, InputError, PssRef, Severity, Suppression};
use rayon::prelude::*;
use serde::Serialize;

use crate::{fingerprints, Counts, Report};

/// The schema version; raised only for a change that is not additive.
const SCHEMA_VERSION: u32 = 1;

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
    /// Fields a kind of finding adds (vulnerability findings: ids,
    /// package, fixed version, score, layer), after the common ones.
    #[serde(flatten)]
    extra: Option<&'a serde_json::Map<String, serde_json::Value>>,
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
        extra: None,
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
    render_with(report, &|_| None, out)
}

/// [`render`], each finding with the extra fields `extra` gives it.
pub(crate) fn render_with<'a>(
    report: &Report<'a>,
    extra: &dyn Fn(&Finding) -> Option<&'a serde_json::Map<String, serde_json::Value>>,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let prints = fingerprints(report.findings, report.base_dir);
    let n_suppressed = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count();
    let mut active = Vec::with_capacity(report.findings.len() - n_suppressed);
    let mut suppressed = Vec::with_capacity(n_suppressed);
    for (f, print) in report.findings.iter().zip(prints) {
        let mut item = finding(f, print);
        item.extra = extra(f);
        if f.suppressed.is_some() {
            suppressed.push(item);
        } else {
            active.push(item);
        }
    }
    let counts = Counts::of(report.findings);
    let s = report.summary;
    let errors: Vec<JsonError<'_>> = report.errors.iter().map(error).collect();
    let summary = JsonSummary {
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
    };
    // The document is written field by field, exactly as serde_json's
    // pretty printer writes `JsonReport`, so that the large finding arrays
    // can be rendered in parallel.
    out.write_all(b"{\n  \"version\": ")?;
    out.write_all(SCHEMA_VERSION.to_string().as_bytes())?;
    out.write_all(b",\n  \"findings\": ")?;
    write_array(out, &active)?;
    if report.show_suppressed {
        out.write_all(b",\n  \"suppressed\": ")?;
        write_array(out, &suppressed)?;
    }
    out.write_all(b",\n  \"errors\": ")?;
    out.write_all(&indent(&pretty(&errors)?, 2))?;
    out.write_all(b",\n  \"summary\": ")?;
    out.write_all(&indent(&pretty(&summary)?, 2))?;
    out.write_all(b"\n}\n")
}

/// `value` as serde_json's pretty printer writes it at the top level.
fn pretty<T: Serialize>(value: &T) -> io::Result<Vec<u8>> {
    serde_json::to_vec_pretty(value).map_err(io::Error::from)
}

/// `text` with `by` spaces after every line break, as the pretty printer
/// indents a value nested that deep.
fn indent(text: &[u8], by: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for &b in text {
        out.push(b);
        if b == b'\n' {
            out.extend(std::iter::repeat_n(b' ', by));
        }
    }
    out
}

/// A top-level field's array of findings, rendered in parallel chunks; a
/// batch of chunks is written before the next is rendered, so memory stays
/// bounded whatever the number of findings.
fn write_array(out: &mut dyn io::Write, items: &[JsonFinding<'_>]) -> io::Result<()> {
    const CHUNK: usize = 256;
    const BATCH: usize = CHUNK * 32;
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    out.write_all(b"[\n")?;
    for (b, batch) in items.chunks(BATCH).enumerate() {
        let chunks: Vec<io::Result<Vec<u8>>> = batch
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut buf = Vec::new();
                for (i, item) in chunk.iter().enumerate() {
                    if i > 0 {
                        buf.extend_from_slice(b",\n");
                    }
                    buf.extend_from_slice(b"    ");
                    buf.extend_from_slice(&indent(&pretty(item)?, 4));
                }
                Ok(buf)
            })
            .collect();
        for (i, chunk) in chunks.into_iter().enumerate() {
            if b > 0 || i > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(&chunk?)?;
        }
    }
    out.write_all(b"\n  ]")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_model::{Location, PssLevel, ResourceRef, Span, Suppression, SuppressionKind};

    use super::*;
    use crate::Summary;

    /// The document as one serde value: what the hand-written, parallel
    /// writer must reproduce byte for byte.
    #[derive(Serialize)]
    struct JsonReport<'a> {
        version: u32,
        findings: Vec<JsonFinding<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        suppressed: Option<Vec<JsonFinding<'a>>>,
        errors: Vec<JsonError<'a>>,
        summary: JsonSummary<'a>,
    }

    fn finding(i: u32, suppressed: bool) -> Finding {
        Finding {
            location: Location {
                file: Arc::from(format!("dir/f{}.yaml", i % 7)),
                span: Span::point(i + 1, 3),
            },
            rule_id: "PSS-PRIVILEGED",
            severity: Severity::High,
            message: format!("container \"c{i}\" is \"privileged\"\n<&>"),
            resource: ResourceRef {
                kind: "Pod".into(),
                name: format!("p{i}"),
                namespace: (i % 2 == 0).then(|| "ns".into()),
            },
            container: (i % 3 == 0).then(|| format!("c{i}")),
            pss: (i % 4 == 0).then_some(palisade_model::PssRef {
                level: PssLevel::Baseline,
                check: "privileged",
            }),
            suppressed: suppressed.then(|| Suppression {
                kind: SuppressionKind::Config,
                reason: "because".into(),
                location: None,
            }),
        }
    }

    #[test]
    fn parallel_writer_matches_serde_pretty_output() {
        // More findings than one parallel chunk, some suppressed.
        let findings: Vec<Finding> = (0..9000).map(|i| finding(i, i % 5 == 0)).collect();
        let errors = vec![palisade_model::InputError {
            file: Arc::from("bad.yaml"),
            span: Some(Span::point(2, 1)),
            message: "invalid YAML".into(),
            help: Some("fix it".into()),
        }];
        for show_suppressed in [false, true] {
            let report = Report {
                findings: &findings,
                errors: &errors,
                summary: Summary {
                    files: 7,
                    objects: 9000,
                    ..Summary::default()
                },
                show_suppressed,
                tool_version: "0.1.0",
                ..Report::default()
            };
            let mut ours = Vec::new();
            render(&report, &mut ours).unwrap();

            let prints = fingerprints(report.findings, report.base_dir);
            let (mut active, mut suppressed) = (Vec::new(), Vec::new());
            for (f, print) in findings.iter().zip(prints) {
                if f.suppressed.is_some() {
                    suppressed.push(super::finding(f, print));
                } else {
                    active.push(super::finding(f, print));
                }
            }
            let counts = Counts::of(&findings);
            let doc = JsonReport {
                version: SCHEMA_VERSION,
                findings: active,
                suppressed: show_suppressed.then_some(suppressed),
                errors: errors.iter().map(error).collect(),
                summary: JsonSummary {
                    files: 7,
                    documents: 0,
                    objects: 9000,
                    skipped_non_kubernetes: 0,
                    skipped_unknown_kinds: 0,
                    rules_run: 0,
                    findings: counts.active(),
                    by_severity: BySeverity {
                        critical: counts.get(Severity::Critical),
                        high: counts.get(Severity::High),
                        medium: counts.get(Severity::Medium),
                        low: counts.get(Severity::Low),
                    },
                    suppressed: counts.suppressed,
                    errors: 1,
                    tool_version: "0.1.0",
                },
            };
            let mut expected = serde_json::to_vec_pretty(&doc).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }
}
