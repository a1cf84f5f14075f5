//! `PAL-K8S-015`: a container image is referenced by a mutable tag.
//!
//! Reports `latest` and a missing tag, both without a digest. Of the two
//! variants other scanners offer (the tag, or `imagePullPolicy` not
//! `Always`), only the tag is meaningful: `Always` makes every node pull the
//! newest image behind the tag, which is still not the image that was
//! reviewed; a digest is the fix either way.
//!
//! The image is parsed with [`palisade_model::ImageRef`] (the distribution
//! reference grammar), so a registry port is not taken for a tag; a value
//! that does not parse is reported by `PAL-K8S-025` instead, and unrendered
//! template expressions are skipped as by the other image rules.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::images;
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

impl Rule for MutableImageTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        images::report(&META, resource, out, |image, subject| {
            // A reference that does not parse is PAL-K8S-025's.
            let reference = image.parsed.as_ref().ok()?;
            if reference.digest().is_some() {
                return None;
            }
            match reference.tag() {
                None => Some(untagged_message(subject, &image.image)),
                Some("latest") => Some(latest_message(subject, &image.image)),
                Some(_) => None,
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

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

    const DIGEST: &str = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    #[test]
    fn references_are_read_with_the_reference_grammar() {
        let pinned = format!("app:latest@{DIGEST}");
        let digest_only = format!("registry:5000/app@{DIGEST}");
        let cases: &[(&str, Option<bool>)] = &[
            // (image, Some(untagged) when it fires)
            ("registry:5000/team/app", Some(true)),
            ("localhost:5000/app:latest", Some(false)),
            ("[fc00::1]:5000/app", Some(true)),
            ("docker.io/library/nginx:1.27", None),
            ("nginx:LATEST", None),
            (&pinned, None),
            (&digest_only, None),
            // Not references: PAL-K8S-025 reports or skips them.
            ("MyApp", None),
            ("app:bad tag", None),
            ("app@sha256:0123", None),
            ("{{ .Values.image }}", None),
            ("${IMAGE}", None),
            (" nginx", None),
        ];
        for (image, fires) in cases {
            let mut c = container("c", 20);
            c.image = Some(ss(image, 21));
            let found = run(&MutableImageTag, &[workload(spec(vec![c]))]);
            let subject = "container \"c\" of Deployment \"web\"";
            let want: Vec<String> = match fires {
                Some(true) => vec![untagged_message(subject, image)],
                Some(false) => vec![latest_message(subject, image)],
                None => Vec::new(),
            };
            let got: Vec<String> = found.into_iter().map(|f| f.message).collect();
            assert_eq!(got, want, "{image}");
        }
    }
}
