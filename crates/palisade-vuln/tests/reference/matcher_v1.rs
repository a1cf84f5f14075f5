//! The matcher as it was before matching was made fast (palisade-vuln
//! commit 6cae386, `src/matcher.rs`): one store lookup per package, every
//! event parsed per package, explanations always built. Kept verbatim
//! (paths adapted, and the texts of its results made
//! [`palisade_vuln::Text`]) as the reference `matcher_identity.rs` compares the
//! current matcher against.
#![allow(dead_code, clippy::all)]

use std::cmp::Ordering;
use std::collections::BTreeSet;

use palisade_model::{Ecosystem, OsInfo, Package, Severity};

use palisade_vuln::cvss::Cvss;
use palisade_vuln::matcher::{
    distro_release, severity_from_word, CvssScore, DistroRelease, MatchOptions, MatchReport,
    MatchWarning, MatchedAdvisory, SeveritySource, VulnMatch,
};
use palisade_vuln::osv::{Event, RangeKind};
use palisade_vuln::store::{AffectedPackage, Database, DbError};
use palisade_vuln::versions::{Scheme, Version};

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
struct EntryMatch {
    /// The lowest `fixed` above the version in the ranges that matched.
    fixed: Option<String>,
    /// The comparisons that decided it.
    explanation: String,
}

/// Whether `version` (parsed with `scheme`) is affected by one `affected`
/// entry: any of its `ECOSYSTEM`/`SEMVER` ranges, or its `versions` list.
/// `Err` names an event or version the scheme cannot read (that range is
/// skipped; the others still count).
fn entry_matches(
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
fn range_includes(
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
                    vector: text.trim().into(),
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
                Some((s, w)) => (s, SeveritySource::Ecosystem(w.into())),
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
            advisory: std::sync::Arc::new(MatchedAdvisory {
                id: id.into(),
                aliases: aliases.into_iter().map(Into::into).collect(),
                ecosystem: primary.entry.ecosystem.as_str().into(),
                advisory_package: primary.entry.name.as_str().into(),
                summary: primary.entry.advisory.summary.as_deref().map(Into::into),
                severity,
                severity_source,
                cvss,
                url: primary
                    .entry
                    .advisory
                    .references
                    .first()
                    .map(|r| r.url.as_str().into()),
            }),
            compared_version: compared.into(),
            fixed_version: fixed_version.map(Into::into),
            explanation,
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
                None => palisade_vuln::store::ecosystem_family(&entry.ecosystem)
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
