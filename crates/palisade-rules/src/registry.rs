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
        for rule in all_rules() {
            assert!(
                seen.insert(rule.meta().id),
                "duplicate rule id {}",
                rule.meta().id
            );
        }
    }
}
