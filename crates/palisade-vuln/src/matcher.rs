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
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use palisade_model::{Ecosystem, OsInfo, Package, Severity};

use crate::cvss::Cvss;
use crate::osv::{Event, RangeKind};
use crate::store::{Advisory, AffectedPackage, Database, DbError};
use crate::versions::{Scheme, Version};

/// A shared, immutable string: cloning it copies a pointer. The
/// matcher's results share the advisory texts (ids, summaries, URLs,
/// ecosystems, fixed versions) instead of copying them per match. Reads as
/// a `&str` ([`Text::as_str`], `Deref`), compares with `str` and `String`,
/// prints and serialises as the string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(Arc<str>);

impl Text {
    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Arc::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Arc::from(s))
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == &*other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == &*other.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// Settings of [`match_packages`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchOptions {
    /// Leave out matches that have no fixed version.
    pub ignore_unfixed: bool,
    /// Fill [`VulnMatch::explanation`] (`--explain-match`). Off, the
    /// explanation strings are not built and the field is empty.
    pub explain: bool,
}

/// Where a match's severity comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeveritySource {
    /// Computed from a CVSS vector (see [`VulnMatch::cvss`]).
    Cvss,
    /// The advisory's own severity word (`HIGH`, `moderate`, Ubuntu
    /// priority `medium`), as written.
    Ecosystem(Text),
    /// The advisory gives no severity palisade can read; reported as
    /// [`Severity::Medium`].
    Unknown,
}

/// A CVSS vector and the base score palisade computed from it.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssScore {
    /// The vector as written.
    pub vector: Text,
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
    pub id: Text,
    /// Every other id of the merged records (their ids and aliases),
    /// sorted, without `id`.
    pub aliases: Vec<Text>,
    /// The OSV ecosystem of the matching entry (`PyPI`, `Debian:12`).
    pub ecosystem: Text,
    /// The package name as the advisory writes it (a source package for
    /// Debian, Ubuntu and Alpine).
    pub advisory_package: Text,
    /// The version compared (the source version for source-package
    /// lookups).
    pub compared_version: Text,
    /// One-line summary of the primary advisory.
    pub summary: Option<Text>,
    /// The finding severity.
    pub severity: Severity,
    /// Where `severity` comes from.
    pub severity_source: SeveritySource,
    /// The CVSS vector used, if any (v3.x preferred over v4.0).
    pub cvss: Option<CvssScore>,
    /// The lowest `fixed` version above the installed one in the ranges
    /// that matched (the distribution's own version for OS packages).
    pub fixed_version: Option<Text>,
    /// Why it matched: one line per merged record, naming the range or
    /// version-list entry and the comparisons that decided it. Empty
    /// unless [`MatchOptions::explain`] is set.
    pub explanation: Vec<String>,
    /// The first reference URL of the primary advisory, if any.
    pub url: Option<Text>,
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

/// One event of a prepared range: its index in the range as written and
/// its version parsed once (`None` for `introduced: "0"`).
#[derive(Debug)]
struct PEvent {
    idx: usize,
    parsed: Option<Version>,
    /// The text of a `fixed` event, shared by the matches reporting it.
    fixed: Option<Text>,
}

/// Parses every event of a range once and sorts them by version; at equal
/// versions an `introduced` comes first, so that `introduced X, fixed X`
/// (an empty range) ends unaffected. `Err` names the first event the
/// scheme cannot read.
fn prepare_events(events: &[Event], scheme: Scheme) -> Result<Vec<PEvent>, String> {
    let mut parsed: Vec<PEvent> = Vec::with_capacity(events.len());
    for (idx, e) in events.iter().enumerate() {
        let text = e.version();
        if matches!(e, Event::Introduced(_)) && text == "0" {
            parsed.push(PEvent {
                idx,
                parsed: None,
                fixed: None,
            });
        } else {
            let p = scheme
                .parse(text)
                .map_err(|err| format!("event {text:?}: {err}"))?;
            parsed.push(PEvent {
                idx,
                parsed: Some(p),
                fixed: matches!(e, Event::Fixed(_)).then(|| Text::from(text)),
            });
        }
    }
    let cmp = |a: &Option<Version>, b: &Option<Version>| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.compare(b).unwrap_or(Ordering::Equal),
    };
    let rank = |i: usize| match events.get(i) {
        Some(Event::Introduced(_)) => 0,
        _ => 1,
    };
    parsed.sort_by(|a, b| cmp(&a.parsed, &b.parsed).then(rank(a.idx).cmp(&rank(b.idx))));
    Ok(parsed)
}

