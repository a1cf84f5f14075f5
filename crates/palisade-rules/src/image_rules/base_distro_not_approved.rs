//! `PAL-IMG-012`: the image's base distribution is not in
//! `image.approved_distros`.
//!
//! Runs only when the configuration sets `image.approved_distros`. Entries
//! are `ID` (any version) or `ID-VERSION`, matched against `/etc/os-release`:
//! `debian-12` matches `VERSION_ID` `12`, `alpine-3.20` matches `3.20` and
//! `3.20.3` (whole dotted components, so not `3.2`). Case does not matter.
//! An image whose distribution cannot be read (scratch, no os-release) is
//! reported too: the policy cannot be shown to hold. End of life is not
//! judged.

use palisade_model::{
    Finding, FixAvailability, ImageFacts, OsInfo, RuleMeta, RuleStatus, Severity,
};

use super::{finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct BaseDistroNotApproved;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-012",
    title: "Base distribution not in the approved list",
    severity: Severity::Medium,
    kinds: KINDS,
    practice: "Build every image on an approved base distribution",
    rationale: "An organisation that patches, monitors and supports one or two base \
        distributions loses that coverage for every image built on something else: its \
        vulnerability feeds, hardening baselines and patch pipelines do not apply, and a \
        distribution nobody tracks reaches end of life unnoticed. `image.approved_distros` \
        states the policy; images whose /etc/os-release names another distribution or version, \
        or none at all, are reported.",
    remediation: "Rebuild the image on an approved base image, or add the distribution to \
        `image.approved_distros` after review.",
    example: "# palisade.yaml\nimage:\n  approved_distros: [debian-12, alpine-3.20]\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 4.2: Ensure that containers use only trusted base images",
        "https://www.freedesktop.org/software/systemd/man/latest/os-release.html",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Whether `os` matches one `approved_distros` entry.
pub fn matches(entry: &str, os: &OsInfo) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    let id = os.id.to_ascii_lowercase();
    if entry == id {
        return true;
    }
    let Some(version) = entry.strip_prefix(&format!("{id}-")) else {
        return false;
    };
    let have = os.version_id.to_ascii_lowercase();
    have == version
        || have
            .strip_prefix(version)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// `debian-12`, as the approved list spells a distribution.
fn spelled(os: &OsInfo) -> String {
    if os.version_id.is_empty() {
        os.id.clone()
    } else {
        format!("{}-{}", os.id, os.version_id)
    }
}

impl ImageRule for BaseDistroNotApproved {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, s: &ImageSettings, out: &mut Vec<Finding>) {
        let Some(approved) = &s.approved_distros else {
            return;
        };
        let list = approved.join(", ");
        let message = match &facts.os {
            Some(os) if approved.iter().any(|a| matches(a, os)) => return,
            Some(os) => format!(
                "{} is based on {} ({}), not an approved distribution ({list})",
                subject(facts),
                spelled(os),
                os.pretty_name
            ),
            None => format!(
                "{} has no readable /etc/os-release, so its base distribution cannot be checked against the approved list ({list})",
                subject(facts)
            ),
        };
        out.push(finding(&META, META.severity, facts, None, None, message));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_rules::testkit::*;

    fn os(id: &str, v: &str) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: v.into(),
            pretty_name: format!("{id} {v}"),
            codename: None,
            id_like: vec![],
        }
    }

    #[test]
    fn entries_match_by_id_and_dotted_version() {
        assert!(matches("debian-12", &os("debian", "12")));
        assert!(matches("alpine-3.20", &os("alpine", "3.20.3")));
        assert!(!matches("alpine-3.2", &os("alpine", "3.20.3")));
        assert!(matches("Ubuntu", &os("ubuntu", "22.04")));
        assert!(!matches("debian-11", &os("debian", "12")));
        assert!(!matches("debian", &os("debianx", "12")));
    }

    #[test]
    fn only_with_a_policy() {
        let mut f = clean();
        f.os = Some(os("ubuntu", "22.04"));
        assert!(run(&BaseDistroNotApproved, &f).is_empty());
        let mut s = settings();
        s.approved_distros = Some(vec!["debian-12".into()]);
        let found = run_with(&BaseDistroNotApproved, &f, &s);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("based on ubuntu-22.04"));
        f.os = Some(os("debian", "12"));
        assert!(run_with(&BaseDistroNotApproved, &f, &s).is_empty());
        f.os = None;
        assert_eq!(run_with(&BaseDistroNotApproved, &f, &s).len(), 1);
    }
}
