//! The `image:` settings of `palisade image` and config exceptions applied
//! to image findings.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::sync::Arc;

use palisade_config::{parse, Config, ConfigFormat, Date};
use palisade_model::{Finding, InputError, Location, ResourceRef, Severity, Span};

const KNOWN: &[&str] = &["PAL-IMG-001", "PAL-IMG-006", "PAL-K8S-001"];

fn yaml(text: &str) -> Result<Config, Vec<InputError>> {
    parse("palisade.yaml", text, ConfigFormat::Yaml, KNOWN)
}

#[test]
fn max_age_and_approved_distros_are_read_in_yaml_and_toml() {
    let c =
        yaml("image:\n  max_age_days: 90\n  approved_distros: [debian-12, alpine-3.20]\n").unwrap();
    assert_eq!(c.image.max_age_days, Some(90));
    assert_eq!(
        c.image.approved_distros.as_deref(),
        Some(&["debian-12".to_string(), "alpine-3.20".to_string()][..])
    );
    let c = parse(
        "palisade.toml",
        "[image]\nmax_age_days = 30\napproved_distros = [\"ubuntu\"]\n",
        ConfigFormat::Toml,
        KNOWN,
    )
    .unwrap();
    assert_eq!(c.image.max_age_days, Some(30));
    assert_eq!(c.image.approved_distros, Some(vec!["ubuntu".to_string()]));
    let c = yaml("version: 1\n").unwrap();
    assert_eq!(c.image.max_age_days, None);
    assert_eq!(c.image.approved_distros, None);
}

#[test]
fn bad_image_settings_are_errors_with_places() {
    for (text, expect, line) in [
        ("image:\n  max_age_days: 0\n", "between 1 and", 2),
        ("image:\n  max_age_days: -5\n", "between 1 and", 2),
        ("image:\n  max_age_days: \"90\"\n", "must be an integer", 2),
        (
            "image:\n  approved_distros: debian-12\n",
            "must be a list",
            2,
        ),
        (
            "image:\n  approved_distros: [\"debian 12\"]\n",
            "invalid distribution",
            2,
        ),
        ("image:\n  max_age: 3\n", "unknown key `image.max_age`", 2),
        ("image: 7\n", "`image` must be a mapping", 1),
    ] {
        let errs = yaml(text).unwrap_err();
        assert_eq!(errs.len(), 1, "{text}: {errs:#?}");
        assert!(
            errs[0].message.contains(expect),
            "{text}: {}",
            errs[0].message
        );
        assert_eq!(errs[0].span.map(|s| s.line()), Some(line), "{text}");
    }
    let errs = yaml("image:\n  max_age_dayz: 3\n").unwrap_err();
    assert_eq!(
        errs[0].help.as_deref(),
        Some("did you mean `max_age_days`?")
    );
}

fn image_finding(rule: &'static str, name: &str) -> Finding {
    Finding {
        location: Location {
            file: Arc::from(name),
            span: Span::default(),
        },
        rule_id: rule,
        severity: Severity::Medium,
        message: "m".into(),
        resource: ResourceRef {
            kind: "Image".into(),
            name: name.into(),
            namespace: None,
        },
        container: None,
        pss: None,
        suppressed: None,
    }
}

#[test]
fn exceptions_suppress_image_findings_by_rule_kind_and_name() {
    let c = yaml(
        "exceptions:\n  - rule: PAL-IMG-001\n    kind: Image\n    name: \"oci:build/*\"\n    reason: base image needs root\n    expires: 2030-01-01\n  - rule: PAL-IMG-006\n    reason: old\n    expires: 2020-01-01\n",
    )
    .unwrap();
    let today = Date::new(2025, 7, 1).unwrap();
    let mut found = vec![
        image_finding("PAL-IMG-001", "oci:build/app:1"),
        image_finding("PAL-IMG-001", "registry.local/app:1"),
        image_finding("PAL-IMG-006", "oci:build/app:1"),
    ];
    c.suppress_by_exceptions(&mut found, today);
    assert_eq!(
        found[0].suppressed.as_ref().map(|s| s.reason.as_str()),
        Some("base image needs root")
    );
    assert!(found[1].suppressed.is_none(), "name does not match");
    assert!(found[2].suppressed.is_none(), "expired exception");
    assert_eq!(
        c.severity("PAL-IMG-001", Severity::Medium),
        Severity::Medium
    );
    assert!(c.rule_enabled("PAL-IMG-001", true));
}
