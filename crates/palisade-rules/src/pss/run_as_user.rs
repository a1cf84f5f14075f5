//! `runAsUser` (restricted, v1.23+): pods and containers must not set runAsUser=0.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{forbid_setting, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-RUN-AS-USER",
    title: "Container runs as UID 0",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Pods and containers never set runAsUser to 0",
    rationale: "`runAsUser: 0` explicitly runs the container as root, whatever the image says, \
        and then the kubelet also refuses it under `runAsNonRoot: true` only at start time. \
        Root in the container is root on the node's kernel, which makes every escape or \
        host-mount mistake a node compromise. From policy v1.35 pods in a user namespace \
        (`hostUsers: false`) are exempt.",
    remediation: "Remove `runAsUser: 0` or set a non-zero UID that owns the files the \
        application needs.",
    example: "\
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",
    ],
    pss: Some((PssLevel::Restricted, "runAsUser")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision.exempts(&pod.spec) {
        return;
    }
    forbid_setting(
        pod,
        |sc| sc.run_as_user.as_ref(),
        |sc| sc.run_as_user.as_ref(),
        |user| (user.value == 0).then(|| (user.span, "securityContext.runAsUser=0".to_string())),
        report,
    );
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, SecurityContext};

    use super::super::testutil::*;
    use super::*;

    fn user(name: &str, line: u32, uid: i64) -> palisade_model::Container {
        with_sc(
            name,
            line,
            SecurityContext {
                run_as_user: field(uid, line + 2),
                ..SecurityContext::default()
            },
        )
    }

    #[test]
    fn reports_uid_zero_on_pod_and_containers() {
        let mut s = spec(vec![user("root", 20, 0), user("app", 30, 1000)]);
        s.security_context = Some(PodSecurityContext {
            run_as_user: field(0, 12),
            ..PodSecurityContext::default()
        });
        let found = restricted(&RULE, &pod(s), 23);
        assert_eq!(lines(&found), [12, 22]);
        assert_eq!(
            found[1].message,
            "container \"root\" must not set securityContext.runAsUser=0"
        );
    }

    #[test]
    fn starts_at_1_23_and_exempts_user_namespaces_from_1_35() {
        let mut s = spec(vec![user("root", 20, 0)]);
        assert!(restricted(&RULE, &pod(s.clone()), 22).is_empty());
        assert!(baseline(&RULE, &pod(s.clone()), 37).is_empty());
        s.host_users = field(false, 11);
        assert_eq!(restricted(&RULE, &pod(s.clone()), 34).len(), 1);
        assert!(restricted(&RULE, &pod(s), 35).is_empty());
    }
}
