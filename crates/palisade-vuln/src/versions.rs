//! Version comparison, one scheme per file under `versions/`.
//!
//! Each ecosystem orders its versions by its own rules, and a vulnerability
//! range is only as exact as the comparison behind it. A [`Scheme`] parses a
//! version string once into a [`Version`] (validating it: a string the
//! ecosystem would reject is an error, never compared by guesswork), and
//! parsed versions then compare without allocating:
//!
//! ```
//! use palisade_vuln::versions::Scheme;
//! use std::cmp::Ordering;
//!
//! let dpkg = Scheme::for_ecosystem("Debian:12").unwrap();
//! assert_eq!(dpkg.compare("1.0~rc1-1", "1.0-1").unwrap(), Ordering::Less);
//! let pypi = Scheme::for_ecosystem("PyPI").unwrap();
//! assert_eq!(pypi.compare("1.0.dev0", "1.0a1").unwrap(), Ordering::Less);
//! assert!(pypi.parse("not a version").is_err());
//! ```
//!
//! Every comparator is proven against the reference implementation where
//! one runs on this machine (dpkg and apt, rpm, Python's `packaging`, npm's
//! `semver`, Maven's `ComparableVersion`); see
//! `docs/vulnerabilities-versions.md`.

use std::cmp::Ordering;
use std::fmt;

pub mod apk;
pub mod composer;
pub mod dpkg;
pub mod maven;
pub mod nuget;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

use palisade_model::{Ecosystem, Package};

/// Longest version string any scheme accepts, in bytes. Real versions are
/// far shorter; the bound keeps hostile input from costing time or memory.
pub const MAX_VERSION_LEN: usize = 256;

/// A versioning scheme: how one ecosystem spells and orders its versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scheme {
    /// Debian and Ubuntu (`dpkg --compare-versions`).
    Dpkg,
    /// RPM distributions (`rpmvercmp` over epoch, version, release).
    Rpm,
    /// Alpine and Wolfi (apk-tools).
    Apk,
    /// Python (PEP 440, as `packaging.version`).
    Pep440,
    /// SemVer 2.0 (npm, crates.io, Hex, Pub).
    SemVer,
    /// Go modules: SemVer with an optional `v`, `+incompatible`,
    /// pseudo-versions.
    Go,
    /// Maven (`ComparableVersion`).
    Maven,
    /// RubyGems (`Gem::Version`).
    RubyGems,
    /// NuGet (`NuGetVersion`).
    NuGet,
    /// Packagist (Composer's normalisation, then PHP's `version_compare`).
    Composer,
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {input:?} at byte {offset}: expected {expected}")]
pub struct VersionError {
    /// The scheme that refused it (`dpkg`, `PEP 440`, ...).
    pub scheme: &'static str,
    /// The input, cut to 80 characters.
    pub input: String,
    /// Byte offset into the input where parsing stopped.
    pub offset: usize,
    /// What was expected there.
    pub expected: &'static str,
}

impl VersionError {
    pub(crate) fn new(
        scheme: &'static str,
        input: &str,
        offset: usize,
        expected: &'static str,
    ) -> Self {
        let input = match input.char_indices().nth(80) {
            Some((i, _)) => format!("{}...", &input[..i]),
            None => input.to_string(),
        };
        VersionError {
            scheme,
            input,
            offset,
            expected,
        }
    }
}

/// Refuses empty and over-long input; shared by every scheme.
pub(crate) fn check_len(scheme: &'static str, s: &str) -> Result<(), VersionError> {
    if s.is_empty() {
        return Err(VersionError::new(
            scheme,
            s,
            0,
            "a version, not an empty string",
        ));
    }
    if s.len() > MAX_VERSION_LEN {
        return Err(VersionError::new(
            scheme,
            s,
            MAX_VERSION_LEN,
            "at most 256 bytes",
        ));
    }
    Ok(())
}

