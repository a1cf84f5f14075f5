//! A small fixed scan result every format test renders: two files with
//! findings (one suppressed by annotation, one by config), a file without
//! findings, and two input errors.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use palisade_model::{
    Finding, FixAvailability, InputError, Location, Pos, PssLevel, PssRef, ResourceRef, RuleMeta,
    RuleStatus, Severity, Span, Suppression, SuppressionKind,
};
use palisade_report::{render, Format, Report, Summary, TableOptions};

pub static PRIVILEGED: RuleMeta = RuleMeta {
    id: "PSS-PRIVILEGED",
    title: "Privileged container",
    severity: Severity::Critical,
    kinds: &["*"],
    practice: "Run containers unprivileged",
    rationale: "A privileged container has every capability and all host devices.",
    remediation: "Remove `securityContext.privileged` or set it to false.",
    example: "securityContext:\n  privileged: false\n",
    references: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
    pss: Some((PssLevel::Baseline, "privileged")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

pub static HOST_NAMESPACES: RuleMeta = RuleMeta {
    id: "PSS-HOST-NAMESPACES",
    title: "Host namespaces shared",
    severity: Severity::High,
    kinds: &["*"],
    practice: "Keep pods out of host namespaces",
    rationale: "Sharing host namespaces exposes host processes and network.",
    remediation: "Remove hostNetwork, hostPID and hostIPC.",
    example: "",
    references: &[],
    pss: Some((PssLevel::Baseline, "hostNamespaces")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

pub static MEMORY_LIMIT: RuleMeta = RuleMeta {
    id: "PAL-K8S-003",
    title: "Missing memory limit",
    severity: Severity::Medium,
    kinds: &["*"],
    practice: "Bound resource use",
    rationale: "Without a memory limit one container can starve the node.",
    remediation: "Set resources.limits.memory.",
    example: "resources:\n  limits:\n    memory: 256Mi\n",
    references: &["CIS 5.7.4"],
    pss: None,
    status: RuleStatus::Preview,
    fix: FixAvailability::Never,
};

pub static TOKEN: RuleMeta = RuleMeta {
    id: "PAL-K8S-010",
    title: "Service account token mounted",
    severity: Severity::Low,
    kinds: &["*"],
    practice: "Mount API credentials only where needed",
    rationale: "A mounted token lets a compromised container call the API server.",
    remediation: "Set automountServiceAccountToken: false.",
    example: "",
    references: &[],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

pub static RULES: [&RuleMeta; 4] = [&PRIVILEGED, &HOST_NAMESPACES, &MEMORY_LIMIT, &TOKEN];

pub fn span(line: u32, column: u32, end_line: u32, end_column: u32) -> Span {
    Span::new(
        Pos { line, column },
        Pos {
            line: end_line,
            column: end_column,
        },
    )
}

#[allow(clippy::too_many_arguments)]
pub fn finding(
    file: &str,
    span: Span,
    rule: &RuleMeta,
    message: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    container: Option<&str>,
) -> Finding {
    Finding {
        location: Location {
            file: Arc::from(file),
            span,
        },
        rule_id: rule.id,
        severity: rule.severity,
        message: message.to_string(),
        resource: ResourceRef {
            kind: kind.to_string(),
            name: name.to_string(),
            namespace: namespace.map(str::to_string),
        },
        container: container.map(str::to_string),
        pss: rule.pss.map(|(level, check)| PssRef { level, check }),
        suppressed: None,
    }
}

pub fn findings() -> Vec<Finding> {
    let mut token = finding(
        "deploy/web.yaml",
        span(40, 5, 40, 38),
        &TOKEN,
        "Deployment \"web\" mounts the service account token",
        "Deployment",
        Some("prod"),
        "web",
        None,
    );
    token.suppressed = Some(Suppression {
        kind: SuppressionKind::Annotation,
        reason: "needs API access".to_string(),
        location: None,
    });
    let mut cron_limit = finding(
        "jobs/cron.yaml",
        span(12, 7, 12, 7),
        &MEMORY_LIMIT,
        "container \"backup\" has no memory limit",
        "CronJob",
        None,
        "nightly",
        Some("backup"),
    );
    cron_limit.suppressed = Some(Suppression {
        kind: SuppressionKind::Config,
        reason: "limits come from the namespace LimitRange".to_string(),
        location: None,
    });
    vec![
        finding(
            "deploy/web.yaml",
            span(21, 13, 21, 17),
            &PRIVILEGED,
            "container \"app\" is privileged",
            "Deployment",
            Some("prod"),
            "web",
            Some("app"),
        ),
        finding(
            "deploy/web.yaml",
            span(30, 9, 30, 9),
            &MEMORY_LIMIT,
            "container \"app\" has no memory limit; set resources.limits.memory so that one \
             runaway process cannot take the whole node down with it",
            "Deployment",
            Some("prod"),
            "web",
            Some("app"),
        ),
        token,
        finding(
            "jobs/cron.yaml",
            span(5, 3, 5, 20),
            &HOST_NAMESPACES,
            "CronJob \"nightly\" shares the host network (hostNetwork: true)",
            "CronJob",
            None,
            "nightly",
            None,
        ),
        cron_limit,
    ]
}

pub fn errors() -> Vec<InputError> {
    vec![
        InputError {
            file: Arc::from("broken.yaml"),
            span: Some(Span::point(3, 7)),
            message: "mapping values are not allowed in this context".to_string(),
            help: Some("quote the value if it contains `: `".to_string()),
        },
        InputError {
            file: Arc::from("missing.yaml"),
            span: None,
            message: "cannot read file: no such file or directory".to_string(),
            help: None,
        },
    ]
}

pub fn scanned() -> Vec<Arc<str>> {
    [
        "deploy/web.yaml",
        "jobs/cron.yaml",
        "ok/service.yaml",
        "broken.yaml",
        "missing.yaml",
    ]
    .into_iter()
    .map(Arc::from)
    .collect()
}

pub fn summary() -> Summary {
    Summary {
        files: 5,
        documents: 6,
        objects: 3,
        skipped_non_kubernetes: 1,
        skipped_unknown_kinds: 0,
        rules_run: 4,
    }
}

pub fn report<'a>(
    findings: &'a [Finding],
    errors: &'a [InputError],
    scanned: &'a [Arc<str>],
    show_suppressed: bool,
) -> Report<'a> {
    Report {
        findings,
        errors,
        rules: &RULES,
        summary: summary(),
        show_suppressed,
        tool_version: "0.1.0",
        base_dir: None,
        scanned_files: scanned,
    }
}

pub fn render_to_string(report: &Report, format: Format, color: bool) -> String {
    let mut out = Vec::new();
    render(report, format, TableOptions { color }, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Compares `actual` with `tests/expected/<name>`; with
/// `PALISADE_UPDATE_EXPECTED=1` writes it instead (review the diff).
pub fn assert_expected(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected")
        .join(name);
    if std::env::var_os("PALISADE_UPDATE_EXPECTED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set PALISADE_UPDATE_EXPECTED=1)", path.display()));
    if expected != actual {
        panic!(
            "{} differs from the rendered output:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        );
    }
}

/// A message written to attack every format at once.
pub const HOSTILE: &str =
    "evil \"quoted\" 'single' <tag attr=\"x\"> & &amp; \x1b[2J\x1b]0;owned\x07 line1\nline2\r\n\0nul \u{202e}rtl \u{9b}31m end";
