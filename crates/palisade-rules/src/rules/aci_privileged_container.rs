//! `PAL-ACI-009`: a container group container sets `privileged: true`.
//!
//! Added capabilities are `PAL-K8S-005`'s job, which applies to container
//! groups too.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciPrivilegedContainer;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-009",
    title: "Container group container runs privileged",
    severity: Severity::High,
    kinds: aci::CONTAINER_GROUP,
    practice: "Never run container group containers privileged",
    rationale: "A privileged container gets every capability and the host's devices, and \
        turns off the seccomp and AppArmor confinement of the container runtime: a compromised \
        process can attack the kernel and the sandbox that isolates the group from its \
        neighbours, and the other containers of the group.",
    remediation: "Remove privileged: true from the container's securityContext (or set it to \
        false), drop all capabilities and add back only those the application needs.",
    example: "containers:\n  - name: app\n    properties:\n      image: registry.example/app:1.4.2\n      securityContext:\n        privileged: false\n        allowPrivilegeEscalation: false\n        capabilities:\n          drop: [ALL]\n",
    references: &[
        aci::ACI_ARM,
        "https://learn.microsoft.com/azure/container-instances/container-instances-confidential-overview",
        common::CWE_250,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// Message for a privileged container.
pub fn message(subject: &str) -> String {
    format!("{subject} runs privileged")
}

impl Rule for AciPrivilegedContainer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for c in &pod.spec.containers {
            let Some(p) = c
                .security_context
                .as_ref()
                .and_then(|sc| sc.privileged.as_ref())
                .filter(|p| p.value)
            else {
                continue;
            };
            out.push(common::finding(
                &META,
                resource,
                p.span,
                Some(c),
                message(&common::subject(resource, c)),
            ));
        }
    }
}