/// Sorts `items` stably by `cmp` (a merge sort). Unlike the standard
/// sort it never panics when `cmp` is not a total order, which version
/// strings from an untrusted source could in principle produce; it returns
/// whether the result is in order (no item above the next), for callers
/// that binary-search it.
pub(crate) fn sort_versions<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) -> bool {
    let n = items.len();
    let mut idx: Vec<usize> = (0..n).collect();
    let mut buf: Vec<usize> = vec![0; n];
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut a, mut b, mut k) = (start, mid, start);
            while a < mid && b < end {
                // Equal items keep their order: the left one first.
                if cmp(&items[idx[b]], &items[idx[a]]) == Ordering::Less {
                    buf[k] = idx[b];
                    b += 1;
                } else {
                    buf[k] = idx[a];
                    a += 1;
                }
                k += 1;
            }
            for &i in idx[a..mid].iter().chain(&idx[b..end]) {
                buf[k] = i;
                k += 1;
            }
            start = end;
        }
        std::mem::swap(&mut idx, &mut buf);
        width *= 2;
    }
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        idx.iter()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take)),
    );
    items
        .windows(2)
        .all(|w| cmp(&w[0], &w[1]) != Ordering::Greater)
}

/// A parsed version of one scheme. Compare two with
/// [`Version::compare`] (or `<`, `==` through `PartialOrd`/`PartialEq`,
/// which say "unordered" across schemes).
#[derive(Debug, Clone)]
pub enum Version {
    /// A dpkg version.
    Dpkg(dpkg::DpkgVersion),
    /// An RPM EVR.
    Rpm(rpm::RpmVersion),
    /// An apk version.
    Apk(apk::ApkVersion),
    /// A PEP 440 version.
    Pep440(pep440::Pep440Version),
    /// A SemVer (or Go module) version.
    SemVer(semver::SemVersion),
    /// A Maven version.
    Maven(maven::MavenVersion),
    /// A RubyGems version.
    RubyGems(rubygems::GemVersion),
    /// A NuGet version.
    NuGet(nuget::NuGetVersion),
    /// A Composer version.
    Composer(composer::ComposerVersion),
}

impl Version {
    /// The version as it was given.
    pub fn as_str(&self) -> &str {
        match self {
            Version::Dpkg(v) => v.as_str(),
            Version::Rpm(v) => v.as_str(),
            Version::Apk(v) => v.as_str(),
            Version::Pep440(v) => v.as_str(),
            Version::SemVer(v) => v.as_str(),
            Version::Maven(v) => v.as_str(),
            Version::RubyGems(v) => v.as_str(),
            Version::NuGet(v) => v.as_str(),
            Version::Composer(v) => v.as_str(),
        }
    }

