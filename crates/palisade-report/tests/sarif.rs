//! SARIF: validity against the official 2.1.0 schema, GitHub's
//! expectations (rules, levels, security-severity, repo-relative uris),
//! stable fingerprints and suppressions.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use palisade_model::{Pos, Span};
use palisade_report::{fingerprints, Format, Report};
use serde_json::Value;

/// Validates `log` against the vendored official schema.
fn validate(log: &Value) {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let index = compiler
        .compile(schema.to_str().unwrap(), &mut schemas)
        .unwrap_or_else(|e| panic!("schema does not compile: {e:#}"));
    if let Err(e) = schemas.validate(log, index) {
        panic!("SARIF is not valid against the 2.1.0 schema:\n{e:#}\n{log:#}");
    }
}

fn sarif(report: &Report) -> Value {
    let out = render_to_string(report, Format::Sarif, false);
    serde_json::from_str(&out).unwrap()
}

#[test]
fn sarif_is_valid_and_complete() {
    let (f, e, s) = (findings(), errors(), scanned());
    let log = sarif(&report(&f, &e, &s, false));
    validate(&log);

    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .unwrap()
        .ends_with("sarif-schema-2.1.0.json"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "palisade");
    assert_eq!(driver["semanticVersion"], "0.1.0");
    // palisade has no public home page yet: no informationUri rather than a made-up one.
    if let Some(uri) = driver["informationUri"].as_str() {
        assert!(uri.starts_with("https://"), "{uri}");
    }

    // Exactly the rules that ran, in order, with GitHub's properties.
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "PSS-PRIVILEGED",
            "PSS-HOST-NAMESPACES",
            "PAL-K8S-003",
            "PAL-K8S-010"
        ]
    );
    let privileged = &rules[0];
    assert_eq!(privileged["name"], "PrivilegedContainer");
    assert_eq!(
        privileged["shortDescription"]["text"],
        "Privileged container"
    );
    assert_eq!(
        privileged["fullDescription"]["text"],
        "A privileged container has every capability and all host devices."
    );
    assert!(privileged["help"]["text"]
        .as_str()
        .unwrap()
        .contains("privileged: false"));
    assert!(privileged["help"]["markdown"]
        .as_str()
        .unwrap()
        .contains("```yaml"));
    assert_eq!(privileged["defaultConfiguration"]["level"], "error");
    assert_eq!(privileged["properties"]["security-severity"], "9.0");
    assert_eq!(privileged["properties"]["precision"], "high");
    let tags: Vec<&str> = privileged["properties"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"security") && tags.contains(&"pss-baseline"),
        "{tags:?}"
    );
    let severities: Vec<&str> = rules
        .iter()
        .map(|r| r["properties"]["security-severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["9.0", "7.5", "5.0", "2.0"]);
    let levels: Vec<&str> = rules
        .iter()
        .map(|r| r["defaultConfiguration"]["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "error", "warning", "note"]);

    // Every finding is a result, suppressed ones included.
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), f.len());
    for (r, finding) in results.iter().zip(&f) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], finding.rule_id);
        assert_eq!(r["message"]["text"], finding.message.as_str());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            finding.location.file.as_ref()
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], finding.location.span.start.line);
        assert_eq!(
            loc["region"]["startColumn"],
            finding.location.span.start.column
        );
        assert!(r["partialFingerprints"]["palisade/v1"].is_string());
    }
    let first = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(first["endLine"], 21);
    assert_eq!(first["endColumn"], 17);
    // A point span has no end.
    let point = &results[1]["locations"][0]["physicalLocation"]["region"];
    assert!(point.get("endColumn").is_none(), "{point}");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[1]["level"], "warning");

    // Input errors are notifications, and the run did not fully succeed.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["message"]["text"],
        "mapping values are not allowed in this context (help: quote the value if it contains `: `)"
    );
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "broken.yaml"
    );
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
    assert!(notes[1]["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
}

#[test]
fn suppressed_findings_carry_suppressions() {
    let (f, e, s) = (findings(), errors(), scanned());
    // SARIF includes suppressed findings whatever show_suppressed says.
    for show in [false, true] {
        let log = sarif(&report(&f, &e, &s, show));
        let results = log["runs"][0]["results"].as_array().unwrap();
        let suppressed: Vec<&Value> = results
            .iter()
            .filter(|r| r.get("suppressions").is_some())
            .collect();
        assert_eq!(suppressed.len(), 2);
        assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
        assert_eq!(
            suppressed[0]["suppressions"][0]["justification"],
            "needs API access"
        );
        assert_eq!(suppressed[1]["suppressions"][0]["kind"], "external");
        assert_eq!(
            suppressed[1]["suppressions"][0]["justification"],
            "limits come from the namespace LimitRange"
        );
        assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    }
}

#[test]
fn uris_are_relative_to_the_base_dir_and_encoded() {
    let mut f = findings();
    f[0].location.file = Arc::from("/work/repo/charts/my app/templates/dep#1.yaml");
    f[1].location.file = Arc::from("/elsewhere/x.yaml");
    let (e, s) = (errors(), scanned());
    let mut r = report(&f, &e, &s, false);
    r.base_dir = Some(Path::new("/work/repo"));
    let log = sarif(&r);
    validate(&log);
    let run = &log["runs"][0];
    let art = |i: usize| &run["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(art(0)["uri"], "charts/my%20app/templates/dep%231.yaml");
    assert_eq!(art(0)["uriBaseId"], "%SRCROOT%");
    assert_eq!(art(1)["uri"], "file:///elsewhere/x.yaml");
    assert!(art(1).get("uriBaseId").is_none());
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///work/repo/"
    );
}

#[test]
fn fingerprints_survive_moving_lines_and_tell_problems_apart() {
    let f = findings();
    let mut moved = f.clone();
    for finding in &mut moved {
        let Span { start, end } = finding.location.span;
        finding.location.span = Span::new(
            Pos {
                line: start.line + 7,
                column: start.column + 2,
            },
            Pos {
                line: end.line + 7,
                column: end.column + 2,
            },
        );
    }
    let (e, s) = (errors(), scanned());
    let prints = |findings: &[palisade_model::Finding]| -> Vec<String> {
        let log = sarif(&report(findings, &e, &s, false));
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["palisade/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = prints(&f);
    assert_eq!(before, prints(&moved), "moving code changed fingerprints");
    assert_eq!(before, fingerprints(&f, None));
    let mut unique = before.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        before.len(),
        "distinct findings share a fingerprint"
    );

    // Whitespace and case in the message do not matter; the container does.
    let mut reworded = f.clone();
    reworded[0].message = "Container  \"APP\" is\nprivileged".to_string();
    assert_eq!(fingerprints(&reworded, None)[0], before[0]);
    let mut other = f.clone();
    other[0].container = Some("sidecar".to_string());
    assert_ne!(fingerprints(&other, None)[0], before[0]);

    // Two identical problems in one file stay two results.
    let twice = vec![f[0].clone(), f[0].clone()];
    let p = fingerprints(&twice, None);
    assert_ne!(p[0], p[1]);
    assert_eq!(p[0].split(':').next(), p[1].split(':').next());

    // The same file named relative to the base or absolutely fingerprints the same.
    let mut abs = f.clone();
    abs[0].location.file = Arc::from("/repo/deploy/web.yaml");
    assert_eq!(fingerprints(&abs, Some(Path::new("/repo")))[0], before[0]);
}

#[test]
fn hostile_and_edge_inputs_stay_valid() {
    let mut f = findings();
    f[0].message = HOSTILE.to_string();
    f[0].resource.name = String::new();
    f[0].location.file = Arc::from("-");
    f[1].location.span = Span::point(0, 0);
    f[2].rule_id = "UNKNOWN-RULE";
    let mut e = errors();
    e[0].message = HOSTILE.to_string();
    e[0].span = Some(Span::point(0, 0));
    let s = scanned();
    let mut r = report(&f, &e, &s, true);
    r.tool_version = "";
    let log = sarif(&r);
    validate(&log);
    let run = &log["runs"][0];
    assert_eq!(run["results"][0]["message"]["text"], HOSTILE);
    assert!(run["results"][1]["locations"][0]["physicalLocation"]
        .get("region")
        .is_none());
    // A rule without metadata still gets a descriptor its results point at.
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = run["results"][2]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "UNKNOWN-RULE");
}

#[test]
fn empty_scan_is_valid() {
    let log = sarif(&Report::default());
    validate(&log);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
}
