//! Matching an inventory against the advisory store, with OSV semantics.
//!
//! A package matches an `affected` entry of an advisory when
//! - the ecosystem is the same: a language package (`PyPI`, `npm`,
//!   `crates.io`, `Go`, `Maven`, ...) matches entries of that ecosystem;
//!   an operating-system package (`deb`, `apk`, `rpm`) matches only entries
//!   of the image's own distribution release (see [`distro_release`]);
//! - the name is the same, as the store normalises it (PyPI names per
//!   PEP 503; others exactly). Debian, Ubuntu and Alpine packages are
//!   looked up by their source package (`Package::source_name`, version
//!   `Package::source_version` when set), as those advisories name source
//!   packages; RPM advisories name binary packages;
//! - the installed version is in one of the entry's `ECOSYSTEM` or
//!   `SEMVER` ranges (events sorted by the ecosystem's own comparator,
//!   `introduced: "0"` from the beginning, `fixed`/`limit` exclusive,
//!   `last_affected` inclusive), or equal to one of its listed `versions`.
//!
//! Withdrawn advisories match nothing. Matches of one package whose ids
//! overlap (an advisory and its aliases, a CVE reported by two sources)
//! are merged into one [`VulnMatch`] listing every id. Nothing is ever
//! matched by product-name guessing (no CPEs).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use palisade_model::{Ecosystem, OsInfo, Package, Severity};

use crate::cvss::Cvss;
use crate::osv::{Event, RangeKind};
use crate::store::{AffectedPackage, Database, DbError};
use crate::versions::{Scheme, Version};

/// Settings of [`match_packages`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Leave out matches that have no fixed version.
    pub ignore_unfixed: bool,
}

/// Where a match's severity comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeveritySource {
    /// Computed from a CVSS vector (see [`VulnMatch::cvss`]).
    Cvss,
    /// The advisory's own severity word (`HIGH`, `moderate`, Ubuntu
    /// priority `medium`), as written.
    Ecosystem(String),
    /// The advisory gives no severity palisade can read; reported as
    /// [`Severity::Medium`].
    Unknown,
}

/// A CVSS vector and the base score palisade computed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssScore {
    /// The vector as written.
    pub vector: String,
    /// `3.0`, `3.1` or `4.0`.
    pub version: &'static str,
    /// The base score (0.0 to 10.0).
    pub score: f64,
}

/// One vulnerability of one package.
#[derive(Debug, Clone, PartialEq)]
pub struct VulnMatch {
    /// Index of the package in the slice given to [`match_packages`].
    pub package: usize,
    /// The id reported: the advisory the match is primarily made from
    /// (for OS packages the distribution's own record; a standard-archive
    /// record before an Ubuntu Pro one).
    pub id: String,
    /// Every other id of the merged records (their ids and aliases),
    /// sorted, without `id`.
    pub aliases: Vec<String>,
    /// The OSV ecosystem of the matching entry (`PyPI`, `Debian:12`).
    pub ecosystem: String,
    /// The package name as the advisory writes it (a source package for
    /// Debian, Ubuntu and Alpine).
    pub advisory_package: String,
    /// The version compared (the source version for source-package
    /// lookups).
    pub compared_version: String,
    /// One-line summary of the primary advisory.
    pub summary: Option<String>,
    /// The finding severity.
    pub severity: Severity,
    /// Where `severity` comes from.
    pub severity_source: SeveritySource,
    /// The CVSS vector used, if any (v3.x preferred over v4.0).
    pub cvss: Option<CvssScore>,
    /// The lowest `fixed` version above the installed one in the ranges
    /// that matched (the distribution's own version for OS packages).
    pub fixed_version: Option<String>,
    /// Why it matched: one line per merged record, naming the range or
    /// version-list entry and the comparisons that decided it.
    pub explanation: Vec<String>,
    /// The first reference URL of the primary advisory, if any.
    pub url: Option<String>,
}

/// Something the matcher could not check, reported beside the matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchWarning {
    /// Index of the package concerned, if one.
    pub package: Option<usize>,
    /// What was skipped and why.
    pub message: String,
}

/// What [`match_packages`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchReport {
    /// Matches, in package order, then by id.
    pub matches: Vec<VulnMatch>,
    /// What could not be checked.
    pub warnings: Vec<MatchWarning>,
}

