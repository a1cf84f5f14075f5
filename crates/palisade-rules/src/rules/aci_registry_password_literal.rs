//! `PAL-ACI-002`: `imageRegistryCredentials` holds a literal password.
//!
//! Expressions (a `secureString` parameter, a Key Vault reference,
//! `listCredentials()`) do not fire: the registry password is a secure
//! property that the group does not return. Entries with `identity` have no
//! password.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciRegistryPasswordLiteral;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-002",
    title: "Container registry password written into the container group",
    severity: Severity::High,
    kinds: aci::CONTAINER_GROUP,
    practice: "Pull images with a managed identity, not a registry password",
    rationale: "A registry password written into a template or YAML file is readable by \
        everyone with the repository, its history and the CI logs, and usually grants pull \
        (often push) access to every image of the registry. It cannot be rotated without a \
        change to the file.",
    remediation: "Replace password with identity (a user-assigned managed identity with the \
        AcrPull role), or pass the password through a secureString parameter backed by a Key \
        Vault reference; rotate the committed password.",
    example: "identity:\n  type: UserAssigned\n  userAssignedIdentities:\n    \"/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pull\": {}\nproperties:\n  imageRegistryCredentials:\n    - server: registry.azurecr.io\n      identity: \"/subscriptions/x/resourceGroups/y/providers/Microsoft.ManagedIdentity/userAssignedIdentities/pull\"\n",
    references: &[
        "https://learn.microsoft.com/azure/container-instances/using-azure-container-registry-mi",
        aci::ACI_YAML,
        aci::ARM_KEY_VAULT,
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal registry password.
pub fn message(object: &str, server: &str, redacted: &str) -> String {
    format!("{object} writes the password for registry \"{server}\" into the file: {redacted}")
}

impl Rule for AciRegistryPasswordLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for cred in aci::items(resource, "imageRegistryCredentials") {
            let Some(password) = cred.get("password") else {
                continue;
            };
            let Some(text) = aci::literal(password) else {
                continue;
            };
            let server = cred
                .get("server")
                .and_then(Node::as_str)
                .unwrap_or_default();
            out.push(common::finding(
                &META,
                resource,
                password.span,
                None,
                message(
                    &common::object(resource),
                    server,
                    &palisade_secrets::redact(text),
                ),
            ));
        }
    }
}
