//! `PAL-ACI-004`: a `secret` volume's file contents are written into the
//! template or YAML file.
//!
//! Every literal entry of `secret` fires (the values are base64 file
//! contents, meant to be secret); entries filled from parameters or Key
//! Vault references do not.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciSecretVolumeInline;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-004",
    title: "Secret volume contents written into the container group",
    severity: Severity::High,
    kinds: aci::CONTAINER_GROUP,
    practice: "Fill secret volumes from a secret store at deployment time",
    rationale: "A secret volume hides its files from the container group's properties, but \
        when their base64 contents are written into the template or YAML file they are only \
        encoded, not protected: anyone with the repository, its history or the CI logs can \
        decode them.",
    remediation: "Pass each file's contents through a secureString parameter backed by a Key \
        Vault reference, or let the application read the secret from Key Vault with a managed \
        identity; rotate what was committed.",
    example:
        "volumes:\n  - name: tls\n    secret:\n      tls.key: \"[parameters('tlsKeyBase64')]\"\n",
    references: &[
        "https://learn.microsoft.com/azure/container-instances/container-instances-volume-secret",
        aci::ARM_KEY_VAULT,
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal secret volume file.
pub fn message(object: &str, volume: &str, file: &str) -> String {
    format!("{object} writes the contents of file \"{file}\" of secret volume \"{volume}\" into the file")
}

impl Rule for AciSecretVolumeInline {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for v in aci::items(resource, "volumes") {
            let Some(files) = v.get("secret").and_then(Node::as_map) else {
                continue;
            };
            let name = v.get("name").and_then(Node::as_str).unwrap_or_default();
            for e in files.iter() {
                if aci::literal(&e.value).is_some() {
                    out.push(common::finding(
                        &META,
                        resource,
                        e.value.span,
                        None,
                        message(&common::object(resource), name, &e.key),
                    ));
                }
            }
        }
    }
}
