//! `hostNamespaces` (baseline): pods must not share the host's network, PID or IPC namespace.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-HOST-NAMESPACES",
    title: "Pod shares a host namespace",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Pods keep their own network, PID and IPC namespaces",
    rationale: "With `hostNetwork` a pod sees and binds the node's interfaces, sniffs its \
        traffic and reaches services listening on localhost, including the kubelet's. With \
        `hostPID` it sees and signals every process on the node and can read their \
        environment and memory through /proc. With `hostIPC` it reads and writes the \
        shared memory of every process on the node. Each one removes a boundary between the \
        workload and the node.",
    remediation: "Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them \
        to `false`); expose network services through a Service instead.",
    example: "\
spec:
  hostNetwork: false
  hostPID: false
  hostIPC: false
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#hostname-and-name-resolution",
    ],
    pss: Some((PssLevel::Baseline, "hostNamespaces")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    let spec = &pod.spec;
    for (name, flag) in [
        ("hostNetwork", &spec.host_network),
        ("hostPID", &spec.host_pid),
        ("hostIPC", &spec.host_ipc),
    ] {
        if let Some(flag) = flag.as_ref().filter(|f| f.value) {
            report.pod(flag.span, format!("pod must not set {name}=true"));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::ContainerKind;

    use super::super::testutil::*;
    use super::*;

    #[test]
    fn reports_each_shared_namespace() {
        let mut s = spec(vec![container(ContainerKind::Regular, "app", 20)]);
        s.host_network = field(true, 11);
        s.host_pid = field(false, 12);
        s.host_ipc = field(true, 13);
        let found = baseline(&RULE, &pod(s), 0);
        assert_eq!(lines(&found), [11, 13]);
        assert_eq!(found[0].message, "pod must not set hostNetwork=true");
        assert_eq!(found[1].message, "pod must not set hostIPC=true");
        assert!(found.iter().all(|f| f.container.is_none()));
    }

    #[test]
    fn silent_when_unset_or_false() {
        let mut s = spec(vec![container(ContainerKind::Regular, "app", 20)]);
        s.host_pid = field(false, 12);
        assert!(restricted(&RULE, &pod(s), 37).is_empty());
    }
}