/// The OSV ecosystem family and release an operating-system package of
/// this distribution is matched against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistroRelease {
    /// The OSV ecosystem family (`Debian`, `Ubuntu`, `Alpine`,
    /// `AlmaLinux`, `Rocky Linux`, `Red Hat`, ...).
    pub family: &'static str,
    /// The release as OSV writes it after the family (`12`, `22.04`,
    /// `v3.20`, `9`); empty for rolling distributions without releases.
    pub release: String,
}

impl DistroRelease {
    /// The ecosystem string of the standard archive (`Debian:12`,
    /// `Ubuntu:22.04:LTS` is also accepted, see [`DistroRelease::accepts`]).
    pub fn ecosystem(&self) -> String {
        if self.release.is_empty() {
            self.family.to_string()
        } else {
            format!("{}:{}", self.family, self.release)
        }
    }

    /// Whether an advisory's OSV ecosystem is this release. Ubuntu accepts
    /// `Ubuntu:R`, `Ubuntu:R:LTS`, `Ubuntu:Pro:R` and `Ubuntu:Pro:R:LTS`
    /// (Pro entries carry the fix from the paid archive; the standard entry
    /// wins when both match), never FIPS variants. Red Hat accepts
    /// `Red Hat:enterprise_linux:MAJOR[::repository]`.
    pub fn accepts(&self, ecosystem: &str) -> bool {
        let mut parts = ecosystem.split(':');
        if parts.next() != Some(self.family) {
            return false;
        }
        let rest: Vec<&str> = parts.collect();
        match self.family {
            "Ubuntu" => {
                let rest = rest.strip_prefix(&["Pro"]).unwrap_or(&rest);
                let rest = rest.strip_suffix(&["LTS"]).unwrap_or(rest);
                rest == [self.release.as_str()]
            }
            "Red Hat" => {
                rest.first() == Some(&"enterprise_linux")
                    && rest.get(1) == Some(&self.release.as_str())
            }
            _ if self.release.is_empty() => rest.is_empty(),
            _ => rest == [self.release.as_str()],
        }
    }
}

