//! `allowPrivilegeEscalation` (restricted, v1.8+): containers must set allowPrivilegeEscalation=false.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{container_setting, security_context_span, who, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-ALLOW-PRIVILEGE-ESCALATION",
    title: "Container allows privilege escalation",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers set allowPrivilegeEscalation to false",
    rationale: "Unless `allowPrivilegeEscalation` is false, the kernel's no_new_privs flag is \
        not set, so a process can gain privileges it did not start with by executing a \
        set-user-ID or set-group-ID binary or a file with capabilities. That turns any such \
        binary in the image into a step towards root. The default is to allow it, so the \
        field must be set explicitly. Windows pods are exempt from policy v1.25, where the \
        field does not apply.",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, \
        init container and ephemeral container.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        allowPrivilegeEscalation: false
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://www.kernel.org/doc/html/latest/userspace-api/no_new_privs.html",
    ],
    pss: Some((PssLevel::Restricted, "allowPrivilegeEscalation")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision.exempts(&pod.spec) {
        return;
    }
    for c in &pod.spec.containers {
        match container_setting(c, |sc| sc.allow_privilege_escalation.as_ref()) {
            Some(flag) if !flag.value => {}
            Some(flag) => report.container(
                c,
                flag.span,
                format!(
                    "{} must set securityContext.allowPrivilegeEscalation=false, not true",
                    who(c)
                ),
            ),
            None => report.container(
                c,
                security_context_span(c),
                format!(
                    "{} must set securityContext.allowPrivilegeEscalation=false",
                    who(c)
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, SecurityContext};

    use super::super::testutil::*;
    use super::*;

    fn ape(name: &str, line: u32, value: Option<bool>) -> palisade_model::Container {
        with_sc(
            name,
            line,
            SecurityContext {
                allow_privilege_escalation: value.map(|v| at(v, line + 2)),
                ..SecurityContext::default()
            },
        )
    }

    #[test]
    fn requires_false_on_every_container() {
        let res = pod(spec(vec![
            container(ContainerKind::Init, "init", 20),
            ape("unset", 30, None),
            ape("yes", 40, Some(true)),
            ape("no", 50, Some(false)),
        ]));
        let found = restricted(&RULE, &res, 8);
        assert_eq!(lines(&found), [20, 31, 42]);
        assert_eq!(
            found[0].message,
            "init container \"init\" must set securityContext.allowPrivilegeEscalation=false"
        );
        assert_eq!(found[2].container.as_deref(), Some("yes"));
    }

    #[test]
    fn starts_at_1_8_and_only_at_restricted() {
        let res = pod(spec(vec![ape("yes", 40, Some(true))]));
        assert!(restricted(&RULE, &res, 7).is_empty());
        assert_eq!(restricted(&RULE, &res, 8).len(), 1);
        assert!(baseline(&RULE, &res, 37).is_empty());
    }

    #[test]
    fn windows_pods_are_exempt_from_1_25() {
        let mut s = spec(vec![ape("unset", 30, None)]);
        s.os_name = field("windows".to_string(), 12);
        assert_eq!(restricted(&RULE, &pod(s.clone()), 24).len(), 1);
        assert!(restricted(&RULE, &pod(s), 25).is_empty());
    }
}
