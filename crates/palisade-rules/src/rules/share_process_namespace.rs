//! `PAL-K8S-019`: a pod shares one process namespace among its containers.
//!
//! Host namespaces (`hostPID`, `hostIPC`, `hostNetwork`) and host ports are
//! PSS baseline and not repeated here.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct ShareProcessNamespace;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-019",
    title: "Pod shares its process namespace between containers",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Keep each container in its own process namespace",
    rationale: "With shareProcessNamespace: true every container of the pod sees the others' \
        processes, can signal them and, with the same user or SYS_PTRACE, read their memory, \
        environment and open files through /proc (including the other containers' root \
        filesystems and secrets). A compromise of the weakest sidecar becomes a compromise of \
        the whole pod.",
    remediation: "Remove shareProcessNamespace or set it to false; use an ephemeral debug \
        container targeting one container when process inspection is needed.",
    example: "spec:\n  shareProcessNamespace: false\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n",
    references: &[
        "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/",
        common::AKS_POD_SECURITY,
        "CWE-668: Exposure of Resource to Wrong Sphere",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// Message for a pod with `shareProcessNamespace: true`.
pub fn message(object: &str) -> String {
    format!("{object} shares one process namespace between its containers: shareProcessNamespace is true")
}

impl Rule for ShareProcessNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        if let Some(f) = pod
            .spec
            .share_process_namespace
            .as_ref()
            .filter(|f| f.value)
        {
            out.push(common::finding(
                &META,
                resource,
                f.span,
                None,
                message(&common::object(resource)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn only_true_fires() {
        let mut s = spec(vec![container("app", 20)]);
        assert!(run(&ShareProcessNamespace, &[workload(s.clone())]).is_empty());
        s.share_process_namespace = Some(sp(false, 12));
        assert!(run(&ShareProcessNamespace, &[workload(s.clone())]).is_empty());
        s.share_process_namespace = Some(sp(true, 12));
        let found = run(&ShareProcessNamespace, &[workload(s)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.span, at(12));
        assert_eq!(found[0].message, message("Deployment \"web\""));
    }
}