/// The distribution release an image's OS packages are matched against,
/// from `/etc/os-release`: Debian `12` → `Debian:12`; Ubuntu `22.04` →
/// `Ubuntu:22.04`; Alpine `3.20.3` → `Alpine:v3.20`; AlmaLinux `9.4` →
/// `AlmaLinux:9`; Rocky `9.4` → `Rocky Linux:9`; RHEL `9.4` → `Red
/// Hat:enterprise_linux:9`; Azure Linux `3.0` → `Azure Linux:3`; CBL-Mariner
/// `2.0` → `Mariner:2.0`; Photon `5.0` → `Photon OS:5.0`; openSUSE Leap
/// `15.5` → `openSUSE:Leap 15.5`; Wolfi → `Wolfi`; Chainguard →
/// `Chainguard`. `None` for a distribution without OSV data, or a release
/// that does not say its version (Debian testing).
pub fn distro_release(os: &OsInfo) -> Option<DistroRelease> {
    let v = os.version_id.trim();
    let major = v.split('.').next().unwrap_or("");
    let major_minor = || {
        let mut it = v.split('.');
        match (it.next(), it.next()) {
            (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => Some(format!("{a}.{b}")),
            _ => None,
        }
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (family, release) = match os.id.as_str() {
        "debian" if numeric(major) => ("Debian", major.to_string()),
        "ubuntu" => ("Ubuntu", major_minor()?),
        "alpine" => ("Alpine", format!("v{}", major_minor()?)),
        "almalinux" if numeric(major) => ("AlmaLinux", major.to_string()),
        "rocky" if numeric(major) => ("Rocky Linux", major.to_string()),
        "rhel" if numeric(major) => ("Red Hat", major.to_string()),
        "azurelinux" if numeric(major) => ("Azure Linux", major.to_string()),
        "mariner" => ("Mariner", major_minor()?),
        "photon" => ("Photon OS", major_minor()?),
        "opensuse-leap" => ("openSUSE", format!("Leap {}", major_minor()?)),
        "wolfi" => ("Wolfi", String::new()),
        "chainguard" => ("Chainguard", String::new()),
        _ => return None,
    };
    Some(DistroRelease { family, release })
}

/// Whether the package's ecosystem is served by this distribution's data.
fn distro_serves(release: &DistroRelease, ecosystem: Ecosystem) -> bool {
    let scheme = Scheme::for_ecosystem(release.family);
    scheme == Some(Scheme::for_model_ecosystem(ecosystem))
}

/// What one package is looked up as: OSV family, name and version.
struct Lookup<'a> {
    family: &'static str,
    name: &'a str,
    version: &'a str,
    release: Option<&'a DistroRelease>,
    scheme: Scheme,
}

fn lookup_of<'a>(
    pkg: &'a Package,
    release: Option<&'a DistroRelease>,
) -> Result<Lookup<'a>, String> {
    let scheme = Scheme::for_package(pkg);
    let lang = |family| {
        Ok(Lookup {
            family,
            name: &pkg.name,
            version: &pkg.version,
            release: None,
            scheme,
        })
    };
    match pkg.ecosystem {
        Ecosystem::PyPI => lang("PyPI"),
        Ecosystem::Npm => lang("npm"),
        Ecosystem::Cargo => lang("crates.io"),
        Ecosystem::Go => lang("Go"),
        Ecosystem::Maven => lang("Maven"),
        Ecosystem::RubyGems => lang("RubyGems"),
        Ecosystem::NuGet => lang("NuGet"),
        Ecosystem::Packagist => lang("Packagist"),
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => {
            let Some(release) = release else {
                return Err(format!(
                    "{} package {} {}: the image's distribution release is unknown or has no \
                     advisory data, so OS packages are not matched",
                    pkg.ecosystem, pkg.name, pkg.version
                ));
            };
            if !distro_serves(release, pkg.ecosystem) {
                return Err(format!(
                    "{} package {} {}: {} advisories cover another package type",
                    pkg.ecosystem, pkg.name, pkg.version, release.family
                ));
            }
            let by_source = matches!(pkg.ecosystem, Ecosystem::Deb | Ecosystem::Apk);
            let (name, version) = match (&pkg.source_name, by_source) {
                (Some(src), true) if !src.is_empty() => (
                    src.as_str(),
                    pkg.source_version.as_deref().unwrap_or(&pkg.version),
                ),
                _ => (pkg.name.as_str(), pkg.version.as_str()),
            };
            Ok(Lookup {
                family: release.family,
                name,
                version,
                release: Some(release),
                scheme,
            })
        }
    }
}

/// How one `affected` entry matched a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMatch {
    /// The lowest `fixed` above the version in the ranges that matched.
    pub fixed: Option<String>,
    /// The comparisons that decided it.
    pub explanation: String,
}

/// Whether `version` (parsed with `scheme`) is affected by one `affected`
/// entry: any of its `ECOSYSTEM`/`SEMVER` ranges, or its `versions` list.
/// `Err` names an event or version the scheme cannot read (that range is
/// skipped; the others still count).
pub fn entry_matches(
    entry: &AffectedPackage,
    scheme: Scheme,
    version: &Version,
) -> (Option<EntryMatch>, Vec<String>) {
    let mut problems = Vec::new();
    let mut hit: Option<EntryMatch> = None;
    for (ri, range) in entry.ranges.iter().enumerate() {
        let range_scheme = match range.kind {
            RangeKind::Ecosystem => scheme,
            RangeKind::Semver if scheme == Scheme::Go => Scheme::Go,
            RangeKind::Semver => Scheme::SemVer,
            _ => continue,
        };
        let own;
        let v = if range_scheme == scheme {
            version
        } else {
            match range_scheme.parse(version.as_str()) {
                Ok(p) => {
                    own = p;
                    &own
                }
                Err(e) => {
                    problems.push(format!("range {ri} ({}): {e}", range.kind.as_str()));
                    continue;
                }
            }
        };
        match range_includes(&range.events, range_scheme, v) {
            Ok(Some(m)) => {
                let explanation = format!(
                    "{} range #{ri}: {} ({})",
                    range.kind.as_str(),
                    m.explanation,
                    range_scheme
                );
                hit = Some(match hit {
                    None => EntryMatch {
                        fixed: m.fixed,
                        explanation,
                    },
                    Some(prev) => EntryMatch {
                        fixed: lowest(range_scheme, prev.fixed, m.fixed),
                        explanation: prev.explanation,
                    },
                });
            }
            Ok(None) => {}
            Err(e) => problems.push(format!("range {ri} ({}): {e}", range.kind.as_str())),
        }
    }
    if hit.is_none() {
        for listed in &entry.versions {
            let equal = match scheme.parse(listed) {
                Ok(l) => l.compare(version) == Some(Ordering::Equal),
                Err(_) => listed == version.as_str(),
            };
            if equal {
                hit = Some(EntryMatch {
                    fixed: None,
                    explanation: format!(
                        "listed in versions: {listed} == {} ({scheme})",
                        version.as_str()
                    ),
                });
                break;
            }
        }
    }
    (hit, problems)
}

