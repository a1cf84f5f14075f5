//! palisade reporters: table, JSON, SARIF 2.1.0 and JUnit XML; and, in
//! [`sbom`], CycloneDX 1.6 and SPDX 2.3 SBOMs of container images.
//!
//! A reporter renders a [`Report`] (findings, input errors, the rules that
//! ran and a summary) to a writer. It knows nothing of how findings were
//! made. Every format neutralises hostile text from manifests: control
//! characters and terminal escapes in the table, characters XML 1.0 forbids
//! in JUnit, and JSON/SARIF escape through `serde_json`.
//!
//! ```
//! use palisade_report::{render, Format, Report, Summary, TableOptions};
//!
//! let report = Report {
//!     tool_version: "0.1.0",
//!     summary: Summary { files: 1, objects: 1, ..Summary::default() },
//!     ..Report::default()
//! };
//! let mut out = Vec::new();
//! render(&report, Format::Json, TableOptions::default(), &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"version\": 1"));
//! ```
#![warn(missing_docs)]

mod fingerprint;
mod json;
mod junit;
mod packages;
mod paths;
mod sarif;
pub mod sbom;
mod table;
mod text;
mod vulns;

use std::fmt;
use std::io;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use palisade_model::{Finding, InputError, RuleMeta, Severity};

pub use fingerprint::fingerprints;
pub use packages::render_json_with_packages;
pub use sarif::{MAX_RESULTS, MAX_RULES};
pub use vulns::render_json_extended;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Findings grouped by file, for people at a terminal.
    Table,
    /// One JSON object with a stable schema (see `docs/output-formats.md`).
    Json,
    /// SARIF 2.1.0, as GitHub code scanning accepts it.
    Sarif,
    /// JUnit XML, as Jenkins, GitLab and Azure DevOps accept it.
    Junit,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 4] = [Format::Table, Format::Json, Format::Sarif, Format::Junit];

    /// The name users type (`table`, `json`, `sarif`, `junit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            other => Err(format!(
                "unknown format `{other}`: expected table, json, sarif or junit"
            )),
        }
    }
}

/// What a scan looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// YAML/JSON documents read.
    pub documents: usize,
    /// Kubernetes objects evaluated.
    pub objects: usize,
    /// Documents skipped because they are not Kubernetes objects.
    pub skipped_non_kubernetes: usize,
    /// Objects skipped because no rule knows their kind.
    pub skipped_unknown_kinds: usize,
    /// Rules that ran.
    pub rules_run: usize,
}

/// Everything a reporter renders. `Report::default()` is an empty scan,
/// handy with struct update syntax.
#[derive(Debug, Clone, Copy, Default)]
pub struct Report<'a> {
    /// Findings, sorted; includes suppressed ones (`Finding::suppressed` set).
    pub findings: &'a [Finding],
    /// Problems with inputs.
    pub errors: &'a [InputError],
    /// Metadata of every rule that ran (SARIF rule descriptors).
    pub rules: &'a [&'a RuleMeta],
    /// What the scan looked at.
    pub summary: Summary,
    /// Whether table and JUnit list suppressed findings and JSON adds a
    /// `suppressed` array. SARIF always includes them, marked suppressed.
    pub show_suppressed: bool,
    /// The palisade version (SARIF `semanticVersion`).
    pub tool_version: &'a str,
    /// The directory SARIF uris are made relative to (normally the
    /// repository root). `None` keeps paths as the user named them.
    pub base_dir: Option<&'a Path>,
    /// Every file that was scanned, so JUnit can show a passing test for a
    /// file without findings. May be empty: then only files that have
    /// findings or errors appear.
    pub scanned_files: &'a [Arc<str>],
}

/// Options of the table format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableOptions {
    /// Colour severities with ANSI escapes. The CLI decides (terminal
    /// detection, `NO_COLOR`, `--color`); the reporter only obeys.
    pub color: bool,
}

/// Renders `report` in `format` to `out`.
///
/// Errors come only from writing to `out`.
pub fn render(
    report: &Report,
    format: Format,
    table: TableOptions,
    out: &mut dyn io::Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::render(report, table, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

/// Counts of findings by severity, highest first, and of suppressed ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Unsuppressed findings per severity, indexed like [`Severity::ALL`].
    pub by_severity: [usize; 4],
    /// Suppressed findings.
    pub suppressed: usize,
}

impl Counts {
    pub(crate) fn of(findings: &[Finding]) -> Self {
        let mut counts = Counts::default();
        for f in findings {
            if f.suppressed.is_some() {
                counts.suppressed += 1;
            } else {
                counts.by_severity[severity_index(f.severity)] += 1;
            }
        }
        counts
    }

    /// Unsuppressed findings.
    pub(crate) fn active(&self) -> usize {
        self.by_severity.iter().sum()
    }

    /// Unsuppressed findings of one severity.
    pub(crate) fn get(&self, severity: Severity) -> usize {
        self.by_severity[severity_index(severity)]
    }
}

fn severity_index(severity: Severity) -> usize {
    match severity {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
        Severity::Critical => 3,
    }
}

/// `n thing` or `n things`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
        let err = "xml".parse::<Format>().unwrap_err();
        assert!(err.contains("`xml`"), "{err}");
    }
}
