//! `PAL-K8S-011`: a container sets no memory limit.
//!
//! A `LimitRange` of the scan with a `default` memory limit counts.
//! Ephemeral containers cannot have resources and are skipped.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common::{self, Want};
use crate::{Context, Rule};

/// The rule.
pub struct MissingMemoryLimit;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-011",
    title: "Container sets no memory limit",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Set a memory limit on every container",
    rationale: "Memory is not compressible: a container without a memory limit can take all \
        of a node's memory through a leak or a deliberate allocation flood, and the kernel's \
        out-of-memory killer then ends processes of other pods and of the node itself. A \
        limit confines the damage to the container that exceeds it.",
    remediation: "Set resources.limits.memory, usually equal to the memory request.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    resources:\n      requests:\n        cpu: 250m\n        memory: 256Mi\n      limits:\n        memory: 256Mi\n",
    references: &[
        common::AKS_RESOURCES,
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        "CWE-400: Uncontrolled Resource Consumption",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a container without a memory limit.
pub fn message(subject: &str) -> String {
    format!("{subject} sets no memory limit")
}

impl Rule for MissingMemoryLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        common::missing_compute(
            &META,
            resource,
            ctx,
            Want::Limit,
            &["memory"],
            |subject, _| message(subject),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, Resources};

    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn a_memory_request_is_not_a_limit() {
        let mut c = container("app", 20);
        c.resources = Some(Resources {
            span: at(21),
            requests: vec![(ss("memory", 22), ss("128Mi", 22))],
            limits: vec![(ss("cpu", 23), ss("1", 23))],
        });
        let mut ok = container("ok", 30);
        ok.resources = Some(Resources {
            span: at(31),
            requests: vec![],
            limits: vec![(ss("memory", 32), ss("1Gi", 32))],
        });
        let mut eph = container("debug", 40);
        eph.kind = ContainerKind::Ephemeral;
        let found = run(&MissingMemoryLimit, &[workload(spec(vec![c, ok, eph]))]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            message("container \"app\" of Deployment \"web\"")
        );
    }
}
