//! `PAL-DF-005`: a stage's base image is `latest` or untagged, without a
//! digest.
//!
//! Every stage counts (a builder image compiles what ships). A `FROM` of an
//! earlier stage's name (or index) is not a base image, nor is `scratch`.
//! `FROM $BASE` is resolved from the defaults of the `ARG`s before the first
//! `FROM`; a base that stays unresolved is not judged. The reference is
//! parsed with [`palisade_model::ImageRef`] (the distribution reference
//! grammar); one that does not parse is reported by `PAL-K8S-025`.

use palisade_model::{
    Finding, FixAvailability, ImageRef, Resource, RuleMeta, RuleStatus, Severity,
};

use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileMutableBaseImage;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-005",
    title: "Base image uses the latest tag or no tag",
    severity: Severity::Medium,
    kinds: df::KINDS,
    practice: "Pin base images to a version tag and a digest",
    rationale: "FROM image or FROM image:latest builds on whatever the tag points to on the \
        day of the build: two builds of the same commit can ship different operating system \
        packages, an upstream change (or a compromised publisher) enters the image without a \
        review, and a rebuild cannot reproduce a released image. A digest pins the exact \
        image; a version tag next to it documents what the digest is and lets update bots \
        propose the next one.",
    remediation: "Write the base image as name:version@sha256:digest (for example \
        `FROM node:20.11-bookworm-slim@sha256:...`) and let a dependency bot update it through \
        pull requests.",
    example: "FROM node:20.11.1-bookworm-slim@sha256:f4c96a28c0b2d8981664e03f461c2677152cd9a756012ffa8e2c6727427c2bda AS build\nFROM gcr.io/distroless/nodejs20-debian12:nonroot\n",
    references: &[
        "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
        "CIS Docker Benchmark v1.6.0, 4.2: Ensure that containers use only trusted base images",
        "CWE-494: Download of Code Without Integrity Check",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a base image with the `latest` tag; `note` says where an
/// `ARG`-substituted image came from (` (FROM ${BASE})`), or is empty.
pub fn latest_message(subject: &str, image: &str, note: &str) -> String {
    format!("{subject} is based on \"{image}\"{note} with the mutable tag latest and no digest")
}

/// Message for a base image without a tag; `note` as for [`latest_message`].
pub fn untagged_message(subject: &str, image: &str, note: &str) -> String {
    format!("{subject} is based on \"{image}\"{note} with no tag (so latest) and no digest")
}

impl Rule for DockerfileMutableBaseImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        for base in df::base_images(d) {
            // A reference that does not parse is PAL-K8S-025's.
            let Ok(reference) = ImageRef::parse(&base.image) else {
                continue;
            };
            if reference.digest().is_some() {
                continue;
            }
            let subject = df::stage_subject(resource, base.stage);
            let note = base.note();
            let message = match reference.tag() {
                None => untagged_message(&subject, &base.image, &note),
                Some(t) if t.eq_ignore_ascii_case("latest") => {
                    latest_message(&subject, &base.image, &note)
                }
                Some(_) => continue,
            };
            out.push(df::finding(
                &META,
                META.severity,
                resource,
                base.stage.base.span,
                message,
            ));
        }
    }
}
