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
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, OnceLock};

use palisade_model::{OsInfo, Package, Severity};

use crate::cvss::Cvss;
use crate::osv::{Event, EventKind as Kind, Range, RangeKind};
use crate::store::{
    compact_ranges, corrupt_range, decode_card, decode_ranges, Advisory, AffectedPackage, Card,
    Database, DbError, RawEntries, RawEntry, VersionItems,
};
use crate::versions::{Scheme, Version};

mod distro;
mod listed;
mod parallel;
mod text;

pub use distro::{distro_release, DistroRelease};
pub use text::Text;

use distro::lookup_of;
use listed::{Listed, ListedVersions};
use parallel::run_chunks;

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
    /// Computed from a CVSS vector (see [`MatchedAdvisory::cvss`]).
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

/// What a match says about the advisory: the same for every package the
/// same record (or merged records) matches, so matches share one copy
/// ([`VulnMatch::advisory`]; a `VulnMatch` reads these fields directly
/// through `Deref`: `m.id`, `m.severity`).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchedAdvisory {
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
    /// One-line summary of the primary advisory.
    pub summary: Option<Text>,
    /// The finding severity.
    pub severity: Severity,
    /// Where `severity` comes from.
    pub severity_source: SeveritySource,
    /// The CVSS vector used, if any (v3.x preferred over v4.0).
    pub cvss: Option<CvssScore>,
    /// The first reference URL of the primary advisory, if any.
    pub url: Option<Text>,
}

/// One vulnerability of one package: the package-specific part here, the
/// advisory part shared in [`VulnMatch::advisory`] and readable through
/// `Deref` (`m.id`, `m.aliases`, `m.severity`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct VulnMatch {
    /// Index of the package in the slice given to [`match_packages`].
    pub package: usize,
    /// The advisory part, shared with the other matches of the same
    /// record(s).
    pub advisory: Arc<MatchedAdvisory>,
    /// The version compared (the source version for source-package
    /// lookups).
    pub compared_version: Text,
    /// The lowest `fixed` version above the installed one in the ranges
    /// that matched (the distribution's own version for OS packages).
    pub fixed_version: Option<Text>,
    /// Why it matched: one line per merged record, naming the range or
    /// version-list entry and the comparisons that decided it. Empty
    /// unless [`MatchOptions::explain`] is set.
    pub explanation: Vec<String>,
}

impl std::ops::Deref for VulnMatch {
    type Target = MatchedAdvisory;
    fn deref(&self) -> &MatchedAdvisory {
        &self.advisory
    }
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

/// How one `affected` entry matched a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryMatch {
    /// The lowest `fixed` above the version in the ranges that matched.
    pub fixed: Option<String>,
    /// The comparisons that decided it.
    pub explanation: String,
}

/// One event of a prepared range: its kind, its text (a slice of the
/// entry's [`Texts`]) and its version parsed once (`None` for
/// `introduced: "0"`).
#[derive(Debug)]
struct PEvent {
    kind: Kind,
    text: (u32, u32),
    parsed: Option<Version>,
    /// The text of a `fixed` event as shared by the matches reporting it,
    /// made on first use.
    fixed: OnceLock<Text>,
}

/// The event texts of one entry, in one buffer.
#[derive(Debug, Default)]
pub(super) struct Texts(String);

impl Texts {
    pub(super) fn push(&mut self, s: &str) -> (u32, u32) {
        let start = self.0.len();
        self.0.push_str(s);
        // Versions are bounded (MAX_VERSION_LEN) and entries far below 4 GiB.
        let to32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (to32(start), to32(self.0.len()))
    }

    pub(super) fn get(&self, (start, end): (u32, u32)) -> &str {
        self.0.get(start as usize..end as usize).unwrap_or_default()
    }
}

