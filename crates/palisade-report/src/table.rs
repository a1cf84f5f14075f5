//! The table format: findings grouped by file, for people.
//!
//! ```text
//! deploy/web.yaml
//!   21:13  CRITICAL  PSS-PRIVILEGED  container "app" is privileged  [Deployment/prod/web container=app]
//!
//! 1 finding (1 critical) in 1 file, 1 object
//! ```
//!
//! Lines stay within 100 columns: long messages wrap under themselves.
//! Everything taken from manifests passes through [`terminal`] first.

use std::collections::BTreeMap;
use std::io;

use anstyle::{AnsiColor, Style};
use palisade_model::{Finding, Severity, SuppressionKind};
use rayon::prelude::*;

use crate::text::{terminal, wrap};
use crate::{plural, Counts, Report, TableOptions};

/// The widest line the table aims for.
const WIDTH: usize = 100;
/// The widest prefix after which messages wrap on their own lines.
const MAX_PREFIX: usize = 60;
/// Indent of continuation lines when the prefix is too wide.
const NARROW_INDENT: usize = 6;
/// Width of the severity column (`CRITICAL`).
const SEVERITY_WIDTH: usize = 8;

struct Paint {
    color: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => Style::new()
            .fg_color(Some(AnsiColor::BrightRed.into()))
            .bold(),
        Severity::High => Style::new().fg_color(Some(AnsiColor::Red.into())),
        Severity::Medium => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        Severity::Low => Style::new().fg_color(Some(AnsiColor::Cyan.into())),
    }
}

fn position(f: &Finding) -> String {
    let start = f.location.span.start;
    match (start.line, start.column) {
        (0, _) => "-".to_string(),
        (line, 0) => line.to_string(),
        (line, column) => format!("{line}:{column}"),
    }
}

/// The parts of a finding's text, each kept whole on a line when it fits:
/// the message, `[Kind/ns/name container=c]`, and the suppression.
fn body_parts(f: &Finding) -> Vec<String> {
    let mut resource = format!("[{}", terminal(&f.resource.to_string()));
    if let Some(c) = &f.container {
        resource.push_str(" container=");
        resource.push_str(&terminal(c));
    }
    resource.push(']');
    let mut parts = vec![terminal(&f.message).into_owned(), resource];
    if let Some(s) = &f.suppressed {
        let by = match s.kind {
            SuppressionKind::Annotation => "annotation",
            SuppressionKind::Config => "config",
        };
        parts.push(format!("(suppressed by {by}: {})", terminal(&s.reason)));
    }
    parts
}

/// Lays out `parts` in lines of at most `width` characters, two spaces
/// between parts; a part that does not fit after the previous one starts a
/// new line, and a part wider than a line wraps at spaces.
fn layout(parts: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for part in parts {
        let len = part.chars().count();
        if let Some(last) = lines.last_mut() {
            if last.chars().count() + 2 + len <= width {
                last.push_str("  ");
                last.push_str(part);
                continue;
            }
        }
        lines.extend(wrap(part, width, width));
    }
    lines
}

