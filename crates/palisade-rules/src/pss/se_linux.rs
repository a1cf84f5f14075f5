//! `seLinuxOptions` (baseline): pods must not set a custom SELinux user or role, or an unusual type.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, SeLinuxOptions, Severity, Span,
    WORKLOAD_KINDS,
};

use super::versions::SELINUX_TYPES_1_0;
use super::{forbid_setting, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-SELINUX",
    title: "Custom SELinux options",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers run under the runtime's SELinux container types",
    rationale: "SELinux confines containers through their process type (container_t and its \
        relatives). Setting another type, such as spc_t or unconfined_t, or a custom SELinux \
        user or role lifts that confinement and can give the container the access of a host \
        service. Baseline allows only the container types (container_engine_t from policy \
        v1.31) and no user or role.",
    remediation: "Remove `seLinuxOptions.user` and `seLinuxOptions.role`, and leave \
        `seLinuxOptions.type` unset or set it to `container_t`, `container_init_t`, \
        `container_kvm_t` or (v1.31+) `container_engine_t`.",
    example: "\
spec:
  securityContext:
    seLinuxOptions:
      level: \"s0:c123,c456\"
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container",
    ],
    pss: Some((PssLevel::Baseline, "seLinuxOptions")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

/// Each forbidden part of `opts`: where it is and what to say about it.
fn problems(opts: &SeLinuxOptions, allowed: &[&str]) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    let kind = opts.type_.as_ref().map_or("", |t| t.value.as_str());
    if !allowed.contains(&kind) {
        let span = opts.type_.as_ref().map_or(opts.span, |t| t.span);
        out.push((span, format!("seLinuxOptions.type {kind:?}")));
    }
    for (name, value) in [("user", &opts.user), ("role", &opts.role)] {
        if let Some(v) = value.as_ref().filter(|v| !v.value.is_empty()) {
            out.push((v.span, format!("seLinuxOptions.{name} {:?}", v.value)));
        }
    }
    out
}

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    let allowed = match revision {
        Revision::Allowed(list) => list,
        _ => SELINUX_TYPES_1_0,
    };
    forbid_setting(
        pod,
        |sc| sc.se_linux_options.as_ref(),
        |sc| sc.se_linux_options.as_ref(),
        |opts| {
            problems(opts, allowed)
                .into_iter()
                .map(|(span, what)| (span, format!("securityContext.{what}")))
        },
        report,
    );
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, SecurityContext};

    use super::super::testutil::*;
    use super::*;

    fn opts(
        line: u32,
        kind: Option<&str>,
        user: Option<&str>,
        role: Option<&str>,
    ) -> Option<SeLinuxOptions> {
        let f = |v: Option<&str>, l| v.map(|v| at(v.to_string(), l));
        Some(SeLinuxOptions {
            span: Span::point(line, 5),
            type_: f(kind, line + 1),
            user: f(user, line + 2),
            role: f(role, line + 3),
            level: None,
        })
    }

    fn with_container_opts(o: Option<SeLinuxOptions>) -> palisade_model::Resource {
        pod(spec(vec![with_sc(
            "app",
            20,
            SecurityContext {
                se_linux_options: o,
                ..SecurityContext::default()
            },
        )]))
    }

    #[test]
    fn reports_type_user_and_role_separately() {
        let mut s = spec(vec![]);
        s.security_context = Some(PodSecurityContext {
            se_linux_options: opts(12, Some("spc_t"), Some("system_u"), Some("")),
            ..PodSecurityContext::default()
        });
        let found = baseline(&RULE, &pod(s), 0);
        assert_eq!(lines(&found), [13, 14]);
        assert_eq!(
            found[0].message,
            "pod must not set securityContext.seLinuxOptions.type \"spc_t\""
        );
        assert_eq!(
            found[1].message,
            "pod must not set securityContext.seLinuxOptions.user \"system_u\""
        );
    }

    #[test]
    fn container_types_are_allowed_and_engine_type_from_1_31() {
        for t in ["container_t", "container_init_t", "container_kvm_t", ""] {
            assert!(
                baseline(
                    &RULE,
                    &with_container_opts(opts(22, Some(t), None, None)),
                    0
                )
                .is_empty(),
                "{t}"
            );
        }
        assert!(baseline(&RULE, &with_container_opts(opts(22, None, None, None)), 0).is_empty());
        let engine = with_container_opts(opts(22, Some("container_engine_t"), None, None));
        assert_eq!(baseline(&RULE, &engine, 30).len(), 1);
        assert!(baseline(&RULE, &engine, 31).is_empty());
        let role = with_container_opts(opts(22, None, None, Some("sysadm_r")));
        let found = restricted(&RULE, &role, 37);
        assert_eq!(lines(&found), [25]);
        assert_eq!(found[0].container.as_deref(), Some("app"));
    }
}