/// Parses every event of a range once and sorts them by version; at equal
/// versions an `introduced` comes first, so that `introduced X, fixed X`
/// (an empty range) ends unaffected. `Err` names the first event the
/// scheme cannot read.
fn prepare_events<'t>(
    events: impl Iterator<Item = (Kind, &'t str)>,
    scheme: Scheme,
    texts: &mut Texts,
) -> Result<Vec<PEvent>, String> {
    let mut parsed: Vec<PEvent> = Vec::with_capacity(events.size_hint().0);
    for (kind, text) in events {
        let version = if kind == Kind::Introduced && text == "0" {
            None
        } else {
            Some(
                scheme
                    .parse(text)
                    .map_err(|err| format!("event {text:?}: {err}"))?,
            )
        };
        parsed.push(PEvent {
            kind,
            text: texts.push(text),
            parsed: version,
            fixed: OnceLock::new(),
        });
    }
    let cmp = |a: &Option<Version>, b: &Option<Version>| match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => a.compare(b).unwrap_or(Ordering::Equal),
    };
    let rank = |k: Kind| u8::from(k != Kind::Introduced);
    crate::versions::sort_versions(&mut parsed, |a, b| {
        cmp(&a.parsed, &b.parsed).then(rank(a.kind).cmp(&rank(b.kind)))
    });
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
fn eval_range(sorted: &[PEvent], v: &Version) -> Option<RangeHit> {
    let mut any_limit = false;
    let mut below_limit = false;
    for pe in sorted {
        if let (Kind::Limit, Some(p)) = (pe.kind, &pe.parsed) {
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
        match pe.kind {
            Kind::Introduced if ord != Ordering::Less => affected_by = Some(i),
            Kind::Fixed if ord != Ordering::Less => affected_by = None,
            Kind::LastAffected if ord == Ordering::Greater => affected_by = None,
            _ => {}
        }
    }
    let intro = affected_by?;
    // The event that closes the range above v: the next fixed,
    // last_affected or limit after the introduced one.
    let closing = sorted[intro + 1..]
        .iter()
        .position(|pe| pe.kind != Kind::Introduced)
        .map(|p| intro + 1 + p);
    Some(RangeHit { intro, closing })
}

/// The `fixed` event closing a range hit.
fn fixed_of(sorted: &[PEvent], hit: RangeHit) -> Option<&PEvent> {
    let c = &sorted[hit.closing?];
    (c.kind == Kind::Fixed).then_some(c)
}

/// The comparisons that decided a range hit, as `--explain-match` prints them.
fn describe(sorted: &[PEvent], texts: &Texts, hit: RangeHit, vs: &str) -> String {
    let intro = texts.get(sorted[hit.intro].text);
    match hit
        .closing
        .map(|c| (sorted[c].kind, texts.get(sorted[c].text)))
    {
        Some((Kind::Fixed, f)) => format!("introduced {intro} <= {vs} < fixed {f}"),
        Some((Kind::LastAffected, l)) => {
            format!("introduced {intro} <= {vs} <= last_affected {l}")
        }
        Some((Kind::Limit, l)) => format!("introduced {intro} <= {vs} < limit {l}"),
        _ => format!("introduced {intro} <= {vs}, no fix"),
    }
}

/// One range of an entry, prepared for one package scheme.
#[derive(Debug)]
struct PreparedRange {
    /// Its index among the entry's ranges.
    ri: usize,
    /// `ECOSYSTEM` or `SEMVER`.
    kind: &'static str,
    /// The scheme its events are compared with.
    scheme: Scheme,
    /// Sorted events, or why one could not be read.
    events: Result<Vec<PEvent>, String>,
}

/// The texts and severities of an advisory the matches share, made once
/// per run.
#[derive(Debug)]
struct AdvInfo {
    /// Its id, then its aliases.
    ids: Vec<Text>,
    /// Its ids numbered across the run, any case (see [`number_ids`]), for
    /// alias merging.
    keys: OnceLock<Vec<u32>>,
    /// Where its id sorts among the ids of the run's advisories.
    order: AtomicU32,
    /// Its aliases without the id (any case), sorted, deduplicated: what a
    /// match made from this record alone lists.
    aliases: Vec<Text>,
    summary: Option<Text>,
    url: Option<Text>,
    withdrawn: bool,
    /// The best CVSS of its own vectors.
    cvss: Option<(u8, CvssScore, Severity)>,
    /// Its first severity word: `database_specific`, then non-CVSS
    /// `severity` entries.
    word: Option<(Severity, Text)>,
}

impl AdvInfo {
    fn new(a: &Advisory) -> AdvInfo {
        AdvInfo::from_card(&Card {
            withdrawn: a.withdrawn.is_some(),
            id: &a.id,
            aliases: a.aliases.iter().map(String::as_str).collect(),
            summary: a.summary.as_deref(),
            url: a.references.first().map(|r| r.url.as_str()),
            database_severity: a.database_severity.as_deref(),
            severity: a
                .severity
                .iter()
                .map(|s| (s.kind.as_str(), s.score.as_str()))
                .collect(),
        })
    }

    fn from_card(a: &Card<'_>) -> AdvInfo {
        let all = || std::iter::once(a.id).chain(a.aliases.iter().copied());
        let ids: Vec<Text> = all().map(Text::from).collect();
        let mut aliases: Vec<Text> = ids
            .iter()
            .filter(|x| !x.eq_ignore_ascii_case(a.id))
            .cloned()
            .collect();
        aliases.sort_unstable();
        aliases.dedup();
        let words = a.database_severity.into_iter().chain(
            a.severity
                .iter()
                .filter(|(kind, _)| !kind.starts_with("CVSS"))
                .map(|(_, score)| *score),
        );
        AdvInfo {
            ids,
            keys: OnceLock::new(),
            order: AtomicU32::new(0),
            aliases,
            summary: a.summary.map(Text::from),
            url: a.url.map(Text::from),
            withdrawn: a.withdrawn,
            cvss: best_cvss(a.severity.iter().map(|(_, score)| *score), None),
            word: first_word(words),
        }
    }
}

/// Numbers the ids of a run's advisories (the same number for ids equal
/// in any case) and ranks their own ids, so that merging and sorting a
/// package's matches compare integers. Returns how many numbers were given.
fn number_ids(infos: &[Arc<AdvInfo>]) -> usize {
    let mut numbers: HashMap<String, u32, FastHash> = HashMap::default();
    for info in infos {
        let keys = info
            .ids
            .iter()
            .map(|id| {
                let next = idx32(numbers.len());
                *numbers.entry(id.to_ascii_lowercase()).or_insert(next)
            })
            .collect();
        // Set once per run, before any matching.
        let _ = info.keys.set(keys);
    }
    let mut by_id: Vec<&Arc<AdvInfo>> = infos.iter().collect();
    by_id.sort_unstable_by(|a, b| a.ids[0].cmp(&b.ids[0]));
    let mut rank = 0;
    for w in 0..by_id.len() {
        if w > 0 && by_id[w - 1].ids[0] != by_id[w].ids[0] {
            rank += 1;
        }
        by_id[w].order.store(rank, AtomicOrdering::Relaxed);
    }
    numbers.len()
}

/// The first word of `words` that names a severity, with it.
fn first_word<'a>(mut words: impl Iterator<Item = &'a str>) -> Option<(Severity, Text)> {
    words.find_map(|w| severity_from_word(w).map(|s| (s, Text::from(w))))
}