fn lowest(scheme: Scheme, a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => match scheme.compare(&a, &b) {
            Ok(Ordering::Greater) => Some(b),
            _ => Some(a),
        },
        (a, b) => a.or(b),
    }
}

/// One range's events against a version, as the OSV specification
/// evaluates them: events sorted by version (`introduced: "0"` first),
/// the version is affected after an `introduced` at or below it until a
/// `fixed` at or below it, or a `last_affected` below it; it must also be
/// below some `limit` when the range has limits. Returns the decisive
/// comparisons when affected.
pub fn range_includes(
    events: &[Event],
    scheme: Scheme,
    v: &Version,
) -> Result<Option<EntryMatch>, String> {
    // Parse every event once; "0" as introduced is the lowest version.
    let mut parsed: Vec<(&Event, Option<Version>)> = Vec::with_capacity(events.len());
    for e in events {
        let text = e.version();
        if matches!(e, Event::Introduced(_)) && text == "0" {
            parsed.push((e, None));
        } else {
            let p = scheme
                .parse(text)
                .map_err(|err| format!("event {text:?}: {err}"))?;
            parsed.push((e, Some(p)));
        }
    }
    let cmp = |a: &Option<Version>, b: &Option<Version>| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.compare(b).unwrap_or(Ordering::Equal),
    };
    // Sort by version; at equal versions, introduced before the others so
    // that `introduced X, fixed X` (an empty range) ends unaffected.
    let rank = |e: &Event| match e {
        Event::Introduced(_) => 0,
        _ => 1,
    };
    parsed.sort_by(|a, b| cmp(&a.1, &b.1).then(rank(a.0).cmp(&rank(b.0))));

    let limits: Vec<&Version> = parsed
        .iter()
        .filter(|(e, _)| matches!(e, Event::Limit(_)))
        .filter_map(|(_, p)| p.as_ref())
        .collect();
    if !limits.is_empty() && !limits.iter().any(|l| v.compare(l) == Some(Ordering::Less)) {
        return Ok(None);
    }
    let mut affected_by: Option<usize> = None;
    for (i, (e, p)) in parsed.iter().enumerate() {
        let ord = match p {
            None => Ordering::Greater, // v > "0"
            Some(p) => v.compare(p).unwrap_or(Ordering::Less),
        };
        match e {
            Event::Introduced(_) if ord != Ordering::Less => affected_by = Some(i),
            Event::Fixed(_) if ord != Ordering::Less => affected_by = None,
            Event::LastAffected(_) if ord == Ordering::Greater => affected_by = None,
            _ => {}
        }
    }
    let Some(i) = affected_by else {
        return Ok(None);
    };
    let intro = parsed[i].0.version();
    // The event that closes the range above v: the next fixed,
    // last_affected or limit after the introduced one.
    let closing = parsed[i + 1..]
        .iter()
        .find(|(e, _)| !matches!(e, Event::Introduced(_)));
    let vs = v.as_str();
    let (explanation, fixed) = match closing {
        Some((Event::Fixed(f), _)) => (
            format!("introduced {intro} <= {vs} < fixed {f}"),
            Some(f.clone()),
        ),
        Some((Event::LastAffected(l), _)) => (
            format!("introduced {intro} <= {vs} <= last_affected {l}"),
            None,
        ),
        Some((Event::Limit(l), _)) => (format!("introduced {intro} <= {vs} < limit {l}"), None),
        _ => (format!("introduced {intro} <= {vs}, no fix"), None),
    };
    Ok(Some(EntryMatch { fixed, explanation }))
}

