//! `PAL-K8S-026`: an image comes from a registry outside
//! `images.allowed_registries`.
//!
//! Runs only when the configuration sets an allow list. Patterns without
//! `/` match the registry (`*.azurecr.io`), patterns with `/` the
//! fully-qualified repository (`registry.example.com/team/*`); names are
//! normalised first, so `nginx` is `docker.io/library/nginx`.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::images;
use crate::image_policy::RegistryPattern;
use crate::{Context, Rule};

/// The rule.
pub struct UnapprovedImageRegistry;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-026",
    title: "Image from a registry outside the allowed registries",
    severity: Severity::High,
    kinds: images::IMAGE_KINDS,
    practice: "Pull images only from the registries the organisation approves",
    rationale: "An allow list of registries is how an organisation makes sure that only \
        images it has scanned, signed and can rebuild reach its clusters. An image from any \
        other registry bypasses that supply chain: it may be unscanned, replaced behind its \
        tag by whoever controls the registry, or simply gone on the day a node needs it.",
    remediation: "Import the image into an approved registry (for Azure Container Registry: \
        az acr import --name myregistry --source docker.io/library/nginx:1.27 --image \
        nginx:1.27) and reference it there, or add the registry to images.allowed_registries \
        if it is approved.",
    example: "# palisade.yaml\nimages:\n  allowed_registries: [\"myregistry.azurecr.io\"]\n---\n# the manifest\ncontainers:\n  - name: web\n    image: myregistry.azurecr.io/nginx:1.27\n",
    references: &[
        images::AKS_IMAGES,
        images::ACR_IMPORT,
        "https://learn.microsoft.com/en-us/azure/aks/policy-reference",
        images::CIS_IMAGE_PROVENANCE,
        images::CWE_829,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The message for an image outside the allow list.
pub fn message(subject: &str, image: &str, name: &str, allowed: &[RegistryPattern]) -> String {
    format!(
        "{subject} uses image \"{image}\" ({name}), which is not in images.allowed_registries {}",
        images::list(allowed.iter().map(RegistryPattern::text))
    )
}

impl Rule for UnapprovedImageRegistry {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let policy = &ctx.settings.image_policy;
        let Some(allowed) = &policy.allowed_registries else {
            return;
        };
        images::report(&META, resource, out, |image, subject| {
            let parsed = image.parsed.as_ref().ok()?;
            if policy.allows(parsed) {
                return None;
            }
            Some(message(subject, &image.quoted(), &parsed.name(), allowed))
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
    fn only_images_outside_the_allow_list_fire() {
        let allowed = patterns(&["*.azurecr.io", "registry.example.com/team/*"]).unwrap();
        let settings = Settings {
            image_policy: ImagePolicy::new(
                Some(allowed.clone()),
                Vec::new(),
                DigestRequirement::Never,
            ),
            ..Settings::default()
        };
        let images = [
            ("a", "myregistry.azurecr.io/shop/api:1.4.2", false),
            ("b", "registry.example.com/team/app:1", false),
            ("c", "registry.example.com/other/app:1", true),
            ("d", "nginx:1.27", true),
            ("e", "Bad Image", false),
        ];
        let containers = images
            .iter()
            .enumerate()
            .map(|(i, (name, image, _))| {
                let mut c = container(name, 20 + i as u32);
                c.image = Some(ss(image, 40 + i as u32));
                c
            })
            .collect();
        let found = run_with(
            &UnapprovedImageRegistry,
            &[workload(spec(containers))],
            &settings,
        );
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].location.span, at(42));
        assert_eq!(
            found[1].message,
            message(
                "container \"d\" of Deployment \"web\"",
                "nginx:1.27",
                "docker.io/library/nginx",
                &allowed
            )
        );
        assert!(found[1].message.ends_with(
            "not in images.allowed_registries [\"*.azurecr.io\", \"registry.example.com/team/*\"]"
        ));
        // Without an allow list the rule is silent.
        assert!(run(
            &UnapprovedImageRegistry,
            &[workload(spec(vec![container("x", 9)]))]
        )
        .is_empty());
    }
}
