//! The ACI examples and loader fixtures produce exactly the findings they
//! should under every rule: the hardened example none at all.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;

use palisade_rules::{all_rules, Context, Settings};

fn findings(path: &Path) -> Vec<(String, u32)> {
    let text = std::fs::read_to_string(path).unwrap();
    let loaded = palisade_load::load_str("f", &text, &palisade_load::Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    let settings = Settings::default();
    let ctx = Context {
        resources: &loaded.resources,
        settings: &settings,
    };
    let mut out = Vec::new();
    for rule in all_rules() {
        for r in &loaded.resources {
            if rule.applies_to(&r.kind) {
                rule.check(r, &ctx, &mut out);
            }
        }
    }
    let mut got: Vec<(String, u32)> = out
        .iter()
        .map(|f| (f.rule_id.to_string(), f.location.span.line()))
        .collect();
    got.sort();
    got
}

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn ids(got: &[(String, u32)]) -> Vec<String> {
    got.iter()
        .map(|(id, line)| format!("{id}@{line}"))
        .collect()
}

#[test]
fn hardened_example_has_no_findings() {
    let got = findings(&root().join("examples/aci/hardened.json"));
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn insecure_example_has_exactly_its_findings() {
    let got = findings(&root().join("examples/aci/insecure.yaml"));
    assert_eq!(
        ids(&got),
        vec![
            "PAL-ACI-001@20",
            "PAL-ACI-002@11",
            "PAL-ACI-003@40",
            "PAL-ACI-008@45",
            "PAL-ACI-009@32",
            "PAL-ACI-010@42",
            "PAL-ACI-011@28",
            "PAL-K8S-005@34",
            // mysql:8.4 comes from Docker Hub.
            "PAL-K8S-029@30",
        ]
    );
}

#[test]
fn loader_fixtures_have_exactly_their_findings() {
    let dir = root().join("crates/palisade-load/tests/fixtures/aci");
    assert_eq!(
        ids(&findings(&dir.join("web-public.yaml"))),
        vec!["PAL-ACI-003@65", "PAL-ACI-008@69", "PAL-K8S-029@52"]
    );
    // listKeys() into a plain value; the secure parameter, the Key Vault
    // reference and the parameter without default are not literals.
    assert_eq!(
        ids(&findings(&dir.join("template.json"))),
        vec!["PAL-ACI-001@34"]
    );
}
