//! `procMount_restricted` (restricted, v1.35+): containers must keep the default /proc, user namespace or not.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{proc_mount::forbid_unmasked, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-PROC-MOUNT-RESTRICTED",
    title: "Container unmasks /proc (even in a user namespace)",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Containers keep the masked /proc even when the pod has its own user namespace",
    rationale: "From policy v1.35 the baseline procMount check lets pods in a user namespace \
        unmask /proc. The restricted level keeps the unconditional rule: an unmasked /proc \
        still exposes kernel interfaces that a user namespace does not fully confine, and \
        hardened workloads have no need for them.",
    remediation: "Remove `securityContext.procMount` from the container or set it to `Default`, \
        whatever the pod's `hostUsers` setting.",
    example: "\
spec:
  hostUsers: false
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
    pss: Some((PssLevel::Restricted, "procMount_restricted")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    forbid_unmasked(pod, report);
}

#[cfg(test)]
mod tests {
    use super::super::proc_mount::tests::proc_mount;
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn applies_to_user_namespace_pods_from_1_35_at_restricted() {
        let mut s = spec(vec![
            proc_mount("a", 20, "Unmasked"),
            proc_mount("b", 30, "Default"),
        ]);
        s.host_users = field(false, 11);
        let found = restricted(&RULE, &pod(s.clone()), 35);
        assert_eq!(lines(&found), [22]);
        assert_eq!(found[0].pss.unwrap().check, "procMount_restricted");
        assert!(restricted(&RULE, &pod(s.clone()), 34).is_empty());
        assert!(baseline(&RULE, &pod(s), 37).is_empty());
    }
}
