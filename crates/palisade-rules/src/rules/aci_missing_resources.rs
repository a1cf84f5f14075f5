//! `PAL-ACI-011`: a container group container sets no CPU or memory bound.
//!
//! In Azure Container Instances a container's limit defaults to its request,
//! so a container with a memory (CPU) request is bounded; the rule fires
//! for a regular container with neither a request nor a limit for memory or
//! for CPU. Init containers take no resources in ACI and are skipped.
//! `PAL-K8S-011`/`012` do not apply to container groups: their "no limit"
//! is not unbounded there.

use palisade_model::{
    ContainerKind, Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity,
};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciMissingResources;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-011",
    title: "Container group container sets no CPU or memory bound",
    severity: Severity::Low,
    kinds: aci::CONTAINER_GROUP,
    practice: "Size every container of a group with requests (and limits where it may burst)",
    rationale: "Containers of a group share one host allocation. A container with neither a \
        request nor a limit for CPU or memory has no bound of its own: the deployment is \
        rejected or sized by defaults, and when it runs, a leak or a runaway process in it \
        starves the other containers of the group.",
    remediation: "Set resources.requests.cpu and resources.requests.memoryInGB on every \
        container, and resources.limits where a container may use more than its request.",
    example: "containers:\n  - name: app\n    properties:\n      image: registry.example/app:1.4.2\n      resources:\n        requests:\n          cpu: 0.5\n          memoryInGB: 1\n        limits:\n          cpu: 1\n          memoryInGB: 1.5\n",
    references: &[
        aci::ACI_YAML,
        "https://learn.microsoft.com/azure/container-instances/container-instances-container-groups#resource-allocation",
        "CWE-400: Uncontrolled Resource Consumption",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a container without a bound on `what` (`CPU`, `memory`, `CPU or memory`).
pub fn message(subject: &str, what: &str) -> String {
    format!("{subject} sets no {what} request or limit")
}

impl Rule for AciMissingResources {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for c in pod
            .spec
            .containers
            .iter()
            .filter(|c| c.kind == ContainerKind::Regular)
        {
            let bound = |name: &str| {
                c.resources
                    .as_ref()
                    .is_some_and(|r| r.request(name).is_some() || r.limit(name).is_some())
            };
            let what = match (bound("cpu"), bound("memory")) {
                (true, true) => continue,
                (false, false) => "CPU or memory",
                (false, true) => "CPU",
                (true, false) => "memory",
            };
            out.push(common::finding(
                &META,
                resource,
                common::resources_span(c),
                Some(c),
                message(&common::subject(resource, c), what),
            ));
        }
    }
}
