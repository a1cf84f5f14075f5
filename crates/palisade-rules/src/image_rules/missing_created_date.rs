//! `PAL-IMG-007`: the image's creation date is missing, a placeholder, not
//! RFC 3339, or in the future, so its age cannot be judged.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::stale_image::judge_created;
use super::{finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct MissingCreatedDate;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-007",
    title: "Image creation date missing or unusable",
    severity: Severity::Low,
    kinds: KINDS,
    practice: "Images record when they were built, so their age can be checked",
    rationale: "The stale-image check (PAL-IMG-006) needs the config's `created` date. \
        Reproducible builds often set it to 1970-01-01 (SOURCE_DATE_EPOCH=0) and some tools \
        leave it out or write a malformed value; the image's age is then unknown, and an image \
        years old passes unnoticed. This note makes the gap visible.",
    remediation: "Record the build time (or the source commit time, SOURCE_DATE_EPOCH set to the \
        last commit) as `created`, or disable this rule and track image age another way.",
    example: "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) docker buildx build .\n",
    references: &[
        "https://github.com/opencontainers/image-spec/blob/main/config.md#properties",
        "https://reproducible-builds.org/docs/source-date-epoch/",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for MissingCreatedDate {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(config) = &facts.config else { return };
        if let Err(why) = judge_created(config.created.as_deref(), s.today) {
            out.push(finding(
                &META,
                META.severity,
                facts,
                None,
                None,
                format!("{} {why}; its age cannot be checked", subject(facts)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn unusable_dates_fire_once() {
        for (created, fires) in [
            (None, true),
            (Some("garbage\u{0}\n"), true),
            (Some("1970-01-01T00:00:00Z"), true),
            (Some("0001-01-01T00:00:00Z"), true),
            (Some("2999-01-01T00:00:00Z"), true),
            (Some("2025-06-30T23:59:59Z"), false),
        ] {
            let mut f = clean();
            if let Some(c) = &mut f.config {
                c.created = created.map(str::to_string);
            }
            assert_eq!(
                run(&MissingCreatedDate, &f).len(),
                usize::from(fires),
                "{created:?}"
            );
        }
    }
}
