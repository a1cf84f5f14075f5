//! `PAL-ACI-003`: an `azureFile` volume holds a literal storage account key.
//!
//! `[listKeys(...)]` and parameters do not fire: `storageAccountKey` is a
//! secure property the group does not return, so a key read at deployment
//! time is the documented way.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciStorageKeyLiteral;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-003",
    title: "Azure Files volume storage account key written into the container group",
    severity: Severity::High,
    kinds: aci::CONTAINER_GROUP,
    practice: "Never commit storage account keys",
    rationale: "A storage account key is full control of the whole storage account: every \
        share, blob container, queue and table, with no expiry and no audit of who uses it. \
        Written into a template or YAML file it is readable by everyone with the repository \
        and its history.",
    remediation: "Read the key at deployment time with listKeys() in the ARM template, or pass \
        it through a secureString parameter backed by a Key Vault reference; rotate the \
        committed key.",
    example: "volumes:\n  - name: content\n    azureFile:\n      shareName: content\n      storageAccountName: contentstore\n      storageAccountKey: \"[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'contentstore'), '2023-01-01').keys[0].value]\"\n",
    references: &[
        "https://learn.microsoft.com/azure/container-instances/container-instances-volume-azure-files",
        "https://learn.microsoft.com/azure/storage/common/storage-account-keys-manage",
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal storage key.
pub fn message(object: &str, volume: &str, redacted: &str) -> String {
    format!(
        "{object} writes the storage account key of volume \"{volume}\" into the file: {redacted}"
    )
}

impl Rule for AciStorageKeyLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for v in aci::items(resource, "volumes") {
            let Some(key) = v.path(&["azureFile", "storageAccountKey"]) else {
                continue;
            };
            let Some(text) = aci::literal(key) else {
                continue;
            };
            let name = v.get("name").and_then(Node::as_str).unwrap_or_default();
            out.push(common::finding(
                &META,
                resource,
                key.span,
                None,
                message(
                    &common::object(resource),
                    name,
                    &palisade_secrets::redact(text),
                ),
            ));
        }
    }
}