/// An index as `u32` (lists are far shorter).
pub(super) fn idx32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// An `affected` entry with its events parsed once for one package scheme
/// (its `versions` list on first need), shared by every package looked up
/// under its name in one [`match_packages`] run.
#[derive(Debug)]
struct PreparedEntry {
    /// `ecosystem` and `name` of the entry, shared by the matches.
    ecosystem: Text,
    name: Text,
    /// Whether the ecosystem is an Ubuntu Pro one.
    pro: bool,
    /// The advisory's texts.
    adv: Arc<AdvInfo>,
    /// The entry's own severity word or vector.
    severity: Option<Box<str>>,
    texts: Texts,
    ranges: Vec<PreparedRange>,
    listed: Listed,
    /// The `versions` list parsed with the package scheme, on first need.
    versions: OnceLock<ListedVersions>,
    /// The record's CVSS and severity word, computed on first use.
    cvss: OnceLock<Option<(CvssScore, Severity)>>,
    /// The advisory part of a match made from this record alone.
    alone: OnceLock<Arc<MatchedAdvisory>>,
}

/// The scheme a range of this kind is compared with, for packages of
/// `scheme`; `None` for ranges that are not matched (GIT, unknown types).
fn range_scheme(kind: &RangeKind, scheme: Scheme) -> Option<(Scheme, &'static str)> {
    match kind {
        RangeKind::Ecosystem => Some((scheme, "ECOSYSTEM")),
        RangeKind::Semver if scheme == Scheme::Go => Some((Scheme::Go, "SEMVER")),
        RangeKind::Semver => Some((Scheme::SemVer, "SEMVER")),
        _ => None,
    }
}

impl PreparedEntry {
    /// An entry read from the store's blob, for packages of `scheme`.
    fn from_raw(
        path: &std::path::Path,
        raw: &RawEntry<'_>,
        scheme: Scheme,
        ecosystem: Text,
        name: Text,
        adv: Arc<AdvInfo>,
    ) -> Result<PreparedEntry, DbError> {
        let mut texts = Texts::default();
        let ranges = match compact_ranges(raw.ranges) {
            Some(compact) => compact
                .map_err(|()| corrupt_range(path))?
                .into_iter()
                .enumerate()
                .filter_map(|(ri, r)| {
                    prepare_range(ri, &r.kind, r.events.into_iter(), scheme, &mut texts)
                })
                .collect(),
            None => prepare_ranges(&decode_ranges(path, raw.ranges)?, scheme, &mut texts),
        };
        let listed = match VersionItems::parse(raw.versions) {
            Some(stored) => Listed::from_stored(stored, raw.ecosystem),
            None => Listed::from_list(&crate::store::decode_versions(path, raw.versions)?),
        };
        Ok(PreparedEntry {
            pro: raw.ecosystem.starts_with("Ubuntu:Pro:"),
            ecosystem,
            name,
            adv,
            severity: raw.severity.map(Box::from),
            texts,
            ranges,
            listed,
            versions: OnceLock::new(),
            cvss: OnceLock::new(),
            alone: OnceLock::new(),
        })
    }

    /// An entry as the public API gives it.
    fn from_entry(entry: &AffectedPackage, scheme: Scheme) -> PreparedEntry {
        let mut texts = Texts::default();
        let ranges = prepare_ranges(&entry.ranges, scheme, &mut texts);
        PreparedEntry {
            pro: entry.ecosystem.starts_with("Ubuntu:Pro:"),
            ecosystem: entry.ecosystem.as_str().into(),
            name: entry.name.as_str().into(),
            adv: Arc::new(AdvInfo::new(&entry.advisory)),
            severity: entry.severity.as_deref().map(Box::from),
            texts,
            ranges,
            listed: Listed::from_list(&entry.versions),
            versions: OnceLock::new(),
            cvss: OnceLock::new(),
            alone: OnceLock::new(),
        }
    }

