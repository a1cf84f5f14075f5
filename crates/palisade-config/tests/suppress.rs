//! Suppression by annotation and by config exception, locked rules, and
//! expired exceptions, on objects loaded by the real loader.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_config::{
    parse, Config, ConfigFormat, Date, EXPIRED_EXCEPTION, INVALID_SUPPRESSION, LOCKED_RULE,
};
use palisade_model::{Finding, Location, Resource, Severity, SuppressionKind};

const KNOWN: &[&str] = &[
    "PSS-PRIVILEGED",
    "PSS-HOST-PATH-VOLUMES",
    "PSS-HOST-NAMESPACES",
    "PSS-CAPABILITIES",
    "PAL-K8S-001",
];

fn resource(yaml: &str) -> Resource {
    let loaded = palisade_load::load_str("deploy.yaml", yaml, &palisade_load::Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.resources.len(), 1);
    loaded.resources.into_iter().next().unwrap()
}

fn finding(resource: &Resource, rule_id: &'static str) -> Finding {
    Finding {
        location: Location {
            file: resource.file.clone(),
            span: resource.span,
        },
        rule_id,
        severity: Severity::High,
        message: format!("{} violates {rule_id}", resource.reference()),
        resource: resource.reference(),
        container: None,
        pss: None,
        suppressed: None,
    }
}

fn config(yaml: &str) -> Config {
    parse("palisade.yaml", yaml, ConfigFormat::Yaml, KNOWN).unwrap()
}

fn today() -> Date {
    Date::parse("2026-06-01").unwrap()
}

fn deployment(object_annotation: &str, template_annotation: &str) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  annotations:
{object_annotation}
spec:
  template:
    metadata:
      annotations:
{template_annotation}
    spec:
      containers:
        - name: app
          image: nginx
"#
    )
}

fn ids(findings: &[Finding]) -> Vec<(&'static str, bool)> {
    findings
        .iter()
        .map(|f| (f.rule_id, f.suppressed.is_some()))
        .collect()
}

#[test]
fn annotation_on_the_object_and_on_the_template() {
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"PSS-PRIVILEGED: debug build, removed in #42\"",
        "        palisade.dev/ignore: |\n          PSS-CAPABILITIES: needs NET_ADMIN for the VPN\n          PAL-K8S-001: pinned by pipeline; PSS-HOST-NAMESPACES: node agent",
    ));
    let mut findings: Vec<Finding> = [
        "PSS-PRIVILEGED",
        "PSS-CAPABILITIES",
        "PAL-K8S-001",
        "PSS-HOST-NAMESPACES",
        "PSS-HOST-PATH-VOLUMES",
    ]
    .into_iter()
    .map(|id| finding(&r, id))
    .collect();
    Config::new(KNOWN).suppress(&r, &mut findings, today());
    assert_eq!(
        ids(&findings),
        [
            ("PSS-PRIVILEGED", true),
            ("PSS-CAPABILITIES", true),
            ("PAL-K8S-001", true),
            ("PSS-HOST-NAMESPACES", true),
            ("PSS-HOST-PATH-VOLUMES", false),
        ]
    );
    let s = findings[0].suppressed.as_ref().unwrap();
    assert_eq!(s.kind, SuppressionKind::Annotation);
    assert_eq!(s.reason, "debug build, removed in #42");
    let loc = s.location.as_ref().unwrap();
    assert_eq!((&*loc.file, loc.span.line()), ("deploy.yaml", 7));
    assert_eq!(
        findings[2].suppressed.as_ref().unwrap().reason,
        "pinned by pipeline"
    );
    assert_eq!(
        findings[3].suppressed.as_ref().unwrap().reason,
        "node agent"
    );
}

#[test]
fn annotation_on_a_pod_is_read_once() {
    let r = resource(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    palisade.dev/ignore: \"NOPE: x\"\nspec:\n  containers: [{name: a, image: b}]\n",
    );
    let mut findings = vec![];
    Config::new(KNOWN).suppress(&r, &mut findings, today());
    assert_eq!(ids(&findings), [(INVALID_SUPPRESSION, false)]);
}

