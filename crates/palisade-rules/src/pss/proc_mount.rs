//! `procMount` (baseline): containers must keep the default masked /proc.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{container_setting, who, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-PROC-MOUNT",
    title: "Container unmasks /proc",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Containers keep the runtime's masked and read-only /proc paths",
    rationale: "Container runtimes mask and mount read-only the parts of /proc and /sys that \
        expose or control the host kernel (/proc/kcore, /proc/sysrq-trigger, /proc/sys). \
        `procMount: Unmasked` removes that protection, so a process in the container can read \
        kernel memory and change kernel settings for the whole node. From policy v1.35 \
        baseline allows it for pods in a user namespace (`hostUsers: false`), where the \
        kernel confines what the unmasked paths grant.",
    remediation: "Remove `securityContext.procMount` from the container or set it to `Default`.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        procMount: Default
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1",
        "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/",
    ],
    pss: Some((PssLevel::Baseline, "procMount")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision.exempts(&pod.spec) {
        return;
    }
    forbid_unmasked(pod, report);
}

/// Reports every container whose `procMount` is set to anything but `Default`.
pub(super) fn forbid_unmasked(pod: &PodTemplate, report: &mut Report<'_>) {
    for c in &pod.spec.containers {
        let mount = container_setting(c, |sc| sc.proc_mount.as_ref());
        if let Some(mount) = mount.filter(|m| m.value != "Default") {
            report.container(
                c,
                mount.span,
                format!(
                    "{} must not set securityContext.procMount to {:?}",
                    who(c),
                    mount.value
                ),
            );
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use palisade_model::{Container, ContainerKind, SecurityContext};

    use super::super::testutil::*;
    use super::*;

    /// A container with `procMount` set on `line + 2`.
    pub fn proc_mount(name: &str, line: u32, value: &str) -> Container {
        with_sc(
            name,
            line,
            SecurityContext {
                proc_mount: field(value.to_string(), line + 2),
                ..SecurityContext::default()
            },
        )
    }

    #[test]
    fn reports_anything_but_default() {
        let res = pod(spec(vec![
            proc_mount("a", 20, "Unmasked"),
            proc_mount("b", 30, "Default"),
            proc_mount("c", 40, ""),
            container(ContainerKind::Regular, "d", 50),
        ]));
        let found = baseline(&RULE, &res, 0);
        assert_eq!(lines(&found), [22, 42]);
        assert_eq!(
            found[0].message,
            "container \"a\" must not set securityContext.procMount to \"Unmasked\""
        );
    }

    #[test]
    fn user_namespace_pods_are_exempt_from_1_35_at_baseline_only() {
        let mut s = spec(vec![proc_mount("a", 20, "Unmasked")]);
        s.host_users = field(false, 11);
        assert_eq!(baseline(&RULE, &pod(s.clone()), 34).len(), 1);
        assert!(baseline(&RULE, &pod(s.clone()), 35).is_empty());
        // At restricted, procMount_restricted replaces this check from v1.35.
        assert_eq!(restricted(&RULE, &pod(s.clone()), 34).len(), 1);
        assert!(restricted(&RULE, &pod(s.clone()), 35).is_empty());
        s.host_users = field(true, 11);
        assert_eq!(baseline(&RULE, &pod(s), 35).len(), 1);
    }
}
