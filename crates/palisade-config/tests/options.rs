//! Every option, in YAML and in TOML, read into the same `Config`.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_config::{parse, Config, ConfigFormat, Date, PssVersionSetting};
use palisade_model::{PssLevel, PssVersion, Severity};

const KNOWN: &[&str] = &[
    "PSS-PRIVILEGED",
    "PSS-HOST-PATH-VOLUMES",
    "PSS-HOST-NAMESPACES",
    "PSS-APPARMOR",
    "PSS-CAPABILITIES",
    "PAL-K8S-001",
    "PAL-K8S-002",
    "PAL-PREVIEW-001",
];

const YAML: &str = r#"version: 1
pss:
  level: baseline
  version: v1.30
rules:
  disable: [PAL-K8S-, PSS-APPARMOR]
  enable: [PAL-PREVIEW-001, PAL-K8S-002]
  severity:
    PAL-K8S-001: low
    PSS-: critical
    PSS-HOST-PATH-VOLUMES: medium
  lock: [PSS-PRIVILEGED]
capabilities:
  allowed: [NET_BIND_SERVICE, CAP_CHOWN]
images:
  allowed_registries: ["*.azurecr.io", "registry.example.com/team/*"]
  forbidden_registries: ["docker.io/*"]
  require_digest: true
exceptions:
  - rule: PSS-HOST-PATH-VOLUMES
    namespace: kube-system
    name: "node-exporter-*"
    kind: DaemonSet
    reason: "needs /proc and /sys of the host"
    expires: 2027-03-31
  - rule: PAL-
    reason: legacy batch jobs, owned by team x
"#;

const TOML: &str = r#"version = 1

[pss]
level = "baseline"
version = "v1.30"

[rules]
disable = ["PAL-K8S-", "PSS-APPARMOR"]
enable = ["PAL-PREVIEW-001", "PAL-K8S-002"]
lock = ["PSS-PRIVILEGED"]

[rules.severity]
PAL-K8S-001 = "low"
PSS- = "critical"
PSS-HOST-PATH-VOLUMES = "medium"

[capabilities]
allowed = ["NET_BIND_SERVICE", "CAP_CHOWN"]

[images]
allowed_registries = ["*.azurecr.io", "registry.example.com/team/*"]
forbidden_registries = ["docker.io/*"]
require_digest = true

[[exceptions]]
rule = "PSS-HOST-PATH-VOLUMES"
namespace = "kube-system"
name = "node-exporter-*"
kind = "DaemonSet"
reason = "needs /proc and /sys of the host"
expires = 2027-03-31

[[exceptions]]
rule = "PAL-"
reason = "legacy batch jobs, owned by team x"
"#;

fn check_full(config: &Config) {
    assert_eq!(config.pss_level, Some(PssLevel::Baseline));
    assert_eq!(
        config.pss_version,
        Some(PssVersionSetting::Version(PssVersion::v1(30)))
    );

    // Selection: the most specific selector decides.
    assert!(
        !config.rule_enabled("PAL-K8S-001", true),
        "disabled by prefix"
    );
    assert!(
        config.rule_enabled("PAL-K8S-002", true),
        "full id beats prefix"
    );
    assert!(config.rule_enabled("PAL-PREVIEW-001", false), "opt-in");
    assert!(!config.rule_enabled("PSS-APPARMOR", true));
    assert!(config.rule_enabled("PSS-CAPABILITIES", true), "default");
    assert!(!config.rule_enabled("PSS-CAPABILITIES", false), "default");
    assert!(
        config.rule_enabled("PSS-PRIVILEGED", false),
        "locked rules run"
    );

    assert_eq!(
        config.severity("PAL-K8S-001", Severity::High),
        Severity::Low
    );
    assert_eq!(
        config.severity("PAL-K8S-002", Severity::High),
        Severity::High
    );
    assert_eq!(
        config.severity("PSS-PRIVILEGED", Severity::High),
        Severity::Critical
    );
    assert_eq!(
        config.severity("PSS-HOST-PATH-VOLUMES", Severity::High),
        Severity::Medium
    );

    assert!(config.is_locked("PSS-PRIVILEGED"));
    assert!(!config.is_locked("PSS-APPARMOR"));

    assert_eq!(
        config.allowed_capabilities.as_deref(),
        Some(&["NET_BIND_SERVICE".to_string(), "CHOWN".to_string()][..])
    );
    assert_eq!(
        config.images.allowed_registries.as_deref(),
        Some(
            &[
                "*.azurecr.io".to_string(),
                "registry.example.com/team/*".to_string()
            ][..]
        )
    );
    assert_eq!(config.images.forbidden_registries, ["docker.io/*"]);
    assert!(config.images.require_digest);

    assert_eq!(config.exceptions.len(), 2);
    let x = &config.exceptions[0];
    assert_eq!(x.rule, "PSS-HOST-PATH-VOLUMES");
    assert!(x.namespace.as_ref().unwrap().matches("kube-system"));
    assert!(x.name.as_ref().unwrap().matches("node-exporter-abc12"));
    assert!(!x.name.as_ref().unwrap().matches("exporter"));
    assert!(x.kind.as_ref().unwrap().matches("DaemonSet"));
    assert_eq!(x.reason, "needs /proc and /sys of the host");
    assert_eq!(x.expires, Date::parse("2027-03-31"));
    assert!(
        !x.expired(Date::parse("2027-03-31").unwrap()),
        "applies on its last day"
    );
    assert!(x.expired(Date::parse("2027-04-01").unwrap()));
    let y = &config.exceptions[1];
    assert!(y.namespace.is_none() && y.name.is_none() && y.kind.is_none() && y.expires.is_none());
}

