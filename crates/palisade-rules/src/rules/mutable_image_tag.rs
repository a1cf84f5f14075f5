//! `PAL-K8S-015`: a container image is referenced by a mutable tag.
//!
//! Reports `latest` and a missing tag, both without a digest. Of the two
//! variants other scanners offer (the tag, or `imagePullPolicy` not
//! `Always`), only the tag is meaningful: `Always` makes every node pull the
//! newest image behind the tag, which is still not the image that was
//! reviewed; a digest is the fix either way.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct MutableImageTag;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-015",
    title: "Image uses the latest tag or no tag",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Pin images to a version tag and, better, a digest",
    rationale: "latest (the default when no tag is given) moves with every push: the image \
        that runs is whichever one a node pulled last, not the one that was scanned and \
        reviewed, and different replicas can run different code. Anyone who can push to the \
        repository changes production without touching the manifest, and a rollback cannot \
        restore the previous image.",
    remediation: "Reference the image by an immutable version tag plus its digest \
        (name:tag@sha256:...), and update it through a pull request.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945\n",
    references: &[
        "https://kubernetes.io/docs/concepts/containers/images/#image-names",
        "https://learn.microsoft.com/en-us/azure/aks/operator-best-practices-container-image-management",
        "CWE-494: Download of Code Without Integrity Check",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for an image with the `latest` tag.
pub fn latest_message(subject: &str, image: &str) -> String {
    format!("{subject} uses image \"{image}\" with the mutable tag latest and no digest")
}

/// Message for an image without a tag.
pub fn untagged_message(subject: &str, image: &str) -> String {
    format!("{subject} uses image \"{image}\" with no tag (so latest) and no digest")
}

/// The tag and digest of an image reference (`registry:5000/repo:tag@sha256:...`).
pub fn tag_and_digest(image: &str) -> (Option<&str>, Option<&str>) {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let tail = name.get(last..).unwrap_or("");
    let tag = tail.rsplit_once(':').map(|(_, t)| t);
    (tag, digest)
}

impl Rule for MutableImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for c in &pod.spec.containers {
            let Some(image) = &c.image else { continue };
            let name = image.value.trim();
            if name.is_empty() {
                continue;
            }
            let message = match tag_and_digest(name) {
                (_, Some(_)) => continue,
                (None, None) => untagged_message(&common::subject(resource, c), name),
                (Some("latest"), None) => latest_message(&common::subject(resource, c), name),
                (Some(_), None) => continue,
            };
            out.push(common::finding(
                &META,
                resource,
                image.span,
                Some(c),
                message,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn references_split_into_tag_and_digest() {
        assert_eq!(tag_and_digest("nginx"), (None, None));
        assert_eq!(tag_and_digest("nginx:1.27"), (Some("1.27"), None));
        assert_eq!(tag_and_digest("registry:5000/team/app"), (None, None));
        assert_eq!(
            tag_and_digest("registry:5000/team/app:latest"),
            (Some("latest"), None)
        );
        assert_eq!(tag_and_digest("app@sha256:abc"), (None, Some("sha256:abc")));
        assert_eq!(
            tag_and_digest("app:1@sha256:abc"),
            (Some("1"), Some("sha256:abc"))
        );
    }

    #[test]
    fn latest_and_untagged_fire() {
        let mut a = container("a", 20);
        a.image = Some(ss("nginx", 21));
        let mut b = container("b", 30);
        b.image = Some(ss("registry:5000/app:latest", 31));
        let mut c = container("c", 40);
        c.image = Some(ss("app@sha256:0123", 41));
        let found = run(
            &MutableImageTag,
            &[workload(spec(vec![a, b, c, container("d", 50)]))],
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            untagged_message("container \"a\" of Deployment \"web\"", "nginx")
        );
        assert_eq!(found[1].location.span, at(31));
    }
}
