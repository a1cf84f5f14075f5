//! `PAL-ACI-013`: an ARM parameters file committed with the repository gives
//! a secret as a literal `value`.
//!
//! Runs on `ArmParameters` objects. When the template beside the file
//! declares the parameter `securestring`, any literal that is no placeholder
//! fires; a non-empty literal `secureObject` fires. When the type is unknown
//! (no template beside the file, or the parameter is not declared) or plain,
//! the parameter's name and value are judged as a named value
//! (`palisade_secrets::check_named_value`). Key Vault `reference`s,
//! expressions and placeholders (`REPLACE_ME`, `<password>`) do not fire.

use palisade_model::{
    Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity, Value,
};

use super::{aci_common as aci, common};
use crate::{Context, Rule};

/// The rule.
pub struct AciParametersFileLiteral;

static META: RuleMeta = RuleMeta {
    id: "PAL-ACI-013",
    title: "Parameters file gives a secret as a literal value",
    severity: Severity::High,
    kinds: aci::ARM_PARAMETERS,
    practice: "Give secure parameters as Key Vault references in parameters files, never as values",
    rationale: "A parameters file lives beside its template in the repository. A securestring \
        or secureObject parameter keeps its value out of deployment history, but a literal \
        value in a committed parameters file puts the secret in the repository, its forks and \
        its history, where it cannot be rotated without a commit.",
    remediation: "Replace the value with a Key Vault reference (reference.keyVault.id and \
        secretName) and store the secret in the vault, or pass it on the command line from a \
        secret store at deployment; rotate the committed value.",
    example: "parameters:\n  dbPassword:\n    reference:\n      keyVault:\n        id: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<vault>\n      secretName: db-password\n",
    references: &[aci::ARM_KEY_VAULT, aci::ARM_BEST_PRACTICES, common::CWE_798],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The type the template declares for `parameter`, when the loader found it.
fn declared_type<'r>(resource: &'r Resource, parameter: &str) -> Option<&'r str> {
    resource
        .node
        .get(aci::TEMPLATE_TYPES)
        .and_then(Node::as_map)?
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case(parameter))
        .and_then(|e| e.value.as_str())
}

/// Whether a secureObject value holds anything.
fn written(value: &Node) -> bool {
    match &value.value {
        Value::Map(m) => !m.is_empty(),
        Value::Seq(s) => !s.is_empty(),
        Value::Null => false,
        Value::Str(s) => !s.trim().is_empty() && !aci::is_expression(s),
        _ => true,
    }
}

impl Rule for AciParametersFileLiteral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(params) = resource.node.get("parameters").and_then(Node::as_map) else {
            return;
        };
        for p in params.iter() {
            // A Key Vault reference is never a literal.
            if p.value.get("reference").is_some() {
                continue;
            }
            let Some(value) = p.value.get("value") else {
                continue;
            };
            let ty = declared_type(resource, &p.key);
            let is = |t: &str| ty.is_some_and(|ty| ty.eq_ignore_ascii_case(t));
            let name = &p.key;
            if is("secureobject") {
                if written(value) {
                    out.push(common::finding(
                        &META,
                        resource,
                        value.span,
                        None,
                        format!("secureObject parameter \"{name}\" is given a literal value in the parameters file"),
                    ));
                }
                continue;
            }
            let Some(text) = aci::literal(value) else {
                continue;
            };
            if is("securestring") {
                // The template says it is a secret, whatever its name: any
                // value that is no placeholder is one.
                let found = palisade_secrets::check_named_value(name, text)
                    .map(|m| (m.description, m.redacted))
                    .or_else(|| {
                        palisade_secrets::check_named_value("password", text)
                            .map(|m| ("value of a secure parameter", m.redacted))
                    });
                if let Some((description, redacted)) = found {
                    out.push(common::finding(
                        &META,
                        resource,
                        value.span,
                        None,
                        format!(
                            "securestring parameter \"{name}\" is given a literal value in the parameters file ({description}): {redacted}"
                        ),
                    ));
                }
            } else if let Some(m) = palisade_secrets::check_named_value(name, text) {
                let declared = ty.map_or_else(String::new, |t| format!("{t} "));
                out.push(common::finding_with(
                    &META,
                    common::credential_severity(m.confidence),
                    resource,
                    value.span,
                    None,
                    format!(
                        "{declared}parameter \"{name}\" is given a literal credential in the parameters file ({}): {}",
                        m.description, m.redacted
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    /// The findings for a parameters file; `types` as the loader would add
    /// them from the template beside it.
    fn run(text: &str, types: Option<Node>) -> Vec<Finding> {
        let loaded = palisade_load::load_str("p.parameters.json", text, &Default::default());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let mut r = loaded.resources[0].clone();
        assert_eq!(r.kind, "ArmParameters");
        if let (Some(types), Value::Map(m)) = (types, &mut r.node.value) {
            m.entries.push(palisade_model::Entry {
                key: aci::TEMPLATE_TYPES.to_string(),
                key_span: r.span,
                value: types,
            });
        }
        let settings = Settings::default();
        let ctx = Context {
            resources: std::slice::from_ref(&r),
            settings: &settings,
        };
        let mut out = Vec::new();
        AciParametersFileLiteral.check(&r, &ctx, &mut out);
        out
    }

    const HEAD: &str = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "#;

    #[test]
    fn names_judge_values_when_the_type_is_unknown() {
        let f = run(
            &format!(
                r#"{HEAD}"parameters": {{
              "adminPassword": {{"value": "Adm1n-P4ss-2024-xyz"}},
              "sqlConnection": {{"value": "opaque-but-unnamed-value"}},
              "location": {{"value": "westeurope"}},
              "dbPassword": {{"value": "REPLACE_ME"}},
              "apiKey": {{"value": "[parameters('x')]"}},
              "token": {{"reference": {{"keyVault": {{"id": "/x"}}, "secretName": "t"}}}}
            }}}}"#
            ),
            None,
        );
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!(
            f[0].message.contains("\"adminPassword\""),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains("Adm1n-P4ss-2024-xyz"));
    }

    #[test]
    fn declared_types_decide() {
        let types = palisade_load::parse_yaml(
            "t",
            r#"{"sqlConnection": "securestring", "settings": "secureObject", "empty": "secureobject", "placeholder": "SecureString"}"#,
            &Default::default(),
        )
        .unwrap()
        .remove(0);
        let f = run(
            &format!(
                r#"{HEAD}"parameters": {{
              "sqlConnection": {{"value": "opaque-but-unnamed-value"}},
              "settings": {{"value": {{"user": "a", "pass": "b"}}}},
              "empty": {{"value": {{}}}},
              "placeholder": {{"value": "<password>"}}
            }}}}"#
            ),
            Some(types),
        );
        let messages: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(f.len(), 2, "{messages:#?}");
        assert!(messages[0].starts_with("securestring parameter \"sqlConnection\""));
        assert!(messages[1].starts_with("secureObject parameter \"settings\""));
        assert!(f.iter().all(|f| f.severity == Severity::High));
    }
}
