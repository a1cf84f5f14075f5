//! `hostProbesAndHostLifecycle` (baseline, v1.34+): probes and lifecycle hooks must not target other hosts.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{who, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-HOST-PROBES-LIFECYCLE",
    title: "Probe or lifecycle handler sets a host",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Probes and lifecycle handlers target the pod itself",
    rationale: "`httpGet.host` and `tcpSocket.host` in a probe or lifecycle handler make the \
        kubelet, not the pod, open a connection to an arbitrary address from the node's \
        network position. A workload author can use that to reach node-local or \
        control-plane endpoints the pod itself could never reach (server-side request \
        forgery through the kubelet). Baseline forbids it from policy v1.34.",
    remediation: "Remove `host` from `httpGet` and `tcpSocket` in the container's probes and \
        lifecycle handlers; the kubelet then connects to the pod's own IP.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      livenessProbe:
        httpGet:
          path: /healthz
          port: 8080
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#lifecycle-1",
    ],
    pss: Some((PssLevel::Baseline, "hostProbesAndHostLifecycle")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    for c in &pod.spec.containers {
        for handler in c.handlers() {
            for (field, host) in [
                ("httpGet.host", &handler.http_get_host),
                ("tcpSocket.host", &handler.tcp_socket_host),
            ] {
                if let Some(host) = host.as_ref().filter(|h| !h.value.is_empty()) {
                    report.container(
                        c,
                        host.span,
                        format!(
                            "{} must not set {field} {:?} in a probe or lifecycle handler",
                            who(c),
                            host.value
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, Handler, Span};

    use super::super::testutil::*;
    use super::*;

    fn handler(line: u32, http: Option<&str>, tcp: Option<&str>) -> Option<Handler> {
        Some(Handler {
            span: Span::point(line, 7),
            http_get_host: http.map(|h| at(h.to_string(), line + 1)),
            tcp_socket_host: tcp.map(|h| at(h.to_string(), line + 2)),
        })
    }

    #[test]
    fn reports_every_host_in_probes_and_handlers() {
        let mut c = container(ContainerKind::Regular, "app", 20);
        c.liveness_probe = handler(21, Some("10.0.0.1"), None);
        c.readiness_probe = handler(31, None, Some(""));
        c.startup_probe = handler(41, None, None);
        c.post_start = handler(51, None, Some("kubernetes.default"));
        c.pre_stop = handler(61, Some("169.254.169.254"), Some("localhost"));
        let found = baseline(&RULE, &pod(spec(vec![c])), 34);
        assert_eq!(lines(&found), [22, 53, 62, 63]);
        assert_eq!(
            found[0].message,
            "container \"app\" must not set httpGet.host \"10.0.0.1\" in a probe or lifecycle handler"
        );
    }

    #[test]
    fn starts_at_1_34() {
        let mut c = container(ContainerKind::Regular, "app", 20);
        c.liveness_probe = handler(21, Some("10.0.0.1"), None);
        let res = pod(spec(vec![c]));
        assert!(baseline(&RULE, &res, 33).is_empty());
        assert_eq!(restricted(&RULE, &res, 34).len(), 1);
    }
}
