//! `PAL-K8S-005`: a container adds a Linux capability that is not allowed.
//!
//! PSS baseline allows a fixed set of added capabilities and PSS restricted
//! only `NET_BIND_SERVICE`; neither can be tuned, and both report every
//! capability alike. This rule reads the allow list from
//! `Settings::allowed_capabilities` and reports the capabilities of
//! `Settings::dangerous_capabilities` at high severity, the others at
//! medium. A missing `drop: [ALL]` is PSS restricted's job and not repeated.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct AddedCapability;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-005",
    title: "Container adds a capability that is not allowed",
    severity: Severity::High,
    kinds: super::aci_common::WORKLOADS_AND_CONTAINER_GROUPS,
    practice: "Drop all capabilities and add back only the allowed ones",
    rationale: "Capabilities split root's power into pieces, and several pieces are as good as \
        root on the node: SYS_ADMIN mounts filesystems and escapes through cgroups, SYS_MODULE \
        loads kernel code, SYS_PTRACE reads other processes' memory, NET_ADMIN and NET_RAW \
        rewrite or spoof the pod network, BPF and PERFMON read kernel memory. Every added \
        capability widens the kernel attack surface a compromised container can reach. \
        Capabilities in the configured dangerous list are reported at high severity, other \
        capabilities outside the allowed list at medium.",
    remediation: "Remove the capability from capabilities.add, keep drop: [ALL], and if the \
        application truly needs it, add it to the allowed list in the palisade configuration \
        with a reason.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    securityContext:\n      capabilities:\n        drop: [ALL]\n        add: [NET_BIND_SERVICE]\n",
    references: &[
        common::AKS_POD_SECURITY,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
        "CIS Kubernetes Benchmark v1.9, 5.2.9: Minimize the admission of containers with added capabilities",
        common::CWE_250,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for an added capability outside the allowed list.
pub fn message(subject: &str, capability: &str, dangerous: bool) -> String {
    let what = if dangerous {
        "dangerous capability"
    } else {
        "capability"
    };
    format!("{subject} adds {what} {capability}, which is not in the allowed list")
}

impl Rule for AddedCapability {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        let normalized = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|c| common::normalize_capability(c))
                .collect()
        };
        let allowed = normalized(&ctx.settings.allowed_capabilities);
        let dangerous = normalized(&ctx.settings.dangerous_capabilities);
        for c in &pod.spec.containers {
            let Some(caps) = c
                .security_context
                .as_ref()
                .and_then(|sc| sc.capabilities.as_ref())
            else {
                continue;
            };
            for cap in &caps.add {
                let name = common::normalize_capability(&cap.value);
                if name.is_empty() || allowed.contains(&name) {
                    continue;
                }
                let is_dangerous = dangerous.contains(&name);
                let severity = if is_dangerous {
                    Severity::High
                } else {
                    Severity::Medium
                };
                out.push(common::finding_with(
                    &META,
                    severity,
                    resource,
                    cap.span,
                    Some(c),
                    message(&common::subject(resource, c), &name, is_dangerous),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{Capabilities, SecurityContext};

    use super::*;
    use crate::rules::testkit::*;
    use crate::Settings;

    fn adding(caps: &[&str]) -> palisade_model::Container {
        let mut c = container("app", 20);
        c.security_context = Some(SecurityContext {
            span: at(21),
            capabilities: Some(Capabilities {
                span: at(22),
                add: caps
                    .iter()
                    .enumerate()
                    .map(|(i, n)| ss(n, 23 + i as u32))
                    .collect(),
                drop: vec![ss("ALL", 30)],
            }),
            ..SecurityContext::default()
        });
        c
    }

    #[test]
    fn dangerous_is_high_other_is_medium_allowed_is_silent() {
        let res = workload(spec(vec![adding(&[
            "cap_sys_admin",
            "CHOWN",
            "NET_BIND_SERVICE",
            "CAP_NET_bind_service",
        ])]));
        let found = run(&AddedCapability, &[res]);
        let got: Vec<(u32, Severity)> = found
            .iter()
            .map(|f| (f.location.span.line(), f.severity))
            .collect();
        assert_eq!(got, vec![(23, Severity::High), (24, Severity::Medium)]);
        assert_eq!(
            found[0].message,
            message("container \"app\" of Deployment \"web\"", "SYS_ADMIN", true)
        );
    }

    #[test]
    fn allowed_list_is_configurable() {
        let settings = Settings {
            allowed_capabilities: vec!["cap_chown".into()],
            ..Settings::default()
        };
        let res = workload(spec(vec![adding(&["CHOWN", "NET_BIND_SERVICE"])]));
        let found = run_with(&AddedCapability, &[res], &settings);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("NET_BIND_SERVICE"));
    }
}
