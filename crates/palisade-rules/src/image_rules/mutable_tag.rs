//! `PAL-IMG-005`: the image was named by `latest` or by no tag at all.
//!
//! Judges the reference the user scanned (`palisade image REF`): a digest
//! pins the image and passes; otherwise a missing tag or `latest` fires.
//! Root filesystem directories (`dir:`) have no tags and are not judged.

use palisade_model::{
    Finding, FixAvailability, ImageFacts, ReferenceKind, RuleMeta, RuleStatus, Severity,
};

use super::{finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct MutableTag;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-005",
    title: "Image referenced by `latest` or without a tag",
    severity: Severity::Medium,
    kinds: KINDS,
    practice: "Reference images by a version tag or, better, by digest",
    rationale: "`latest` (which is also what a reference without a tag means) moves with every \
        push: the image scanned today is not the one deployed tomorrow, rollbacks cannot name \
        the previous version, and two nodes can run different code under one name. A scan \
        result is only meaningful for an image named so that it stays the same.",
    remediation: "Tag releases with a version (`app:1.4.2`) and deploy by digest \
        (`app@sha256:...`); scan the same reference you deploy.",
    example: "palisade image registry.example.com/app@sha256:4f5c...\n",
    references: &[
        "https://docs.docker.com/build/building/best-practices/#pin-base-image-versions",
        "https://kubernetes.io/docs/concepts/containers/images/#image-names",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for MutableTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        let ReferenceKind::Tagged { tag, digest } = &facts.reference_kind else {
            return;
        };
        if digest.is_some() {
            return;
        }
        let message = match tag.as_deref() {
            None => format!(
                "{} is named without a tag or digest; what it resolves to can change",
                subject(facts)
            ),
            Some("latest") => format!(
                "{} is named by the tag `latest`, which moves with every push",
                subject(facts)
            ),
            Some(_) => return,
        };
        out.push(finding(&META, META.severity, facts, None, None, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn latest_and_untagged_fire_digests_and_dirs_do_not() {
        let cases = [
            (
                ReferenceKind::Tagged {
                    tag: None,
                    digest: None,
                },
                true,
            ),
            (
                ReferenceKind::Tagged {
                    tag: Some("latest".into()),
                    digest: None,
                },
                true,
            ),
            (
                ReferenceKind::Tagged {
                    tag: Some("1.2".into()),
                    digest: None,
                },
                false,
            ),
            (
                ReferenceKind::Tagged {
                    tag: Some("latest".into()),
                    digest: Some("sha256:00".into()),
                },
                false,
            ),
            (ReferenceKind::Untagged, false),
        ];
        for (kind, fires) in cases {
            let mut f = clean();
            f.reference_kind = kind.clone();
            assert_eq!(run(&MutableTag, &f).len(), usize::from(fires), "{kind:?}");
        }
    }
}