pub(crate) fn render(
    report: &Report,
    options: TableOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let paint = Paint {
        color: options.color,
    };
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.findings {
        if f.suppressed.is_none() || report.show_suppressed {
            by_file.entry(&f.location.file).or_default().push(f);
        }
    }

    // One set of column widths for the whole table, so groups line up.
    let shown = by_file.values().flatten();
    let pos_width = shown.clone().map(|f| position(f).len()).max().unwrap_or(0);
    let rule_width = shown
        .map(|f| terminal(f.rule_id).chars().count())
        .max()
        .unwrap_or(0);
    let prefix_len = 2 + pos_width + 2 + SEVERITY_WIDTH + 2 + rule_width + 2;

    // Files render independently, in parallel; output keeps file order.
    let groups: Vec<(&&str, &Vec<&Finding>)> = by_file.iter().collect();
    let rendered: Vec<String> = groups
        .par_iter()
        .map(|(file, findings)| {
            let mut text = String::new();
            text.push_str(&paint.paint(Style::new().bold().underline(), &terminal(file)));
            text.push('\n');
            let positions: Vec<String> = findings.iter().map(|f| position(f)).collect();
            for (f, pos) in findings.iter().zip(&positions) {
                let label = f.severity.as_str().to_ascii_uppercase();
                let style = if f.suppressed.is_some() {
                    Style::new().dimmed()
                } else {
                    severity_style(f.severity)
                };
                let rule = terminal(f.rule_id);
                text.push_str(&format!("  {pos:<pos_width$}  "));
                text.push_str(&paint.paint(style, &label));
                text.push_str(&format!(
                    "{:pad$}  {rule:<rule_width$}",
                    "",
                    pad = SEVERITY_WIDTH.saturating_sub(label.len())
                ));
                let parts = body_parts(f);
                if prefix_len <= MAX_PREFIX {
                    let lines = layout(&parts, WIDTH - prefix_len);
                    for (i, line) in lines.iter().enumerate() {
                        if i == 0 {
                            text.push_str("  ");
                        } else {
                            text.push_str(&" ".repeat(prefix_len));
                        }
                        text.push_str(line);
                        text.push('\n');
                    }
                } else {
                    // A very long rule id or position: the message goes below.
                    while text.ends_with(' ') {
                        text.pop();
                    }
                    text.push('\n');
                    for line in layout(&parts, WIDTH - NARROW_INDENT) {
                        text.push_str(&" ".repeat(NARROW_INDENT));
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
            }
            text.push('\n');
            text
        })
        .collect();
    for group in &rendered {
        out.write_all(group.as_bytes())?;
    }
    drop(rendered);

    let mut text = String::new();

    for e in report.errors {
        let mut place = terminal(&e.file).into_owned();
        if let Some(span) = e.span.filter(|s| s.start.line > 0) {
            place.push_str(&format!(":{}", span.start.line));
            if span.start.column > 0 {
                place.push_str(&format!(":{}", span.start.column));
            }
        }
        let label = paint.paint(
            Style::new()
                .fg_color(Some(AnsiColor::BrightRed.into()))
                .bold(),
            "error",
        );
        let line = format!("{place}: {}", terminal(&e.message));
        for (i, part) in wrap(&line, WIDTH - 7, WIDTH - 4).iter().enumerate() {
            if i == 0 {
                text.push_str(&format!("{label}: {part}\n"));
            } else {
                text.push_str(&format!("    {part}\n"));
            }
        }
        if let Some(help) = &e.help {
            for (i, part) in wrap(&terminal(help), WIDTH - 8, WIDTH - 8)
                .iter()
                .enumerate()
            {
                let lead = if i == 0 { "  help: " } else { "        " };
                text.push_str(&format!("{lead}{part}\n"));
            }
        }
    }
    if !report.errors.is_empty() {
        text.push('\n');
    }

    for line in summary_lines(report) {
        text.push_str(&paint.paint(Style::new().bold(), &line));
        text.push('\n');
    }
    out.write_all(text.as_bytes())
}

/// `3 findings (1 critical, 2 high) in 2 files, 4 objects; 1 suppressed; 1 error`,
/// then what was skipped, when anything was.
fn summary_lines(report: &Report) -> Vec<String> {
    let counts = Counts::of(report.findings);
    let s = report.summary;
    let mut line = match counts.active() {
        0 => "no findings".to_string(),
        n => {
            let parts: Vec<String> = Severity::ALL
                .iter()
                .rev()
                .filter(|&&sev| counts.get(sev) > 0)
                .map(|&sev| format!("{} {}", counts.get(sev), sev))
                .collect();
            format!(
                "{} ({})",
                plural(n, "finding", "findings"),
                parts.join(", ")
            )
        }
    };
    line.push_str(&format!(
        " in {}, {}",
        plural(s.files, "file", "files"),
        plural(s.objects, "object", "objects")
    ));
    if counts.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", counts.suppressed));
    }
    if !report.errors.is_empty() {
        line.push_str(&format!(
            "; {}",
            plural(report.errors.len(), "error", "errors")
        ));
    }
    let mut lines = vec![line];
    let mut skipped = Vec::new();
    if s.skipped_non_kubernetes > 0 {
        skipped.push(format!(
            "{} not Kubernetes",
            plural(s.skipped_non_kubernetes, "document", "documents")
        ));
    }
    if s.skipped_unknown_kinds > 0 {
        skipped.push(format!(
            "{} of kinds no rule knows",
            plural(s.skipped_unknown_kinds, "object", "objects")
        ));
    }
    if !skipped.is_empty() {
        lines.push(format!("skipped {}", skipped.join(", ")));
    }
    lines
}