    /// Orders two versions of the same scheme; `None` across schemes.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        Some(match (self, other) {
            (Version::Dpkg(a), Version::Dpkg(b)) => a.cmp(b),
            (Version::Rpm(a), Version::Rpm(b)) => a.cmp(b),
            (Version::Apk(a), Version::Apk(b)) => a.cmp(b),
            (Version::Pep440(a), Version::Pep440(b)) => a.cmp(b),
            (Version::SemVer(a), Version::SemVer(b)) => a.cmp(b),
            (Version::Maven(a), Version::Maven(b)) => a.cmp(b),
            (Version::RubyGems(a), Version::RubyGems(b)) => a.cmp(b),
            (Version::NuGet(a), Version::NuGet(b)) => a.cmp(b),
            (Version::Composer(a), Version::Composer(b)) => a.cmp(b),
            _ => return None,
        })
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other) == Some(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.compare(other)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Scheme {
    /// Every scheme, for tests and documentation.
    pub const ALL: [Scheme; 10] = [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::SemVer,
        Scheme::Go,
        Scheme::Maven,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Composer,
    ];

    /// The scheme's name as errors and documentation print it.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Dpkg => "dpkg",
            Scheme::Rpm => "rpm",
            Scheme::Apk => "apk",
            Scheme::Pep440 => "PEP 440",
            Scheme::SemVer => "SemVer",
            Scheme::Go => "Go",
            Scheme::Maven => "Maven",
            Scheme::RubyGems => "RubyGems",
            Scheme::NuGet => "NuGet",
            Scheme::Composer => "Composer",
        }
    }

    /// Parses and validates a version of this scheme.
    pub fn parse(&self, s: &str) -> Result<Version, VersionError> {
        Ok(match self {
            Scheme::Dpkg => Version::Dpkg(dpkg::DpkgVersion::parse(s)?),
            Scheme::Rpm => Version::Rpm(rpm::RpmVersion::parse(s)?),
            Scheme::Apk => Version::Apk(apk::ApkVersion::parse(s)?),
            Scheme::Pep440 => Version::Pep440(pep440::Pep440Version::parse(s)?),
            Scheme::SemVer => Version::SemVer(semver::SemVersion::parse(s)?),
            Scheme::Go => Version::SemVer(semver::SemVersion::parse_go(s)?),
            Scheme::Maven => Version::Maven(maven::MavenVersion::parse(s)?),
            Scheme::RubyGems => Version::RubyGems(rubygems::GemVersion::parse(s)?),
            Scheme::NuGet => Version::NuGet(nuget::NuGetVersion::parse(s)?),
            Scheme::Composer => Version::Composer(composer::ComposerVersion::parse(s)?),
        })
    }

    /// Parses both and orders `a` against `b`. To compare one version
    /// against many, [`Scheme::parse`] once and use [`Version::compare`].
    pub fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        let a = self.parse(a)?;
        let b = self.parse(b)?;
        // Both come from the same scheme, so they are always ordered.
        Ok(a.compare(&b).unwrap_or(Ordering::Equal))
    }

    /// The scheme of an OSV ecosystem name. Suffixes after the first `:`
    /// (`Debian:12`, `Ubuntu:22.04:LTS`, `Alpine:v3.20`, `AlmaLinux:9`,
    /// `Red Hat:enterprise_linux:9::appstream`) do not change the scheme.
    /// palisade's own package-type names (`deb`, `apk`, `rpm`) are accepted
    /// too. `None` for an ecosystem palisade has no comparator for.
    pub fn for_ecosystem(osv_ecosystem: &str) -> Option<Scheme> {
        let base = osv_ecosystem.split(':').next().unwrap_or("").trim();
        Some(match base {
            "Debian" | "Ubuntu" | "deb" => Scheme::Dpkg,
            "Alpine" | "Wolfi" | "Chainguard" | "apk" => Scheme::Apk,
            "AlmaLinux" | "Rocky Linux" | "Red Hat" | "Azure Linux" | "Mariner" | "openSUSE"
            | "SUSE" | "Photon OS" | "openEuler" | "Mageia" | "Oracle Linux" | "Fedora" | "rpm" => {
                Scheme::Rpm
            }
            "PyPI" => Scheme::Pep440,
            "npm" | "crates.io" | "Hex" | "Pub" => Scheme::SemVer,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Composer,
            _ => return None,
        })
    }

    /// The scheme a package's version follows, from its ecosystem.
    pub fn for_package(package: &Package) -> Scheme {
        Scheme::for_model_ecosystem(package.ecosystem)
    }

    /// The scheme of a [`palisade_model::Ecosystem`].
    pub fn for_model_ecosystem(ecosystem: Ecosystem) -> Scheme {
        match ecosystem {
            Ecosystem::Deb => Scheme::Dpkg,
            Ecosystem::Apk => Scheme::Apk,
            Ecosystem::Rpm => Scheme::Rpm,
            Ecosystem::PyPI => Scheme::Pep440,
            Ecosystem::Npm | Ecosystem::Cargo => Scheme::SemVer,
            Ecosystem::Go => Scheme::Go,
            Ecosystem::Maven => Scheme::Maven,
            Ecosystem::RubyGems => Scheme::RubyGems,
            Ecosystem::NuGet => Scheme::NuGet,
            Ecosystem::Packagist => Scheme::Composer,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A non-negative integer of any length, as the version schemes use them:
/// small values inline, longer digit runs kept as their digits so that
/// comparison never overflows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Num {
    Small(u64),
    /// More than fits in a `u64`: the digits without leading zeros.
    Big(Box<str>),
}

impl Num {
    /// From ASCII digits (the caller checked them); leading zeros ignored.
    pub(crate) fn from_digits(d: &[u8]) -> Num {
        let start = d.iter().position(|&c| c != b'0').unwrap_or(d.len());
        let d = &d[start..];
        let mut v: u64 = 0;
        for &c in d {
            match v
                .checked_mul(10)
                .and_then(|x| x.checked_add(u64::from(c - b'0')))
            {
                Some(n) => v = n,
                None => return Num::Big(String::from_utf8_lossy(d).into()),
            }
        }
        Num::Small(v)
    }

    pub(crate) fn is_zero(&self) -> bool {
        matches!(self, Num::Small(0))
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Num::Small(a), Num::Small(b)) => a.cmp(b),
            (Num::Small(_), Num::Big(_)) => Ordering::Less,
            (Num::Big(_), Num::Small(_)) => Ordering::Greater,
            (Num::Big(a), Num::Big(b)) => a.len().cmp(&b.len()).then_with(|| a.cmp(b)),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares two runs of ASCII digits as numbers of any length.
pub(crate) fn cmp_digits(a: &[u8], b: &[u8]) -> Ordering {
    let a = &a[a.iter().position(|&c| c != b'0').unwrap_or(a.len())..];
    let b = &b[b.iter().position(|&c| c != b'0').unwrap_or(b.len())..];
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod sort_tests {
    use super::*;

    #[test]
    fn sort_versions_is_stable_and_survives_inconsistent_orders() {
        let mut v: Vec<(u32, u32)> = vec![(3, 0), (1, 1), (3, 2), (0, 3), (1, 4), (2, 5), (0, 6)];
        assert!(sort_versions(&mut v, |a, b| a.0.cmp(&b.0)));
        assert_eq!(v, [(0, 3), (0, 6), (1, 1), (1, 4), (2, 5), (3, 0), (3, 2)]);
        // Rock-paper-scissors: no total order; sorted anyway, reported.
        let beats = |a: &u8, b: &u8| match (a, b) {
            (0, 1) | (1, 2) | (2, 0) => Ordering::Greater,
            (1, 0) | (2, 1) | (0, 2) => Ordering::Less,
            _ => Ordering::Equal,
        };
        let mut v: Vec<u8> = (0..60).map(|i| (i * 7 % 3) as u8).collect();
        let ok = sort_versions(&mut v, beats);
        assert_eq!(v.len(), 60);
        assert!(
            !ok || v
                .windows(2)
                .all(|w| beats(&w[0], &w[1]) != Ordering::Greater)
        );
        let mut empty: Vec<u8> = Vec::new();
        assert!(sort_versions(&mut empty, beats));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystems_map_to_schemes() {
        for (eco, scheme) in [
            ("Debian:12", Scheme::Dpkg),
            ("Ubuntu:22.04:LTS", Scheme::Dpkg),
            ("Ubuntu:Pro:24.04:LTS", Scheme::Dpkg),
            ("Alpine:v3.20", Scheme::Apk),
            ("AlmaLinux:9", Scheme::Rpm),
            ("Rocky Linux:9", Scheme::Rpm),
            ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
            ("Azure Linux:3", Scheme::Rpm),
            ("Mariner:2.0", Scheme::Rpm),
            ("openSUSE:Tumbleweed", Scheme::Rpm),
            ("PyPI", Scheme::Pep440),
            ("npm", Scheme::SemVer),
            ("crates.io", Scheme::SemVer),
            ("Go", Scheme::Go),
            ("Maven", Scheme::Maven),
            ("RubyGems", Scheme::RubyGems),
            ("NuGet", Scheme::NuGet),
            ("Packagist", Scheme::Composer),
        ] {
            assert_eq!(Scheme::for_ecosystem(eco), Some(scheme), "{eco}");
        }
        assert_eq!(Scheme::for_ecosystem("Bitnami"), None);
        assert_eq!(Scheme::for_ecosystem(""), None);
    }

    #[test]
    fn numbers_of_any_length_compare() {
        let big = Num::from_digits(b"000123456789012345678901234567890");
        let small = Num::from_digits(b"18446744073709551615");
        assert!(matches!(small, Num::Small(u64::MAX)));
        assert!(big > small);
        assert_eq!(Num::from_digits(b"0000"), Num::Small(0));
        assert_eq!(cmp_digits(b"0010", b"10"), Ordering::Equal);
        assert_eq!(
            cmp_digits(b"99999999999999999999999", b"100000000000000000000000"),
            Ordering::Less
        );
    }

    #[test]
    fn every_scheme_refuses_empty_and_huge_input() {
        let huge = "1".repeat(MAX_VERSION_LEN + 1);
        for scheme in Scheme::ALL {
            assert!(scheme.parse("").is_err(), "{scheme}");
            assert!(scheme.parse(&huge).is_err(), "{scheme}");
        }
    }
}
