//! Credential findings never show a secret in full: every message of the
//! credential rules over their firing fixtures ends with the redacted form,
//! and no piece longer than 8 characters of a value, argument, data entry or
//! annotation of the fixture appears in it.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;

use palisade_model::{Node, Value};
use palisade_rules::{find_rule, Context, Settings};

const CREDENTIAL_RULES: &[&str] = &[
    "PAL-K8S-020",
    "PAL-K8S-021",
    "PAL-K8S-022",
    "PAL-K8S-023",
    "PAL-K8S-024",
];

/// Keys whose values (at any depth) may hold the secrets of a fixture.
const VALUE_KEYS: &[&str] = &[
    "value",
    "args",
    "command",
    "data",
    "stringData",
    "annotations",
];

/// The pieces (split on separators) of every string under a value key.
fn secret_candidates(node: &Node, under_value: bool, out: &mut Vec<String>) {
    match &node.value {
        Value::Str(s) if under_value => out.extend(
            s.split(|c: char| c.is_whitespace() || "=:@'\"/,{}".contains(c))
                .filter(|p| p.len() > 8)
                .map(str::to_string),
        ),
        Value::Seq(items) => items
            .iter()
            .for_each(|n| secret_candidates(n, under_value, out)),
        Value::Map(m) => m.iter().for_each(|e| {
            secret_candidates(
                &e.value,
                under_value || VALUE_KEYS.contains(&e.key.as_str()),
                out,
            )
        }),
        _ => {}
    }
}

#[test]
fn credential_messages_show_only_redacted_values() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for id in CREDENTIAL_RULES {
        let rule = find_rule(id).unwrap();
        let mut checked = 0;
        for entry in std::fs::read_dir(dir.join(id)).unwrap() {
            let path = entry.unwrap().path();
            if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("fire")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let loaded =
                palisade_load::load_str("f.yaml", &text, &palisade_load::Limits::default());
            let settings = Settings::default();
            let ctx = Context {
                resources: &loaded.resources,
                settings: &settings,
            };
            let mut values = Vec::new();
            for r in &loaded.resources {
                secret_candidates(&r.node, false, &mut values);
            }
            assert!(!values.is_empty(), "{id}: no candidate values");
            let mut found = Vec::new();
            for r in &loaded.resources {
                if rule.applies_to(&r.kind) {
                    rule.check(r, &ctx, &mut found);
                }
            }
            assert!(!found.is_empty());
            for f in &found {
                checked += 1;
                let shown = f.message.rsplit(": ").next().unwrap();
                assert!(
                    shown == "****" || shown.contains('…'),
                    "{id}: not redacted: {}",
                    f.message
                );
                for v in &values {
                    assert!(
                        !f.message.contains(v.as_str()),
                        "{id}: message shows `{v}`: {}",
                        f.message
                    );
                }
            }
        }
        assert!(checked > 0, "{id}: no findings checked");
    }
}