/// Where a version fell in a prepared range: the positions (in the sorted
/// events) of the `introduced` event at or below it and of the event that
/// closes the range above it, if any.
#[derive(Debug, Clone, Copy)]
struct RangeHit {
    intro: usize,
    closing: Option<usize>,
}

/// Evaluates sorted events against `v` (see [`range_includes`]).
fn eval_range(events: &[Event], sorted: &[PEvent], v: &Version) -> Option<RangeHit> {
    let mut any_limit = false;
    let mut below_limit = false;
    for pe in sorted {
        if let (Some(Event::Limit(_)), Some(p)) = (events.get(pe.idx), &pe.parsed) {
            any_limit = true;
            if v.compare(p) == Some(Ordering::Less) {
                below_limit = true;
                break;
            }
        }
    }
    if any_limit && !below_limit {
        return None;
    }
    let mut affected_by: Option<usize> = None;
    for (i, pe) in sorted.iter().enumerate() {
        let ord = match &pe.parsed {
            None => Ordering::Greater, // v > "0"
            Some(p) => v.compare(p).unwrap_or(Ordering::Less),
        };
        match events.get(pe.idx) {
            Some(Event::Introduced(_)) if ord != Ordering::Less => affected_by = Some(i),
            Some(Event::Fixed(_)) if ord != Ordering::Less => affected_by = None,
            Some(Event::LastAffected(_)) if ord == Ordering::Greater => affected_by = None,
            _ => {}
        }
    }
    let intro = affected_by?;
    // The event that closes the range above v: the next fixed,
    // last_affected or limit after the introduced one.
    let closing = sorted[intro + 1..]
        .iter()
        .position(|pe| !matches!(events.get(pe.idx), Some(Event::Introduced(_))))
        .map(|p| intro + 1 + p);
    Some(RangeHit { intro, closing })
}

/// The `fixed` event closing a range hit, with its parsed version.
fn fixed_of<'e>(events: &'e [Event], sorted: &'e [PEvent], hit: RangeHit) -> Option<&'e PEvent> {
    let c = &sorted[hit.closing?];
    matches!(events.get(c.idx), Some(Event::Fixed(_))).then_some(c)
}

/// The comparisons that decided a range hit, as `--explain-match` prints them.
fn describe(events: &[Event], sorted: &[PEvent], hit: RangeHit, vs: &str) -> String {
    let text = |i: usize| events.get(sorted[i].idx).map_or("", Event::version);
    let intro = text(hit.intro);
    match hit.closing.map(|c| (events.get(sorted[c].idx), text(c))) {
        Some((Some(Event::Fixed(_)), f)) => format!("introduced {intro} <= {vs} < fixed {f}"),
        Some((Some(Event::LastAffected(_)), l)) => {
            format!("introduced {intro} <= {vs} <= last_affected {l}")
        }
        Some((Some(Event::Limit(_)), l)) => format!("introduced {intro} <= {vs} < limit {l}"),
        _ => format!("introduced {intro} <= {vs}, no fix"),
    }
}

/// One range of an entry, prepared for one package scheme.
#[derive(Debug)]
struct PreparedRange {
    /// Its index among the entry's ranges.
    ri: usize,
    /// The scheme its events are compared with.
    scheme: Scheme,
    /// Sorted events, or why one could not be read.
    events: Result<Vec<PEvent>, String>,
}

