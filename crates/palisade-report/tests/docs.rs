//! `docs/output-formats.md` describes the JSON schema; these tests fail
//! when the renderer and the documentation drift apart.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use palisade_report::Format;
use serde_json::Value;

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/output-formats.md");
    std::fs::read_to_string(path).unwrap()
}

fn fenced(doc: &str, lang: &str) -> String {
    let start = doc.find(&format!("```{lang}\n")).unwrap() + lang.len() + 4;
    let end = start + doc[start..].find("\n```").unwrap();
    doc[start..end].to_string()
}

/// Every object key path in `v` (array items merged).
fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let p = format!("{prefix}/{k}");
                out.insert(p.clone());
                paths(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn documented_json_example_has_the_rendered_shape() {
    let example: Value = serde_json::from_str(&fenced(&doc(), "json")).unwrap();
    let (f, e, s) = (findings(), errors(), scanned());
    let rendered: Value = serde_json::from_str(&render_to_string(
        &report(&f, &e, &s, true),
        Format::Json,
        false,
    ))
    .unwrap();
    let (mut documented, mut actual) = (BTreeSet::new(), BTreeSet::new());
    paths(&example, "", &mut documented);
    paths(&rendered, "", &mut actual);
    assert_eq!(
        documented, actual,
        "the JSON example in docs/output-formats.md is out of date"
    );
}

#[test]
fn every_json_field_is_in_a_field_table() {
    let doc = doc();
    let (f, e, s) = (findings(), errors(), scanned());
    let rendered: Value = serde_json::from_str(&render_to_string(
        &report(&f, &e, &s, true),
        Format::Json,
        false,
    ))
    .unwrap();
    let mut all = BTreeSet::new();
    paths(&rendered, "", &mut all);
    for path in all {
        let key = path.rsplit('/').next().unwrap();
        assert!(
            doc.contains(&format!("`{key}`")),
            "field `{key}` ({path}) is not documented"
        );
    }
}

#[test]
fn documented_junit_example_is_what_the_renderer_writes() {
    let example = fenced(&doc(), "xml");
    // The example is the fixture's first finding and first error.
    let all = findings();
    let f = vec![all[0].clone()];
    let e = vec![errors()[0].clone()];
    let s: Vec<std::sync::Arc<str>> = vec!["jobs/cron.yaml".into()];
    let rendered = render_to_string(&report(&f, &e, &s, false), Format::Junit, false);
    assert_eq!(rendered.trim_end(), example);
}

#[test]
fn documented_table_example_is_what_the_renderer_writes() {
    let example = fenced(&doc(), "text");
    // The fixture without its medium finding, and its first error.
    let mut f = findings();
    f.remove(1);
    let e = vec![errors()[0].clone()];
    let s = scanned();
    let rendered = render_to_string(&report(&f, &e, &s, false), Format::Table, false);
    assert_eq!(rendered.trim_end(), example);
}
