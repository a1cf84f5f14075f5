//! `PAL-DF-002`: a Dockerfile `ENV` value or `ARG` default holds a literal
//! credential.
//!
//! Judges each `NAME=value` of `ENV` and each `ARG NAME=default`, in every
//! stage and before the first `FROM`, with
//! `palisade_secrets::check_named_value`. `$VAR` and `${VAR}` references
//! are removed first (they hold no secret themselves); an `ARG` without a
//! default is the right way to take a build-time value and is never a
//! finding. Messages show the secret only redacted.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::common;
use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileCredentialInEnv;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-002",
    title: "Dockerfile ENV or ARG default holds a literal credential",
    severity: Severity::High,
    kinds: df::KINDS,
    practice: "Keep credentials out of Dockerfiles and images; pass build secrets with secret mounts",
    rationale: "An ENV value is stored in the image configuration: everyone who can pull the \
        image reads it with docker inspect, and every container started from it has it in its \
        environment. An ARG default is recorded in the image history (docker history) and in \
        the build cache. Both are also in the repository and its history, so the credential \
        leaks to every reader of either and cannot be rotated without a rebuild. Findings are \
        high when the detector recognises a credential format, medium when only the name and \
        shape suggest one.",
    remediation: "Remove the literal and rotate the credential; give it to the build with \
        `RUN --mount=type=secret,id=...` (docker build --secret) and to the running container \
        from a secret store (a Kubernetes Secret, Azure Key Vault), never through ENV or an ARG \
        default.",
    example: "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN --mount=type=secret,id=pip_token,env=PIP_TOKEN \\\n    pip install --no-cache-dir --index-url \"https://token:${PIP_TOKEN}@pkgs.example/simple\" app\n",
    references: &[
        "https://docs.docker.com/build/building/secrets/",
        "https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/",
        "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
        common::CWE_798,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal credential in `ENV` or an `ARG` default.
pub fn message(
    subject: &str,
    keyword: &str,
    name: &str,
    description: &str,
    redacted: &str,
) -> String {
    let what = if keyword == "ARG" {
        "the default of ARG"
    } else {
        "ENV"
    };
    format!("{subject} sets {what} \"{name}\" to a literal credential ({description}): {redacted}")
}

impl Rule for DockerfileCredentialInEnv {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        let escape = d.escape();
        for (stage, i) in df::instructions(d) {
            if !(i.is("ENV") || i.is("ARG")) {
                continue;
            }
            for (name, value) in i.key_values(escape) {
                let Some(value) = value else { continue };
                let literal = df::without_variables(&value);
                if literal.trim().is_empty() {
                    continue;
                }
                let Some(m) = palisade_secrets::check_named_value(&name, &literal) else {
                    continue;
                };
                let subject = match stage {
                    Some(s) => df::stage_subject(resource, s),
                    None => common::object(resource),
                };
                out.push(df::finding(
                    &META,
                    common::credential_severity(m.confidence),
                    resource,
                    i.args.span,
                    message(
                        &subject,
                        &i.keyword.value,
                        &name,
                        m.description,
                        &m.redacted,
                    ),
                ));
            }
        }
    }
}
