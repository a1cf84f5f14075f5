//! `PAL-DF-001`: the image a Dockerfile ships runs as root.
//!
//! Looks at the final stage (the image a build produces without
//! `--target`) and the stages it is built `FROM`, whose `USER` it inherits.
//! The last `USER` in that chain decides: `root`, `0`, `root:...` and
//! `0:...` are root; no `USER` at all leaves the base image's user, which
//! is root for nearly every public image (a `nonroot` tag, as distroless
//! images use, is taken as non-root). A `USER` whose variables cannot be
//! resolved from `ARG`/`ENV` defaults is not judged.

use palisade_model::{
    Finding, FixAvailability, Instruction, Resource, RuleMeta, RuleStatus, Severity,
};

use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileRootUser;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-001",
    title: "Final image stage runs as root",
    severity: Severity::Medium,
    kinds: df::KINDS,
    practice: "Switch the shipped image to a non-root USER",
    rationale: "A container runs as the image's USER unless the platform overrides it, and \
        with no USER (or USER root) that is UID 0. Root in a container shares UID 0 with the \
        host: a container escape through a kernel or runtime bug, a writable host mount or a \
        mounted socket then acts as root on the node. Kubernetes' runAsNonRoot refuses such an \
        image and Azure Container Instances cannot override the user at all, so the image \
        itself must name an unprivileged user. Only the last USER of the final stage (or of \
        the stages it is built from) counts: a later USER root undoes an earlier non-root one.",
    remediation: "Create an unprivileged user in the final stage and end it with \
        `USER <uid>:<gid>` (a numeric UID lets Kubernetes verify runAsNonRoot), after the \
        steps that need root.",
    example: "FROM debian:12-slim\nRUN groupadd --system --gid 10001 app \\\n && useradd --system --uid 10001 --gid app app\nCOPY --chown=10001:10001 app /app\nUSER 10001:10001\nENTRYPOINT [\"/app\"]\n",
    references: &[
        "https://docs.docker.com/build/building/best-practices/#user",
        "CIS Docker Benchmark v1.6.0, 4.1: Ensure that a user for the container has been created",
        "https://learn.microsoft.com/en-us/azure/aks/developer-best-practices-pod-security",
        "CWE-250: Execution with Unnecessary Privileges",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message when the final stage ends with a root `USER`.
pub fn root_message(subject: &str, user: &str) -> String {
    format!("{subject} is the shipped image and runs as root (USER {user})")
}

/// Message when no stage of the chain sets `USER`.
pub fn no_user_message(subject: &str, base: &str) -> String {
    format!(
        "{subject} is the shipped image and sets no USER, so it runs as the user of \"{base}\" (root unless that image says otherwise)"
    )
}

/// Whether a `USER` value (`name[:group]`) is root; `None` when unknown.
pub fn is_root_user(value: &str) -> Option<bool> {
    let user = value.split(':').next().unwrap_or("").trim();
    if user.is_empty() || user.contains('$') {
        return None;
    }
    Some(user == "root" || user.trim_start_matches('0').is_empty())
}

impl Rule for DockerfileRootUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        let Some(last) = d.final_stage() else { return };
        let escape = d.escape();
        let chain = df::shipped_stages(d);
        let mut vars = df::global_args(d);
        let mut last_user: Option<(&Instruction, String)> = None;
        for stage in &chain {
            for i in &stage.instructions {
                if i.is("ARG") || i.is("ENV") {
                    vars.extend(i.key_values(escape));
                } else if i.is("USER") {
                    let written = i.words(escape).join(" ");
                    let value = df::expand(&written, &vars).unwrap_or(written);
                    last_user = Some((i, value));
                }
            }
        }
        let subject = df::stage_subject(resource, last);
        match last_user {
            Some((i, value)) => {
                if is_root_user(&value) == Some(true) {
                    out.push(df::finding(
                        &META,
                        META.severity,
                        resource,
                        i.span,
                        root_message(&subject, &value),
                    ));
                }
            }
            None => {
                let first = chain.first().copied().unwrap_or(last);
                let base = df::expand(&first.base.value, &df::global_args(d))
                    .unwrap_or_else(|| first.base.value.clone());
                let tag = base.rsplit('/').next().unwrap_or(&base);
                if tag.to_ascii_lowercase().contains("nonroot") {
                    return;
                }
                out.push(df::finding(
                    &META,
                    META.severity,
                    resource,
                    last.from.span,
                    no_user_message(&subject, &base),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_users() {
        for root in ["root", "0", "0:0", "root:root", "000", "root:1000"] {
            assert_eq!(is_root_user(root), Some(true), "{root}");
        }
        for other in ["1000", "app", "10001:10001", "nobody:nogroup", "0app"] {
            assert_eq!(is_root_user(other), Some(false), "{other}");
        }
        assert_eq!(is_root_user("$USER"), None);
        assert_eq!(is_root_user(""), None);
    }
}
