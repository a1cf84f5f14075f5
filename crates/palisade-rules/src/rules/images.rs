//! What the image rules (`PAL-K8S-025` to `PAL-K8S-029`) share: the kinds
//! they check, the images of an object worth checking, and how messages
//! quote them.

use palisade_model::{Container, Finding, ImageRef, ImageRefError, Resource, RuleMeta, Spanned};

use super::common;

/// Kinds whose containers name images: the Kubernetes workload kinds and
/// Azure Container Instances container groups.
pub(crate) const IMAGE_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
    "ContainerGroup",
];

/// The longest image text a message quotes.
const QUOTE_MAX: usize = 140;

/// One container's image.
pub(crate) struct ImageUse<'a> {
    /// The container.
    pub(crate) container: &'a Container,
    /// The image as written, with its place.
    pub(crate) written: &'a Spanned<String>,
    /// The parsed reference.
    pub(crate) parsed: Result<ImageRef, ImageRefError>,
}

impl ImageUse<'_> {
    /// The image as written, cut for messages.
    pub(crate) fn quoted(&self) -> String {
        clip(&self.written.value)
    }
}

/// The images of every container (init, regular, ephemeral) of `resource`,
/// except empty ones and unrendered template expressions, which name no
/// image yet.
pub(crate) fn images(resource: &Resource) -> Vec<ImageUse<'_>> {
    let Some(pod) = &resource.pod else {
        return Vec::new();
    };
    pod.spec
        .containers
        .iter()
        .filter_map(|container| {
            let written = container.image.as_ref()?;
            if written.value.trim().is_empty() || is_template(&written.value) {
                return None;
            }
            Some(ImageUse {
                container,
                written,
                parsed: ImageRef::parse(&written.value),
            })
        })
        .collect()
}

/// Reports `meta`'s rule at every image of `resource` (see [`images`]) for
/// which `message`, given the image and its container's subject
/// (`container "app" of Deployment "web"`), returns a message.
pub(crate) fn report(
    meta: &'static RuleMeta,
    resource: &Resource,
    out: &mut Vec<Finding>,
    mut message: impl FnMut(&ImageUse<'_>, &str) -> Option<String>,
) {
    for image in images(resource) {
        if let Some(message) = message(&image, &common::subject(resource, image.container)) {
            out.push(common::finding(
                meta,
                resource,
                image.written.span,
                Some(image.container),
                message,
            ));
        }
    }
}

/// Whether an image value is a template expression rendered at deploy
/// time: Helm or Go templates (`{{ }}`), shell or envsubst variables
/// (`${VAR}`, `$(VAR)`), or an Azure Resource Manager expression
/// (`[parameters('image')]`, where `[[` escapes a literal `[`).
pub(crate) fn is_template(image: &str) -> bool {
    let image = image.trim();
    image.contains("{{")
        || image.contains("${")
        || image.contains("$(")
        || (image.starts_with('[') && !image.starts_with("[[") && image.ends_with(']'))
}

/// `s`, cut to [`QUOTE_MAX`] characters with `…` when longer.
pub(crate) fn clip(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_string(),
    }
}

/// `["a", "b"]`, for naming a configured list in messages.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items.into_iter().map(|s| format!("\"{s}\"")).collect();
    format!("[{}]", quoted.join(", "))
}

/// Microsoft: import container images into Azure Container Registry.
pub(crate) const ACR_IMPORT: &str =
    "https://learn.microsoft.com/en-us/azure/container-registry/container-registry-import-images";
/// AKS: best practices for container image management.
pub(crate) const AKS_IMAGES: &str =
    "https://learn.microsoft.com/en-us/azure/aks/operator-best-practices-container-image-management";
/// Kubernetes: image names.
pub(crate) const K8S_IMAGE_NAMES: &str =
    "https://kubernetes.io/docs/concepts/containers/images/#image-names";
/// The reference grammar runtimes share.
pub(crate) const REFERENCE_GRAMMAR: &str =
    "https://github.com/distribution/reference/blob/main/reference.go";
/// CIS 5.5.1.
pub(crate) const CIS_IMAGE_PROVENANCE: &str =
    "CIS Kubernetes Benchmark v1.9, 5.5.1: Configure Image Provenance using ImagePolicyWebhook admission controller";
/// CWE-494.
pub(crate) const CWE_494: &str = "CWE-494: Download of Code Without Integrity Check";
/// CWE-829.
pub(crate) const CWE_829: &str =
    "CWE-829: Inclusion of Functionality from Untrusted Control Sphere";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_recognised() {
        for t in [
            "{{ .Values.image }}",
            "registry/{{ .Values.name }}:1",
            "${IMAGE}",
            "$(IMAGE)",
            "[parameters('image')]",
            "[concat(variables('registry'), '/app:1')]",
        ] {
            assert!(is_template(t), "{t}");
        }
        for t in ["nginx", "[::1]:5000/app", "[[literal]", "app:1"] {
            assert!(!is_template(t), "{t}");
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(clip("nginx"), "nginx");
        assert_eq!(clip(&"é".repeat(200)).chars().count(), 141);
        assert_eq!(list(["*.azurecr.io", "a/*"]), "[\"*.azurecr.io\", \"a/*\"]");
        assert_eq!(list([]), "[]");
    }
}
