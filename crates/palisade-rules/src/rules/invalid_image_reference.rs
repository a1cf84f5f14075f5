//! `PAL-K8S-025`: a container's image is not a valid image reference.
//!
//! The kubelet (and Azure Container Instances) parse the image with the
//! `distribution/reference` grammar before pulling; a value that does not
//! parse never starts (`InvalidImageName`), and no image policy can say
//! which registry it would have come from. The message names the part at
//! fault: an upper-case repository, an empty path component, a malformed
//! tag or digest, a name longer than 255 characters.
//!
//! Unrendered template expressions (`{{ }}`, `${VAR}`, ARM `[...]`) are
//! not images yet and are skipped.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::images;
use crate::{Context, Rule};

/// The rule.
pub struct InvalidImageReference;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-025",
    title: "Image reference is not valid",
    severity: Severity::Medium,
    kinds: images::IMAGE_KINDS,
    practice: "Write every image as a valid registry/repository:tag@digest reference",
    rationale: "Container runtimes parse the image reference before they pull it. A reference \
        that does not parse (upper-case letters in the repository, an empty path component, a \
        malformed tag or digest, whitespace) leaves the pod in InvalidImageName and the \
        container group failing to deploy, so the change ships broken. It also escapes every \
        image policy: no allow list, deny list or digest requirement can judge a name whose \
        registry cannot be told.",
    remediation: "Fix the reference as the message says: lower-case repository path, a tag of \
        letters, digits, '_', '.' and '-' (at most 128), and a digest written as \
        sha256:<64 lower-case hex digits>.",
    example: "containers:\n  - name: app\n    image: myregistry.azurecr.io/shop/api:1.4.2@sha256:2d4e1f5b8a3c6e9d0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a\n",
    references: &[
        images::K8S_IMAGE_NAMES,
        images::REFERENCE_GRAMMAR,
        "https://kubernetes.io/docs/concepts/containers/images/#imagepullbackoff",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The message for an invalid reference.
pub fn message(subject: &str, image: &str, problem: &str) -> String {
    format!("{subject} uses image \"{image}\", which is not a valid image reference: {problem}")
}

impl Rule for InvalidImageReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        images::report(&META, resource, out, |image, subject| {
            let problem = image.parsed.as_ref().err()?;
            Some(message(subject, &image.quoted(), &problem.to_string()))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn invalid_references_fire_with_the_reason() {
        let mut a = container("a", 20);
        a.image = Some(ss("MyApp:1.0", 21));
        let mut b = container("b", 30);
        b.image = Some(ss("registry.example.com/team//app", 31));
        let mut c = container("c", 40);
        c.image = Some(ss("{{ .Values.image }}", 41));
        let mut d = container("d", 50);
        d.image = Some(ss("nginx:1.27", 51));
        let found = run(&InvalidImageReference, &[workload(spec(vec![a, b, c, d]))]);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            message(
                "container \"a\" of Deployment \"web\"",
                "MyApp:1.0",
                "repository \"MyApp\" must be lower-case"
            )
        );
        assert_eq!(found[0].location.span, at(21));
        assert_eq!(found[1].location.span, at(31));
        assert!(found[1].message.ends_with("has an empty path component"));
    }

    #[test]
    fn container_groups_are_checked() {
        let mut a = container("a", 20);
        a.image = Some(ss("app@sha256:abc", 21));
        let group = workload_named("ContainerGroup", "aci", None, spec(vec![a]));
        assert!(InvalidImageReference.applies_to("ContainerGroup"));
        let found = run(&InvalidImageReference, &[group]);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("ContainerGroup \"aci\""));
    }
}