    /// The `versions` list parsed with `scheme`.
    fn listed_versions(&self, scheme: Scheme) -> &ListedVersions {
        self.versions
            .get_or_init(|| ListedVersions::new(&self.listed, scheme))
    }

    fn id(&self) -> &Text {
        &self.adv.ids[0]
    }

    /// The record's CVSS vectors, v3.x first (v3.1 before v3.0), then
    /// v4.0: the advisory's, then the entry's own severity.
    fn cvss(&self) -> Option<(CvssScore, Severity)> {
        self.cvss
            .get_or_init(|| {
                best_cvss(self.severity.as_deref().into_iter(), self.adv.cvss.clone())
                    .map(|(_, c, s)| (c, s))
            })
            .clone()
    }

    /// The first severity word of the record: the entry's, the advisory's
    /// `database_specific` one, then its non-CVSS severities.
    fn word(&self) -> Option<(Severity, Text)> {
        first_word(self.severity.as_deref().into_iter()).or_else(|| self.adv.word.clone())
    }

    /// The advisory part of a match made from this record alone.
    fn alone(&self) -> Arc<MatchedAdvisory> {
        self.alone
            .get_or_init(|| {
                let (severity, severity_source, cvss) = severity_of(std::iter::once(self));
                Arc::new(MatchedAdvisory {
                    id: self.id().clone(),
                    aliases: self.adv.aliases.clone(),
                    ecosystem: self.ecosystem.clone(),
                    advisory_package: self.name.clone(),
                    summary: self.adv.summary.clone(),
                    severity,
                    severity_source,
                    cvss,
                    url: self.adv.url.clone(),
                })
            })
            .clone()
    }
}

/// The ranges of `ranges` that are matched, prepared for `scheme`.
fn prepare_ranges(ranges: &[Range], scheme: Scheme, texts: &mut Texts) -> Vec<PreparedRange> {
    ranges
        .iter()
        .enumerate()
        .filter_map(|(ri, range)| {
            let events = range.events.iter().map(|e| (e.kind(), e.version()));
            prepare_range(ri, &range.kind, events, scheme, texts)
        })
        .collect()
}

/// Range `ri` of an entry, of type `kind`, prepared for packages of
/// `scheme`; `None` for a type that is not matched.
fn prepare_range<'t>(
    ri: usize,
    kind: &RangeKind,
    events: impl Iterator<Item = (Kind, &'t str)>,
    scheme: Scheme,
    texts: &mut Texts,
) -> Option<PreparedRange> {
    let (s, kind) = range_scheme(kind, scheme)?;
    Some(PreparedRange {
        ri,
        kind,
        scheme: s,
        events: prepare_events(events, s, texts),
    })
}

/// The severity of a match from its records, in order: the first CVSS
/// among them, else the first severity word, else unknown (medium).
fn severity_of<'e>(
    mut records: impl Iterator<Item = &'e PreparedEntry> + Clone,
) -> (Severity, SeveritySource, Option<CvssScore>) {
    match records.clone().find_map(PreparedEntry::cvss) {
        Some((c, s)) => (s, SeveritySource::Cvss, Some(c)),
        None => match records.find_map(PreparedEntry::word) {
            Some((s, w)) => (s, SeveritySource::Ecosystem(w), None),
            None => (Severity::Medium, SeveritySource::Unknown, None),
        },
    }
}

/// A fixed version found by a match: its event and its text, in the
/// scheme it was parsed with.
#[derive(Debug, Clone, Copy)]
struct Fixed<'e> {
    event: &'e PEvent,
    text: &'e str,
    scheme: Scheme,
}

