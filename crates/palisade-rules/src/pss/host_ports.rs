//! `hostPorts` (baseline): containers must not bind ports of the node.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{who, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-HOST-PORTS",
    title: "Container uses a host port",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers are reached through Services, not node ports",
    rationale: "A `hostPort` binds a port on the node's own interfaces, bypassing \
        NetworkPolicies that select pods and exposing the container wherever the node is \
        reachable. It also lets a workload squat on a port another node service expects and \
        limits scheduling to nodes where the port is free.",
    remediation: "Remove `hostPort` from the container's `ports` (or set it to `0`) and expose \
        the port through a Service.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      ports:
        - containerPort: 8080
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports",
        "https://kubernetes.io/docs/concepts/services-networking/service/",
    ],
    pss: Some((PssLevel::Baseline, "hostPorts")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    for c in &pod.spec.containers {
        for port in &c.ports {
            if let Some(host) = port.host_port.as_ref().filter(|p| p.value != 0) {
                report.container(
                    c,
                    host.span,
                    format!("{} must not use hostPort {}", who(c), host.value),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, ContainerPort, Span};

    use super::super::testutil::*;
    use super::*;

    fn port(host: Option<i64>, line: u32) -> ContainerPort {
        ContainerPort {
            span: Span::point(line, 9),
            name: None,
            container_port: field(8080, line),
            host_port: host.map(|h| at(h, line + 1)),
            protocol: None,
        }
    }

    #[test]
    fn reports_non_zero_host_ports() {
        let mut c = container(ContainerKind::Ephemeral, "debug", 20);
        c.ports = vec![port(Some(8080), 21), port(Some(0), 23), port(None, 25)];
        let found = baseline(&RULE, &pod(spec(vec![c])), 0);
        assert_eq!(lines(&found), [22]);
        assert_eq!(
            found[0].message,
            "ephemeral container \"debug\" must not use hostPort 8080"
        );
        assert_eq!(found[0].container.as_deref(), Some("debug"));
    }

    #[test]
    fn silent_without_host_ports() {
        let mut c = container(ContainerKind::Regular, "app", 20);
        c.ports = vec![port(None, 21)];
        assert!(restricted(&RULE, &pod(spec(vec![c])), 37).is_empty());
    }
}