/// Severity from a severity word, any case: `critical`; `high`,
/// `important`; `medium`, `moderate`; `low`, `negligible`, `minor`.
pub fn severity_from_word(word: &str) -> Option<Severity> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "negligible" | "minor" => Severity::Low,
        _ => return None,
    })
}

/// One record that matched, before merging.
struct Hit {
    entry: AffectedPackage,
    m: EntryMatch,
}

impl Hit {
    fn ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.entry.advisory.id.as_str())
            .chain(self.entry.advisory.aliases.iter().map(String::as_str))
    }

    fn is_pro(&self) -> bool {
        self.entry.ecosystem.starts_with("Ubuntu:Pro:")
    }
}

/// The CVSS vectors of a record, v3.x first (v3.1 before v3.0), then v4.0.
fn cvss_of(hit: &Hit) -> Option<CvssScore> {
    let mut best: Option<(u8, CvssScore)> = None;
    let candidates = hit
        .entry
        .advisory
        .severity
        .iter()
        .map(|s| s.score.as_str())
        .chain(hit.entry.severity.as_deref());
    for text in candidates {
        let Ok(c) = Cvss::parse(text) else { continue };
        let rank = match c.version() {
            "3.1" => 0,
            "3.0" => 1,
            _ => 2,
        };
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((
                rank,
                CvssScore {
                    vector: text.trim().to_string(),
                    version: c.version(),
                    score: c.base_score().value(),
                },
            ));
        }
    }
    best.map(|(_, s)| s)
}

fn word_of(hit: &Hit) -> Option<(Severity, String)> {
    let words = hit
        .entry
        .severity
        .iter()
        .chain(hit.entry.advisory.database_severity.iter())
        .map(String::as_str)
        .chain(
            hit.entry
                .advisory
                .severity
                .iter()
                .filter(|s| !s.kind.starts_with("CVSS"))
                .map(|s| s.score.as_str()),
        );
    for w in words {
        if let Some(s) = severity_from_word(w) {
            return Some((s, w.to_string()));
        }
    }
    None
}

