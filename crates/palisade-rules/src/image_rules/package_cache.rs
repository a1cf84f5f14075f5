//! `PAL-IMG-011`: package manager caches left in the final image (apt
//! lists and archives, apk, yum, dnf and zypper caches, pip, npm and yarn
//! caches).
//!
//! One finding per cache directory holding at least one non-empty file
//! (lock files and `partial` download directories do not count).

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{file_place, finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct PackageCache;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-011",
    title: "Package manager cache left in the image",
    severity: Severity::Low,
    kinds: KINDS,
    practice: "Clean package manager caches in the step that fills them",
    rationale: "Package indexes and downloaded packages serve no purpose at run time. They \
        enlarge every pull and every node's disk, and the indexes tell an intruder exactly which \
        repositories and versions the image trusts. A cache deleted by a later step still ships \
        in the earlier layer, so it must be removed in the same RUN that created it.",
    remediation: "Clean up in the same RUN: `apt-get install --no-install-recommends ... && rm \
        -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `pip install \
        --no-cache-dir`, `npm ci && npm cache clean --force`; or use a cache mount \
        (`RUN --mount=type=cache`).",
    example: "RUN apt-get update \\\n && apt-get install -y --no-install-recommends curl \\\n && rm -rf /var/lib/apt/lists/*\n",
    references: &[
        "https://docs.docker.com/build/building/best-practices/#apt-get",
        "https://docs.docker.com/build/cache/optimize/#use-cache-mounts",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for PackageCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        for c in &facts.package_caches {
            out.push(finding(
                &META,
                META.severity,
                facts,
                Some(&c.path),
                None,
                format!(
                    "{}: {} cache {} holds {} files, {} bytes",
                    subject(facts),
                    c.manager,
                    file_place(facts, &c.path, c.layer),
                    c.files,
                    c.bytes
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::CacheFacts;

    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn caches_are_reported_with_size() {
        let mut f = clean();
        f.package_caches = vec![CacheFacts {
            path: "var/lib/apt/lists".into(),
            manager: "apt".into(),
            files: 3,
            bytes: 4096,
            layer: 1,
        }];
        let found = run(&PackageCache, &f);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .contains("apt cache /var/lib/apt/lists (from layer 2/2"));
        assert!(found[0].message.ends_with("holds 3 files, 4096 bytes"));
    }
}
