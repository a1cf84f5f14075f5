//! `PAL-DF-008`: the image a Dockerfile ships is built on a base image
//! outside `images.approved_base_images`.
//!
//! Runs only when the configuration sets the list. The shipped image is the
//! final stage (what a build without `--target` produces); its base image is
//! the image its `FROM` names or, when it is built `FROM` an earlier stage,
//! the image at the start of that chain of stages. Builder stages whose
//! files are only copied (`COPY --from=`) are not judged: their base image
//! does not ship. `FROM scratch` at the start of the chain has no base
//! image, a `FROM $BASE` that the `ARG` defaults cannot resolve is not
//! judged, and a reference that does not parse is `PAL-K8S-025`'s.
//!
//! Patterns are those of the other image lists (a registry, or
//! `registry/repository` with a `/`, globs compared without regard to
//! case, names normalised so `debian` is `docker.io/library/debian`), and a
//! pattern whose last `/`-separated part holds a `:` also matches the tag:
//! `docker.io/library/debian:12*` approves `debian:12-slim` but not
//! `debian:11` or `debian` (which is `debian:latest`).

use palisade_model::{
    Finding, FixAvailability, ImageRef, Resource, RuleMeta, RuleStatus, Severity, Stage,
};

use super::dockerfile_common as df;
use super::images;
use crate::image_policy::{tagged_name, RegistryPattern};
use crate::{Context, Rule};

/// The rule.
pub struct DockerfileUnapprovedBaseImage;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-008",
    title: "Shipped image built on a base image outside the approved base images",
    severity: Severity::High,
    kinds: df::KINDS,
    practice: "Build shipped images only on the base images the organisation approves",
    rationale: "Everything in the base image ships in yours: its operating system packages, \
        their vulnerabilities, its default user and whatever its publisher put there. An \
        organisation approves a small set of base images (distroless or minimal images it \
        patches, scans and rebuilds on a schedule) so that a fix reaches every service by \
        rebuilding, and so that nobody ships a full distribution with a shell and a package \
        manager, or an image from an unknown publisher, by accident. Builder stages may use \
        any toolchain; only the base of the shipped stage reaches production.",
    remediation: "Rebase the final stage on an approved image (build in a full image, then \
        COPY --from the build stage into the approved runtime image), or add the image to \
        images.approved_base_images once it is approved.",
    example: "# palisade.yaml: images: {approved_base_images: [\"mcr.microsoft.com/cbl-mariner/distroless/*\"]}\nFROM mcr.microsoft.com/oss/go/microsoft/golang:1.22 AS build\nRUN go build -o /out/app .\nFROM mcr.microsoft.com/cbl-mariner/distroless/minimal:2.0\nCOPY --from=build /out/app /app\nUSER 10001:10001\nENTRYPOINT [\"/app\"]\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 4.2: Ensure that containers use only trusted base images",
        "https://learn.microsoft.com/en-us/azure/security/fundamentals/supply-chain-consume-containers",
        "https://docs.docker.com/build/building/best-practices/#choose-the-right-base-image",
        images::CWE_829,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The message: `subject` names the final stage, `image` is the base image
/// as written after `ARG` substitution, `details` what is said about it in
/// parentheses (its normalised name, `FROM ${BASE}`, the stage it is the
/// base of).
pub fn message(subject: &str, image: &str, details: &str, approved: &[RegistryPattern]) -> String {
    format!(
        "{subject} is the shipped image and is built on \"{image}\" ({details}), which is not in images.approved_base_images {}",
        images::list(approved.iter().map(RegistryPattern::text))
    )
}

/// What the message says about the base image: the name it was compared
/// by, how it was written when `ARG`s were substituted, and the stage it is
/// the base of when that is not the final stage.
fn details(reference: &ImageRef, written: &str, note_needed: bool, root: Option<&Stage>) -> String {
    let mut parts = vec![tagged_name(reference).unwrap_or_else(|| reference.qualified())];
    if note_needed {
        parts.push(format!("FROM {written}"));
    }
    if let Some(stage) = root {
        parts.push(match &stage.name {
            Some(name) => format!("the base of stage \"{}\"", name.value),
            None => format!("the base of stage {}", stage.index),
        });
    }
    parts.join(", ")
}

impl Rule for DockerfileUnapprovedBaseImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let policy = &ctx.settings.image_policy;
        let Some(approved) = &policy.approved_base_images else {
            return;
        };
        let Some(d) = &resource.dockerfile else {
            return;
        };
        let (Some(last), Some(base)) = (d.final_stage(), df::shipped_base(d)) else {
            return;
        };
        if images::is_template(&base.image) {
            return;
        }
        // A reference that does not parse is PAL-K8S-025's.
        let Ok(reference) = ImageRef::parse(&base.image) else {
            return;
        };
        if policy.approves_base(&reference) {
            return;
        }
        let root = (base.stage.index != last.index).then_some(base.stage);
        let details = details(
            &reference,
            &base.stage.base.value,
            base.image != base.stage.base.value,
            root,
        );
        out.push(df::finding(
            &META,
            META.severity,
            resource,
            base.stage.base.span,
            message(
                &df::stage_subject(resource, last),
                &images::clip(&base.image),
                &details,
                approved,
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::image_policy::{base_image_patterns, ImagePolicy};
    use crate::rules::testkit::*;
    use crate::Settings;

    const DIGEST: &str = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    fn approving(patterns: &[&str]) -> Settings {
        Settings {
            image_policy: ImagePolicy::default()
                .with_approved_base_images(Some(patterns))
                .unwrap(),
            ..Settings::default()
        }
    }

    fn messages(text: &str, settings: &Settings) -> Vec<(u32, String)> {
        run_with(&DockerfileUnapprovedBaseImage, &dockerfile(text), settings)
            .into_iter()
            .map(|f| (f.location.span.line(), f.message))
            .collect()
    }

    #[test]
    fn the_final_stage_base_is_judged() {
        let settings = approving(&["mcr.microsoft.com/cbl-mariner/distroless/*"]);
        let text = "FROM golang:1.22 AS build\nRUN go build\nFROM debian:12-slim\nCOPY --from=build /out /app\n";
        assert_eq!(
            messages(text, &settings),
            [(
                3,
                message(
                    "stage 1 of Dockerfile \"Dockerfile\"",
                    "debian:12-slim",
                    "docker.io/library/debian:12-slim",
                    settings
                        .image_policy
                        .approved_base_images
                        .as_deref()
                        .unwrap()
                )
            )]
        );
        assert!(messages(text, &settings)[0].1.ends_with(
            "not in images.approved_base_images [\"mcr.microsoft.com/cbl-mariner/distroless/*\"]"
        ));
        // The builder's golang image is not judged.
        let ok = "FROM golang:1.22 AS build\nFROM mcr.microsoft.com/cbl-mariner/distroless/minimal:2.0\n";
        assert!(messages(ok, &settings).is_empty());
    }

    #[test]
    fn the_chain_of_stages_leads_to_the_base() {
        let settings = approving(&["*.azurecr.io"]);
        let text = "ARG BASE=node:20\nFROM ${BASE} AS base\nFROM base AS deps\nFROM golang AS tools\nFROM deps AS app\n";
        let found = messages(text, &settings);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
        assert_eq!(
            found[0].1,
            "stage \"app\" of Dockerfile \"Dockerfile\" is the shipped image and is built on \"node:20\" (docker.io/library/node:20, FROM ${BASE}, the base of stage \"base\"), which is not in images.approved_base_images [\"*.azurecr.io\"]"
        );
        // By index as well as by name.
        let by_index = "FROM myregistry.azurecr.io/base:1\nFROM 0\n";
        assert!(messages(by_index, &settings).is_empty());
    }

    #[test]
    fn scratch_unresolved_and_invalid_bases_are_not_judged() {
        let settings = approving(&["*.azurecr.io"]);
        for text in [
            "FROM golang AS build\nFROM scratch\n",
            "FROM scratch AS root\nFROM root\n",
            "ARG BASE\nFROM $BASE\n",
            "FROM ${REGISTRY}/app:1\n",
            "FROM MyImage:1\n",
        ] {
            assert!(messages(text, &settings).is_empty(), "{text}");
        }
        // Without the setting the rule is silent.
        assert!(messages("FROM debian\n", &Settings::default()).is_empty());
        // An empty list approves nothing.
        assert_eq!(
            messages("FROM myregistry.azurecr.io/base:1\n", &approving(&[])).len(),
            1
        );
    }

    #[test]
    fn patterns_with_a_tag_match_the_tag() {
        let settings = approving(&[
            "docker.io/library/debian:12*",
            "mcr.microsoft.com/cbl-mariner/distroless/*:*-nonroot",
        ]);
        let pinned = format!("FROM debian:12.5@{DIGEST}\n");
        let digest_only = format!("FROM debian@{DIGEST}\n");
        for (text, fires) in [
            ("FROM debian:12-slim\n", false),
            ("FROM docker.io/library/debian:12\n", false),
            (pinned.as_str(), false),
            ("FROM debian:11\n", true),
            // No tag is latest.
            ("FROM debian\n", true),
            // A digest alone names no tag.
            (digest_only.as_str(), true),
            (
                "FROM mcr.microsoft.com/cbl-mariner/distroless/base:2.0-nonroot\n",
                false,
            ),
            (
                "FROM mcr.microsoft.com/cbl-mariner/distroless/base:2.0\n",
                true,
            ),
        ] {
            assert_eq!(
                messages(text, &settings).len(),
                usize::from(fires),
                "{text}"
            );
        }
        let found = messages("FROM debian\n", &settings);
        assert!(
            found[0].1.contains("(docker.io/library/debian:latest)"),
            "{found:?}"
        );
        let found = messages(&digest_only, &settings);
        assert!(found[0]
            .1
            .contains(&format!("(docker.io/library/debian@{DIGEST})")));
        assert!(base_image_patterns(&["docker.io/[x"]).is_err());
    }
}
