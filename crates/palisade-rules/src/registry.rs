//! The one closed list of rules.

use palisade_model::{Finding, Resource, RuleMeta};

use crate::Context;

/// A check over one object.
pub trait Rule: Send + Sync {
    /// The rule's metadata; `meta().id` is its stable id.
    fn meta(&self) -> &'static RuleMeta;

    /// Whether the rule applies to objects of this kind.
    fn applies_to(&self, kind: &str) -> bool {
        let kinds = self.meta().kinds;
        kinds.contains(&"*") || kinds.contains(&kind)
    }

    /// Checks one object and appends what it finds.
    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Every rule, in a fixed order: Pod Security Standards first, then the others.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    static RULES: std::sync::OnceLock<Vec<&'static dyn Rule>> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        let mut rules: Vec<&'static dyn Rule> = Vec::new();
        rules.extend_from_slice(crate::pss::RULES);
        rules.extend_from_slice(crate::rules::RULES);
        rules
    })
}

/// Metadata of every rule: the manifest rules of [`all_rules`], then the
/// image rules of [`crate::image_rules::IMAGE_RULES`]. What `palisade
/// rules`, `palisade explain`, configuration validation and `docs/rules.md`
/// read.
pub fn rule_metas() -> Vec<&'static RuleMeta> {
    all_rules()
        .iter()
        .map(|r| r.meta())
        .chain(crate::image_rules::IMAGE_RULES.iter().map(|r| r.meta()))
        .collect()
}

/// The metadata of the rule with this id, manifest or image rule
/// (case-insensitive).
pub fn find_meta(id: &str) -> Option<&'static RuleMeta> {
    rule_metas()
        .into_iter()
        .find(|m| m.id.eq_ignore_ascii_case(id))
}

/// The rule with this id (case-insensitive).
pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    all_rules()
        .iter()
        .copied()
        .find(|r| r.meta().id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for meta in rule_metas() {
            assert!(seen.insert(meta.id), "duplicate rule id {}", meta.id);
        }
    }
}
