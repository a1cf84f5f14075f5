//! `PAL-K8S-018`: a Service sends traffic to a privileged port of non-root pods.
//!
//! The Service's selector is matched against the pod-template labels of the
//! workloads in the same scan (namespaces equal, or either unset). A
//! numeric `targetPort` (or, without one, `port`) below 1024 is reported
//! when a selected container declaring that port runs as non-root, or, when
//! none declares it, when every container of a selected pod does. A named
//! `targetPort` is resolved through the selected containers' named ports.
//!
//! When no workload of the scan matches the selector (selector-less
//! Services, pods deployed from elsewhere), nothing is reported: who runs
//! behind the port is unknown, and a low port is fine for root or
//! `NET_BIND_SERVICE` pods. `PAL-K8S-017` reports the container side.

use palisade_model::{
    Container, ContainerKind, Finding, FixAvailability, Node, PodTemplate, Resource, RuleMeta,
    RuleStatus, Severity, Span, Value,
};

use super::common::{self, User};
use crate::{Context, Rule};

/// The rule.
pub struct ServicePrivilegedTargetPort;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-018",
    title: "Service targets a port below 1024 on non-root pods",
    severity: Severity::Low,
    kinds: &["Service"],
    practice: "Let the Service map low ports to unprivileged container ports",
    rationale: "A non-root process cannot bind a port below 1024 without NET_BIND_SERVICE. A \
        Service whose targetPort is such a port, in front of pods that run as non-root, \
        either points at nothing that can listen or pushes the workload to regain the \
        capability or run as root. The Service can offer the low port to clients while the \
        container listens on a high one.",
    remediation: "Keep the Service's port (for example 80) and set targetPort to the \
        unprivileged port the container listens on (for example 8080, or its name).",
    example: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n",
    references: &[
        "https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service",
        common::AKS_POD_SECURITY,
        common::CWE_250,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a Service port whose target is privileged on non-root pods.
pub fn message(service: &str, port: i64, target: i64, workload: &str, container: &str) -> String {
    format!(
        "{service} sends port {port} to port {target} of {workload}, whose container \"{container}\" runs as non-root and cannot bind it without NET_BIND_SERVICE"
    )
}

/// The target of one Service port: a number or a container port name.
enum Target<'a> {
    Number(i64),
    Name(&'a str),
}

fn selects(selector: &[(&str, &str)], pod: &PodTemplate) -> bool {
    !selector.is_empty()
        && selector.iter().all(|(k, v)| {
            pod.meta
                .labels
                .iter()
                .any(|(lk, lv)| lk.value == *k && lv.value == *v)
        })
}

/// The first non-root container of `pod` that serves `target` below 1024,
/// with the port number.
fn non_root_listener<'p>(
    pod: &'p PodTemplate,
    target: &Target<'_>,
) -> Option<(&'p Container, i64)> {
    let spec = &pod.spec;
    let start = common::unprivileged_port_start(spec).min(1024);
    let regular: Vec<&Container> = spec.containers_of(ContainerKind::Regular).collect();
    let non_root = |c: &Container| common::user(c, spec) == User::NonRoot;
    match target {
        Target::Name(name) => regular.iter().find_map(|c| {
            c.ports
                .iter()
                .filter(|p| p.name.as_ref().is_some_and(|n| n.value == *name))
                .find_map(|p| p.container_port.as_ref().map(|n| n.value))
                .filter(|n| *n > 0 && *n < start && non_root(c))
                .map(|n| (*c, n))
        }),
        Target::Number(n) if *n > 0 && *n < start => {
            let declaring: Vec<&Container> = regular
                .iter()
                .copied()
                .filter(|c| {
                    c.ports
                        .iter()
                        .any(|p| p.container_port.as_ref().is_some_and(|cp| cp.value == *n))
                })
                .collect();
            if declaring.is_empty() {
                let first = regular.first().copied()?;
                regular.iter().all(|c| non_root(c)).then_some((first, *n))
            } else {
                declaring.into_iter().find(|c| non_root(c)).map(|c| (c, *n))
            }
        }
        Target::Number(_) => None,
    }
}

impl Rule for ServicePrivilegedTargetPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let node = &resource.node;
        let selector: Vec<(&str, &str)> = node
            .path(&["spec", "selector"])
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| e.value.as_str().map(|v| (e.key.as_str(), v)))
                    .collect()
            })
            .unwrap_or_default();
        if selector.is_empty() {
            return;
        }
        let pods: Vec<(&Resource, &PodTemplate)> = ctx
            .resources
            .iter()
            .filter(|r| common::same_namespace(r.namespace(), resource.namespace()))
            .filter_map(|r| r.pod.as_ref().map(|p| (r, p)))
            .filter(|(_, p)| !common::linux_only_skip(&p.spec) && selects(&selector, p))
            .collect();
        if pods.is_empty() {
            return;
        }
        let ports = node
            .path(&["spec", "ports"])
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for entry in ports {
            let Some(port) = entry.get("port").and_then(Node::as_i64) else {
                continue;
            };
            let (target, span): (Target<'_>, Span) = match entry.get("targetPort") {
                None => (Target::Number(port), entry.span),
                Some(t) => match &t.value {
                    Value::Int(n) => (Target::Number(*n), t.span),
                    Value::Str(s) => match s.parse::<i64>() {
                        Ok(n) => (Target::Number(n), t.span),
                        Err(_) => (Target::Name(s.as_str()), t.span),
                    },
                    _ => continue,
                },
            };
            let hit = pods
                .iter()
                .find_map(|(r, p)| non_root_listener(p, &target).map(|(c, n)| (*r, c, n)));
            if let Some((workload, container, n)) = hit {
                out.push(common::finding(
                    &META,
                    resource,
                    span,
                    None,
                    message(
                        &common::object(resource),
                        port,
                        n,
                        &common::object(workload),
                        &container.name.value,
                    ),
                ));
            }
        }
    }
}
