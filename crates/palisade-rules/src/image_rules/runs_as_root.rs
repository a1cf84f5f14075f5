//! `PAL-IMG-001`: the image runs as root.
//!
//! The config's `User` decides: absent or empty, `root`, `0`, and any
//! `root:...` or `0:...` run as UID 0. A named non-root user passes (its
//! UID is not resolved against `/etc/passwd`).

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct RunsAsRoot;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-001",
    title: "Image runs as root",
    severity: Severity::Medium,
    kinds: KINDS,
    practice: "Images name an unprivileged USER",
    rationale: "A container runs as the image's user unless the platform overrides it, and an \
        image with no USER (or USER root, 0, 0:0) runs as UID 0. Root in a container shares UID \
        0 with the host: a container escape through a kernel or runtime flaw, a writable host \
        mount or a mounted socket then acts as root on the node. Kubernetes' runAsNonRoot \
        refuses such an image and Azure Container Instances cannot override the user, so the \
        image itself must name an unprivileged user.",
    remediation: "Create an unprivileged user in the image and end the Dockerfile with \
        `USER <uid>:<gid>` (numeric, so Kubernetes can verify runAsNonRoot).",
    example: "RUN useradd --system --uid 10001 app\nUSER 10001:10001\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 4.1: Ensure that a user for the container has been created",
        "https://docs.docker.com/build/building/best-practices/#user",
        "CWE-250: Execution with Unnecessary Privileges",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Whether a config `User` runs as UID 0.
pub fn is_root(user: Option<&str>) -> bool {
    let Some(user) = user.map(str::trim).filter(|u| !u.is_empty()) else {
        return true;
    };
    let name = user.split(':').next().unwrap_or("").trim();
    name.is_empty() || name == "root" || name.bytes().all(|b| b == b'0')
}

impl ImageRule for RunsAsRoot {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(config) = &facts.config else { return };
        if !is_root(config.user.as_deref()) {
            return;
        }
        let message = match &config.user {
            Some(u) => format!("{} runs as root (User \"{u}\")", subject(facts)),
            None => format!("{} sets no User, so it runs as root", subject(facts)),
        };
        out.push(finding(&META, META.severity, facts, None, None, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn root_users_fire_others_do_not() {
        for (user, fires) in [
            (None, true),
            (Some(""), true),
            (Some("root"), true),
            (Some("0"), true),
            (Some("0:0"), true),
            (Some("root:app"), true),
            (Some("10001"), false),
            (Some("app:app"), false),
            (Some("nonroot"), false),
        ] {
            let mut f = clean();
            if let Some(c) = &mut f.config {
                c.user = user.map(str::to_string);
            }
            assert_eq!(run(&RunsAsRoot, &f).len(), usize::from(fires), "{user:?}");
        }
        let mut f = clean();
        f.config = None;
        assert!(
            run(&RunsAsRoot, &f).is_empty(),
            "dir: sources have no config"
        );
    }
}
