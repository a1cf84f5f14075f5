//! `PAL-IMG-003`: the image config's `Env` holds a literal credential.
//!
//! Each `NAME=value` is judged with its name by
//! `palisade_secrets::check_named_value`, as the manifest credential rules
//! do; messages show the secret only redacted.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{finding, subject, ImageRule, ImageSettings, CWE_798, KINDS};

/// The rule.
pub struct CredentialInEnv;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-003",
    title: "Image environment holds a literal credential",
    severity: Severity::High,
    kinds: KINDS,
    practice: "Keep credentials out of images; inject them at run time from a secret store",
    rationale: "ENV values are part of the image config: everyone who can pull the image reads \
        them with `docker inspect`, every container started from it inherits them, and they \
        stay in every copy of the image in every registry and cache. The credential cannot be \
        rotated without rebuilding and redistributing the image. Findings are high when the \
        detector recognises a credential format, medium when only the name and shape suggest one.",
    remediation: "Remove the ENV (and any build ARG feeding it), rotate the credential, and \
        provide it at run time from a Kubernetes Secret, Azure Key Vault or a BuildKit secret \
        mount for build-time use.",
    example: "# at run time, not in the image\nenv:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef: {name: db, key: password}\n",
    references: &[
        "https://docs.docker.com/build/building/secrets/",
        "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
        CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for CredentialInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(config) = &facts.config else { return };
        for entry in &config.env {
            let (name, value) = entry.split_once('=').unwrap_or((entry.as_str(), ""));
            if value.is_empty() {
                continue;
            }
            let Some(m) = palisade_secrets::check_named_value(name, value) else {
                continue;
            };
            let severity = match m.confidence {
                palisade_secrets::Confidence::High => Severity::High,
                palisade_secrets::Confidence::Medium => Severity::Medium,
            };
            out.push(finding(
                &META,
                severity,
                facts,
                None,
                None,
                format!(
                    "{} sets env var \"{name}\" to a literal credential ({}): {}",
                    subject(facts),
                    m.description,
                    m.redacted
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn credentials_fire_redacted() {
        let secret = "Xk9#mQ2$vL7pW4zR";
        let mut f = clean();
        if let Some(c) = &mut f.config {
            c.env = vec![
                format!("DB_PASSWORD={secret}"),
                "PATH=/usr/local/bin:/usr/bin".into(),
                "API_TOKEN=".into(),
                "NOEQUALS".into(),
                "AWS_ACCESS_KEY_ID=AKIA4QJ7R2LXMZ5T6WEC".into(),
            ];
        }
        let found = run(&CredentialInEnv, &f);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|x| !x.message.contains(secret)));
        assert!(found.iter().any(|x| x.message.contains("\"DB_PASSWORD\"")));
    }
}
