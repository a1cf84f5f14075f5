//! Rules on a container image (`PAL-IMG-NNN`): its config, its layers and
//! the files in them, as [`ImageFacts`] describes them.
//!
//! One rule per file, metadata beside the check as for the manifest rules;
//! every image rule is registered once in [`IMAGE_RULES`]. `palisade rules`,
//! `palisade explain` and `docs/rules.md` read them through
//! [`crate::rule_metas`].

use std::sync::Arc;

use palisade_model::{
    image_file, Finding, ImageFacts, Location, ResourceRef, RuleMeta, Severity, Span, IMAGE_KIND,
};

mod base_distro_not_approved;
mod credential_in_env;
mod healthcheck_missing;
mod missing_created_date;
mod mutable_tag;
mod package_cache;
mod privileged_port;
mod runs_as_root;
mod secret_in_layer;
mod setid_binary;
mod stale_image;
mod world_writable;

pub use base_distro_not_approved::BaseDistroNotApproved;
pub use credential_in_env::CredentialInEnv;
pub use healthcheck_missing::HealthcheckMissing;
pub use missing_created_date::MissingCreatedDate;
pub use mutable_tag::MutableTag;
pub use package_cache::PackageCache;
pub use privileged_port::PrivilegedPort;
pub use runs_as_root::RunsAsRoot;
pub use secret_in_layer::SecretInLayer;
pub use setid_binary::{SetidBinary, COMMON_SETID_BINARIES};
pub use stale_image::{days_from_civil, parse_created, StaleImage};
pub use world_writable::WorldWritable;

/// The kinds image rules apply to.
pub const KINDS: &[&str] = &[IMAGE_KIND];

/// Default [`ImageSettings::max_age_days`].
pub const DEFAULT_MAX_AGE_DAYS: u32 = 365;

/// Most findings one rule reports on one image; the last one says how many
/// more there were.
pub const MAX_FINDINGS_PER_RULE: usize = 100;

/// Settings of the image rules (`image:` of the configuration file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSettings {
    /// `image.max_age_days`: an image created longer ago than this is
    /// stale (`PAL-IMG-006`). Default [`DEFAULT_MAX_AGE_DAYS`].
    pub max_age_days: u32,
    /// `image.approved_distros`: `ID` or `ID-VERSION` entries (`debian-12`,
    /// `alpine-3.20`, `ubuntu`); `None` when unset (`PAL-IMG-012` then
    /// reports nothing).
    pub approved_distros: Option<Vec<String>>,
    /// Today, as days since 1970-01-01 (UTC).
    pub today: i64,
}

impl Default for ImageSettings {
    fn default() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self {
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            approved_distros: None,
            today: i64::try_from(secs / 86_400).unwrap_or(0),
        }
    }
}

/// A check over one image.
pub trait ImageRule: Send + Sync {
    /// The rule's metadata; `meta().id` is its stable id.
    fn meta(&self) -> &'static RuleMeta;

    /// Checks the image and appends what it finds.
    fn check(&self, facts: &ImageFacts, settings: &ImageSettings, out: &mut Vec<Finding>);
}

/// Every image rule, in id order.
pub static IMAGE_RULES: &[&dyn ImageRule] = &[
    &RunsAsRoot,
    &PrivilegedPort,
    &CredentialInEnv,
    &HealthcheckMissing,
    &MutableTag,
    &StaleImage,
    &MissingCreatedDate,
    &SecretInLayer,
    &SetidBinary,
    &WorldWritable,
    &PackageCache,
    &BaseDistroNotApproved,
];

/// The image rule with this id (case-insensitive).
pub fn find_image_rule(id: &str) -> Option<&'static dyn ImageRule> {
    IMAGE_RULES
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id))
}

/// Runs `rules` on one image; findings sorted.
pub fn evaluate(
    rules: &[&'static dyn ImageRule],
    facts: &ImageFacts,
    settings: &ImageSettings,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        let mut found = Vec::new();
        rule.check(facts, settings, &mut found);
        cap(&mut found);
        out.append(&mut found);
    }
    out.sort();
    out
}

/// Keeps at most [`MAX_FINDINGS_PER_RULE`] findings, noting the rest in the
/// last one kept.
fn cap(found: &mut Vec<Finding>) {
    if found.len() <= MAX_FINDINGS_PER_RULE {
        return;
    }
    let more = found.len() - MAX_FINDINGS_PER_RULE;
    found.truncate(MAX_FINDINGS_PER_RULE);
    if let Some(last) = found.last_mut() {
        last.message
            .push_str(&format!(" (and {more} more not listed)"));
    }
}

