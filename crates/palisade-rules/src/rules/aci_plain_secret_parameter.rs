//! `PAL-ACI-007`: a plain `string` or `object` template parameter is named
//! like a credential (`palisade_secrets::is_credential_name`).
//!
//! Looks at the template and the inline templates of its nested
//! deployments; names such as `passwordLength` or `keyVaultName` are not
//! credential names and do not fire.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciPlainSecretParameter;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-007",
    title: "Credential template parameter is not secure",
    severity: Severity::Medium,
    kinds: aci::ARM_TEMPLATE,
    practice: "Declare credential parameters as secureString or secureObject",
    rationale: "Azure Resource Manager records the values of string and object parameters in \
        the deployment history, where anyone with read access to the resource group can read \
        them, and shows them in the portal and in logs. A parameter named like a password, \
        token or key is almost always a credential.",
    remediation: "Change the parameter's type to secureString (or secureObject) and supply it \
        from a Key Vault reference.",
    example: "parameters:\n  registryPassword:\n    type: secureString\n",
    references: &[
        aci::ARM_BEST_PRACTICES,
        aci::ARM_KEY_VAULT,
        "CWE-532: Insertion of Sensitive Information into Log File",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a credential parameter of a plain type.
pub fn message(parameter: &str, ty: &str) -> String {
    format!("parameter \"{parameter}\" looks like a credential but has type {ty}, which deployment history records in clear")
}

impl Rule for AciPlainSecretParameter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for template in aci::templates(&resource.node) {
            let Some(params) = template.get("parameters").and_then(Node::as_map) else {
                continue;
            };
            for p in params.iter() {
                let Some(ty) = p.value.get("type") else {
                    continue;
                };
                let Some(ty_name) = ty.as_str() else { continue };
                if !ty_name.eq_ignore_ascii_case("string")
                    && !ty_name.eq_ignore_ascii_case("object")
                {
                    continue;
                }
                if palisade_secrets::is_credential_name(&p.key) {
                    out.push(common::finding(
                        &META,
                        resource,
                        ty.span,
                        None,
                        message(&p.key, ty_name),
                    ));
                }
            }
        }
    }
}
