//! `PAL-IMG-006`: the image was built longer ago than `image.max_age_days`.
//!
//! Reads the config's `created` date (RFC 3339; only the date part counts).
//! A missing, unparsable, placeholder (1970 or earlier, as reproducible
//! builds write, or Go's zero time) or future date is not judged here but
//! by `PAL-IMG-007`.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct StaleImage;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-006",
    title: "Image is older than the configured maximum age",
    severity: Severity::Medium,
    kinds: KINDS,
    practice: "Rebuild images regularly so they pick up patched base images and packages",
    rationale: "An image is a snapshot of its base image and packages on the day it was built. \
        Every fix published since then is missing from it, whatever the registry's newer base \
        images contain. An image that has not been rebuilt for a long time almost certainly \
        carries known vulnerabilities and may no longer build at all. The limit is \
        `image.max_age_days` of the configuration (default 365).",
    remediation: "Rebuild the image from an up-to-date base image (ideally on a schedule and \
        whenever the base image changes) and redeploy it; raise `image.max_age_days` if your \
        release cadence needs longer.",
    example: "# palisade.yaml\nimage:\n  max_age_days: 90\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 4.7: Ensure update instructions are not used alone in Dockerfiles",
        "https://docs.docker.com/build/building/best-practices/#rebuild-your-images-often",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of an RFC 3339 `created` value, as days since 1970-01-01;
/// `None` unless it starts with a valid `YYYY-MM-DD` followed by the end,
/// `T` or a space.
pub fn parse_created(created: &str) -> Option<i64> {
    let s = created.trim();
    let date = s.get(..10)?;
    match s.as_bytes().get(10) {
        None | Some(b'T' | b't' | b' ') => {}
        Some(_) => return None,
    }
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = date.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(i64::from(year), month, day))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Why a `created` value cannot be judged, or `None` with the date in days
/// when it can.
pub(crate) fn judge_created(created: Option<&str>, today: i64) -> Result<i64, String> {
    let Some(text) = created.map(str::trim).filter(|c| !c.is_empty()) else {
        return Err("records no creation date".into());
    };
    let shown: String = text.chars().take(40).collect();
    let Some(days) = parse_created(text) else {
        return Err(format!(
            "records a creation date that is not RFC 3339: \"{shown}\""
        ));
    };
    if days <= 0 {
        return Err(format!(
            "records a placeholder creation date ({shown}), as reproducible builds write"
        ));
    }
    if days > today + 1 {
        return Err(format!("records a creation date in the future ({shown})"));
    }
    Ok(days)
}

impl ImageRule for StaleImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(config) = &facts.config else { return };
        let Ok(created) = judge_created(config.created.as_deref(), s.today) else {
            return;
        };
        let age = s.today - created;
        if age > i64::from(s.max_age_days) {
            out.push(finding(
                &META,
                META.severity,
                facts,
                None,
                None,
                format!(
                    "{} was created {age} days ago ({}), more than the limit of {} days (image.max_age_days)",
                    subject(facts),
                    config.created.as_deref().unwrap_or_default().get(..10).unwrap_or_default(),
                    s.max_age_days
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(parse_created("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_created("2024-02-29T10:00:00.123456789+02:00"),
            Some(19782)
        );
        assert_eq!(parse_created("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse_created("2024-13-01"), None);
        assert_eq!(parse_created("2024-1-01T00"), None);
        assert_eq!(parse_created("yesterday"), None);
        assert_eq!(parse_created("2024-01-01X"), None);
        assert_eq!(parse_created("é"), None);
        assert_eq!(
            parse_created("0001-01-01T00:00:00Z").map(|d| d < 0),
            Some(true)
        );
    }

    #[test]
    fn old_images_fire_with_a_configurable_limit() {
        let mut f = clean();
        if let Some(c) = &mut f.config {
            c.created = Some("2024-01-01T00:00:00Z".into());
        }
        let found = run(&StaleImage, &f);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("547 days ago (2024-01-01)"),
            "{}",
            found[0].message
        );
        let mut s = settings();
        s.max_age_days = 1000;
        assert!(run_with(&StaleImage, &f, &s).is_empty());
        for bad in [
            None,
            Some("garbage"),
            Some("1970-01-01T00:00:00Z"),
            Some("2999-01-01T00:00:00Z"),
        ] {
            if let Some(c) = &mut f.config {
                c.created = bad.map(str::to_string);
            }
            assert!(run(&StaleImage, &f).is_empty(), "{bad:?}");
        }
    }
}