#[test]
fn an_id_prefix_suppresses_the_rules_it_starts() {
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"PSS-HOST-: node agent\"",
        "        a: b",
    ));
    let mut findings = vec![
        finding(&r, "PSS-HOST-PATH-VOLUMES"),
        finding(&r, "PSS-HOST-NAMESPACES"),
        finding(&r, "PSS-PRIVILEGED"),
    ];
    Config::new(KNOWN).suppress(&r, &mut findings, today());
    assert_eq!(
        ids(&findings),
        [
            ("PSS-HOST-PATH-VOLUMES", true),
            ("PSS-HOST-NAMESPACES", true),
            ("PSS-PRIVILEGED", false)
        ]
    );
}

#[test]
fn malformed_annotations_become_findings() {
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"PSS-PRIVILEGED; PSS-PRIVILGED: typo; PAL-K8S-001:   ; just words here\"",
        "        a: b",
    ));
    let mut findings = vec![finding(&r, "PSS-PRIVILEGED"), finding(&r, "PAL-K8S-001")];
    Config::new(KNOWN).suppress(&r, &mut findings, today());
    assert_eq!(
        ids(&findings),
        [
            ("PSS-PRIVILEGED", false),
            ("PAL-K8S-001", false),
            (INVALID_SUPPRESSION, false),
            (INVALID_SUPPRESSION, false),
            (INVALID_SUPPRESSION, false),
            (INVALID_SUPPRESSION, false),
        ]
    );
    let messages: Vec<&str> = findings[2..].iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Deployment/shop/web: `palisade.dev/ignore` entry for `PSS-PRIVILEGED` has no reason; write `PSS-PRIVILEGED: <why this is accepted>`",
            "Deployment/shop/web: `palisade.dev/ignore` names unknown rule `PSS-PRIVILGED`; did you mean `PSS-PRIVILEGED`?",
            "Deployment/shop/web: `palisade.dev/ignore` entry for `PAL-K8S-001` has no reason; write `PAL-K8S-001: <why this is accepted>`",
            "Deployment/shop/web: `palisade.dev/ignore` entry `just words here` does not start with a rule id; write `RULE-ID: reason`",
        ]
    );
    let f = &findings[2];
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        (&*f.location.file, f.location.span.line()),
        ("deploy.yaml", 7)
    );
    assert_eq!(f.resource, r.reference());
}

#[test]
fn locked_rules_cannot_be_suppressed_by_annotation() {
    let cfg =
        config("rules:\n  lock: [PSS-PRIVILEGED]\n  severity: {PAL-CONFIG-LOCKED-RULE: high}\n");
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"PSS-PRIVILEGED: we need it; PSS-CAPABILITIES: vpn\"",
        "        a: b",
    ));
    let mut findings = vec![
        finding(&r, "PSS-PRIVILEGED"),
        finding(&r, "PSS-CAPABILITIES"),
    ];
    cfg.suppress(&r, &mut findings, today());
    assert_eq!(
        ids(&findings),
        [
            ("PSS-PRIVILEGED", false),
            ("PSS-CAPABILITIES", true),
            (LOCKED_RULE, false)
        ]
    );
    assert_eq!(
        findings[2].severity,
        Severity::High,
        "severity override applies"
    );
    assert!(findings[2]
        .message
        .contains("cannot suppress locked rule `PSS-PRIVILEGED`"));

    // Even without a finding to suppress, naming a locked rule is reported.
    let mut none = vec![];
    cfg.suppress(&r, &mut none, today());
    assert_eq!(ids(&none), [(LOCKED_RULE, false)]);

    // A prefix entry suppresses the unlocked rules and reports the locked one.
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"PSS-: legacy\"",
        "        a: b",
    ));
    let mut findings = vec![
        finding(&r, "PSS-PRIVILEGED"),
        finding(&r, "PSS-CAPABILITIES"),
    ];
    cfg.suppress(&r, &mut findings, today());
    assert_eq!(
        ids(&findings),
        [
            ("PSS-PRIVILEGED", false),
            ("PSS-CAPABILITIES", true),
            (LOCKED_RULE, false)
        ]
    );
}

