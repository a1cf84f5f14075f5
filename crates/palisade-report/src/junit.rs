//! JUnit XML, as Jenkins, GitLab and Azure DevOps read it.
//!
//! One `<testsuite>` per file (named by its path), one `<testcase>` per
//! finding with a `<failure>`, one per input error with an `<error>`, and
//! one passing `<testcase>` for a file with neither, so CI shows the file
//! was scanned. Suppressed findings appear as `<skipped>` tests only when
//! the report shows suppressed findings.

use std::collections::BTreeMap;
use std::io;

use palisade_model::{Finding, InputError, SuppressionKind};

use rayon::prelude::*;

use crate::paths::Artifact;
use crate::text::push_xml;
use crate::Report;

#[derive(Default)]
struct Suite<'a> {
    findings: Vec<&'a Finding>,
    errors: Vec<&'a InputError>,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_xml(out, value, true);
    out.push('"');
}

fn place(line: u32, column: u32) -> String {
    match (line, column) {
        (0, _) => String::new(),
        (l, 0) => format!(":{l}"),
        (l, c) => format!(":{l}:{c}"),
    }
}

/// `RULE-ID Kind/name[/container]`.
fn case_name(f: &Finding) -> String {
    let mut name = format!("{} {}/{}", f.rule_id, f.resource.kind, f.resource.name);
    if let Some(c) = &f.container {
        name.push('/');
        name.push_str(c);
    }
    name
}

fn finding_case(out: &mut String, path: &str, f: &Finding, show_suppressed: bool, t: &mut Tally) {
    if f.suppressed.is_some() && !show_suppressed {
        return;
    }
    t.tests += 1;
    out.push_str("    <testcase");
    attr(out, "classname", path);
    attr(out, "name", &case_name(f));
    out.push_str(">\n");
    let start = f.location.span.start;
    let mut body = format!(
        "{path}{}\n{} ({}): {}\nresource: {}",
        place(start.line, start.column),
        f.rule_id,
        f.severity,
        f.message,
        f.resource
    );
    if let Some(c) = &f.container {
        body.push_str(&format!("\ncontainer: {c}"));
    }
    if let Some(pss) = f.pss {
        body.push_str(&format!(
            "\npod security standards: {} {}",
            pss.level, pss.check
        ));
    }
    match &f.suppressed {
        Some(s) => {
            t.skipped += 1;
            let by = match s.kind {
                SuppressionKind::Annotation => "annotation",
                SuppressionKind::Config => "config",
            };
            out.push_str("      <skipped");
            attr(out, "message", &format!("suppressed by {by}: {}", s.reason));
            out.push('>');
            push_xml(out, &body, false);
            out.push_str("</skipped>\n");
        }
        None => {
            t.failures += 1;
            out.push_str("      <failure");
            attr(out, "message", &f.message);
            attr(out, "type", f.severity.as_str());
            out.push('>');
            push_xml(out, &body, false);
            out.push_str("</failure>\n");
        }
    }
    out.push_str("    </testcase>\n");
}

fn error_case(out: &mut String, path: &str, e: &InputError, t: &mut Tally) {
    t.tests += 1;
    t.errors += 1;
    let (line, column) = e.span.map_or((0, 0), |s| (s.start.line, s.start.column));
    out.push_str("    <testcase");
    attr(out, "classname", path);
    attr(out, "name", &format!("input error{}", place(line, column)));
    out.push_str(">\n      <error");
    attr(out, "message", &e.message);
    attr(out, "type", "input-error");
    out.push('>');
    let mut body = format!("{path}{}\n{}", place(line, column), e.message);
    if let Some(help) = &e.help {
        body.push_str(&format!("\nhelp: {help}"));
    }
    push_xml(out, &body, false);
    out.push_str("</error>\n    </testcase>\n");
}

pub(crate) fn render(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    // Suites keyed by the displayed path so `./a.yaml` and `a.yaml` meet.
    let path = |file: &str| Artifact::of(file, report.base_dir).text().to_string();
    let mut suites: BTreeMap<String, Suite> = BTreeMap::new();
    for file in report.scanned_files {
        suites.entry(path(file)).or_default();
    }
    for f in report.findings {
        suites
            .entry(path(&f.location.file))
            .or_default()
            .findings
            .push(f);
    }
    for e in report.errors {
        suites.entry(path(&e.file)).or_default().errors.push(e);
    }

    // Suites render independently, in parallel; output keeps path order.
    let suites: Vec<(&String, &Suite)> = suites.iter().collect();
    let rendered: Vec<(String, Tally)> = suites
        .par_iter()
        .map(|(path, suite)| {
            let mut cases = String::new();
            let mut t = Tally::default();
            for e in &suite.errors {
                error_case(&mut cases, path, e, &mut t);
            }
            for f in &suite.findings {
                finding_case(&mut cases, path, f, report.show_suppressed, &mut t);
            }
            if t.failures == 0 && t.errors == 0 {
                t.tests += 1;
                cases.push_str("    <testcase");
                attr(&mut cases, "classname", path);
                attr(&mut cases, "name", "no findings");
                cases.push_str("/>\n");
            }
            let mut suite_text = String::with_capacity(cases.len() + 200);
            suite_text.push_str("  <testsuite");
            attr(&mut suite_text, "name", path);
            attr(&mut suite_text, "tests", &t.tests.to_string());
            attr(&mut suite_text, "failures", &t.failures.to_string());
            attr(&mut suite_text, "errors", &t.errors.to_string());
            attr(&mut suite_text, "skipped", &t.skipped.to_string());
            suite_text.push_str(">\n");
            suite_text.push_str(&cases);
            suite_text.push_str("  </testsuite>\n");
            (suite_text, t)
        })
        .collect();
    let mut total = Tally::default();
    for (_, t) in &rendered {
        total.tests += t.tests;
        total.failures += t.failures;
        total.errors += t.errors;
        total.skipped += t.skipped;
    }

    let mut doc = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    attr(&mut doc, "name", "palisade");
    attr(&mut doc, "tests", &total.tests.to_string());
    attr(&mut doc, "failures", &total.failures.to_string());
    attr(&mut doc, "errors", &total.errors.to_string());
    doc.push_str(">\n");
    out.write_all(doc.as_bytes())?;
    for (suite_text, _) in &rendered {
        out.write_all(suite_text.as_bytes())?;
    }
    out.write_all(b"</testsuites>\n")
}
