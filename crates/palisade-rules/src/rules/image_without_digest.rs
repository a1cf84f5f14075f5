//! `PAL-K8S-028`: an image is not pinned by digest although
//! `images.require_digest` asks for one.
//!
//! `require_digest: true` asks it of every image; a list of patterns (as in
//! `PAL-K8S-026`) of the images that match. `PAL-K8S-015` reports `latest`
//! and missing tags whatever the policy; this rule enforces the policy for
//! every tag.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::images;
use crate::{Context, Rule};

/// The rule.
pub struct ImageWithoutDigest;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-028",
    title: "Image without a digest where the policy requires one",
    severity: Severity::Medium,
    kinds: images::IMAGE_KINDS,
    practice: "Pin images by digest where the image policy requires it",
    rationale: "A tag is a movable pointer: whoever can push to the repository can point \
        1.4.2 at different code, and every node that pulls afterwards runs it. A digest names \
        the exact image content, so the image that runs is the image that was scanned, \
        signed and reviewed, on every node and after every rollback.",
    remediation: "Append the digest of the reviewed image to the reference \
        (name:tag@sha256:...); az acr repository show --name myregistry --image app:1.4.2 or \
        docker buildx imagetools inspect prints it.",
    example: "containers:\n  - name: app\n    image: myregistry.azurecr.io/shop/api:1.4.2@sha256:2d4e1f5b8a3c6e9d0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a\n",
    references: &[
        images::K8S_IMAGE_NAMES,
        images::AKS_IMAGES,
        images::CWE_494,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The policy clause that asks `image` for a digest, for messages.
pub fn clause(pattern: Option<&str>) -> String {
    match pattern {
        None => "images.require_digest is true".to_string(),
        Some(p) => format!("images.require_digest requires one for images matching \"{p}\""),
    }
}

/// The message for an image without a digest.
pub fn message(subject: &str, image: &str, clause: &str) -> String {
    format!("{subject} uses image \"{image}\" without a digest; {clause}")
}

impl Rule for ImageWithoutDigest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let requirement = &ctx.settings.image_policy.require_digest;
        images::report(&META, resource, out, |image, subject| {
            let parsed = image.parsed.as_ref().ok()?;
            if parsed.digest().is_some() {
                return None;
            }
            let pattern = requirement.requiring(parsed)?;
            Some(message(
                subject,
                &image.quoted(),
                &clause(pattern.map(|p| p.text())),
            ))
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::image_policy::{patterns, DigestRequirement, ImagePolicy};
    use crate::rules::testkit::*;
    use crate::Settings;

    const DIGEST: &str = "sha256:2d4e1f5b8a3c6e9d0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a";

    fn pod(images: &[&str]) -> Vec<palisade_model::Resource> {
        let containers = images
            .iter()
            .enumerate()
            .map(|(i, image)| {
                let mut c = container(&format!("c{i}"), 20 + i as u32);
                c.image = Some(ss(image, 40 + i as u32));
                c
            })
            .collect();
        vec![workload(spec(containers))]
    }

    fn with(requirement: DigestRequirement) -> Settings {
        Settings {
            image_policy: ImagePolicy::new(None, Vec::new(), requirement),
            ..Settings::default()
        }
    }

    #[test]
    fn every_image_needs_a_digest_when_required() {
        let pinned = format!("app:1@{DIGEST}");
        let digest_only = format!("app@{DIGEST}");
        let found = run_with(
            &ImageWithoutDigest,
            &pod(&["app:1.4.2", &pinned, &digest_only, "nginx"]),
            &with(DigestRequirement::Always),
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            message(
                "container \"c0\" of Deployment \"web\"",
                "app:1.4.2",
                "images.require_digest is true"
            )
        );
        assert_eq!(found[1].location.span, at(43));
    }

    #[test]
    fn a_pattern_list_asks_only_matching_images() {
        let settings = with(DigestRequirement::Matching(
            patterns(&["*.azurecr.io"]).unwrap(),
        ));
        let found = run_with(
            &ImageWithoutDigest,
            &pod(&["myregistry.azurecr.io/app:1", "nginx:1.27"]),
            &settings,
        );
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .ends_with("images.require_digest requires one for images matching \"*.azurecr.io\""));
        assert!(run(&ImageWithoutDigest, &pod(&["nginx:1.27"])).is_empty());
    }
}