#[test]
fn config_exceptions_still_apply_to_locked_rules() {
    let cfg = config(
        "rules:\n  lock: [PSS-PRIVILEGED]\nexceptions:\n  - rule: PSS-PRIVILEGED\n    namespace: shop\n    reason: reviewed by platform team\n",
    );
    let r = resource(&deployment("    x: y", "        a: b"));
    let mut findings = vec![finding(&r, "PSS-PRIVILEGED")];
    cfg.suppress(&r, &mut findings, today());
    let s = findings[0].suppressed.as_ref().unwrap();
    assert_eq!(s.kind, SuppressionKind::Config);
    assert_eq!(s.reason, "reviewed by platform team");
    let loc = s.location.as_ref().unwrap();
    assert_eq!(
        (&*loc.file, loc.span.line(), loc.span.column()),
        ("palisade.yaml", 4, 5)
    );
}

#[test]
fn exceptions_match_by_namespace_name_and_kind_globs() {
    let cfg = config(
        r#"exceptions:
  - rule: PSS-HOST-PATH-VOLUMES
    namespace: "kube-*"
    name: "node-exporter-*"
    kind: DaemonSet
    reason: needs /proc and /sys of the host
  - rule: PAL-K8S-001
    namespace: "*"
    reason: any object with a namespace, also the empty one
  - rule: PSS-CAPABILITIES
    kind: "{Job,CronJob}"
    reason: batch tooling
"#,
    );
    let object = |kind: &str, ns: Option<&str>, name: &str| {
        let ns = ns.map_or(String::new(), |n| format!("  namespace: {n}\n"));
        resource(&format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\n{ns}spec:\n  template:\n    spec:\n      containers: [{{name: a, image: b}}]\n"
        ))
    };
    let suppressed = |r: &Resource, id: &'static str| {
        let mut f = vec![finding(r, id)];
        cfg.suppress(r, &mut f, today());
        f[0].suppressed.is_some()
    };
    let ds = object("DaemonSet", Some("kube-system"), "node-exporter-x1");
    assert!(suppressed(&ds, "PSS-HOST-PATH-VOLUMES"));
    assert!(!suppressed(&ds, "PSS-PRIVILEGED"), "other rule");
    assert!(
        !suppressed(
            &object("Deployment", Some("kube-system"), "node-exporter-x1"),
            "PSS-HOST-PATH-VOLUMES"
        ),
        "kind"
    );
    assert!(
        !suppressed(
            &object("DaemonSet", Some("monitoring"), "node-exporter-x1"),
            "PSS-HOST-PATH-VOLUMES"
        ),
        "namespace"
    );
    assert!(
        !suppressed(
            &object("DaemonSet", Some("kube-system"), "fluentd"),
            "PSS-HOST-PATH-VOLUMES"
        ),
        "name"
    );
    assert!(
        !suppressed(
            &object("DaemonSet", None, "node-exporter-x1"),
            "PSS-HOST-PATH-VOLUMES"
        ),
        "no namespace"
    );
    assert!(
        suppressed(&object("StatefulSet", None, "db"), "PAL-K8S-001"),
        "`*` matches the empty namespace"
    );
    assert!(suppressed(&object("Job", None, "j"), "PSS-CAPABILITIES"));
    assert!(!suppressed(
        &object("Deployment", None, "j"),
        "PSS-CAPABILITIES"
    ));
}

