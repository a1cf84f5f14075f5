//! `PAL-K8S-027`: an image comes from a registry listed in
//! `images.forbidden_registries`.
//!
//! Patterns are matched as in `PAL-K8S-026`; the finding names the first
//! pattern that matched.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::images;
use crate::{Context, Rule};

/// The rule.
pub struct ForbiddenImageRegistry;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-027",
    title: "Image from a forbidden registry",
    severity: Severity::High,
    kinds: images::IMAGE_KINDS,
    practice: "Never pull images from registries the organisation forbids",
    rationale: "A deny list names registries the organisation has decided not to trust: \
        public registries whose images are not scanned or mirrored, registries of a retired \
        environment, a registry known to be compromised. An image from one of them runs code \
        nobody vouched for, and a rate-limited or vanished upstream stops pods from starting.",
    remediation: "Import the image into an approved registry (for Azure Container Registry: \
        az acr import --name myregistry --source docker.io/library/nginx:1.27 --image \
        nginx:1.27) and reference the copy.",
    example: "# palisade.yaml\nimages:\n  forbidden_registries: [\"docker.io/*\"]\n---\n# the manifest\ncontainers:\n  - name: web\n    image: myregistry.azurecr.io/nginx:1.27\n",
    references: &[
        images::AKS_IMAGES,
        images::ACR_IMPORT,
        images::CIS_IMAGE_PROVENANCE,
        images::CWE_829,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The message for an image from a forbidden registry.
pub fn message(subject: &str, image: &str, name: &str, pattern: &str) -> String {
    format!(
        "{subject} uses image \"{image}\" ({name}), which matches \"{pattern}\" in images.forbidden_registries"
    )
}

impl Rule for ForbiddenImageRegistry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let policy = &ctx.settings.image_policy;
        if policy.forbidden_registries.is_empty() {
            return;
        }
        images::report(&META, resource, out, |image, subject| {
            let parsed = image.parsed.as_ref().ok()?;
            let pattern = policy.forbidding(parsed)?;
            Some(message(
                subject,
                &image.quoted(),
                &parsed.name(),
                pattern.text(),
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

    #[test]
    fn images_matching_a_forbidden_pattern_fire() {
        let settings = Settings {
            image_policy: ImagePolicy::new(
                None,
                patterns(&["docker.io/*", "quay.io"]).unwrap(),
                DigestRequirement::Never,
            ),
            ..Settings::default()
        };
        let mut init = container("init", 20);
        init.kind = palisade_model::ContainerKind::Init;
        init.image = Some(ss("busybox", 21));
        let mut b = container("b", 30);
        b.image = Some(ss("quay.io/prometheus/node-exporter:v1.8.2", 31));
        let mut c = container("c", 40);
        c.image = Some(ss("myregistry.azurecr.io/app:1", 41));
        let found = run_with(
            &ForbiddenImageRegistry,
            &[workload(spec(vec![init, b, c]))],
            &settings,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            message(
                "init container \"init\" of Deployment \"web\"",
                "busybox",
                "docker.io/library/busybox",
                "docker.io/*"
            )
        );
        assert!(found[1].message.contains("matches \"quay.io\""));
        assert_eq!(found[1].location.span, at(31));
        assert!(run(
            &ForbiddenImageRegistry,
            &[workload(spec(vec![container("x", 9)]))]
        )
        .is_empty());
    }
}