/// The texts of an advisory the matches share, made once per run.
#[derive(Debug)]
struct AdvInfo {
    /// Its id, then its aliases.
    ids: Vec<Text>,
    /// The same in lower case, for alias merging.
    lower: Vec<String>,
    summary: Option<Text>,
    url: Option<Text>,
}

impl AdvInfo {
    fn new(a: &Advisory) -> AdvInfo {
        let all = || std::iter::once(&a.id).chain(a.aliases.iter());
        AdvInfo {
            ids: all().map(|s| Text::from(s.as_str())).collect(),
            lower: all().map(|s| s.to_ascii_lowercase()).collect(),
            summary: a.summary.as_deref().map(Text::from),
            url: a.references.first().map(|r| Text::from(r.url.as_str())),
        }
    }
}

/// An `affected` entry with its events and listed versions parsed once
/// for one package scheme, shared by every package looked up under its
/// name in one [`match_packages`] run.
#[derive(Debug)]
struct PreparedEntry {
    entry: AffectedPackage,
    /// `entry.ecosystem` and `entry.name`, shared by the matches.
    ecosystem: Text,
    name: Text,
    /// The advisory's texts.
    adv: Arc<AdvInfo>,
    /// The record's CVSS and severity word, computed on first use.
    cvss: std::cell::OnceCell<Option<(CvssScore, Severity)>>,
    word: std::cell::OnceCell<Option<(Severity, Text)>>,
    ranges: Vec<PreparedRange>,
    /// The `versions` list parsed with the package scheme (`None` where
    /// the scheme refuses one: it then matches by string equality).
    versions: Vec<Option<Version>>,
}

impl PreparedEntry {
    fn new(
        entry: AffectedPackage,
        scheme: Scheme,
        ecosystem: Text,
        name: Text,
        adv: Arc<AdvInfo>,
    ) -> PreparedEntry {
        let ranges = entry
            .ranges
            .iter()
            .enumerate()
            .filter_map(|(ri, range)| {
                let range_scheme = match range.kind {
                    RangeKind::Ecosystem => scheme,
                    RangeKind::Semver if scheme == Scheme::Go => Scheme::Go,
                    RangeKind::Semver => Scheme::SemVer,
                    _ => return None,
                };
                Some(PreparedRange {
                    ri,
                    scheme: range_scheme,
                    events: prepare_events(&range.events, range_scheme),
                })
            })
            .collect();
        let versions = entry
            .versions
            .iter()
            .map(|l| scheme.parse(l).ok())
            .collect();
        PreparedEntry {
            entry,
            ecosystem,
            name,
            adv,
            cvss: std::cell::OnceCell::new(),
            word: std::cell::OnceCell::new(),
            ranges,
            versions,
        }
    }
}

/// A fixed version found by a match: its text and its parsed version in
/// the scheme it was parsed with.
#[derive(Debug, Clone, Copy)]
struct Fixed<'e> {
    text: &'e Text,
    parsed: &'e Version,
    scheme: Scheme,
}

/// The lower of two fixed versions in `scheme` (the first when they
/// compare equal or cannot be compared).
fn lowest_fixed<'e>(
    scheme: Scheme,
    a: Option<Fixed<'e>>,
    b: Option<Fixed<'e>>,
) -> Option<Fixed<'e>> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let ord = if a.scheme == scheme && b.scheme == scheme {
                a.parsed.compare(b.parsed).ok_or(())
            } else {
                scheme.compare(a.text, b.text).map_err(|_| ())
            };
            match ord {
                Ok(Ordering::Greater) => Some(b),
                _ => Some(a),
            }
        }
        (a, b) => a.or(b),
    }
}

/// The package version parsed in the other schemes a `SEMVER` range needs.
struct OtherSchemes {
    parsed: Vec<(Scheme, Result<Version, String>)>,
}

