//! `PAL-K8S-022`: a ConfigMap holds a credential.
//!
//! Each `data` entry is judged by key and value; a multi-line value (an
//! embedded configuration file) is also read line by line as `key=value` or
//! `key: value` pairs. `binaryData` is not read. At most one finding per key.

use palisade_model::{Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity};
use palisade_secrets::SecretMatch;

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct CredentialInConfigMap;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-022",
    title: "ConfigMap holds a credential",
    severity: Severity::High,
    kinds: &["ConfigMap"],
    practice: "Keep credentials out of ConfigMaps; reference them from a secret store",
    rationale: "ConfigMaps are meant for non-confidential data: RBAC grants read access to \
        them broadly, they are not encrypted at rest like Secrets can be, they are printed by \
        kubectl describe and copied into logs, and they live in the repository in clear text. \
        A password or key inside a ConfigMap (often inside an embedded configuration file) is \
        exposed to everyone who can read either.",
    remediation: "Move the credential to a secret store, rotate it, and mount it from Azure Key \
        Vault with the Secrets Store CSI driver and workload identity (or reference a synced \
        Secret with secretKeyRef); keep only non-secret settings in the ConfigMap.",
    example: common::CREDENTIAL_EXAMPLE,
    references: &[
        common::AKS_CSI_SECRETS,
        common::AKS_WORKLOAD_IDENTITY,
        "https://kubernetes.io/docs/concepts/configuration/configmap/",
        common::K8S_SECRETS_PRACTICES,
        common::CIS_EXTERNAL_SECRETS,
        common::CWE_798,
        "CWE-312: Cleartext Storage of Sensitive Information",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a credential in a ConfigMap key.
pub fn message(object: &str, key: &str, description: &str, redacted: &str) -> String {
    format!("{object} stores a credential ({description}) in data key \"{key}\": {redacted}")
}

/// A credential in one ConfigMap entry: the value under its key, else one
/// of its lines read as a `name=value` or `name: value` pair.
pub(crate) fn judge_entry(key: &str, value: &str) -> Option<SecretMatch> {
    if let Some(m) = palisade_secrets::check_named_value(key, value) {
        return Some(m);
    }
    if !value.contains('\n') {
        return None;
    }
    value.lines().find_map(|line| {
        let line = line.trim().trim_start_matches("export ");
        let (name, v) = match (line.find('='), line.find(':')) {
            (Some(e), Some(c)) if c < e => line.split_at(c),
            (Some(e), _) => line.split_at(e),
            (None, Some(c)) => line.split_at(c),
            (None, None) => return None,
        };
        let v = v.get(1..).unwrap_or_default().trim().trim_end_matches(',');
        let name = name.trim().trim_matches('"');
        let v = v.trim_matches(|c| c == '"' || c == '\'');
        palisade_secrets::is_credential_name(name)
            .then(|| palisade_secrets::check_named_value(name, v))
            .flatten()
    })
}

impl Rule for CredentialInConfigMap {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(data) = resource.node.get("data").and_then(Node::as_map) else {
            return;
        };
        let object = common::object(resource);
        for entry in data.iter() {
            let Some(value) = entry.value.scalar_text() else {
                continue;
            };
            if let Some(m) = judge_entry(&entry.key, &value) {
                out.push(common::finding_with(
                    &META,
                    common::credential_severity(m.confidence),
                    resource,
                    entry.value.span,
                    None,
                    message(&object, &entry.key, m.description, &m.redacted),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn keys_and_embedded_files_are_judged() {
        let secret = "Xk9mQ2vL7pW4zRt8";
        let cm = object(
            "ConfigMap",
            map(vec![
                ("metadata", map(vec![("name", s("settings", 3))])),
                (
                    "data",
                    map(vec![
                        ("db_password", s(secret, 5)),
                        ("log_level", s("debug", 6)),
                        (
                            "app.properties",
                            s(&format!("db.host=db\ndb.password={secret}\n"), 7),
                        ),
                        ("password_file", s("/etc/app/password", 9)),
                    ]),
                ),
            ]),
        );
        let found = run(&CredentialInConfigMap, &[cm]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![5, 7], "{found:#?}");
        assert!(found.iter().all(|f| !f.message.contains(secret)));
        assert!(found[1].message.contains("\"app.properties\""));
    }
}
