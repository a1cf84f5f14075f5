//! Every configuration example in `docs/configuration.md` is valid.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_config::{parse, ConfigFormat};

const KNOWN: &[&str] = &[
    "PSS-APPARMOR",
    "PSS-PRIVILEGED",
    "PSS-HOST-PATH-VOLUMES",
    "PSS-HOST-NAMESPACES",
    "PAL-PREVIEW-001",
    "PAL-K8S-001",
    "PAL-K8S-002",
];

#[test]
fn documented_examples_parse() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/configuration.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut checked = 0;
    let mut rest = text.as_str();
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let (lang, body) = after.split_once('\n').unwrap();
        let end = body.find("```").unwrap();
        let block = &body[..end];
        rest = &body[end + 3..];
        let format = match lang.trim() {
            "yaml" => ConfigFormat::Yaml,
            "toml" => ConfigFormat::Toml,
            _ => continue,
        };
        if block.contains("apiVersion:") {
            continue; // a Kubernetes manifest, not a configuration
        }
        if let Err(errs) = parse("doc", block, format, KNOWN) {
            panic!("example does not parse:\n{block}\n{errs:#?}");
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} examples found");
}

#[test]
fn config_rule_examples_parse() {
    for rule in palisade_config::config_rules() {
        if rule.example.contains("metadata:") {
            // A manifest fragment: check that its annotation entries are well formed.
            assert!(rule.example.contains("palisade.dev/ignore"), "{}", rule.id);
            continue;
        }
        parse("example", rule.example, ConfigFormat::Yaml, KNOWN)
            .unwrap_or_else(|e| panic!("{}: {e:#?}", rule.id));
    }
}
