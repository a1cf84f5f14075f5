//! `PAL-K8S-020`: a container's environment holds a literal credential.
//!
//! Judges each `env[].value` with its name
//! (`palisade_secrets::check_named_value`). Values from `valueFrom`
//! (`secretKeyRef`, `configMapKeyRef`, ...) and `$(VAR)` references are
//! never findings; messages show the secret only redacted.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct CredentialInEnv;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-020",
    title: "Container environment variable holds a literal credential",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Keep credentials out of manifests; reference them from a secret store",
    rationale: "A password, token or key written into a manifest is readable by everyone who \
        can read the repository, its history, CI logs, the object in the cluster (get on \
        Deployments is rarely restricted like get on Secrets) and the last-applied annotation. \
        It cannot be rotated without a change to the manifest, and it outlives its removal in \
        git history. Findings are high when the detector recognises a credential format, \
        medium when only the name and shape suggest one.",
    remediation: "Remove the literal, rotate the credential, and read it with valueFrom.secretKeyRef \
        from a Secret that a secret store keeps in sync, or mount it from Azure Key Vault with \
        the Secrets Store CSI driver and workload identity.",
    example: common::CREDENTIAL_EXAMPLE,
    references: &[
        common::AKS_CSI_SECRETS,
        common::AKS_WORKLOAD_IDENTITY,
        common::K8S_SECRETS_PRACTICES,
        common::CIS_EXTERNAL_SECRETS,
        "CIS Kubernetes Benchmark v1.9, 5.4.1: Prefer using Secrets as files over Secrets as environment variables",
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal credential in an environment variable.
pub fn message(subject: &str, var: &str, description: &str, redacted: &str) -> String {
    format!("{subject} sets env var \"{var}\" to a literal credential ({description}): {redacted}")
}

impl Rule for CredentialInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for c in &pod.spec.containers {
            for var in &c.env {
                if var.value_from {
                    continue;
                }
                let Some(value) = &var.value else { continue };
                let literal = common::without_references(&value.value);
                if let Some(m) = palisade_secrets::check_named_value(&var.name.value, &literal) {
                    out.push(common::finding_with(
                        &META,
                        common::credential_severity(m.confidence),
                        resource,
                        value.span,
                        Some(c),
                        message(
                            &common::subject(resource, c),
                            &var.name.value,
                            m.description,
                            &m.redacted,
                        ),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::EnvVar;

    use super::*;
    use crate::rules::testkit::*;

    fn env(name: &str, value: Option<&str>, value_from: bool, line: u32) -> EnvVar {
        EnvVar {
            span: at(line),
            name: ss(name, line),
            value: value.map(|v| ss(v, line + 1)),
            value_from,
        }
    }

    #[test]
    fn literal_credentials_fire_references_do_not() {
        let secret = "Xk9#mQ2$vL7pW4zR";
        let mut c = container("app", 20);
        c.env = vec![
            env("DB_PASSWORD", Some(secret), false, 21),
            env("DB_PASSWORD_REF", Some("$(DB_PASSWORD)"), false, 23),
            env("API_TOKEN", None, true, 25),
            env("LOG_LEVEL", Some("debug"), false, 27),
            env("DB_PASSWORD2", Some("changeme"), false, 29),
        ];
        let found = run(&CredentialInEnv, &[workload(spec(vec![c]))]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].location.span, at(22));
        assert!(!found[0].message.contains(secret));
        let m = palisade_secrets::check_named_value("DB_PASSWORD", secret).unwrap();
        assert_eq!(
            found[0].message,
            message(
                "container \"app\" of Deployment \"web\"",
                "DB_PASSWORD",
                m.description,
                &m.redacted
            )
        );
    }
}
