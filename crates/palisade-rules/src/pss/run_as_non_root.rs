//! `runAsNonRoot` (restricted): containers must be required to run as a non-root user.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{
    container_setting, pod_setting, security_context_span, who, PssRule, Report, Revision, PSS_PAGE,
};

static META: RuleMeta = RuleMeta {
    id: "PSS-RUN-AS-NON-ROOT",
    title: "Container may run as root",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers set runAsNonRoot to true",
    rationale: "Most images run as root unless told otherwise. Root in a container is root on \
        the node's kernel: every container escape, writable host mount or kernel bug is \
        worth far more to an attacker who starts as UID 0. `runAsNonRoot: true` makes the \
        kubelet refuse to start a container whose user would be root. From policy v1.35 \
        pods in a user namespace (`hostUsers: false`) are exempt, since their root maps to \
        an unprivileged user on the node.",
    remediation: "Set `securityContext.runAsNonRoot: true` on the pod (or on every \
        container), and make sure the image runs as a non-zero UID (`USER` in the \
        Dockerfile or `runAsUser`).",
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
    pss: Some((PssLevel::Restricted, "runAsNonRoot")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision.exempts(&pod.spec) {
        return;
    }
    let pod_flag = pod_setting(pod, |sc| sc.run_as_non_root.as_ref());
    if let Some(flag) = pod_flag.filter(|f| !f.value) {
        report.pod(
            flag.span,
            "pod must not set securityContext.runAsNonRoot=false".to_string(),
        );
    }
    for c in &pod.spec.containers {
        match container_setting(c, |sc| sc.run_as_non_root.as_ref()) {
            Some(f) if !f.value => report.container(
                c,
                f.span,
                format!("{} must not set securityContext.runAsNonRoot=false", who(c)),
            ),
            Some(_) => {}
            // Inherits the pod's setting; a pod-level false is reported once above.
            None if pod_flag.is_none() => report.container(
                c,
                security_context_span(c),
                format!(
                    "pod or {} must set securityContext.runAsNonRoot=true",
                    who(c)
                ),
            ),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, PodSecurityContext, SecurityContext};

    use super::super::testutil::*;
    use super::*;

    fn non_root(name: &str, line: u32, value: bool) -> palisade_model::Container {
        with_sc(
            name,
            line,
            SecurityContext {
                run_as_non_root: field(value, line + 2),
                ..SecurityContext::default()
            },
        )
    }

    fn pod_non_root(s: &mut palisade_model::PodSpec, value: bool) {
        s.security_context = Some(PodSecurityContext {
            run_as_non_root: field(value, 12),
            ..PodSecurityContext::default()
        });
    }

    #[test]
    fn containers_without_a_setting_need_the_pod_to_set_true() {
        let s = spec(vec![
            container(ContainerKind::Regular, "app", 20),
            non_root("own", 30, true),
            non_root("bad", 40, false),
        ]);
        let found = restricted(&RULE, &pod(s.clone()), 0);
        assert_eq!(lines(&found), [20, 42]);
        assert_eq!(
            found[0].message,
            "pod or container \"app\" must set securityContext.runAsNonRoot=true"
        );
        assert_eq!(
            found[1].message,
            "container \"bad\" must not set securityContext.runAsNonRoot=false"
        );
        let mut good = s;
        pod_non_root(&mut good, true);
        assert_eq!(lines(&restricted(&RULE, &pod(good), 37)), [42]);
    }

    #[test]
    fn pod_false_is_reported_once() {
        let mut s = spec(vec![
            container(ContainerKind::Regular, "app", 20),
            non_root("own", 30, true),
        ]);
        pod_non_root(&mut s, false);
        let found = restricted(&RULE, &pod(s), 37);
        assert_eq!(lines(&found), [12]);
    }

    #[test]
    fn user_namespace_pods_are_exempt_from_1_35() {
        let mut s = spec(vec![non_root("bad", 40, false)]);
        s.host_users = field(false, 11);
        assert_eq!(restricted(&RULE, &pod(s.clone()), 34).len(), 1);
        assert!(restricted(&RULE, &pod(s.clone()), 35).is_empty());
        assert!(baseline(&RULE, &pod(s), 30).is_empty());
    }
}
