//! `PAL-K8S-029`: an image is pulled straight from a public registry while
//! no allow list is configured.
//!
//! Public means an internet registry run by a third party: Docker Hub
//! (including the `docker.io` that a name without a registry implies),
//! `ghcr.io`, `quay.io`, `gcr.io` and its regional hosts, `registry.k8s.io`,
//! `public.ecr.aws`, `mcr.microsoft.com`, `registry.gitlab.com`, `nvcr.io`
//! and `cgr.dev`. Once `images.allowed_registries` is set, `PAL-K8S-026`
//! judges every image instead, so this rule stays silent; an image a
//! forbidden pattern already reports (`PAL-K8S-027`) is not reported twice.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::images;
use crate::{Context, Rule};

/// The rule.
pub struct PublicRegistryImage;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-029",
    title: "Image pulled from a public registry",
    severity: Severity::Low,
    kinds: images::IMAGE_KINDS,
    practice: "Run images from a private registry that mirrors the public images you use",
    rationale: "An image pulled from a public registry at deploy time is whatever the \
        publisher (or whoever took over the account) pushed last; it has not passed your \
        scanning, it is subject to the registry's rate limits and outages, and typosquatted \
        names look just like the real ones. Importing the images you depend on into a \
        registry you control makes every pull reviewable, scannable and available.",
    remediation: "Import the image into your private registry (for Azure Container Registry: \
        az acr import --name myregistry --source docker.io/library/nginx:1.27 --image \
        nginx:1.27), reference the copy, and set images.allowed_registries to that registry.",
    example: "# az acr import --name myregistry --source docker.io/library/nginx:1.27 --image nginx:1.27\ncontainers:\n  - name: web\n    image: myregistry.azurecr.io/nginx:1.27\n",
    references: &[
        images::ACR_IMPORT,
        images::AKS_IMAGES,
        "https://learn.microsoft.com/en-us/azure/security/fundamentals/supply-chain-consume-containers",
        images::CWE_829,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The message for an image from a public registry.
pub fn message(subject: &str, image: &str, registry: &str, implied: bool) -> String {
    let how = if implied {
        " (Docker Hub, implied because the image names no registry)"
    } else {
        ""
    };
    format!(
        "{subject} uses image \"{image}\" from the public registry {registry}{how}; \
         no images.allowed_registries is configured"
    )
}

impl Rule for PublicRegistryImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let policy = &ctx.settings.image_policy;
        if policy.allowed_registries.is_some() {
            return;
        }
        images::report(&META, resource, out, |image, subject| {
            let parsed = image.parsed.as_ref().ok()?;
            if !policy.is_public(parsed) || policy.forbidding(parsed).is_some() {
                return None;
            }
            Some(message(
                subject,
                &image.quoted(),
                parsed.registry(),
                !parsed.registry_written(),
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

    #[test]
    fn public_registries_fire_by_default() {
        let found = run(
            &PublicRegistryImage,
            &pod(&[
                "nginx:1.27",
                "docker.io/bitnami/redis:7",
                "ghcr.io/org/app:1",
                "myregistry.azurecr.io/app:1",
                "registry.example.com/app:1",
                "localhost:5000/app",
            ]),
        );
        assert_eq!(found.len(), 3);
        assert_eq!(
            found[0].message,
            message(
                "container \"c0\" of Deployment \"web\"",
                "nginx:1.27",
                "docker.io",
                true
            )
        );
        assert!(found[0]
            .message
            .contains("implied because the image names no registry"));
        assert!(!found[1].message.contains("implied"));
        assert!(found[2].message.contains("public registry ghcr.io;"));
        assert_eq!(found[2].location.span, at(42));
        assert_eq!(found[0].severity, palisade_model::Severity::Low);
    }

    #[test]
    fn an_allow_list_or_a_forbidding_pattern_silences_it() {
        let allow = Settings {
            image_policy: ImagePolicy::new(
                Some(patterns(&["*.azurecr.io"]).unwrap()),
                Vec::new(),
                DigestRequirement::Never,
            ),
            ..Settings::default()
        };
        assert!(run_with(&PublicRegistryImage, &pod(&["nginx"]), &allow).is_empty());
        let deny = Settings {
            image_policy: ImagePolicy::new(
                None,
                patterns(&["docker.io"]).unwrap(),
                DigestRequirement::Never,
            ),
            ..Settings::default()
        };
        let found = run_with(&PublicRegistryImage, &pod(&["nginx", "quay.io/a/b"]), &deny);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("quay.io"));
    }
}