/// A finding about the image (`path` `None`) or a file in it.
pub(crate) fn finding(
    meta: &'static RuleMeta,
    severity: Severity,
    facts: &ImageFacts,
    path: Option<&str>,
    line: Option<usize>,
    message: String,
) -> Finding {
    let file: Arc<str> = match path {
        Some(p) => Arc::from(image_file(&facts.reference, p)),
        None => Arc::from(facts.reference.as_str()),
    };
    let span = line
        .and_then(|l| u32::try_from(l).ok())
        .map_or_else(Span::default, |l| Span::point(l, 1));
    Finding {
        location: Location { file, span },
        rule_id: meta.id,
        severity,
        message,
        resource: ResourceRef {
            kind: IMAGE_KIND.to_string(),
            name: facts.reference.clone(),
            namespace: None,
        },
        container: None,
        pss: None,
        suppressed: None,
    }
}

/// `image "REF"`, the subject of image messages.
pub(crate) fn subject(facts: &ImageFacts) -> String {
    format!("image \"{}\"", facts.reference)
}

/// `/path (mode 4755, layer 2 sha256:… (step))`.
pub(crate) fn file_place(facts: &ImageFacts, path: &str, layer: u32) -> String {
    format!("/{path} (from {})", facts.describe_layer(layer))
}

/// References shared by image rules.
pub(crate) const DOCKER_BEST_PRACTICES: &str =
    "https://docs.docker.com/build/building/best-practices/";
pub(crate) const CWE_798: &str = "CWE-798: Use of Hard-coded Credentials";

#[cfg(test)]
pub(crate) mod testkit {
    use palisade_model::{ConfigFacts, ImageFacts, LayerFacts, ReferenceKind};

    use super::*;

    /// A tagged, non-root, healthy image built today with two layers.
    pub fn clean() -> ImageFacts {
        ImageFacts {
            reference: "oci:build/app:1.0".into(),
            reference_kind: ReferenceKind::Tagged {
                tag: Some("1.0".into()),
                digest: None,
            },
            manifest_digest: Some(format!("sha256:{}", "1".repeat(64))),
            config: Some(ConfigFacts {
                user: Some("10001:10001".into()),
                exposed_ports: vec!["8080/tcp".into()],
                env: vec!["PATH=/usr/bin".into()],
                healthcheck: Some(vec!["CMD".into(), "/app".into(), "health".into()]),
                created: Some("2025-06-01T00:00:00Z".into()),
            }),
            layers: vec![
                LayerFacts {
                    index: 0,
                    digest: format!("sha256:{}", "a".repeat(64)),
                    created_by: Some("ADD rootfs.tar /".into()),
                },
                LayerFacts {
                    index: 1,
                    digest: format!("sha256:{}", "b".repeat(64)),
                    created_by: Some("RUN make install".into()),
                },
            ],
            ..ImageFacts::default()
        }
    }

    /// Settings with today = 2025-07-01.
    pub fn settings() -> ImageSettings {
        ImageSettings {
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            approved_distros: None,
            today: days_from_civil(2025, 7, 1),
        }
    }

    /// Runs one rule with default test settings.
    pub fn run(rule: &dyn ImageRule, facts: &ImageFacts) -> Vec<Finding> {
        run_with(rule, facts, &settings())
    }

    /// Runs one rule.
    pub fn run_with(rule: &dyn ImageRule, facts: &ImageFacts, s: &ImageSettings) -> Vec<Finding> {
        let mut out = Vec::new();
        rule.check(facts, s, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_numbered_and_metadata_complete() {
        for (i, rule) in IMAGE_RULES.iter().enumerate() {
            let m = rule.meta();
            assert_eq!(m.id, format!("PAL-IMG-{:03}", i + 1));
            assert_eq!(m.kinds, KINDS, "{}", m.id);
            assert!(m.remediation.ends_with('.'), "{}", m.id);
            assert!(
                !m.rationale.is_empty() && !m.practice.is_empty(),
                "{}",
                m.id
            );
            assert!(!m.references.is_empty(), "{}", m.id);
            assert!(find_image_rule(&m.id.to_lowercase()).is_some());
        }
    }

    #[test]
    fn a_clean_image_has_no_findings() {
        let facts = testkit::clean();
        let found = evaluate(IMAGE_RULES, &facts, &testkit::settings());
        assert!(found.is_empty(), "{found:#?}");
    }
}
