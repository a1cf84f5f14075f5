//! Rule metadata: what `palisade rules` and `palisade explain` print and
//! what SARIF rule descriptors are built from.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::Severity;

/// A Pod Security Standards level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PssLevel {
    /// Prevents known privilege escalations; minimally restrictive.
    Baseline,
    /// Current pod hardening best practice; includes baseline.
    Restricted,
}

impl PssLevel {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        }
    }
}

impl fmt::Display for PssLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PssLevel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "baseline" => Ok(PssLevel::Baseline),
            "restricted" => Ok(PssLevel::Restricted),
            other => Err(format!(
                "unknown level `{other}`: expected baseline or restricted"
            )),
        }
    }
}

/// A Pod Security Standards policy version, `v1.MINOR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PssVersion {
    /// The minor version (the major is always 1).
    pub minor: u16,
}

impl PssVersion {
    /// `v1.minor`.
    pub const fn v1(minor: u16) -> Self {
        PssVersion { minor }
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

/// Whether a rule is ready for general use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleStatus {
    /// Stable: behaviour changes only in a major release.
    Stable,
    /// Preview: may change; enabled by default only when stated.
    Preview,
}

/// Whether `palisade fix` can repair what the rule reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    /// Every finding can be fixed automatically.
    Always,
    /// Some findings can be fixed automatically.
    Sometimes,
    /// A person must decide.
    Never,
}

/// Everything a user needs to understand a rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleMeta {
    /// Stable id, e.g. `PSS-PRIVILEGED` or `PAL-K8S-001`.
    pub id: &'static str,
    /// Short title naming the bad pattern.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Kinds the rule applies to; `*` for every kind.
    pub kinds: &'static [&'static str],
    /// The security practice the rule enforces.
    pub practice: &'static str,
    /// One paragraph: why it matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub remediation: &'static str,
    /// A corrected YAML snippet.
    pub example: &'static str,
    /// Links to standards and docs.
    pub references: &'static [&'static str],
    /// For Pod Security Standards rules: level and upstream check id.
    pub pss: Option<(PssLevel, &'static str)>,
    /// Stable or preview.
    pub status: RuleStatus,
    /// Whether `palisade fix` can repair findings.
    pub fix: FixAvailability,
}