impl OtherSchemes {
    fn get(&mut self, scheme: Scheme, text: &str) -> Result<&Version, &str> {
        let i = match self.parsed.iter().position(|(s, _)| *s == scheme) {
            Some(i) => i,
            None => {
                self.parsed
                    .push((scheme, scheme.parse(text).map_err(|e| e.to_string())));
                self.parsed.len() - 1
            }
        };
        match &self.parsed[i].1 {
            Ok(v) => Ok(v),
            Err(e) => Err(e.as_str()),
        }
    }
}

/// How a prepared entry matched one version.
struct PHit<'e> {
    fixed: Option<Fixed<'e>>,
    explanation: Option<String>,
}

/// [`entry_matches`] on a prepared entry; the explanation is built only
/// when `explain` is set.
fn eval_entry<'e>(
    pe: &'e PreparedEntry,
    scheme: Scheme,
    version: &Version,
    other: &mut OtherSchemes,
    explain: bool,
    problems: &mut Vec<String>,
) -> Option<PHit<'e>> {
    let mut hit: Option<PHit<'e>> = None;
    for pr in &pe.ranges {
        let range = &pe.entry.ranges[pr.ri];
        let ri = pr.ri;
        let v = if pr.scheme == scheme {
            version
        } else {
            match other.get(pr.scheme, version.as_str()) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("range {ri} ({}): {e}", range.kind.as_str()));
                    continue;
                }
            }
        };
        let sorted = match &pr.events {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("range {ri} ({}): {e}", range.kind.as_str()));
                continue;
            }
        };
        let Some(rh) = eval_range(&range.events, sorted, v) else {
            continue;
        };
        let fixed = fixed_of(&range.events, sorted, rh).and_then(|c| {
            Some(Fixed {
                text: c.fixed.as_ref()?,
                parsed: c.parsed.as_ref()?,
                scheme: pr.scheme,
            })
        });
        hit = Some(match hit {
            None => PHit {
                fixed,
                explanation: explain.then(|| {
                    format!(
                        "{} range #{ri}: {} ({})",
                        range.kind.as_str(),
                        describe(&range.events, sorted, rh, v.as_str()),
                        pr.scheme
                    )
                }),
            },
            Some(prev) => PHit {
                fixed: lowest_fixed(pr.scheme, prev.fixed, fixed),
                explanation: prev.explanation,
            },
        });
    }
    if hit.is_none() {
        for (listed, parsed) in pe.entry.versions.iter().zip(&pe.versions) {
            let equal = match parsed {
                Some(l) => l.compare(version) == Some(Ordering::Equal),
                None => listed == version.as_str(),
            };
            if equal {
                hit = Some(PHit {
                    fixed: None,
                    explanation: explain.then(|| {
                        format!(
                            "listed in versions: {listed} == {} ({scheme})",
                            version.as_str()
                        )
                    }),
                });
                break;
            }
        }
    }
    hit
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
    let pe = PreparedEntry::new(
        entry.clone(),
        scheme,
        entry.ecosystem.as_str().into(),
        entry.name.as_str().into(),
        Arc::new(AdvInfo::new(&entry.advisory)),
    );
    let mut other = OtherSchemes { parsed: Vec::new() };
    let mut problems = Vec::new();
    let hit = eval_entry(&pe, scheme, version, &mut other, true, &mut problems);
    let m = hit.map(|h| EntryMatch {
        fixed: h.fixed.map(|f| f.text.to_string()),
        explanation: h.explanation.unwrap_or_default(),
    });
    (m, problems)
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
    let sorted = prepare_events(events, scheme)?;
    Ok(eval_range(events, &sorted, v).map(|rh| EntryMatch {
        fixed: fixed_of(events, &sorted, rh)
            .and_then(|c| events.get(c.idx))
            .map(|e| e.version().to_string()),
        explanation: describe(events, &sorted, rh, v.as_str()),
    }))
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

