//! `PAL-ACI-010`: the container group mounts a `gitRepo` volume.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciGitRepoVolume;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-010",
    title: "Container group mounts a gitRepo volume",
    severity: Severity::Medium,
    kinds: aci::CONTAINER_GROUP,
    practice: "Build code into the image instead of cloning it at start",
    rationale: "A gitRepo volume clones a repository when the group starts: the code that runs \
        is whatever the branch holds at that moment, not a reviewed and scanned image, and a \
        private repository needs a token in the repository URL. Kubernetes deprecated the same \
        volume type for running git as root on the host.",
    remediation: "Build the content into the image in CI, or copy it from an Azure Files share \
        or an init container that verifies a pinned commit.",
    example: "volumes:\n  - name: content\n    azureFile:\n      shareName: content\n      storageAccountName: contentstore\n      storageAccountKey: \"[parameters('storageKey')]\"\n",
    references: &[
        "https://learn.microsoft.com/azure/container-instances/container-instances-volume-gitrepo",
        "https://kubernetes.io/docs/concepts/storage/volumes/#gitrepo",
        "CWE-494: Download of Code Without Integrity Check",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a gitRepo volume.
pub fn message(object: &str, volume: &str) -> String {
    format!("{object} clones a git repository into volume \"{volume}\" at start")
}

impl Rule for AciGitRepoVolume {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for v in &pod.spec.volumes {
            if let Some(src) = v.sources.iter().find(|s| s.value == "gitRepo") {
                out.push(common::finding(
                    &META,
                    resource,
                    src.span,
                    None,
                    message(&common::object(resource), &v.name.value),
                ));
            }
        }
    }
}
