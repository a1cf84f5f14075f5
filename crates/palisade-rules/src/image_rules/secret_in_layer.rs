//! `PAL-IMG-008`: a file in some layer holds a credential, including files
//! a later layer deleted (their bytes stay in the image).
//!
//! The layer secret scan (`palisade-image`, check `secret-files`) selects
//! credential files by name and runs the `palisade-secrets` detectors;
//! this rule reports what it found, redacted, with the layer that holds it.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{file_place, finding, subject, ImageRule, ImageSettings, CWE_798, KINDS};

/// The rule.
pub struct SecretInLayer;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-008",
    title: "Credential in an image layer",
    severity: Severity::High,
    kinds: KINDS,
    practice: "Never copy credentials into an image, not even into a layer a later step deletes",
    rationale: "Every layer of an image is a tar archive anyone who can pull the image can \
        extract. A private key, cloud key, token, `.env`, `.npmrc`, `.pypirc`, Docker \
        `config.json`, `.git-credentials` or shell history copied in by one step and removed by \
        a later `RUN rm` is hidden from the running container but still shipped, byte for \
        byte, in the earlier layer. Findings are high when a detector recognises a credential \
        format, medium when only a credential name and a plausible value suggest one.",
    remediation: "Rotate the credential, then rebuild without it: use BuildKit secret mounts \
        (`RUN --mount=type=secret`) or SSH forwarding for build-time access, multi-stage builds \
        that copy only artifacts into the final stage, and a .dockerignore that excludes keys, \
        `.env` and dot-files.",
    example: "# syntax=docker/dockerfile:1\nRUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\n",
    references: &[
        "https://docs.docker.com/build/building/secrets/",
        "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
        CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for SecretInLayer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        for s in &facts.secrets {
            let severity = if s.high_confidence {
                Severity::High
            } else {
                Severity::Medium
            };
            let place = if s.hidden {
                format!(
                    "/{} is deleted in a later layer but still in {}",
                    s.path,
                    facts.describe_layer(s.layer)
                )
            } else {
                file_place(facts, &s.path, s.layer)
            };
            out.push(finding(
                &META,
                severity,
                facts,
                Some(&s.path),
                s.line,
                format!(
                    "{}: {place} holds a credential ({}): {}",
                    subject(facts),
                    s.description,
                    s.redacted
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::SecretFacts;

    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn hidden_files_name_the_layer_that_still_holds_them() {
        let mut f = clean();
        f.secrets = vec![
            SecretFacts {
                path: "root/.ssh/id_rsa".into(),
                line: Some(1),
                layer: 0,
                hidden: true,
                detector: "private-key".into(),
                description: "PEM private key".into(),
                high_confidence: true,
                redacted: "----…----".into(),
            },
            SecretFacts {
                path: "app/.env".into(),
                line: Some(3),
                layer: 1,
                hidden: false,
                detector: "named-credential".into(),
                description: "hard-coded value under a credential name".into(),
                high_confidence: false,
                redacted: "Xk9…4zR".into(),
            },
        ];
        let found = run(&SecretInLayer, &f);
        assert_eq!(found.len(), 2);
        assert_eq!(
            &*found[0].location.file,
            "oci:build/app:1.0!/root/.ssh/id_rsa"
        );
        assert!(found[0].message.contains(
            "/root/.ssh/id_rsa is deleted in a later layer but still in layer 1/2 sha256:aaaaaaaaaaaa (ADD rootfs.tar /)"
        ), "{}", found[0].message);
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[1].severity, Severity::Medium);
        assert_eq!(found[1].location.span.line(), 3);
        assert!(found[1].message.contains("/app/.env (from layer 2/2"));
    }
}
