//! `PAL-K8S-017`: a non-root container declares a privileged port.
//!
//! A container counts as non-root when its effective `runAsUser` is
//! non-zero or `runAsNonRoot` is true. A pod whose
//! `net.ipv4.ip_unprivileged_port_start` sysctl lets it bind the port
//! without a capability is not reported. Windows pods are skipped.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common::{self, User};
use crate::{Context, Rule};

/// The rule.
pub struct PrivilegedPortNonRoot;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-017",
    title: "Non-root container listens on a port below 1024",
    severity: Severity::Low,
    kinds: WORKLOAD_KINDS,
    practice: "Listen on unprivileged ports and map low ports in the Service",
    rationale: "Binding a port below 1024 needs the NET_BIND_SERVICE capability. A container \
        that runs as non-root and declares such a port either fails to start or is given \
        that capability (or root) to make it work, undoing the hardening it was meant to \
        have. The port a client sees is the Service's business: the container can listen on \
        8080 while the Service still offers 80.",
    remediation: "Make the application listen on a port above 1023 (for example 8080), declare \
        that containerPort, and map the low port in the Service with port: 80 and \
        targetPort: 8080.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    ports:\n      - name: http\n        containerPort: 8080\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n      targetPort: http\n",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
        common::AKS_POD_SECURITY,
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
        common::CWE_250,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a non-root container declaring a privileged port.
pub fn message(subject: &str, port: i64) -> String {
    format!(
        "{subject} runs as non-root but declares containerPort {port}: binding a port below 1024 needs NET_BIND_SERVICE"
    )
}

impl Rule for PrivilegedPortNonRoot {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        let start = common::unprivileged_port_start(&pod.spec);
        for c in &pod.spec.containers {
            if common::user(c, &pod.spec) != User::NonRoot {
                continue;
            }
            for port in &c.ports {
                let Some(p) = &port.container_port else {
                    continue;
                };
                if p.value > 0 && p.value < 1024 && p.value < start {
                    out.push(common::finding(
                        &META,
                        resource,
                        p.span,
                        Some(c),
                        message(&common::subject(resource, c), p.value),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerPort, PodSecurityContext, Sysctl};

    use super::*;
    use crate::rules::testkit::*;

    fn port(n: i64, line: u32) -> ContainerPort {
        ContainerPort {
            span: at(line),
            name: None,
            container_port: Some(sp(n, line)),
            host_port: None,
            protocol: None,
        }
    }

    #[test]
    fn non_root_low_port_fires_root_and_high_ports_pass() {
        let mut c = container("app", 20);
        c.ports = vec![port(80, 21), port(8080, 22)];
        let mut s = spec(vec![c]);
        // The image decides: not known to be non-root, so not reported here.
        assert!(run(&PrivilegedPortNonRoot, &[workload(s.clone())]).is_empty());
        s.security_context = Some(PodSecurityContext {
            span: at(11),
            run_as_non_root: Some(sp(true, 12)),
            ..PodSecurityContext::default()
        });
        let found = run(&PrivilegedPortNonRoot, &[workload(s.clone())]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.span, at(21));
        assert_eq!(
            found[0].message,
            message("container \"app\" of Deployment \"web\"", 80)
        );
        if let Some(sc) = s.security_context.as_mut() {
            sc.sysctls = vec![Sysctl {
                span: at(13),
                name: ss("net.ipv4.ip_unprivileged_port_start", 13),
                value: Some(ss("0", 13)),
            }];
        }
        assert!(run(&PrivilegedPortNonRoot, &[workload(s)]).is_empty());
    }
}
