//! Every registered rule (Pod Security Standards and palisade's own) carries
//! complete metadata, and every palisade rule has fixtures.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;

use palisade_model::WORKLOAD_KINDS;
use palisade_rules::all_rules;

#[test]
fn every_rule_has_complete_metadata() {
    let mut problems = Vec::new();
    for rule in all_rules() {
        let m = rule.meta();
        let mut bad = |what: &str| problems.push(format!("{}: {what}", m.id));
        if m.title.trim().is_empty() || m.title.ends_with('.') {
            bad("title must be non-empty and end without a period");
        }
        if m.practice.trim().is_empty() {
            bad("empty practice");
        }
        if m.rationale.trim().is_empty() {
            bad("empty rationale");
        }
        if !m.remediation.trim_end().ends_with('.') {
            bad("remediation must end with a period");
        }
        if m.example.trim().is_empty() {
            bad("empty example");
        } else if m.kinds == ["Dockerfile"] {
            if let Err(e) = palisade_load::parse_dockerfile(
                "example.Dockerfile",
                m.example,
                &palisade_load::Limits::default(),
            ) {
                bad(&format!("example is not a valid Dockerfile: {e}"));
            }
        } else if let Err(e) =
            palisade_load::parse_yaml("example", m.example, &palisade_load::Limits::default())
        {
            bad(&format!("example is not valid YAML: {e}"));
        }
        if m.references.is_empty() || m.references.iter().any(|r| r.trim().is_empty()) {
            bad("needs at least one non-empty reference");
        }
        if m.kinds.is_empty() {
            bad("applies to no kind");
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn palisade_rules_follow_the_id_scheme_and_have_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let own: Vec<_> = palisade_rules::rules::RULES
        .iter()
        .map(|r| r.meta())
        .collect();
    assert!(!own.is_empty());
    let mut previous = std::collections::HashMap::new();
    for m in own {
        let (family, number) = ["PAL-K8S-", "PAL-ACI-", "PAL-DF-"]
            .iter()
            .find_map(|f| m.id.strip_prefix(f).map(|n| (*f, n)))
            .and_then(|(f, n)| Some((f, n.parse::<u32>().ok().filter(|_| n.len() == 3)?)))
            .unwrap_or_else(|| {
                panic!(
                    "{}: id must be PAL-K8S-NNN, PAL-ACI-NNN or PAL-DF-NNN",
                    m.id
                )
            });
        let last = previous.entry(family).or_insert(0);
        assert!(number > *last, "{}: ids must be registered in order", m.id);
        *last = number;
        assert!(
            m.pss.is_none(),
            "{}: a palisade rule is not a PSS check",
            m.id
        );
        let dir = fixtures.join(m.id);
        assert!(
            dir.is_dir(),
            "{}: missing fixture directory {}",
            m.id,
            dir.display()
        );
    }
}

#[test]
fn pod_rules_never_apply_to_other_kinds() {
    for rule in palisade_rules::rules::RULES {
        let m = rule.meta();
        if m.kinds == WORKLOAD_KINDS {
            for kind in WORKLOAD_KINDS {
                assert!(rule.applies_to(kind), "{}: {kind}", m.id);
            }
            for kind in [
                "Service",
                "ClusterRole",
                "ConfigMap",
                "Secret",
                "ServiceAccount",
            ] {
                assert!(!rule.applies_to(kind), "{}: applies to {kind}", m.id);
            }
        }
    }
}