#[test]
fn expired_exceptions_stop_applying_and_are_reported() {
    let cfg = config(
        "exceptions:\n  - rule: PSS-PRIVILEGED\n    reason: until the CSI upgrade\n    expires: 2026-05-31\n  - rule: PSS-CAPABILITIES\n    reason: vpn\n    expires: 2026-06-01\n",
    );
    let r = resource(&deployment("    x: y", "        a: b"));
    let mut findings = vec![
        finding(&r, "PSS-PRIVILEGED"),
        finding(&r, "PSS-CAPABILITIES"),
    ];
    cfg.suppress(&r, &mut findings, today());
    assert_eq!(
        ids(&findings),
        [("PSS-PRIVILEGED", false), ("PSS-CAPABILITIES", true)]
    );

    let expired = cfg.expired_exceptions(today());
    assert_eq!(expired.len(), 1);
    let f = &expired[0];
    assert_eq!(f.rule_id, EXPIRED_EXCEPTION);
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(
        (
            &*f.location.file,
            f.location.span.line(),
            f.location.span.column()
        ),
        ("palisade.yaml", 2, 5)
    );
    assert_eq!(
        f.message,
        "exception for `PSS-PRIVILEGED` expired on 2026-05-31 and no longer applies (reason: until the CSI upgrade)"
    );
    assert_eq!(
        cfg.expired_exceptions(Date::parse("2026-06-02").unwrap())
            .len(),
        2
    );
    assert!(cfg
        .expired_exceptions(Date::parse("2026-05-31").unwrap())
        .is_empty());

    let quiet = config(
        "rules:\n  disable: [PAL-CONFIG-EXPIRED-EXCEPTION]\nexceptions:\n  - rule: PSS-PRIVILEGED\n    reason: r\n    expires: 2020-01-01\n",
    );
    assert!(quiet.expired_exceptions(today()).is_empty(), "disabled");
}

#[test]
fn already_suppressed_findings_are_left_alone() {
    let cfg = config("exceptions:\n  - rule: PSS-\n    reason: config says so\n");
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"PSS-PRIVILEGED: annotation says so\"",
        "        a: b",
    ));
    let mut first = finding(&r, "PSS-PRIVILEGED");
    first.suppressed = Some(palisade_model::Suppression {
        kind: SuppressionKind::Config,
        reason: "earlier".into(),
        location: None,
    });
    let mut findings = vec![first.clone(), finding(&r, "PSS-CAPABILITIES")];
    cfg.suppress(&r, &mut findings, today());
    assert_eq!(findings[0], first);
    assert_eq!(
        findings[1].suppressed.as_ref().unwrap().reason,
        "config says so"
    );
    // Running twice adds nothing.
    let before = findings.clone();
    cfg.suppress(&r, &mut findings, today());
    assert_eq!(findings, before);
}

#[test]
fn disabled_config_rules_are_not_reported() {
    let cfg = config("rules:\n  disable: [PAL-CONFIG-]\n");
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"nonsense\"",
        "        a: b",
    ));
    let mut findings = vec![];
    cfg.suppress(&r, &mut findings, today());
    assert!(findings.is_empty());
}

#[test]
fn default_config_accepts_any_annotation_id() {
    let r = resource(&deployment(
        "    palisade.dev/ignore: \"FUTURE-RULE: r\"",
        "        a: b",
    ));
    let mut findings = vec![];
    Config::default().suppress(&r, &mut findings, today());
    assert!(findings.is_empty(), "no registry to check against");
}

#[test]
fn cronjob_pod_template_annotation_is_read() {
    let r = resource(
        r#"apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            palisade.dev/ignore: "PSS-HOST-PATH-VOLUMES: reads the node's backup dir"
        spec:
          containers: [{name: a, image: b}]
"#,
    );
    let mut findings = vec![finding(&r, "PSS-HOST-PATH-VOLUMES")];
    Config::new(KNOWN).suppress(&r, &mut findings, today());
    let s = findings[0].suppressed.as_ref().unwrap();
    assert_eq!(s.reason, "reads the node's backup dir");
    assert_eq!(s.location.as_ref().unwrap().span.line(), 12);
}
