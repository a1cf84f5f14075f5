//! What the image rules (`PAL-K8S-025` to `PAL-K8S-029`) share: the kinds
//! they check, the images of an object worth checking (container images and
//! Dockerfile base images), and how messages quote them.

use palisade_model::{
    Container, Finding, ImageRef, ImageRefError, Resource, RuleMeta, Span, Stage,
};

use super::common;
use super::dockerfile_common as df;

/// Kinds that name images: the Kubernetes workload kinds and Azure
/// Container Instances container groups (their containers' images), and
/// Dockerfiles (their stages' base images).
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
    "Dockerfile",
];

/// The longest image text a message quotes.
const QUOTE_MAX: usize = 140;

/// Where an image is named.
pub(crate) enum Site<'a> {
    /// A container's `image`.
    Container(&'a Container),
    /// A Dockerfile stage's `FROM` image; `note` is ` (FROM ${BASE})` when
    /// the image came from `ARG` substitution, else empty.
    Stage {
        /// The stage.
        stage: &'a Stage,
        /// How the image was written, when `ARG`s were substituted.
        note: String,
    },
}

/// One image an object names.
pub(crate) struct ImageUse<'a> {
    /// The container or stage that names it.
    pub(crate) site: Site<'a>,
    /// The image (for a stage, with `ARG`s substituted).
    pub(crate) image: String,
    /// Where it is written: the `image:` value, or the `FROM` argument.
    pub(crate) span: Span,
    /// The parsed reference.
    pub(crate) parsed: Result<ImageRef, ImageRefError>,
}

impl ImageUse<'_> {
    /// The image, cut for messages.
    pub(crate) fn quoted(&self) -> String {
        clip(&self.image)
    }

    /// `container "app" of Deployment "web"`, `stage "build" of Dockerfile
    /// "api.Dockerfile" (FROM ${BASE})`, for messages.
    pub(crate) fn subject(&self, resource: &Resource) -> String {
        match &self.site {
            Site::Container(container) => common::subject(resource, container),
            Site::Stage { stage, note } => format!("{}{note}", df::stage_subject(resource, stage)),
        }
    }

    /// The container, for the finding.
    fn container(&self) -> Option<&Container> {
        match self.site {
            Site::Container(container) => Some(container),
            Site::Stage { .. } => None,
        }
    }
}

/// The images `resource` names: those of every container (init, regular,
/// ephemeral), except empty ones and unrendered template expressions, which
/// name no image yet; and the base image of every Dockerfile stage that
/// pulls one (not `scratch`, not an earlier stage; `FROM $BASE` resolved
/// from the `ARG` defaults, and skipped when it cannot be).
pub(crate) fn images(resource: &Resource) -> Vec<ImageUse<'_>> {
    if let Some(d) = &resource.dockerfile {
        return df::base_images(d)
            .into_iter()
            .filter(|base| !is_template(&base.image))
            .map(|base| ImageUse {
                parsed: ImageRef::parse(&base.image),
                site: Site::Stage {
                    stage: base.stage,
                    note: base.note(),
                },
                span: base.stage.base.span,
                image: base.image,
            })
            .collect();
    }
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
                site: Site::Container(container),
                image: written.value.clone(),
                span: written.span,
                parsed: ImageRef::parse(&written.value),
            })
        })
        .collect()
}

/// Reports `meta`'s rule at every image of `resource` (see [`images`]) for
/// which `message`, given the image and the subject that names it
/// (`container "app" of Deployment "web"`, `stage "build" of Dockerfile
/// "Dockerfile"`), returns a message.
pub(crate) fn report(
    meta: &'static RuleMeta,
    resource: &Resource,
    out: &mut Vec<Finding>,
    mut message: impl FnMut(&ImageUse<'_>, &str) -> Option<String>,
) {
    for image in images(resource) {
        if let Some(message) = message(&image, &image.subject(resource)) {
            out.push(common::finding(
                meta,
                resource,
                image.span,
                image.container(),
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
    fn dockerfile_stages_name_their_base_images() {
        let resources = crate::rules::testkit::dockerfile(
            "ARG BASE=node:20\nARG UNKNOWN\nFROM golang:1.22 AS build\nFROM build AS test\nFROM scratch AS empty\nFROM $UNKNOWN AS other\nFROM 0 AS again\nFROM ${BASE}\nFROM MyApp\n",
        );
        let resource = &resources[0];
        let found: Vec<(String, u32, u32, String, bool)> = images(resource)
            .iter()
            .map(|i| {
                (
                    i.subject(resource),
                    i.span.line(),
                    i.span.start.column,
                    i.quoted(),
                    i.parsed.is_ok(),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    "stage \"build\" of Dockerfile \"Dockerfile\"".to_string(),
                    3,
                    6,
                    "golang:1.22".to_string(),
                    true
                ),
                (
                    "stage 5 of Dockerfile \"Dockerfile\" (FROM ${BASE})".to_string(),
                    8,
                    6,
                    "node:20".to_string(),
                    true
                ),
                (
                    "stage 6 of Dockerfile \"Dockerfile\"".to_string(),
                    9,
                    6,
                    "MyApp".to_string(),
                    false
                ),
            ]
        );
        let mut out = Vec::new();
        let meta = crate::Rule::meta(&crate::rules::invalid_image_reference::InvalidImageReference);
        report(meta, resource, &mut out, |image, subject| {
            image.parsed.is_ok().then(|| subject.to_string())
        });
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|f| f.container.is_none()));
    }

    #[test]
    fn quoting() {
        assert_eq!(clip("nginx"), "nginx");
        assert_eq!(clip(&"é".repeat(200)).chars().count(), 141);
        assert_eq!(list(["*.azurecr.io", "a/*"]), "[\"*.azurecr.io\", \"a/*\"]");
        assert_eq!(list([]), "[]");
    }
}
