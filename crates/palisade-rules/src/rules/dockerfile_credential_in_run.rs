//! `PAL-DF-003`: a `RUN` command line holds a literal credential.
//!
//! Scans each `RUN` (shell form, exec form and here-document bodies) with
//! `palisade_secrets::scan_text` (credential formats, passwords in URLs,
//! `--password=...` flags) and also judges the password of `curl -u
//! user:password` / `--user user:password`. A value that is a `$VAR`
//! reference is never a finding: that is how a secret mount is read.
//! Messages show the secret only redacted, one finding per secret.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::common;
use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileCredentialInRun;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-003",
    title: "Dockerfile RUN command holds a literal credential",
    severity: Severity::High,
    kinds: df::KINDS,
    practice: "Pass build-time credentials with secret mounts, never on the RUN command line",
    rationale: "A RUN command line is stored verbatim in the image history (docker history \
        --no-trunc shows it to everyone who can pull the image), in the build cache and in \
        build logs, and it is in the repository. A token in a clone URL, a password after \
        curl -u or a --password flag leaks to all of them and outlives its removal from the \
        Dockerfile.",
    remediation: "Remove the literal and rotate the credential; mount it for the one command \
        that needs it with `RUN --mount=type=secret,id=name` and read it from the file or \
        environment variable the mount provides.",
    example: "# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN --mount=type=secret,id=api_token,env=API_TOKEN \\\n    wget --header=\"Authorization: Bearer $API_TOKEN\" -O /tmp/app.tgz https://downloads.example/app.tgz\n",
    references: &[
        "https://docs.docker.com/build/building/secrets/",
        "CIS Docker Benchmark v1.6.0, 4.10: Ensure secrets are not stored in Dockerfiles",
        common::CWE_798,
        "CWE-532: Insertion of Sensitive Information into Log File",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal credential in a `RUN` command.
pub fn message(subject: &str, description: &str, redacted: &str) -> String {
    format!("{subject} runs a command with a literal credential ({description}): {redacted}")
}

/// Passwords given as `-u user:password`, `--user user:password` or
/// `--user=user:password` (curl, wget and others), literal ones only.
fn user_flag_passwords(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for command in df::commands(text) {
        let mut words = command.iter();
        while let Some(w) = words.next() {
            let value = match w.as_str() {
                "-u" | "--user" | "--proxy-user" => words.next().map(String::as_str),
                other => other
                    .strip_prefix("--user=")
                    .or_else(|| other.strip_prefix("--proxy-user="))
                    .or_else(|| other.strip_prefix("-u").filter(|v| v.contains(':'))),
            };
            let Some((_, password)) = value.and_then(|v| v.split_once(':')) else {
                continue;
            };
            if !password.is_empty() && !password.starts_with('$') {
                out.push(password.to_string());
            }
        }
    }
    out
}

impl Rule for DockerfileCredentialInRun {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        for stage in &d.stages {
            for i in stage.instructions.iter().filter(|i| i.is("RUN")) {
                let text = i.command_text();
                let mut seen: Vec<String> = Vec::new();
                let mut report = |m: palisade_secrets::SecretMatch, out: &mut Vec<Finding>| {
                    if seen.contains(&m.redacted) {
                        return;
                    }
                    seen.push(m.redacted.clone());
                    out.push(df::finding(
                        &META,
                        common::credential_severity(m.confidence),
                        resource,
                        i.span,
                        message(
                            &df::stage_subject(resource, stage),
                            m.description,
                            &m.redacted,
                        ),
                    ));
                };
                for m in palisade_secrets::scan_text(&text) {
                    let secret = text.get(m.range.clone()).unwrap_or("");
                    if secret.is_empty() || secret.contains('$') {
                        continue;
                    }
                    report(m, out);
                }
                for password in user_flag_passwords(&text) {
                    if let Some(m) = palisade_secrets::check_named_value("password", &password) {
                        report(m, out);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_flags() {
        assert_eq!(
            user_flag_passwords("curl -u admin:S3cr3tPassw0rd https://x && curl --user=a:b2Xq9 y"),
            vec!["S3cr3tPassw0rd".to_string(), "b2Xq9".to_string()]
        );
        assert!(user_flag_passwords("curl -u \"admin:$PASS\" https://x").is_empty());
        assert!(user_flag_passwords("curl -u admin https://x").is_empty());
        assert!(user_flag_passwords("useradd -u 1000 app").is_empty());
    }
}