/// The best CVSS vector among `texts`: v3.1, then v3.0, then v4.0; the
/// first of equal rank. With the severity its rating gives.
fn best_cvss<'a>(
    texts: impl Iterator<Item = &'a str>,
    mut best: Option<(u8, CvssScore, Severity)>,
) -> Option<(u8, CvssScore, Severity)> {
    for text in texts {
        let Ok(c) = Cvss::parse(text) else { continue };
        let rank = match c.version() {
            "3.1" => 0,
            "3.0" => 1,
            _ => 2,
        };
        if best.as_ref().is_none_or(|(r, _, _)| rank < *r) {
            let vector = text.trim();
            let severity = Cvss::parse(vector)
                .ok()
                .and_then(|v| v.base_rating().to_severity())
                .unwrap_or(Severity::Low);
            best = Some((
                rank,
                CvssScore {
                    vector: vector.into(),
                    version: c.version(),
                    score: c.base_score().value(),
                },
                severity,
            ));
        }
    }
    best
}

/// Best CVSS of each advisory's own vectors, computed once per run.
#[derive(Default)]
struct SeverityCache {
    advisory: HashMap<*const Advisory, Option<(u8, CvssScore, Severity)>>,
}

impl SeverityCache {
    /// The CVSS vectors of a record, v3.x first (v3.1 before v3.0), then
    /// v4.0: the advisory's, then the entry's own severity. Once per entry.
    fn cvss_of(&mut self, pe: &PreparedEntry) -> Option<(CvssScore, Severity)> {
        if let Some(c) = pe.cvss.get() {
            return c.clone();
        }
        let entry = &pe.entry;
        let adv = &entry.advisory;
        let base = self
            .advisory
            .entry(Arc::as_ptr(adv))
            .or_insert_with(|| best_cvss(adv.severity.iter().map(|s| s.score.as_str()), None))
            .clone();
        let c = best_cvss(entry.severity.as_deref().into_iter(), base).map(|(_, c, s)| (c, s));
        pe.cvss.get_or_init(|| c).clone()
    }
}

/// The first severity word of a record: the entry's, the advisory's
/// `database_specific` one, then its non-CVSS severities. Once per entry.
fn word_of(pe: &PreparedEntry) -> Option<(Severity, Text)> {
    pe.word
        .get_or_init(|| {
            let entry = &pe.entry;
            let words = entry
                .severity
                .iter()
                .chain(entry.advisory.database_severity.iter())
                .map(String::as_str)
                .chain(
                    entry
                        .advisory
                        .severity
                        .iter()
                        .filter(|s| !s.kind.starts_with("CVSS"))
                        .map(|s| s.score.as_str()),
                );
            for w in words {
                if let Some(s) = severity_from_word(w) {
                    return Some((s, w.into()));
                }
            }
            None
        })
        .clone()
}

/// One record that matched, before merging.
struct Hit<'e> {
    pe: &'e PreparedEntry,
    m: PHit<'e>,
}

impl Hit<'_> {
    fn id(&self) -> &Text {
        &self.pe.adv.ids[0]
    }

    fn is_pro(&self) -> bool {
        self.pe.entry.ecosystem.starts_with("Ubuntu:Pro:")
    }
}

