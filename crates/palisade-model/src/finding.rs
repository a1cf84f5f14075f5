//! Findings: what an evaluation reports.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::{Location, PssLevel};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; rarely a risk on its own.
    Low,
    /// A weakness that raises the impact of another flaw.
    Medium,
    /// A direct weakness an attacker can use.
    High,
    /// A direct path to compromise of the node, cluster or credentials.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}`: expected low, medium, high or critical"
            )),
        }
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ResourceRef {
    /// `kind` of the object, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.name`, empty when absent (e.g. `generateName` only).
    pub name: String,
    /// `metadata.namespace`, when set.
    pub namespace: Option<String>,
}

impl fmt::Display for ResourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/{}", self.kind, self.name),
        }
    }
}

/// The Pod Security Standards check a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct PssRef {
    /// The level whose check failed.
    pub level: PssLevel,
    /// The upstream check id, e.g. `allowPrivilegeEscalation`.
    pub check: &'static str,
}

/// Why a finding is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Suppression {
    /// `annotation` or `config`.
    pub kind: SuppressionKind,
    /// The reason the user gave.
    pub reason: String,
    /// Where the suppression was written, when known.
    #[serde(skip)]
    pub location: Option<Location>,
}

/// Where a suppression comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionKind {
    /// An annotation on the resource.
    Annotation,
    /// An exception in the configuration file.
    Config,
}

/// One problem found in one place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Finding {
    /// Where the problem is: the field at fault, or the object where a field is missing.
    pub location: Location,
    /// The rule's stable id.
    pub rule_id: &'static str,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// What is wrong, naming object, container and bad value.
    pub message: String,
    /// The object.
    pub resource: ResourceRef,
    /// The container, for container-level findings.
    pub container: Option<String>,
    /// The Pod Security Standards check, for PSS rules.
    pub pss: Option<PssRef>,
    /// Set when the finding is suppressed.
    pub suppressed: Option<Suppression>,
}
