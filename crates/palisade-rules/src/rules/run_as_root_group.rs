//! `PAL-K8S-002`: a container runs with the root group.
//!
//! The Pod Security Standards check users, never groups: `runAsGroup: 0`,
//! `fsGroup: 0` and a `0` in `supplementalGroups` all pass PSS restricted.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct RunAsRootGroup;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-002",
    title: "Container runs with the root group",
    severity: Severity::Medium,
    kinds: super::aci_common::WORKLOADS_AND_CONTAINER_GROUPS,
    practice: "Run containers with a non-root primary and supplementary group",
    rationale: "Group 0 owns much of a container image and of the node: files that are \
        group-writable by root (configuration, sockets, device nodes, mounted host paths) \
        become writable by a process whose user is not root but whose group is. The Pod \
        Security Standards restrict the user only, so a pod with runAsGroup: 0, fsGroup: 0 or \
        supplementalGroups containing 0 passes even the restricted level.",
    remediation: "Set runAsGroup and fsGroup to a non-zero group id and remove 0 from \
        supplementalGroups.",
    example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    runAsGroup: 10001\n    fsGroup: 10001\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n",
    references: &[
        common::AKS_POD_SECURITY,
        common::K8S_SECURITY_CONTEXT,
        "CIS Kubernetes Benchmark v1.9, 5.7.3: Apply Security Context to Your Pods and Containers",
        common::CWE_250,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// Message for a container whose `runAsGroup` is 0.
pub fn run_as_group_message(subject: &str, origin_note: &str) -> String {
    format!("{subject} runs with the root group: runAsGroup is 0{origin_note}")
}

/// Message for a pod whose `fsGroup` or `supplementalGroups` include 0.
pub fn pod_group_message(object: &str, field: &str) -> String {
    format!("{object} gives its containers the root group: {field} is 0")
}

impl Rule for RunAsRootGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        let object = common::object(resource);
        if let Some(psc) = &pod.spec.security_context {
            if let Some(fs) = psc.fs_group.as_ref().filter(|g| g.value == 0) {
                out.push(common::finding(
                    &META,
                    resource,
                    fs.span,
                    None,
                    pod_group_message(&object, "fsGroup"),
                ));
            }
            for g in psc.supplemental_groups.iter().filter(|g| g.value == 0) {
                out.push(common::finding(
                    &META,
                    resource,
                    g.span,
                    None,
                    pod_group_message(&object, "an entry of supplementalGroups"),
                ));
            }
        }
        for c in &pod.spec.containers {
            let eff = c.effective(&pod.spec);
            if let Some(g) = eff.run_as_group.filter(|g| g.value == 0) {
                out.push(common::finding(
                    &META,
                    resource,
                    g.span,
                    Some(c),
                    run_as_group_message(&common::subject(resource, c), common::origin_note(&g)),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, SecurityContext};

    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn root_group_fs_group_and_supplemental_group_are_reported() {
        let mut s = spec(vec![container("app", 20), container("side", 30)]);
        s.security_context = Some(PodSecurityContext {
            span: at(11),
            run_as_group: Some(sp(0, 12)),
            fs_group: Some(sp(0, 13)),
            supplemental_groups: vec![sp(5, 14), sp(0, 15)],
            ..PodSecurityContext::default()
        });
        s.containers[1].security_context = Some(SecurityContext {
            span: at(31),
            run_as_group: Some(sp(2000, 32)),
            ..SecurityContext::default()
        });
        let found = run(&RunAsRootGroup, &[workload(s)]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![13, 15, 12]);
        assert_eq!(
            found[2].message,
            run_as_group_message(
                "container \"app\" of Deployment \"web\"",
                " (inherited from the pod securityContext)"
            )
        );
        assert_eq!(
            found[0].message,
            pod_group_message("Deployment \"web\"", "fsGroup")
        );
    }

    #[test]
    fn unset_and_non_zero_groups_pass() {
        let mut s = spec(vec![container("app", 20)]);
        assert!(run(&RunAsRootGroup, &[workload(s.clone())]).is_empty());
        s.security_context = Some(PodSecurityContext {
            span: at(11),
            run_as_group: Some(sp(1000, 12)),
            fs_group: Some(sp(1000, 13)),
            ..PodSecurityContext::default()
        });
        assert!(run(&RunAsRootGroup, &[workload(s)]).is_empty());
    }
}
