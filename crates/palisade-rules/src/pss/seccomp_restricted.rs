//! `seccompProfile_restricted` (restricted, v1.19+): every container must run under RuntimeDefault or Localhost seccomp.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{check_profiles, PssRule, Report, Revision, PSS_PAGE, SECCOMP_PROFILE};

static META: RuleMeta = RuleMeta {
    id: "PSS-SECCOMP-RESTRICTED",
    title: "Seccomp profile not set",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Every container runs under the RuntimeDefault or a Localhost seccomp profile",
    rationale: "Kubernetes runs containers without any seccomp filter unless a profile is \
        requested, which leaves the whole system-call interface of the kernel exposed to a \
        compromised process. The restricted level requires an explicit `RuntimeDefault` or \
        `Localhost` profile, set on the pod or on every container. Windows pods are exempt \
        from policy v1.25, where seccomp does not apply.",
    remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or \
        `RuntimeDefault`/`Localhost` on every container).",
    example: "\
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
    ],
    pss: Some((PssLevel::Restricted, "seccompProfile_restricted")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision.exempts(&pod.spec) {
        return;
    }
    check_profiles(pod, &SECCOMP_PROFILE, true, report);
}

#[cfg(test)]
mod tests {
    use palisade_model::ContainerKind;

    use super::super::seccomp_baseline::tests::{pod_seccomp, seccomp};
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn every_container_needs_a_profile_unless_the_pod_sets_one() {
        let s = spec(vec![
            container(ContainerKind::Init, "init", 20),
            seccomp("own", 30, Some("Localhost")),
            seccomp("typeless", 40, None),
        ]);
        let found = restricted(&RULE, &pod(s.clone()), 19);
        assert_eq!(lines(&found), [20, 42]);
        assert_eq!(
            found[0].message,
            "pod or init container \"init\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""
        );
        let mut covered = s;
        pod_seccomp(&mut covered, Some("RuntimeDefault"));
        let found = restricted(&RULE, &pod(covered), 37);
        assert_eq!(
            lines(&found),
            [42],
            "only the explicit bad container remains"
        );
    }

    #[test]
    fn a_bad_pod_profile_is_reported_once() {
        let mut s = spec(vec![
            container(ContainerKind::Regular, "app", 20),
            seccomp("own", 30, Some("RuntimeDefault")),
        ]);
        pod_seccomp(&mut s, Some("Unconfined"));
        let found = restricted(&RULE, &pod(s), 37);
        assert_eq!(lines(&found), [13]);
        assert!(found[0].container.is_none());
    }

    #[test]
    fn versions_and_windows() {
        let mut s = spec(vec![container(ContainerKind::Regular, "app", 20)]);
        assert!(restricted(&RULE, &pod(s.clone()), 18).is_empty());
        assert_eq!(restricted(&RULE, &pod(s.clone()), 19).len(), 1);
        assert!(baseline(&RULE, &pod(s.clone()), 37).is_empty());
        s.os_name = field("windows".to_string(), 11);
        assert_eq!(restricted(&RULE, &pod(s.clone()), 24).len(), 1);
        assert!(restricted(&RULE, &pod(s), 25).is_empty());
    }
}
