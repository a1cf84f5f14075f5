//! `PAL-ACI-001`: a container group environment variable carries a
//! credential in `value`.
//!
//! A `value` is stored in the container group's properties and returned to
//! everyone who can read the group; `secureValue` is not. Fires on a literal
//! that `palisade_secrets::check_named_value` judges a credential, and on an
//! expression that calls a `list*()` function (`listKeys`, `listSecrets`):
//! the deployment then writes the key into a readable property. Parameters,
//! Key Vault references and other expressions are not literals and do not
//! fire; `secureValue` never does.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciCredentialInEnvValue;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-001",
    title: "Container group environment variable holds a credential in value",
    severity: Severity::High,
    kinds: aci::CONTAINER_GROUP,
    practice: "Pass credentials to container groups as secure values from a secret store",
    rationale: "Azure Container Instances returns every environmentVariables value to anyone \
        who can read the container group (az container show, the portal, exports to YAML), \
        and a literal in a template or YAML file is also readable in the repository and its \
        history. A listKeys() call placed into value is as bad: the deployment copies the \
        storage or service key into that readable property. Only secureValue is kept out of \
        the group's properties.",
    remediation: "Move the credential to secureValue, filled from a secureString parameter backed \
        by a Key Vault reference, or better give the group a managed identity and let the \
        application fetch its secrets from Key Vault at runtime; rotate a credential that was \
        committed.",
    example: "properties:\n  containers:\n    - name: api\n      properties:\n        image: registry.example/api:1.4.2\n        environmentVariables:\n          - name: DB_PASSWORD\n            secureValue: \"[parameters('dbPassword')]\"\n",
    references: &[
        aci::ACI_SECURE_ENV,
        aci::ACI_IDENTITY,
        aci::ARM_KEY_VAULT,
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// Message for a literal credential in `value`.
pub fn literal_message(subject: &str, var: &str, description: &str, redacted: &str) -> String {
    format!("{subject} sets env var \"{var}\" to a literal credential ({description}) in value: {redacted}")
}

/// Message for a `list*()` result placed in `value`.
pub fn list_message(subject: &str, var: &str, function: &str) -> String {
    format!("{subject} puts the result of {function}() into env var \"{var}\" as a plain value, readable in the group's properties")
}

impl Rule for AciCredentialInEnvValue {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for (c, name, value) in aci::env_values(resource, "value") {
            let Some(text) = value.as_str() else { continue };
            if aci::is_expression(text) {
                if let Some(function) = aci::list_call(text) {
                    out.push(aci::container_finding(
                        &META,
                        META.severity,
                        resource,
                        value.span,
                        c.name,
                        list_message(&aci::subject(resource, &c), name, &function),
                    ));
                }
                continue;
            }
            if let Some(m) = palisade_secrets::check_named_value(name, text) {
                out.push(aci::container_finding(
                    &META,
                    common::credential_severity(m.confidence),
                    resource,
                    value.span,
                    c.name,
                    literal_message(
                        &aci::subject(resource, &c),
                        name,
                        m.description,
                        &m.redacted,
                    ),
                ));
            }
        }
    }
}