/// Merges one package's hits into matches: hits whose ids overlap (any
/// case) form one group.
fn merge(
    package: usize,
    compared: &Text,
    scheme: Scheme,
    hits: &[Hit<'_>],
    sev: &mut SeverityCache,
    ignore_unfixed: bool,
    out: &mut Vec<VulnMatch>,
) {
    let n = hits.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn find(g: &mut [usize], mut i: usize) -> usize {
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    if n > 1 {
        let mut first: HashMap<&str, usize, FastHash> = HashMap::default();
        for (i, h) in hits.iter().enumerate() {
            for id in &h.pe.adv.lower {
                match first.get(id.as_str()) {
                    Some(&j) => {
                        let (a, b) = (find(&mut group, i), find(&mut group, j));
                        group[a] = b;
                    }
                    None => {
                        first.insert(id.as_str(), i);
                    }
                }
            }
        }
    }
    // Groups in the order of their first hit, each a run of `order`.
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(n);
    let mut rank_of_root: Vec<Option<usize>> = vec![None; n];
    let mut groups = 0;
    for i in 0..n {
        let r = find(&mut group, i);
        let rank = *rank_of_root[r].get_or_insert_with(|| {
            groups += 1;
            groups - 1
        });
        order.push((rank, i));
    }
    if groups < n {
        order.sort_unstable();
    }
    let start = out.len();
    let mut members: Vec<usize> = Vec::new();
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        members.clear();
        members.extend(run.iter().map(|&(_, i)| i));
        // Primary: a standard-archive record before an Ubuntu Pro one, then
        // one that has a fix, then one that is not a bare CVE record, then by id.
        members.sort_by(|&a, &b| {
            let key = |h: &Hit| (h.is_pro(), h.m.fixed.is_none(), h.id().starts_with("CVE-"));
            let (ha, hb) = (&hits[a], &hits[b]);
            key(ha).cmp(&key(hb)).then_with(|| ha.id().cmp(hb.id()))
        });
        let primary = &hits[members[0]];
        let id = primary.id();
        let aliases: Vec<Text> = if members.len() == 1 {
            // One record: its aliases, sorted and deduplicated.
            let mut a: Vec<&Text> = primary
                .pe
                .adv
                .ids
                .iter()
                .filter(|a| !a.eq_ignore_ascii_case(id))
                .collect();
            a.sort_unstable();
            a.dedup();
            a.into_iter().cloned().collect()
        } else {
            members
                .iter()
                .flat_map(|&m| hits[m].pe.adv.ids.iter())
                .filter(|a| !a.eq_ignore_ascii_case(id))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .cloned()
                .collect()
        };
        let cvss = members.iter().find_map(|&m| sev.cvss_of(hits[m].pe));
        let (severity, severity_source, cvss) = match cvss {
            Some((c, s)) => (s, SeveritySource::Cvss, Some(c)),
            None => match members.iter().find_map(|&m| word_of(hits[m].pe)) {
                Some((s, w)) => (s, SeveritySource::Ecosystem(w), None),
                None => (Severity::Medium, SeveritySource::Unknown, None),
            },
        };
        // The fix of the primary record; for a standard-archive primary the
        // lowest fix among standard-archive records.
        let fixed_version = members
            .iter()
            .map(|&m| &hits[m])
            .filter(|h| h.is_pro() == primary.is_pro())
            .fold(None, |acc, h| lowest_fixed(scheme, acc, h.m.fixed))
            .map(|f| f.text.clone());
        let explanation = members
            .iter()
            .filter_map(|&m| {
                let h = &hits[m];
                let e = h.m.explanation.as_deref()?;
                Some(format!(
                    "{} [{} {}]: {e}",
                    h.id(),
                    h.pe.entry.ecosystem,
                    h.pe.entry.name
                ))
            })
            .collect();
        if ignore_unfixed && fixed_version.is_none() {
            continue;
        }
        out.push(VulnMatch {
            package,
            id: id.clone(),
            aliases,
            ecosystem: primary.pe.ecosystem.clone(),
            advisory_package: primary.pe.name.clone(),
            compared_version: compared.clone(),
            summary: primary.pe.adv.summary.clone(),
            severity,
            severity_source,
            cvss,
            fixed_version,
            explanation,
            url: primary.pe.adv.url.clone(),
        });
    }
    out[start..].sort_by(|a, b| a.id.cmp(&b.id));
}

/// A fast hasher for maps keyed by database texts (advisory ids,
/// ecosystems, entry names), never by inventory names.
#[derive(Default, Clone, Copy)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

/// FNV-1a over the bytes written.
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The entries stored under one (family, name, scheme), fetched and
/// prepared once per [`match_packages`] run.
struct KeyEntries {
    /// Whether the store holds any entry under the family and name (of
    /// any release), before filtering.
    any: bool,
    /// The entries that apply (not withdrawn, of the right ecosystem or
    /// release), prepared.
    entries: Vec<PreparedEntry>,
}

/// What one run shares between keys: advisory texts and interned
/// ecosystem and package names.
#[derive(Default)]
struct RunShared {
    adv: HashMap<*const Advisory, Arc<AdvInfo>>,
    names: HashMap<String, Text, FastHash>,
}

impl RunShared {
    fn intern(&mut self, s: &str) -> Text {
        if let Some(t) = self.names.get(s) {
            return t.clone();
        }
        let t = Text::from(s);
        self.names.insert(s.to_string(), t.clone());
        t
    }
}

fn fetch_key(
    db: &Database,
    lookup: &Lookup<'_>,
    shared: &mut RunShared,
) -> Result<KeyEntries, DbError> {
    let all = db.advisories_for(lookup.family, lookup.name)?;
    let any = !all.is_empty();
    let mut entries = Vec::new();
    for entry in all {
        if entry.advisory.withdrawn.is_some() {
            continue;
        }
        let ecosystem_ok = match lookup.release {
            Some(r) => r.accepts(&entry.ecosystem),
            None => {
                crate::store::ecosystem_family(&entry.ecosystem).eq_ignore_ascii_case(lookup.family)
            }
        };
        if !ecosystem_ok {
            continue;
        }
        let adv = shared
            .adv
            .entry(Arc::as_ptr(&entry.advisory))
            .or_insert_with(|| Arc::new(AdvInfo::new(&entry.advisory)))
            .clone();
        let ecosystem = shared.intern(&entry.ecosystem);
        let name = shared.intern(&entry.name);
        entries.push(PreparedEntry::new(
            entry,
            lookup.scheme,
            ecosystem,
            name,
            adv,
        ));
    }
    Ok(KeyEntries { any, entries })
}

/// Matches `packages` against the advisories of `db`. `os` is the image's
/// operating system (needed for `deb`, `apk` and `rpm` packages: they are
/// matched only against advisories of that distribution release).
///
/// Each distinct (ecosystem, name) is looked up once per call, and the
/// events of its entries are parsed once, however many packages share it;
/// the matches share the advisories' texts ([`Text`]).
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
    // Keyed by inventory names (image content): the standard hasher.
    let mut keys: HashMap<(&'static str, String, Scheme), KeyEntries> = HashMap::new();
    let mut shared = RunShared::default();
    let mut sev = SeverityCache::default();
    let mut problems = Vec::new();
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
        let key = (
            lookup.family,
            crate::store::lookup_key(lookup.family, lookup.name).1,
            lookup.scheme,
        );
        let ke = match keys.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(fetch_key(db, &lookup, &mut shared)?)
            }
        };
        if !ke.any {
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
        let mut other = OtherSchemes { parsed: Vec::new() };
        let mut hits = Vec::new();
        for pe in &ke.entries {
            let m = eval_entry(
                pe,
                lookup.scheme,
                &version,
                &mut other,
                options.explain,
                &mut problems,
            );
            for p in problems.drain(..) {
                report.warnings.push(MatchWarning {
                    package: Some(index),
                    message: format!(
                        "{} for {} {}: {p}",
                        pe.entry.advisory.id, pkg.ecosystem, pkg.name
                    ),
                });
            }
            if let Some(m) = m {
                hits.push(Hit { pe, m });
            }
        }
        if hits.is_empty() {
            continue;
        }
        let compared = Text::from(lookup.version);
        merge(
            index,
            &compared,
            lookup.scheme,
            &hits,
            &mut sev,
            options.ignore_unfixed,
            &mut report.matches,
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
