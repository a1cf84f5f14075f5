//! `capabilities_restricted` (restricted, v1.22+): containers must drop ALL and may add only NET_BIND_SERVICE.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{
    container_setting, forbid_added, security_context_span, who, PssRule, Report, Revision,
    PSS_PAGE,
};

static META: RuleMeta = RuleMeta {
    id: "PSS-CAPABILITIES-RESTRICTED",
    title: "Container keeps capabilities beyond NET_BIND_SERVICE",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers drop every capability and add back at most NET_BIND_SERVICE",
    rationale: "Even the runtime's default capabilities give a compromised process more than \
        most applications use: DAC_OVERRIDE bypasses file permissions, SETUID and SETGID \
        change identity, MKNOD creates device nodes, NET_RAW forges packets. Dropping ALL \
        removes these tools from an attacker; NET_BIND_SERVICE alone may be added back to \
        listen on ports below 1024.",
    remediation: "Set `securityContext.capabilities.drop: [\"ALL\"]` on every container and \
        list in `add` nothing but `NET_BIND_SERVICE`.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        capabilities:
          drop: [\"ALL\"]
          add: [\"NET_BIND_SERVICE\"]
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
    ],
    pss: Some((PssLevel::Restricted, "capabilities_restricted")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision.exempts(&pod.spec) {
        return;
    }
    for c in &pod.spec.containers {
        let drop_all = format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            who(c)
        );
        let Some(caps) = container_setting(c, |sc| sc.capabilities.as_ref()) else {
            report.container(c, security_context_span(c), drop_all);
            continue;
        };
        if !caps.drop.iter().any(|d| d.value == "ALL") {
            report.container(c, caps.span, drop_all);
        }
        forbid_added(c, caps, |cap| cap == "NET_BIND_SERVICE", report);
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, Span};

    use super::super::capabilities_baseline::tests::caps;
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn requires_drop_all() {
        let res = pod(spec(vec![
            container(ContainerKind::Init, "bare", 20),
            caps("partial", 30, &[], &["NET_RAW"]),
            caps("good", 50, &["NET_BIND_SERVICE"], &["ALL"]),
        ]));
        let found = restricted(&RULE, &res, 22);
        assert_eq!(lines(&found), [20, 32]);
        assert_eq!(
            found[0].message,
            "init container \"bare\" must set securityContext.capabilities.drop=[\"ALL\"]"
        );
    }

    #[test]
    fn forbids_adding_anything_but_net_bind_service() {
        let res = pod(spec(vec![caps(
            "app",
            20,
            &["CHOWN", "NET_BIND_SERVICE"],
            &["ALL"],
        )]));
        let found = restricted(&RULE, &res, 37);
        assert_eq!(lines(&found), [23]);
        assert!(found[0].message.contains("\"CHOWN\""));
    }

    #[test]
    fn drop_all_is_case_sensitive_like_upstream() {
        let res = pod(spec(vec![caps("app", 20, &[], &["all"])]));
        assert_eq!(restricted(&RULE, &res, 37).len(), 1);
    }

    #[test]
    fn starts_at_1_22_and_exempts_windows_from_1_25() {
        let mut s = spec(vec![container(ContainerKind::Regular, "app", 20)]);
        assert!(restricted(&RULE, &pod(s.clone()), 21).is_empty());
        assert!(baseline(&RULE, &pod(s.clone()), 37).is_empty());
        s.os_name = field("windows".to_string(), 12);
        assert_eq!(restricted(&RULE, &pod(s.clone()), 24).len(), 1);
        assert!(restricted(&RULE, &pod(s.clone()), 25).is_empty());
        s.os_name = field("linux".to_string(), 12);
        assert_eq!(restricted(&RULE, &pod(s), 25).len(), 1);
    }

    #[test]
    fn missing_capabilities_points_at_the_security_context() {
        let mut c = container(ContainerKind::Regular, "app", 20);
        c.security_context = Some(palisade_model::SecurityContext {
            span: Span::point(22, 7),
            ..Default::default()
        });
        let found = restricted(&RULE, &pod(spec(vec![c])), 37);
        assert_eq!(found[0].location.span, Span::point(22, 7));
    }
}
