//! `PAL-ACI-012`: a container group environment variable's `secureValue`
//! is a literal credential written into the file.
//!
//! `secureValue` keeps a value out of the group's properties, but a literal
//! in a committed ACI YAML file or ARM template is still a secret in the
//! repository and its history. Fires on a literal (after the template's own
//! expressions are resolved, so a variable or a parameter default counts)
//! that `palisade_secrets::check_named_value` judges a credential.
//! Expressions (`[parameters('x')]`, a `secureString` parameter, a Key Vault
//! reference, `listKeys()`) and placeholders (`REPLACE_ME`,
//! `<password>`, `placeholder-from-pipeline`) do not fire.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciSecureValueLiteral;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-012",
    title: "Container group secureValue is a literal credential in the file",
    severity: Severity::High,
    kinds: aci::CONTAINER_GROUP,
    practice: "Supply secure values at deploy time from a secret store, never in the file",
    rationale: "secureValue hides an environment variable from the container group's \
        properties, but a literal written into an ACI YAML file or an ARM template is \
        readable by everyone who can read the repository, its forks and its history, and \
        it cannot be rotated without a commit.",
    remediation: "In an ARM template, set secureValue to [parameters('name')] of a \
        securestring parameter without a default, and pass a Key Vault reference in the \
        parameters file; in ACI YAML, substitute the value when the file is deployed. \
        Rotate the committed credential. palisade fix makes the edit.",
    example: "environmentVariables:\n  - name: DB_PASSWORD\n    secureValue: \"[parameters('dbPassword')]\"\n",
    references: &[aci::ACI_SECURE_ENV, aci::ARM_KEY_VAULT, common::CWE_798],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

impl Rule for AciSecureValueLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for (c, name, value) in aci::env_values(resource, "secureValue") {
            let Some(text) = aci::literal(value) else {
                continue;
            };
            if let Some(m) = palisade_secrets::check_named_value(name, text) {
                out.push(aci::container_finding(
                        &META,
                        common::credential_severity(m.confidence),
                        resource,
                        value.span,
                        c.name,
                        format!(
                            "{} writes a literal credential ({}) into secureValue of env var \"{name}\": {}",
                            aci::subject(resource, &c),
                            m.description,
                            m.redacted
                        ),
                    ));
            }
        }
    }
}
