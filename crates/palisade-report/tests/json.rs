//! The JSON format: exact output for a fixed scan, the documented schema,
//! and hostile strings surviving a round trip unchanged.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use palisade_report::Format;
use serde_json::Value;

#[test]
fn json_matches_expected_output() {
    let (f, e, s) = (findings(), errors(), scanned());
    let out = render_to_string(&report(&f, &e, &s, false), Format::Json, false);
    assert_expected("report.json", &out);
}

#[test]
fn json_has_the_documented_shape() {
    let (f, e, s) = (findings(), errors(), scanned());
    let out = render_to_string(&report(&f, &e, &s, false), Format::Json, false);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["errors", "findings", "summary", "version"]);
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 3, "suppressed findings must not be listed");
    for f in findings {
        for key in [
            "rule_id",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "resource",
            "container",
            "pss",
            "fingerprint",
        ] {
            assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
        }
        assert!(f.get("suppression").is_none());
    }
    assert_eq!(findings[0]["pss"]["level"], "baseline");
    assert_eq!(findings[0]["pss"]["check"], "privileged");
    assert_eq!(findings[1]["pss"], Value::Null);
    assert_eq!(findings[2]["container"], Value::Null);
    assert_eq!(findings[2]["resource"]["namespace"], Value::Null);
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(errors[1]["line"], Value::Null);
    assert_eq!(errors[1]["column"], Value::Null);
    assert_eq!(errors[1]["help"], Value::Null);
    let summary = &doc["summary"];
    assert_eq!(summary["findings"], 3);
    assert_eq!(summary["suppressed"], 2);
    assert_eq!(summary["errors"], 2);
    assert_eq!(summary["by_severity"]["critical"], 1);
    assert_eq!(summary["by_severity"]["low"], 0);
}

#[test]
fn suppressed_array_only_on_request() {
    let (f, e, s) = (findings(), errors(), scanned());
    let out = render_to_string(&report(&f, &e, &s, true), Format::Json, false);
    let doc: Value = serde_json::from_str(&out).unwrap();
    let suppressed = doc["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 2);
    assert_eq!(suppressed[0]["suppression"]["kind"], "annotation");
    assert_eq!(suppressed[0]["suppression"]["reason"], "needs API access");
    assert_eq!(suppressed[1]["suppression"]["kind"], "config");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 3);
}

#[test]
fn hostile_strings_round_trip() {
    let mut f = findings();
    f[0].message = HOSTILE.to_string();
    f[0].resource.name = HOSTILE.to_string();
    let mut e = errors();
    e[0].message = HOSTILE.to_string();
    let s = scanned();
    let out = render_to_string(&report(&f, &e, &s, false), Format::Json, false);
    assert!(
        !out.contains('\x1b') && !out.contains('\0'),
        "raw control characters in JSON"
    );
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["findings"][0]["message"], HOSTILE);
    assert_eq!(doc["findings"][0]["resource"]["name"], HOSTILE);
    assert_eq!(doc["errors"][0]["message"], HOSTILE);
}
