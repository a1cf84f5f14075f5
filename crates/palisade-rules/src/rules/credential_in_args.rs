//! `PAL-K8S-021`: a container's command line holds a literal credential.
//!
//! Reads `command` and `args` as one token stream (entries split on
//! whitespace, so `sh -c` scripts count): `--flag=value` and `--flag value`
//! pairs are judged by the flag's name, and every entry is also scanned for
//! known credential formats. `$(VAR)` references are removed first and are
//! never findings. At most one finding per entry.

use palisade_model::{
    Container, Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, Spanned,
    WORKLOAD_KINDS,
};
use palisade_secrets::SecretMatch;

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct CredentialInArgs;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-021",
    title: "Container command line holds a literal credential",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Keep credentials out of manifests; reference them from a secret store",
    rationale: "A credential passed on the command line is written in the manifest, and at \
        run time it is visible to anyone who can list processes on the node or in the pod \
        (/proc/<pid>/cmdline), in crash reports and in audit logs. Like any credential in a \
        manifest it spreads through the repository, its history and CI logs, and cannot be \
        rotated without a change.",
    remediation: "Remove the literal, rotate the credential, and pass it through an \
        environment variable from valueFrom.secretKeyRef (referenced as $(VAR)) or, better, a \
        file mounted from Azure Key Vault with the Secrets Store CSI driver and workload \
        identity.",
    example: common::CREDENTIAL_EXAMPLE,
    references: &[
        common::AKS_CSI_SECRETS,
        common::AKS_WORKLOAD_IDENTITY,
        common::K8S_SECRETS_PRACTICES,
        "https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/",
        common::CIS_EXTERNAL_SECRETS,
        common::CWE_798,
        "CWE-214: Invocation of Process Using Visible Sensitive Information",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a literal credential on the command line; `field` is e.g. `args[2]`.
pub fn message(subject: &str, field: &str, description: &str, redacted: &str) -> String {
    format!("{subject} passes a literal credential ({description}) in {field}: {redacted}")
}

/// A flag's name without dashes, when `token` is a flag.
fn flag_name(token: &str) -> Option<&str> {
    let name = token.trim_start_matches('-');
    (token.starts_with('-') && !name.is_empty()).then_some(name)
}

fn unquote(s: &str) -> &str {
    s.trim_matches(|c| c == '\'' || c == '"')
}

/// Every entry of `command` then `args`, with its field name.
fn entries(c: &Container) -> Vec<(String, &Spanned<String>)> {
    let command = c
        .command
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("command[{i}]"), e));
    let args = c
        .args
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("args[{i}]"), e));
    command.chain(args).collect()
}

/// The credential matches per entry index.
fn matches(entries: &[(String, &Spanned<String>)]) -> Vec<(usize, SecretMatch)> {
    let literal: Vec<String> = entries
        .iter()
        .map(|(_, e)| common::without_references(&e.value))
        .collect();
    let tokens: Vec<(usize, &str)> = literal
        .iter()
        .enumerate()
        .flat_map(|(i, text)| text.split_whitespace().map(move |t| (i, t)))
        .collect();
    let mut found: Vec<(usize, SecretMatch)> = Vec::new();
    let push = |i: usize, m: SecretMatch, found: &mut Vec<(usize, SecretMatch)>| {
        if !found.iter().any(|(j, _)| *j == i) {
            found.push((i, m));
        }
    };
    for (k, (i, token)) in tokens.iter().enumerate() {
        let Some(flag) = flag_name(token) else {
            continue;
        };
        if let Some((name, value)) = flag.split_once('=') {
            if let Some(m) = palisade_secrets::check_named_value(name, unquote(value)) {
                push(*i, m, &mut found);
            }
        } else if palisade_secrets::is_credential_name(flag) {
            if let Some((j, next)) = tokens.get(k + 1).filter(|(_, t)| !t.starts_with('-')) {
                if let Some(m) = palisade_secrets::check_named_value(flag, unquote(next)) {
                    push(*j, m, &mut found);
                }
            }
        }
    }
    for (i, text) in literal.iter().enumerate() {
        if let Some(m) = palisade_secrets::scan_text(text)
            .into_iter()
            .max_by_key(|m| m.confidence)
        {
            push(i, m, &mut found);
        }
    }
    found.sort_by_key(|(i, _)| *i);
    found
}

impl Rule for CredentialInArgs {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for c in &pod.spec.containers {
            let entries = entries(c);
            for (i, m) in matches(&entries) {
                let Some((field, entry)) = entries.get(i) else {
                    continue;
                };
                out.push(common::finding_with(
                    &META,
                    common::credential_severity(m.confidence),
                    resource,
                    entry.span,
                    Some(c),
                    message(
                        &common::subject(resource, c),
                        field,
                        m.description,
                        &m.redacted,
                    ),
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
    fn flag_pairs_and_values_fire_references_do_not() {
        let secret = "Xk9mQ2vL7pW4zRt8";
        let mut c = container("app", 20);
        c.command = vec![ss("/app/server", 21)];
        c.args = vec![
            ss(&format!("--db-password={secret}"), 22),
            ss("--api-token", 23),
            ss(secret, 24),
            ss("--password=$(DB_PASSWORD)", 25),
            ss("--password", 26),
            ss("$(DB_PASSWORD)", 27),
            ss("--verbose", 28),
        ];
        let found = run(&CredentialInArgs, &[workload(spec(vec![c]))]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![22, 24], "{found:#?}");
        assert!(found.iter().all(|f| !f.message.contains(secret)));
        assert!(found[0].message.contains("in args[0]:"));
        assert!(found[1].message.contains("in args[2]:"));
    }

    #[test]
    fn shell_scripts_are_tokenised() {
        let mut c = container("app", 20);
        c.command = vec![
            ss("sh", 21),
            ss("-c", 22),
            ss("mysql --user=app --password='Xk9mQ2vL7pW4zRt8' db", 23),
        ];
        let found = run(&CredentialInArgs, &[workload(spec(vec![c]))]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("in command[2]:"));
    }
}
