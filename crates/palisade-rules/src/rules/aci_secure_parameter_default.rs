//! `PAL-ACI-006`: a `secureString` or `secureObject` template parameter has
//! a `defaultValue`.
//!
//! Looks at the template and the inline templates of its nested
//! deployments. Empty defaults (`""`, `{}`) and expressions (`[newGuid()]`,
//! which generates a value) do not fire.

use palisade_model::{
    Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity, Value,
};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciSecureParameterDefault;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-006",
    title: "Secure template parameter has a default value",
    severity: Severity::High,
    kinds: aci::ARM_TEMPLATE,
    practice: "Give secure parameters no default; supply them from Key Vault at deployment",
    rationale: "A secureString or secureObject parameter keeps its value out of deployment \
        history and logs, but a defaultValue is written in the template itself: the secret is \
        in the repository, and every deployment that omits the parameter silently uses the \
        same committed value.",
    remediation: "Remove defaultValue and supply the parameter from a parameters file with a \
        Key Vault reference, or generate it with newGuid(); rotate the committed value.",
    example: "parameters:\n  adminPassword:\n    type: secureString\n    metadata:\n      description: From Key Vault via the parameters file.\n",
    references: &[aci::ARM_BEST_PRACTICES, aci::ARM_KEY_VAULT, common::CWE_798],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a secure parameter with a default.
pub fn message(parameter: &str, ty: &str) -> String {
    format!("{ty} parameter \"{parameter}\" has a defaultValue written into the template")
}

/// Whether a default is a value someone wrote (not empty, not an expression).
fn written(default: &Node) -> bool {
    match &default.value {
        Value::Null => false,
        Value::Str(s) => !s.is_empty() && !aci::is_expression(s),
        Value::Map(m) => !m.is_empty(),
        Value::Seq(s) => !s.is_empty(),
        _ => true,
    }
}

impl Rule for AciSecureParameterDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for template in aci::templates(&resource.node) {
            let Some(params) = template.get("parameters").and_then(Node::as_map) else {
                continue;
            };
            for p in params.iter() {
                let Some(ty) = p.value.get("type").and_then(Node::as_str) else {
                    continue;
                };
                if !ty.eq_ignore_ascii_case("securestring")
                    && !ty.eq_ignore_ascii_case("secureobject")
                {
                    continue;
                }
                let Some(default) = p.value.get("defaultValue").filter(|d| written(d)) else {
                    continue;
                };
                out.push(common::finding(
                    &META,
                    resource,
                    default.span,
                    None,
                    message(&p.key, ty),
                ));
            }
        }
    }
}
