//! `sysctls` (baseline): pods may set only namespaced, isolated ("safe") sysctls.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::versions::SYSCTLS_1_0;
use super::{PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-SYSCTLS",
    title: "Pod sets an unsafe sysctl",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Pods set only the sysctls the policy version lists as safe",
    rationale: "Sysctls tune the kernel. Only a small set is namespaced per pod and isolated \
        from other pods on the node; the rest change the node's kernel for every workload on \
        it or can disable security mechanisms. Each policy version lists the safe set \
        (v1.27, v1.29, v1.32 and v1.37 added names), and anything outside it is refused.",
    remediation: "Remove the sysctl from `spec.securityContext.sysctls`, or use a name the \
        selected policy version allows (for example `net.ipv4.ip_local_port_range`).",
    example: "\
spec:
  securityContext:
    sysctls:
      - name: net.ipv4.ip_local_port_range
        value: \"1024 65535\"
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
    ],
    pss: Some((PssLevel::Baseline, "sysctls")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    let allowed = match revision {
        Revision::Allowed(list) => list,
        _ => SYSCTLS_1_0,
    };
    let Some(sc) = pod.spec.security_context.as_ref() else {
        return;
    };
    for sysctl in &sc.sysctls {
        if !allowed.contains(&sysctl.name.value.as_str()) {
            report.pod(
                sysctl.name.span,
                format!("pod must not set sysctl {:?}", sysctl.name.value),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, Span, Sysctl};

    use super::super::testutil::*;
    use super::*;

    fn with_sysctls(names: &[&str]) -> palisade_model::Resource {
        let mut s = spec(vec![]);
        s.security_context = Some(PodSecurityContext {
            sysctls: names
                .iter()
                .zip(20..)
                .map(|(n, line)| Sysctl {
                    span: Span::point(line, 7),
                    name: at(n.to_string(), line),
                    value: field("1".to_string(), line + 1),
                })
                .collect(),
            ..PodSecurityContext::default()
        });
        pod(s)
    }

    #[test]
    fn reports_each_unsafe_sysctl_at_its_name() {
        let res = with_sysctls(&[
            "kernel.shm_rmid_forced",
            "kernel.msgmax",
            "net.core.somaxconn",
        ]);
        let found = baseline(&RULE, &res, 0);
        assert_eq!(lines(&found), [21, 22]);
        assert_eq!(
            found[0].message,
            "pod must not set sysctl \"kernel.msgmax\""
        );
    }

    #[test]
    fn the_safe_set_grows_with_the_version() {
        for (name, since) in [
            ("net.ipv4.ip_local_reserved_ports", 27),
            ("net.ipv4.tcp_keepalive_time", 29),
            ("net.ipv4.tcp_rmem", 32),
            ("net.ipv4.tcp_notsent_lowat", 37),
        ] {
            let res = with_sysctls(&[name]);
            assert_eq!(
                baseline(&RULE, &res, since - 1).len(),
                1,
                "{name} before v1.{since}"
            );
            assert!(
                baseline(&RULE, &res, since).is_empty(),
                "{name} at v1.{since}"
            );
            assert!(restricted(&RULE, &res, 99).is_empty(), "{name} at latest");
        }
    }
}
