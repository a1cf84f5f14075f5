//! `privileged` (baseline): containers must not run privileged.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{container_setting, who, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-PRIVILEGED",
    title: "Privileged container",
    severity: Severity::Critical,
    kinds: WORKLOAD_KINDS,
    practice: "Containers run without privileged mode",
    rationale: "A privileged container gets every capability, sees every host device and \
        runs without the seccomp, AppArmor and SELinux confinement the runtime would \
        otherwise apply. A process in it is root on the node in all but name: it can load \
        kernel modules, mount the host's disks and escape to the node and from there reach \
        every pod scheduled on it.",
    remediation: "Remove `securityContext.privileged: true` from the container (or set it to \
        `false`) and grant only the specific capabilities the workload needs.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        privileged: false
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1",
    ],
    pss: Some((PssLevel::Baseline, "privileged")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    for c in &pod.spec.containers {
        if let Some(flag) = container_setting(c, |sc| sc.privileged.as_ref()).filter(|f| f.value) {
            report.container(
                c,
                flag.span,
                format!("{} must not set securityContext.privileged=true", who(c)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, PssLevel, SecurityContext};

    use super::super::testutil::*;
    use super::*;

    fn privileged(name: &str, line: u32, value: bool) -> palisade_model::Container {
        with_sc(
            name,
            line,
            SecurityContext {
                privileged: field(value, line + 2),
                ..SecurityContext::default()
            },
        )
    }

    #[test]
    fn reports_each_privileged_container_at_the_flag() {
        let mut init = container(ContainerKind::Init, "setup", 30);
        init.security_context = privileged("x", 30, true).security_context;
        let res = pod(spec(vec![
            init,
            privileged("app", 20, true),
            privileged("side", 40, false),
        ]));
        let found = baseline(&RULE, &res, 37);
        assert_eq!(lines(&found), [32, 22]);
        assert_eq!(
            found[0].message,
            "init container \"setup\" must not set securityContext.privileged=true"
        );
        assert_eq!(found[1].container.as_deref(), Some("app"));
        let pss = found[1].pss.unwrap();
        assert_eq!((pss.level, pss.check), (PssLevel::Baseline, "privileged"));
        assert_eq!(found[1].rule_id, "PSS-PRIVILEGED");
        assert_eq!(found[1].severity, Severity::Critical);
        assert_eq!(&*found[1].location.file, "pod.yaml");
        assert_eq!(found[1].resource.name, "demo");
    }

    #[test]
    fn silent_when_unset_or_false_and_runs_at_every_version_and_level() {
        let res = pod(spec(vec![
            privileged("a", 20, false),
            container(ContainerKind::Regular, "b", 30),
        ]));
        assert!(restricted(&RULE, &res, 37).is_empty());
        let bad = pod(spec(vec![privileged("a", 20, true)]));
        for minor in [0, 8, 25, 35, 37, 50] {
            assert_eq!(baseline(&RULE, &bad, minor).len(), 1, "v1.{minor}");
            assert_eq!(restricted(&RULE, &bad, minor).len(), 1, "v1.{minor}");
        }
    }
}
