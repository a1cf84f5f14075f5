//! What a rule may know besides the object it checks.

use palisade_model::{PssLevel, PssVersion, Resource};

/// Rule settings resolved from the command line and the configuration file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Pod Security Standards level to enforce.
    pub level: PssLevel,
    /// The Pod Security Standards version to enforce.
    pub version: PssVersion,
    /// Capabilities a container may add without a finding (upper-case, no `CAP_` prefix).
    pub allowed_capabilities: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            level: PssLevel::Restricted,
            version: crate::pss::LATEST,
            allowed_capabilities: vec!["NET_BIND_SERVICE".to_string()],
        }
    }
}

/// Everything a rule can see while checking one object.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Every object of the scan, for rules that look across objects
    /// (a Service targeting a container port, a RoleBinding naming a ServiceAccount).
    pub resources: &'a [Resource],
    /// The resolved settings.
    pub settings: &'a Settings,
}