#[test]
fn yaml_reads_every_option() {
    let config = parse("palisade.yaml", YAML, ConfigFormat::Yaml, KNOWN).unwrap();
    assert_eq!(config.source.as_deref(), Some("palisade.yaml"));
    check_full(&config);
    assert_eq!(config.exceptions[0].span.line(), 20);
    assert_eq!(config.enable[1].span.line(), 7);
}

#[test]
fn toml_reads_every_option() {
    let config = parse("palisade.toml", TOML, ConfigFormat::Toml, KNOWN).unwrap();
    check_full(&config);
}

#[test]
fn yaml_and_toml_agree() {
    let a = parse("c", YAML, ConfigFormat::Yaml, KNOWN).unwrap();
    let b = parse("c", TOML, ConfigFormat::Toml, KNOWN).unwrap();
    let values = |c: &Config| {
        (
            c.enable.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
            c.disable
                .iter()
                .map(|s| s.value.clone())
                .collect::<Vec<_>>(),
            c.locked.iter().map(|s| s.value.clone()).collect::<Vec<_>>(),
            c.severity
                .iter()
                .map(|(s, v)| (s.value.clone(), *v))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(values(&a), values(&b));
    assert_eq!(a.images, b.images);
    assert_eq!(a.allowed_capabilities, b.allowed_capabilities);
    assert_eq!(a.pss_level, b.pss_level);
    assert_eq!(a.pss_version, b.pss_version);
    let strip = |c: &Config| {
        c.exceptions
            .iter()
            .map(|x| {
                (
                    x.rule.clone(),
                    x.reason.clone(),
                    x.expires,
                    x.name.as_ref().map(|p| p.text.clone()),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&a), strip(&b));
}

#[test]
fn empty_and_minimal_files_are_the_default() {
    for (text, format) in [
        ("", ConfigFormat::Yaml),
        ("# nothing yet\n", ConfigFormat::Yaml),
        ("---\n", ConfigFormat::Yaml),
        ("", ConfigFormat::Toml),
        ("version = 1\n", ConfigFormat::Toml),
        ("version: 1\nrules:\nexceptions: []\n", ConfigFormat::Yaml),
    ] {
        let config = parse("c", text, format, KNOWN).unwrap();
        assert!(
            config.enable.is_empty() && config.disable.is_empty() && config.exceptions.is_empty()
        );
        assert_eq!(config.pss_level, None);
        assert_eq!(config.allowed_capabilities, None);
        assert!(config.rule_enabled("PSS-PRIVILEGED", true));
        assert!(!config.rule_enabled("PAL-PREVIEW-001", false));
        assert_eq!(
            config.severity("PSS-PRIVILEGED", Severity::High),
            Severity::High
        );
    }
    let default = Config::default();
    assert!(default.rule_enabled("X", true) && !default.rule_enabled("X", false));
    assert_eq!(default.source, None);
}

#[test]
fn pss_latest_and_restricted() {
    let config = parse(
        "c",
        "pss: { level: restricted, version: latest }\n",
        ConfigFormat::Yaml,
        KNOWN,
    )
    .unwrap();
    assert_eq!(config.pss_level, Some(PssLevel::Restricted));
    assert_eq!(config.pss_version, Some(PssVersionSetting::Latest));
}

#[test]
fn a_lock_more_specific_than_a_disable_keeps_the_rule_on() {
    let config = parse(
        "c",
        "rules:\n  disable: [PSS-]\n  lock: [PSS-PRIVILEGED]\n",
        ConfigFormat::Yaml,
        KNOWN,
    )
    .unwrap();
    assert!(config.rule_enabled("PSS-PRIVILEGED", true));
    assert!(!config.rule_enabled("PSS-APPARMOR", true));
}

#[test]
fn config_rule_ids_are_always_known() {
    let config = parse(
        "c",
        "rules:\n  disable: [PAL-CONFIG-EXPIRED-EXCEPTION]\n",
        ConfigFormat::Yaml,
        &[],
    )
    .unwrap();
    assert!(!config.rule_enabled("PAL-CONFIG-EXPIRED-EXCEPTION", true));
}
