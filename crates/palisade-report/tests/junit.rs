//! JUnit XML: well-formed, counts that match the test cases, hostile text
//! escaped, and valid against the Jenkins xUnit JUnit schema (when
//! `xmllint` is installed).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use palisade_report::{Format, Report};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// `failure`, `error` or `skipped`, with its attributes and text.
type Outcome = (String, Vec<(String, String)>, String);

#[derive(Debug, Default, Clone)]
struct Case {
    classname: String,
    name: String,
    outcome: Option<Outcome>,
}

#[derive(Debug, Default, Clone)]
struct Suite {
    attrs: Vec<(String, String)>,
    cases: Vec<Case>,
}

impl Suite {
    fn attr(&self, name: &str) -> &str {
        &self.attrs.iter().find(|(k, _)| k == name).unwrap().1
    }
}

fn attrs(e: &BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().unwrap().into_owned(),
            )
        })
        .collect()
}

fn get(attrs: &[(String, String)], name: &str) -> String {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Parses the document strictly, returning the root's attributes and suites.
fn parse(xml: &str) -> (Vec<(String, String)>, Vec<Suite>) {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut root = Vec::new();
    let mut suites: Vec<Suite> = Vec::new();
    let mut text: Option<String> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuites" => {
                root = attrs(&e)
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                suites.push(Suite {
                    attrs: attrs(&e),
                    cases: Vec::new(),
                })
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let a = attrs(&e);
                suites.last_mut().unwrap().cases.push(Case {
                    classname: get(&a, "classname"),
                    name: get(&a, "name"),
                    outcome: None,
                });
            }
            Event::Start(e) => {
                let kind = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                assert!(
                    ["failure", "error", "skipped"].contains(&kind.as_str()),
                    "unexpected <{kind}>"
                );
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                case.outcome = Some((kind, attrs(&e), String::new()));
                text = Some(String::new());
            }
            Event::Text(t) => {
                if let Some(buf) = text.as_mut() {
                    buf.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(buf) = text.as_mut() {
                    match r.resolve_char_ref().unwrap() {
                        Some(c) => buf.push(c),
                        None => {
                            buf.push_str(resolve_predefined_entity(&r.decode().unwrap()).unwrap())
                        }
                    }
                }
            }
            Event::End(e)
                if [&b"failure"[..], b"error", b"skipped"].contains(&e.name().as_ref()) =>
            {
                let case = suites.last_mut().unwrap().cases.last_mut().unwrap();
                case.outcome.as_mut().unwrap().2 = text.take().unwrap();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (root, suites)
}

fn count(suite: &Suite, kind: &str) -> usize {
    suite
        .cases
        .iter()
        .filter(|c| c.outcome.as_ref().is_some_and(|o| o.0 == kind))
        .count()
}

/// Checks every count attribute against the test cases.
fn check_counts(root: &[(String, String)], suites: &[Suite]) {
    let mut totals = [0usize; 3];
    for s in suites {
        let tests = s.cases.len();
        let (failures, errors) = (count(s, "failure"), count(s, "error"));
        assert_eq!(s.attr("tests"), tests.to_string(), "{s:?}");
        assert_eq!(s.attr("failures"), failures.to_string(), "{s:?}");
        assert_eq!(s.attr("errors"), errors.to_string(), "{s:?}");
        assert_eq!(s.attr("skipped"), count(s, "skipped").to_string(), "{s:?}");
        totals[0] += tests;
        totals[1] += failures;
        totals[2] += errors;
    }
    assert_eq!(get(root, "tests"), totals[0].to_string());
    assert_eq!(get(root, "failures"), totals[1].to_string());
    assert_eq!(get(root, "errors"), totals[2].to_string());
}

/// Validates with `xmllint --schema` against the vendored Jenkins JUnit
/// XSD; skips with a notice when xmllint is not installed.
fn xmllint(xml: &str) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit-10.xsd");
    if Command::new("xmllint").arg("--version").output().is_err() {
        eprintln!("notice: xmllint not found; JUnit XSD validation skipped (apt-get install libxml2-utils)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("palisade-junit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{:x}.xml",
        xml.len() ^ xml.bytes().map(usize::from).sum::<usize>()
    ));
    std::fs::write(&file, xml).unwrap();
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "xmllint rejects the JUnit XML:\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn junit(report: &Report) -> String {
    render_to_string(report, Format::Junit, false)
}

#[test]
fn junit_structure_and_counts() {
    let (f, e, s) = (findings(), errors(), scanned());
    let xml = junit(&report(&f, &e, &s, false));
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
    xmllint(&xml);
    let (root, suites) = parse(&xml);
    check_counts(&root, &suites);
    let names: Vec<&str> = suites.iter().map(|s| s.attr("name")).collect();
    assert_eq!(
        names,
        [
            "broken.yaml",
            "deploy/web.yaml",
            "jobs/cron.yaml",
            "missing.yaml",
            "ok/service.yaml"
        ]
    );
    assert_eq!(get(&root, "tests"), "6");
    assert_eq!(get(&root, "failures"), "3");
    assert_eq!(get(&root, "errors"), "2");

    let web = &suites[1];
    assert_eq!(
        web.cases.len(),
        2,
        "suppressed findings are hidden: {web:?}"
    );
    let case = &web.cases[0];
    assert_eq!(case.classname, "deploy/web.yaml");
    assert_eq!(case.name, "PSS-PRIVILEGED Deployment/web/app");
    let (kind, attrs, body) = case.outcome.clone().unwrap();
    assert_eq!(kind, "failure");
    assert_eq!(get(&attrs, "type"), "critical");
    assert_eq!(get(&attrs, "message"), "container \"app\" is privileged");
    assert!(body.starts_with("deploy/web.yaml:21:13\n"), "{body}");
    assert!(
        body.contains("PSS-PRIVILEGED (critical): container \"app\" is privileged"),
        "{body}"
    );

    // The suppressed finding is hidden; a clean file gets a passing test.
    let cron = &suites[2];
    assert_eq!(cron.cases.len(), 1);
    assert_eq!(cron.cases[0].name, "PSS-HOST-NAMESPACES CronJob/nightly");
    let ok = &suites[4];
    assert_eq!(ok.cases.len(), 1);
    assert_eq!(ok.cases[0].name, "no findings");
    assert!(ok.cases[0].outcome.is_none());

    let broken = &suites[0];
    let (kind, attrs, body) = broken.cases[0].outcome.clone().unwrap();
    assert_eq!(kind, "error");
    assert_eq!(
        get(&attrs, "message"),
        "mapping values are not allowed in this context"
    );
    assert!(
        body.ends_with("help: quote the value if it contains `: `"),
        "{body}"
    );
    assert_eq!(broken.cases[0].name, "input error:3:7");
}

#[test]
fn a_file_with_only_suppressed_findings_passes() {
    let f: Vec<_> = findings()
        .into_iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    let (e, s) = (Vec::new(), Vec::new());
    for show in [false, true] {
        let xml = junit(&report(&f, &e, &s, show));
        xmllint(&xml);
        let (root, suites) = parse(&xml);
        check_counts(&root, &suites);
        assert_eq!(suites.len(), 2);
        for suite in &suites {
            assert_eq!(suite.attr("failures"), "0");
            assert!(suite
                .cases
                .iter()
                .any(|c| c.name == "no findings" && c.outcome.is_none()));
            assert_eq!(suite.cases.len(), if show { 2 } else { 1 });
        }
    }
}

#[test]
fn suppressed_findings_are_skipped_tests_on_request() {
    let (f, e, s) = (findings(), errors(), scanned());
    let xml = junit(&report(&f, &e, &s, true));
    xmllint(&xml);
    let (root, suites) = parse(&xml);
    check_counts(&root, &suites);
    let web = suites
        .iter()
        .find(|s| s.attr("name") == "deploy/web.yaml")
        .unwrap();
    assert_eq!(web.attr("skipped"), "1");
    let skipped = web
        .cases
        .iter()
        .find(|c| c.outcome.as_ref().is_some_and(|o| o.0 == "skipped"))
        .unwrap();
    let (_, attrs, _) = skipped.outcome.clone().unwrap();
    assert_eq!(
        get(&attrs, "message"),
        "suppressed by annotation: needs API access"
    );
}

#[test]
fn hostile_text_is_escaped() {
    let mut f = findings();
    f[0].message = HOSTILE.to_string();
    f[0].container = Some("a\"<b>&\x1b".to_string());
    f[0].location.file = std::sync::Arc::from("deploy/<web>&\"x\".yaml");
    let mut e = errors();
    e[0].message = HOSTILE.to_string();
    e[0].help = Some("]]> <![CDATA[ \u{FFFF}".to_string());
    let s = scanned();
    let xml = junit(&report(&f, &e, &s, false));
    assert!(!xml.contains('\x1b') && !xml.contains('\0') && !xml.contains('\u{FFFF}'));
    xmllint(&xml);
    let (root, suites) = parse(&xml);
    check_counts(&root, &suites);

    // What XML can carry comes back unchanged; what it cannot is visible.
    let expected = HOSTILE
        .replace('\x1b', "\\u{1b}")
        .replace('\x07', "\\u{7}")
        .replace('\0', "\\0")
        .replace('\u{9b}', "\\u{9b}");
    let web = suites
        .iter()
        .find(|s| s.attr("name") == "deploy/<web>&\"x\".yaml")
        .unwrap();
    let case = &web.cases[0];
    assert_eq!(case.classname, "deploy/<web>&\"x\".yaml");
    assert_eq!(case.name, "PSS-PRIVILEGED Deployment/web/a\"<b>&\\u{1b}");
    let (_, attrs, body) = case.outcome.clone().unwrap();
    assert_eq!(get(&attrs, "message"), expected);
    assert!(body.contains(&expected), "{body:?}");
    let broken = suites
        .iter()
        .find(|s| s.attr("name") == "broken.yaml")
        .unwrap();
    let (_, attrs, body) = broken.cases[0].outcome.clone().unwrap();
    assert_eq!(get(&attrs, "message"), expected);
    assert!(body.ends_with("help: ]]> <![CDATA[ \\u{ffff}"), "{body:?}");
}

#[test]
fn empty_scan_is_well_formed() {
    let xml = junit(&Report::default());
    xmllint(&xml);
    let (root, suites) = parse(&xml);
    assert!(suites.is_empty());
    assert_eq!(get(&root, "tests"), "0");
}