impl Fixed<'_> {
    /// The text, shared by every match reporting it.
    fn shared(&self) -> Text {
        self.event
            .fixed
            .get_or_init(|| Text::from(self.text))
            .clone()
    }
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
            let ord = match (&a.event.parsed, &b.event.parsed) {
                (Some(pa), Some(pb)) if a.scheme == scheme && b.scheme == scheme => {
                    pa.compare(pb).ok_or(())
                }
                _ => scheme.compare(a.text, b.text).map_err(|_| ()),
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
#[derive(Default)]
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
        let ri = pr.ri;
        let v = if pr.scheme == scheme {
            version
        } else {
            match other.get(pr.scheme, version.as_str()) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("range {ri} ({}): {e}", pr.kind));
                    continue;
                }
            }
        };
        let sorted = match &pr.events {
            Ok(s) => s,
            Err(e) => {
                problems.push(format!("range {ri} ({}): {e}", pr.kind));
                continue;
            }
        };
        let Some(rh) = eval_range(sorted, v) else {
            continue;
        };
        let fixed = fixed_of(sorted, rh)
            .filter(|c| c.parsed.is_some())
            .map(|c| Fixed {
                event: c,
                text: pe.texts.get(c.text),
                scheme: pr.scheme,
            });
        hit = Some(match hit {
            None => PHit {
                fixed,
                explanation: explain.then(|| {
                    format!(
                        "{} range #{ri}: {} ({})",
                        pr.kind,
                        describe(sorted, &pe.texts, rh, v.as_str()),
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
    if hit.is_none() && !pe.listed.is_empty() {
        let found = match pe.listed.sorted_by {
            Some(s) if s == scheme => pe.listed.find_sorted(scheme, version).ok(),
            _ => None,
        };
        let found = match found {
            Some(f) => f,
            None => pe.listed_versions(scheme).find(&pe.listed, version),
        };
        if let Some(at) = found {
            let listed = pe.listed.text(at);
            hit = Some(PHit {
                fixed: None,
                explanation: explain.then(|| {
                    format!(
                        "listed in versions: {listed} == {} ({scheme})",
                        version.as_str()
                    )
                }),
            });
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
    let pe = PreparedEntry::from_entry(entry, scheme);
    let mut other = OtherSchemes::default();
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
    let mut texts = Texts::default();
    let sorted = prepare_events(
        events.iter().map(|e| (e.kind(), e.version())),
        scheme,
        &mut texts,
    )?;
    Ok(eval_range(&sorted, v).map(|rh| EntryMatch {
        fixed: fixed_of(&sorted, rh).map(|c| texts.get(c.text).to_string()),
        explanation: describe(&sorted, &texts, rh, v.as_str()),
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

/// One record that matched, before merging.
struct Hit<'e> {
    pe: &'e PreparedEntry,
    m: PHit<'e>,
}

impl Hit<'_> {
    fn id(&self) -> &Text {
        self.pe.id()
    }
}

/// Space [`merge`] reuses from one package to the next.
#[derive(Default)]
struct MergeScratch {
    /// For each id number: the package it was last seen for (a stamp) and
    /// the first hit naming it.
    first: Vec<(u32, u32)>,
    stamp: u32,
    group: Vec<usize>,
    order: Vec<(usize, usize)>,
    rank_of_root: Vec<Option<usize>>,
    members: Vec<usize>,
    made: Vec<(u32, VulnMatch)>,
}

/// Merges one package's hits into matches: hits whose ids overlap (any
/// case) form one group. Appends the matches sorted by id.
#[allow(clippy::too_many_arguments)]
fn merge(
    package: usize,
    compared: &Text,
    scheme: Scheme,
    hits: &[Hit<'_>],
    ignore_unfixed: bool,
    ids: usize,
    scratch: &mut MergeScratch,
    out: &mut Vec<VulnMatch>,
) {
    let n = hits.len();
    let explanation_of = |h: &Hit| -> Option<String> {
        let e = h.m.explanation.as_deref()?;
        Some(format!(
            "{} [{} {}]: {e}",
            h.id(),
            h.pe.ecosystem,
            h.pe.name
        ))
    };
    fn find(g: &mut [usize], mut i: usize) -> usize {
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    let MergeScratch {
        first,
        stamp,
        group,
        order,
        rank_of_root,
        members,
        made,
    } = scratch;
    group.clear();
    group.extend(0..n);
    if n > 1 {
        if first.len() < ids {
            first.resize(ids, (u32::MAX, 0));
        }
        *stamp = stamp.wrapping_add(1);
        if *stamp == u32::MAX {
            first.iter_mut().for_each(|f| *f = (u32::MAX, 0));
            *stamp = 0;
        }
        for (i, h) in hits.iter().enumerate() {
            for &k in h.pe.adv.keys.get().map_or(&[][..], Vec::as_slice) {
                match first.get_mut(k as usize) {
                    Some(f) if f.0 == *stamp => {
                        let (a, b) = (find(group, i), find(group, f.1 as usize));
                        group[a] = b;
                    }
                    Some(f) => *f = (*stamp, idx32(i)),
                    None => {}
                }
            }
        }
    }
    // Groups in the order of their first hit, each a run of `order`.
    order.clear();
    rank_of_root.clear();
    rank_of_root.resize(n, None);
    let mut groups = 0;
    for i in 0..n {
        let r = find(group, i);
        let rank = *rank_of_root[r].get_or_insert_with(|| {
            groups += 1;
            groups - 1
        });
        order.push((rank, i));
    }
    if groups < n {
        order.sort_unstable();
    }
    made.clear();
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        if let [(_, only)] = run {
            // One record: its shared advisory part as is.
            let h = &hits[*only];
            let fixed_version = h.m.fixed.map(|f| f.shared());
            if ignore_unfixed && fixed_version.is_none() {
                continue;
            }
            made.push((
                h.pe.adv.order.load(AtomicOrdering::Relaxed),
                VulnMatch {
                    package,
                    advisory: h.pe.alone(),
                    compared_version: compared.clone(),
                    fixed_version,
                    explanation: explanation_of(h).into_iter().collect(),
                },
            ));
            continue;
        }
        members.clear();
        members.extend(run.iter().map(|&(_, i)| i));
        // Primary: a standard-archive record before an Ubuntu Pro one, then
        // one that has a fix, then one that is not a bare CVE record, then by id.
        members.sort_by(|&a, &b| {
            let key = |h: &Hit| (h.pe.pro, h.m.fixed.is_none(), h.id().starts_with("CVE-"));
            let (ha, hb) = (&hits[a], &hits[b]);
            key(ha).cmp(&key(hb)).then_with(|| ha.id().cmp(hb.id()))
        });
        let primary = &hits[members[0]];
        let id = primary.id();
        let aliases: Vec<Text> = members
            .iter()
            .flat_map(|&m| hits[m].pe.adv.ids.iter())
            .filter(|a| !a.eq_ignore_ascii_case(id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        let (severity, severity_source, cvss) = severity_of(members.iter().map(|&m| hits[m].pe));
        // The fix of the primary record; for a standard-archive primary the
        // lowest fix among standard-archive records.
        let fixed_version = members
            .iter()
            .map(|&m| &hits[m])
            .filter(|h| h.pe.pro == primary.pe.pro)
            .fold(None, |acc, h| lowest_fixed(scheme, acc, h.m.fixed))
            .map(|f| f.shared());
        if ignore_unfixed && fixed_version.is_none() {
            continue;
        }
        let explanation = members
            .iter()
            .filter_map(|&m| explanation_of(&hits[m]))
            .collect();
        made.push((
            primary.pe.adv.order.load(AtomicOrdering::Relaxed),
            VulnMatch {
                package,
                advisory: Arc::new(MatchedAdvisory {
                    id: id.clone(),
                    aliases,
                    ecosystem: primary.pe.ecosystem.clone(),
                    advisory_package: primary.pe.name.clone(),
                    summary: primary.pe.adv.summary.clone(),
                    severity,
                    severity_source,
                    cvss,
                    url: primary.pe.adv.url.clone(),
                }),
                compared_version: compared.clone(),
                fixed_version,
                explanation,
            },
        ));
    }
    // By id; equal ids keep the order of their first hit.
    made.sort_by_key(|(order, _)| *order);
    out.extend(made.drain(..).map(|(_, m)| m));
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

/// One distinct (family, name, scheme) of the inventory.
struct Key<'a> {
    family: &'static str,
    /// What the store files it under: the family in lower case and the
    /// name as the store normalises it ([`crate::store::lookup_key`]).
    store: (String, String),
    release: Option<&'a DistroRelease>,
    scheme: Scheme,
}

/// The entries stored under one key, fetched and prepared once per
/// [`match_packages`] run.
#[derive(Default)]
struct KeyEntries {
    /// Whether the store holds any entry under the family and name (of
    /// any release), before filtering.
    any: bool,
    /// The entries that apply (not withdrawn, of the right ecosystem or
    /// release), prepared.
    entries: Vec<PreparedEntry>,
}

/// Texts of one worker: ecosystem and entry names, interned.
#[derive(Default)]
struct Interner {
    names: HashMap<String, Text, FastHash>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> Text {
        if let Some(t) = self.names.get(s) {
            return t.clone();
        }
        let t = Text::from(s);
        self.names.insert(s.to_string(), t.clone());
        t
    }
}

/// Whether an entry of `ecosystem` applies to packages looked up under `key`.
fn ecosystem_ok(key: &Key<'_>, ecosystem: &str) -> bool {
    match key.release {
        Some(r) => r.accepts(ecosystem),
        None => crate::store::ecosystem_family(ecosystem).eq_ignore_ascii_case(key.family),
    }
}

/// The raw entries of a key's blob, or the store's error for a corrupt one.
fn raw_entries<'b>(
    db: &Database,
    key: &Key<'_>,
    blob: &'b [u8],
) -> Result<Vec<RawEntry<'b>>, DbError> {
    let corrupt = |at| db.corrupt_entries(&key.store.0, &key.store.1, at);
    RawEntries::new(blob)
        .map_err(corrupt)?
        .collect::<Result<_, _>>()
        .map_err(corrupt)
}

/// The advisories a run has read, by row id, shared by its threads.
#[derive(Default)]
struct RunAdvisories {
    map: Mutex<HashMap<i64, Arc<AdvInfo>, FastHash>>,
}

impl RunAdvisories {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<AdvInfo>, FastHash>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The advisories of these row ids, in the same order: read from the
    /// store (on the calling thread's own connection) the first time any
    /// thread of the run needs one.
    fn get(&self, db: &Database, rowids: &[i64]) -> Result<Vec<Arc<AdvInfo>>, DbError> {
        let mut missing: Vec<i64> = {
            let map = self.lock();
            rowids
                .iter()
                .copied()
                .filter(|id| !map.contains_key(id))
                .collect()
        };
        if !missing.is_empty() {
            // By row id, in the table's order.
            missing.sort_unstable();
            missing.dedup();
            let cards = db.cards(&missing)?;
            let mut read = Vec::with_capacity(cards.len());
            for (card, &id) in cards.iter().zip(&missing) {
                let card = decode_card(card).ok_or_else(|| db.corrupt_card(id))?;
                read.push((id, Arc::new(AdvInfo::from_card(&card))));
            }
            let mut map = self.lock();
            for (id, info) in read {
                map.entry(id).or_insert(info);
            }
        }
        let map = self.lock();
        rowids
            .iter()
            .map(|id| map.get(id).cloned().ok_or_else(|| db.corrupt_card(*id)))
            .collect()
    }

    /// Every advisory read, for numbering their ids.
    fn all(self) -> Vec<Arc<AdvInfo>> {
        let map = self.map.into_inner().unwrap_or_else(|p| p.into_inner());
        map.into_values().collect()
    }
}

/// Reads and prepares the entries of some keys (given in the store's key
/// order, so that the B-tree pages are read in order). Returns them with
/// their key indices.
fn prepare_keys(
    db: &Database,
    keys: &[Key<'_>],
    which: &[usize],
    run: &RunAdvisories,
) -> Result<Vec<(usize, KeyEntries)>, DbError> {
    let store_keys: Vec<(&str, &str)> = which
        .iter()
        .map(|&k| (keys[k].store.0.as_str(), keys[k].store.1.as_str()))
        .collect();
    let blobs = db.entries_blobs(&store_keys)?;
    let mut raws = Vec::with_capacity(blobs.len());
    let mut rowids = Vec::new();
    for (k, blob) in which.iter().zip(&blobs) {
        let key = &keys[*k];
        let raw = match blob {
            Some(b) => raw_entries(db, key, b)?,
            None => Vec::new(),
        };
        let any = !raw.is_empty();
        let raw: Vec<RawEntry<'_>> = raw
            .into_iter()
            .filter(|e| ecosystem_ok(key, e.ecosystem))
            .collect();
        rowids.extend(raw.iter().map(|e| e.advisory));
        raws.push((*k, any, raw));
    }
    let infos = run.get(db, &rowids)?;
    let mut infos = infos.into_iter();
    let mut names = Interner::default();
    let mut out = Vec::with_capacity(raws.len());
    for (k, any, raw) in raws {
        let key = &keys[k];
        let mut entries = Vec::with_capacity(raw.len());
        for e in &raw {
            let Some(adv) = infos.next() else { break };
            if adv.withdrawn {
                continue;
            }
            let ecosystem = names.intern(e.ecosystem);
            let name = names.intern(e.name);
            entries.push(PreparedEntry::from_raw(
                db.path(),
                e,
                key.scheme,
                ecosystem,
                name,
                adv,
            )?);
        }
        out.push((k, KeyEntries { any, entries }));
    }
    Ok(out)
}

/// What one package is matched as.
enum Plan<'a> {
    /// Not matched, silently (the reason was reported for an earlier package).
    Skip,
    /// Not matched; this warning says why.
    Warn(String),
    /// Matched against the entries of key `key`, with this version.
    Match {
        key: usize,
        version: &'a str,
        scheme: Scheme,
    },
}

/// Inventories with fewer packages are matched on the calling thread:
/// below this, starting threads and their store connections costs more
/// than it saves (measured with `scripts/bench-rescan`: 100 images of
/// ~730 packages each took 0.65 s and 165 MiB in parallel, 0.60 s and
/// 109 MiB on one thread).
const PARALLEL_MIN_PACKAGES: usize = 4096;
/// Packages per unit of parallel matching work.
const CHUNK: usize = 128;
/// Keys per unit of parallel preparing work.
const KEYS_PER_CHUNK: usize = 32;

/// Matches `packages` against the advisories of `db`. `os` is the image's
/// operating system (needed for `deb`, `apk` and `rpm` packages: they are
/// matched only against advisories of that distribution release).
///
/// Each distinct (ecosystem, name) is looked up once per call, and the
/// events of its entries are parsed once, however many packages share it;
/// the matches share the advisories' texts ([`Text`], [`MatchedAdvisory`]).
/// Large inventories are matched on every core: the keys are fetched and
/// prepared in parallel, then the packages matched in parallel chunks; the
/// report is the same whatever the number of threads.
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
    let threads = if packages.len() < PARALLEL_MIN_PACKAGES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
    };
    match_packages_on(db, os, packages, options, threads)
}

/// [`match_packages`] on `threads` threads (1: the calling thread only),
/// whatever the size of the inventory. The report is the same for any
/// number.
pub fn match_packages_on(
    db: &Database,
    os: Option<&OsInfo>,
    packages: &[Package],
    options: &MatchOptions,
    threads: usize,
) -> Result<MatchReport, DbError> {
    let release = os.and_then(distro_release);
    let (keys, plans) = plan(packages, release.as_ref());
    // Keys in the store's order, read and prepared in parallel chunks.
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_unstable_by(|&a, &b| keys[a].store.cmp(&keys[b].store));
    let run = RunAdvisories::default();
    let mut slots: Vec<Option<KeyEntries>> =
        std::iter::repeat_with(|| None).take(keys.len()).collect();
    for part in run_chunks(order.len(), KEYS_PER_CHUNK, threads, |range| {
        prepare_keys(db, &keys, &order[range], &run)
    }) {
        for (k, e) in part? {
            slots[k] = Some(e);
        }
    }
    let entries: Vec<KeyEntries> = slots.into_iter().map(Option::unwrap_or_default).collect();
    let ids = number_ids(&run.all());
    let parts = run_chunks(packages.len(), CHUNK, threads, |range| {
        match_chunk(packages, range, &plans, &entries, ids, options)
    });
    let mut report = MatchReport {
        matches: Vec::with_capacity(parts.iter().map(|p| p.matches.len()).sum()),
        warnings: Vec::new(),
    };
    for mut p in parts {
        report.matches.append(&mut p.matches);
        report.warnings.append(&mut p.warnings);
    }
    // Freeing the prepared entries takes a good part of the time: spread
    // it over the threads too.
    let parts: Vec<Mutex<Vec<KeyEntries>>> = {
        let mut rest = entries;
        let mut out = Vec::new();
        while rest.len() > KEYS_PER_CHUNK * 4 {
            out.push(Mutex::new(rest.split_off(rest.len() - KEYS_PER_CHUNK * 4)));
        }
        out.push(Mutex::new(rest));
        out
    };
    run_chunks(parts.len(), 1, threads, |range| {
        for part in &parts[range] {
            drop(std::mem::take(
                &mut *part.lock().unwrap_or_else(|p| p.into_inner()),
            ));
        }
    });
    Ok(report)
}

/// The distinct keys of an inventory, and how each package is matched.
fn plan<'a>(
    packages: &'a [Package],
    release: Option<&'a DistroRelease>,
) -> (Vec<Key<'a>>, Vec<Plan<'a>>) {
    // Keyed by inventory names (image content): the standard hasher.
    let mut key_ids: HashMap<(String, String, Scheme), usize> = HashMap::new();
    let mut keys: Vec<Key<'_>> = Vec::new();
    let mut os_warned = false;
    let plans = packages
        .iter()
        .map(|pkg| match lookup_of(pkg, release) {
            Ok(l) => {
                let (family, name) = crate::store::lookup_key(l.family, l.name);
                let key = match key_ids.entry((family, name, l.scheme)) {
                    std::collections::hash_map::Entry::Occupied(o) => *o.get(),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        let (family, name, _) = v.key();
                        keys.push(Key {
                            family: l.family,
                            store: (family.clone(), name.clone()),
                            release: l.release,
                            scheme: l.scheme,
                        });
                        *v.insert(keys.len() - 1)
                    }
                };
                Plan::Match {
                    key,
                    version: l.version,
                    scheme: l.scheme,
                }
            }
            // One warning for the whole inventory is enough.
            Err(_) if os_warned => Plan::Skip,
            Err(message) => {
                os_warned = true;
                Plan::Warn(message)
            }
        })
        .collect();
    (keys, plans)
}

/// Matches the packages of `range` against their keys' prepared entries.
fn match_chunk(
    packages: &[Package],
    range: std::ops::Range<usize>,
    plans: &[Plan<'_>],
    entries: &[KeyEntries],
    ids: usize,
    options: &MatchOptions,
) -> MatchReport {
    let mut part = MatchReport::default();
    let mut scratch = MergeScratch::default();
    let mut problems = Vec::new();
    let mut hits = Vec::new();
    for index in range {
        let pkg = &packages[index];
        let (key, version, scheme) = match &plans[index] {
            Plan::Skip => continue,
            Plan::Warn(message) => {
                part.warnings.push(MatchWarning {
                    package: Some(index),
                    message: message.clone(),
                });
                continue;
            }
            Plan::Match {
                key,
                version,
                scheme,
            } => (&entries[*key], *version, *scheme),
        };
        if !key.any {
            continue;
        }
        let parsed = match scheme.parse(version) {
            Ok(v) => v,
            Err(e) => {
                part.warnings.push(MatchWarning {
                    package: Some(index),
                    message: format!("{} {}: version not compared: {e}", pkg.ecosystem, pkg.name),
                });
                continue;
            }
        };
        let mut other = OtherSchemes::default();
        hits.clear();
        for pe in &key.entries {
            let m = eval_entry(
                pe,
                scheme,
                &parsed,
                &mut other,
                options.explain,
                &mut problems,
            );
            for p in problems.drain(..) {
                part.warnings.push(MatchWarning {
                    package: Some(index),
                    message: format!("{} for {} {}: {p}", pe.id(), pkg.ecosystem, pkg.name),
                });
            }
            if let Some(m) = m {
                hits.push(Hit { pe, m });
            }
        }
        if !hits.is_empty() {
            let compared = Text::from(version);
            merge(
                index,
                &compared,
                scheme,
                &hits,
                options.ignore_unfixed,
                ids,
                &mut scratch,
                &mut part.matches,
            );
        }
    }
    part
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
