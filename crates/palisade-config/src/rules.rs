//! Metadata of the findings configuration itself produces.

use palisade_model::{FixAvailability, RuleMeta, RuleStatus, Severity};

/// The annotation that suppresses findings on one object:
/// `palisade.dev/ignore: "RULE-ID: reason"`, entries separated by newlines or `;`.
pub const SUPPRESSION_ANNOTATION: &str = "palisade.dev/ignore";

/// Id of the finding for a malformed `palisade.dev/ignore` entry.
pub const INVALID_SUPPRESSION: &str = "PAL-CONFIG-INVALID-SUPPRESSION";
/// Id of the finding for an annotation that tries to suppress a locked rule.
pub const LOCKED_RULE: &str = "PAL-CONFIG-LOCKED-RULE";
/// Id of the finding for a config exception past its `expires` date.
pub const EXPIRED_EXCEPTION: &str = "PAL-CONFIG-EXPIRED-EXCEPTION";

static CONFIG_RULES: [RuleMeta; 3] = [
    RuleMeta {
        id: INVALID_SUPPRESSION,
        title: "Suppression annotation without a reason or naming an unknown rule",
        severity: Severity::Medium,
        kinds: &["*"],
        practice: "Every suppressed finding carries a rule id and a reason a reviewer can judge.",
        rationale: "A `palisade.dev/ignore` entry without a reason hides a risk without saying why \
            it is accepted, and an entry naming an unknown rule id (often a typo) suppresses \
            nothing while its author believes the finding is handled. Both make the annotation \
            lie about the object's state. palisade therefore ignores such entries and reports them.",
        remediation: "Write each entry as `RULE-ID: reason`, using an id listed by `palisade rules`, \
            and separate entries with a newline or `;`.",
        example: "metadata:\n  annotations:\n    palisade.dev/ignore: |\n      \
            PSS-HOST-PATH-VOLUMES: node-exporter reads /proc and /sys of the host\n      \
            PAL-K8S-001: image tag is pinned by the release pipeline\n",
        references: &["docs/configuration.md#suppressing-findings-with-an-annotation"],
        pss: None,
        status: RuleStatus::Stable,
        fix: FixAvailability::Never,
    },
    RuleMeta {
        id: LOCKED_RULE,
        title: "Suppression annotation names a locked rule",
        severity: Severity::Medium,
        kinds: &["*"],
        practice: "Rules the platform owners lock are enforced on every object; exceptions go through the configuration file.",
        rationale: "`rules.lock` in the palisade configuration marks rules that workload authors \
            may not waive on their own objects, such as privileged containers. An annotation \
            naming a locked rule has no effect: the finding stays. This finding makes the \
            ignored annotation visible, so nobody assumes the exception was granted.",
        remediation: "Remove the locked rule from the `palisade.dev/ignore` annotation, fix the \
            object, or ask the owners of the configuration for an exception with a reason and an expiry date.",
        example: "# palisade.yaml, kept by the platform team\nexceptions:\n  - rule: PSS-PRIVILEGED\n    \
            namespace: kube-system\n    name: \"csi-node-*\"\n    reason: \"CSI node plugin mounts volumes on the host\"\n    \
            expires: 2027-03-31\n",
        references: &["docs/configuration.md#ruleslock"],
        pss: None,
        status: RuleStatus::Stable,
        fix: FixAvailability::Never,
    },
    RuleMeta {
        id: EXPIRED_EXCEPTION,
        title: "Configuration exception past its expiry date",
        severity: Severity::Low,
        kinds: &["*"],
        practice: "Exceptions are temporary and reviewed when they expire.",
        rationale: "An exception with an `expires` date stops applying the day after that date, \
            so the findings it suppressed come back. Reporting the expired exception itself \
            explains why those findings returned and points at the entry to renew or delete, \
            instead of leaving a dead entry that silently does nothing.",
        remediation: "Fix the objects and delete the exception, or review it and set a new `expires` date.",
        example: "exceptions:\n  - rule: PSS-HOST-PATH-VOLUMES\n    namespace: monitoring\n    \
            name: \"node-exporter-*\"\n    reason: \"needs /proc and /sys of the host\"\n    expires: 2027-09-30\n",
        references: &["docs/configuration.md#exceptions"],
        pss: None,
        status: RuleStatus::Stable,
        fix: FixAvailability::Never,
    },
];

/// Metadata of the rules whose findings configuration produces:
/// [`INVALID_SUPPRESSION`], [`LOCKED_RULE`] and [`EXPIRED_EXCEPTION`].
pub fn config_rules() -> &'static [RuleMeta] {
    &CONFIG_RULES
}

pub(crate) fn meta(id: &str) -> Option<&'static RuleMeta> {
    CONFIG_RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_complete() {
        for rule in config_rules() {
            assert!(rule.id.starts_with("PAL-CONFIG-"));
            assert!(!rule.title.is_empty() && !rule.rationale.is_empty());
            assert!(rule.remediation.ends_with('.'), "{}", rule.id);
            assert!(rule.practice.ends_with('.'), "{}", rule.id);
            assert!(!rule.example.is_empty() && !rule.references.is_empty());
            assert_eq!(meta(rule.id).map(|m| m.id), Some(rule.id));
        }
    }
}