/// Merges one package's hits into matches: hits whose ids overlap form
/// one group.
fn merge(package: usize, compared: &str, scheme: Scheme, hits: Vec<Hit>) -> Vec<VulnMatch> {
    let n = hits.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn find(g: &mut [usize], mut i: usize) -> usize {
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let overlap = hits[i]
                .ids()
                .any(|a| hits[j].ids().any(|b| a.eq_ignore_ascii_case(b)));
            if overlap {
                let (a, b) = (find(&mut group, i), find(&mut group, j));
                group[a] = b;
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut root_of: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let r = find(&mut group, i);
        match root_of[r] {
            Some(g) => groups[g].push(i),
            None => {
                root_of[r] = Some(groups.len());
                groups.push(vec![i]);
            }
        }
    }
    let mut out = Vec::with_capacity(groups.len());
    for mut members in groups {
        // Primary: a standard-archive record before an Ubuntu Pro one, then
        // one that has a fix, then one that is not a bare CVE record, then by id.
        members.sort_by(|&a, &b| {
            let key = |h: &Hit| {
                (
                    h.is_pro(),
                    h.m.fixed.is_none(),
                    h.entry.advisory.id.starts_with("CVE-"),
                    h.entry.advisory.id.clone(),
                )
            };
            key(&hits[a]).cmp(&key(&hits[b]))
        });
        let primary = &hits[members[0]];
        let id = primary.entry.advisory.id.clone();
        let aliases: Vec<String> = members
            .iter()
            .flat_map(|&m| hits[m].ids())
            .filter(|a| !a.eq_ignore_ascii_case(&id))
            .map(str::to_string)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let cvss = members.iter().find_map(|&m| cvss_of(&hits[m]));
        let (severity, severity_source) = match &cvss {
            Some(c) => {
                let s = Cvss::parse(&c.vector)
                    .ok()
                    .and_then(|v| v.base_rating().to_severity())
                    .unwrap_or(Severity::Low);
                (s, SeveritySource::Cvss)
            }
            None => match members.iter().find_map(|&m| word_of(&hits[m])) {
                Some((s, w)) => (s, SeveritySource::Ecosystem(w)),
                None => (Severity::Medium, SeveritySource::Unknown),
            },
        };
        // The fix of the primary record; for a standard-archive primary the
        // lowest fix among standard-archive records.
        let fixed_version = members
            .iter()
            .map(|&m| &hits[m])
            .filter(|h| h.is_pro() == primary.is_pro())
            .fold(None, |acc, h| lowest(scheme, acc, h.m.fixed.clone()));
        let explanation = members
            .iter()
            .map(|&m| {
                let h = &hits[m];
                format!(
                    "{} [{} {}]: {}",
                    h.entry.advisory.id, h.entry.ecosystem, h.entry.name, h.m.explanation
                )
            })
            .collect();
        out.push(VulnMatch {
            package,
            id,
            aliases,
            ecosystem: primary.entry.ecosystem.clone(),
            advisory_package: primary.entry.name.clone(),
            compared_version: compared.to_string(),
            summary: primary.entry.advisory.summary.clone(),
            severity,
            severity_source,
            cvss,
            fixed_version,
            explanation,
            url: primary
                .entry
                .advisory
                .references
                .first()
                .map(|r| r.url.clone()),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// Matches `packages` against the advisories of `db`. `os` is the image's
/// operating system (needed for `deb`, `apk` and `rpm` packages: they are
/// matched only against advisories of that distribution release).
///
/// Errors come from the store only; packages that cannot be checked (an
/// unknown distribution, a version the scheme refuses) are reported in
/// [`MatchReport::warnings`].
pub fn match_packages(
    db: &Database,
    os: Option<&OsInfo>,
    packages: &[Package],
    options: &MatchOptions,
) -> Result<MatchReport, DbError> {
    let release = os.and_then(distro_release);
    let mut report = MatchReport::default();
    let mut os_warned = false;
    for (index, pkg) in packages.iter().enumerate() {
        let lookup = match lookup_of(pkg, release.as_ref()) {
            Ok(l) => l,
            Err(message) => {
                // One warning for the whole inventory is enough.
                if !os_warned {
                    os_warned = true;
                    report.warnings.push(MatchWarning {
                        package: Some(index),
                        message,
                    });
                }
                continue;
            }
        };
        let entries = db.advisories_for(lookup.family, lookup.name)?;
        if entries.is_empty() {
            continue;
        }
        let version = match lookup.scheme.parse(lookup.version) {
            Ok(v) => v,
            Err(e) => {
                report.warnings.push(MatchWarning {
                    package: Some(index),
                    message: format!("{} {}: version not compared: {e}", pkg.ecosystem, pkg.name),
                });
                continue;
            }
        };
        let mut hits = Vec::new();
        for entry in entries {
            if entry.advisory.withdrawn.is_some() {
                continue;
            }
            let ecosystem_ok = match lookup.release {
                Some(r) => r.accepts(&entry.ecosystem),
                None => crate::store::ecosystem_family(&entry.ecosystem)
                    .eq_ignore_ascii_case(lookup.family),
            };
            if !ecosystem_ok {
                continue;
            }
            let (m, problems) = entry_matches(&entry, lookup.scheme, &version);
            for p in problems {
                report.warnings.push(MatchWarning {
                    package: Some(index),
                    message: format!(
                        "{} for {} {}: {p}",
                        entry.advisory.id, pkg.ecosystem, pkg.name
                    ),
                });
            }
            if let Some(m) = m {
                hits.push(Hit { entry, m });
            }
        }
        if hits.is_empty() {
            continue;
        }
        let merged = merge(index, lookup.version, lookup.scheme, hits);
        report.matches.extend(
            merged
                .into_iter()
                .filter(|m| !options.ignore_unfixed || m.fixed_version.is_some()),
        );
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(id: &str, v: &str) -> OsInfo {
        OsInfo {
            id: id.into(),
            version_id: v.into(),
            ..OsInfo::default()
        }
    }

    #[test]
    fn releases_map_to_osv_ecosystems() {
        let r = |id, v| distro_release(&os(id, v)).map(|r| r.ecosystem());
        assert_eq!(r("debian", "12").as_deref(), Some("Debian:12"));
        assert_eq!(r("ubuntu", "22.04").as_deref(), Some("Ubuntu:22.04"));
        assert_eq!(r("alpine", "3.20.3").as_deref(), Some("Alpine:v3.20"));
        assert_eq!(r("almalinux", "9.4").as_deref(), Some("AlmaLinux:9"));
        assert_eq!(r("rocky", "9.4").as_deref(), Some("Rocky Linux:9"));
        assert_eq!(r("azurelinux", "3.0").as_deref(), Some("Azure Linux:3"));
        assert_eq!(r("mariner", "2.0").as_deref(), Some("Mariner:2.0"));
        assert_eq!(r("wolfi", "20230201").as_deref(), Some("Wolfi"));
        assert_eq!(r("debian", ""), None);
        assert_eq!(r("gentoo", "2.14"), None);
        let u = distro_release(&os("ubuntu", "22.04")).unwrap();
        for e in [
            "Ubuntu:22.04",
            "Ubuntu:22.04:LTS",
            "Ubuntu:Pro:22.04:LTS",
            "Ubuntu:Pro:22.04",
        ] {
            assert!(u.accepts(e), "{e}");
        }
        for e in [
            "Ubuntu:20.04:LTS",
            "Ubuntu:Pro:FIPS:22.04:LTS",
            "Debian:22.04",
            "Ubuntu",
        ] {
            assert!(!u.accepts(e), "{e}");
        }
        let d = distro_release(&os("debian", "12")).unwrap();
        assert!(d.accepts("Debian:12") && !d.accepts("Debian:11") && !d.accepts("Debian"));
        let rh = distro_release(&os("rhel", "9.4")).unwrap();
        assert!(rh.accepts("Red Hat:enterprise_linux:9::appstream"));
        assert!(!rh.accepts("Red Hat:enterprise_linux:8::appstream"));
    }

    fn ev(list: &[(&str, &str)]) -> Vec<Event> {
        list.iter()
            .map(|(k, v)| match *k {
                "i" => Event::Introduced(v.to_string()),
                "f" => Event::Fixed(v.to_string()),
                "a" => Event::LastAffected(v.to_string()),
                _ => Event::Limit(v.to_string()),
            })
            .collect()
    }

    fn inr(events: &[(&str, &str)], v: &str) -> bool {
        let s = Scheme::Pep440;
        range_includes(&ev(events), s, &s.parse(v).unwrap())
            .unwrap()
            .is_some()
    }

    #[test]
    fn ranges_follow_osv_semantics() {
        let r = [("i", "0"), ("f", "2.0")];
        assert!(inr(&r, "0.1") && inr(&r, "1.9") && !inr(&r, "2.0") && !inr(&r, "3"));
        let r = [("i", "1.0"), ("a", "1.5")];
        assert!(!inr(&r, "0.9") && inr(&r, "1.0") && inr(&r, "1.5") && !inr(&r, "1.5.1"));
        // Unsorted, several intervals.
        let r = [("f", "4.0"), ("i", "3.0"), ("f", "2.0"), ("i", "1.0")];
        assert!(!inr(&r, "0.5") && inr(&r, "1.0") && !inr(&r, "2.0") && !inr(&r, "2.5"));
        assert!(inr(&r, "3.5") && !inr(&r, "4.0"));
        // Limit bounds the range from above.
        let r = [("i", "0"), ("l", "3.0")];
        assert!(inr(&r, "2.9") && !inr(&r, "3.0"));
        // Introduced only: everything from there.
        assert!(inr(&[("i", "1.0")], "99") && !inr(&[("i", "1.0")], "0.9"));
        // Pre-releases are versions like any other.
        assert!(inr(&[("i", "0"), ("f", "2.0")], "2.0rc1"));
        let m = range_includes(
            &ev(&[("i", "0"), ("f", "2.0")]),
            Scheme::Pep440,
            &Scheme::Pep440.parse("1.0").unwrap(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(m.fixed.as_deref(), Some("2.0"));
        assert_eq!(m.explanation, "introduced 0 <= 1.0 < fixed 2.0");
        assert!(range_includes(
            &ev(&[("i", "0"), ("f", "not a version")]),
            Scheme::Pep440,
            &Scheme::Pep440.parse("1.0").unwrap()
        )
        .is_err());
    }

    #[test]
    fn words() {
        assert_eq!(severity_from_word("MODERATE"), Some(Severity::Medium));
        assert_eq!(severity_from_word("negligible"), Some(Severity::Low));
        assert_eq!(severity_from_word("untriaged"), None);
    }
}
