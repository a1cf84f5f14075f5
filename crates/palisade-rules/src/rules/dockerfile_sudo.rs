//! `PAL-DF-006`: a `RUN` command uses `sudo`.
//!
//! Reports a `RUN` in any stage where `sudo` is the program of a simple
//! command (after `VAR=value` assignments), in shell form, exec form or a
//! here-document. Installing the `sudo` package is not a finding, using it is.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileSudo;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-006",
    title: "RUN uses sudo",
    severity: Severity::Medium,
    kinds: df::KINDS,
    practice: "Do not use sudo in images; switch USER for the steps that need root",
    rationale: "Build steps already run as the current USER, so sudo in a RUN means the image \
        ships sudo with a configuration that lets an unprivileged user become root: any code \
        execution in the container then escalates to root without a password. sudo also has a \
        TTY and signal behaviour that makes builds and process handling unpredictable.",
    remediation: "Remove sudo: run the steps that need root before switching to the \
        unprivileged user (or switch back with `USER root` for them), and use gosu or su-exec \
        in an entrypoint that must drop privileges at run time.",
    example: "FROM debian:12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\nUSER 10001:10001\n",
    references: &[
        "https://docs.docker.com/build/building/best-practices/#user",
        "CIS Docker Benchmark v1.6.0, 4.1: Ensure that a user for the container has been created",
        "CWE-250: Execution with Unnecessary Privileges",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a `RUN` that uses `sudo`.
pub fn message(subject: &str) -> String {
    format!("{subject} runs a command with sudo")
}

/// Whether a shell command line runs `sudo`.
pub fn uses_sudo(text: &str) -> bool {
    df::commands(text)
        .iter()
        .any(|c| df::word_base(c, 0) == "sudo")
}

impl Rule for DockerfileSudo {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        for stage in &d.stages {
            for i in stage.instructions.iter().filter(|i| i.is("RUN")) {
                if uses_sudo(&i.command_text()) {
                    out.push(df::finding(
                        &META,
                        META.severity,
                        resource,
                        i.span,
                        message(&df::stage_subject(resource, stage)),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sudo_as_a_program_only() {
        assert!(uses_sudo("sudo apt-get update"));
        assert!(uses_sudo("set -e; X=1 sudo -E make install"));
        assert!(uses_sudo("/usr/bin/sudo true"));
        assert!(!uses_sudo("apt-get install -y sudo"));
        assert!(!uses_sudo("echo 'sudo is not used'"));
        assert!(!uses_sudo("pseudo-tool run"));
    }
}
