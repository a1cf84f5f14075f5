//! SemVer 2.0 versions (npm, crates.io) and Go module versions.
//!
//! Grammar: `[v]MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`; numbers without
//! leading zeros; pre-release identifiers `[0-9A-Za-z-]+` separated by
//! dots, numeric ones without leading zeros; build identifiers likewise,
//! leading zeros allowed. Order (SemVer 2.0 §11, as npm's `semver`):
//! major, minor, patch numerically; a pre-release sorts before its
//! release; pre-release identifiers compare in turn, numbers numerically
//! and below words, words by ASCII; a shorter identifier list that is a
//! prefix of the other sorts first. Build metadata is ignored, so
//! `1.0.0+a` and `1.0.0+b` compare equal.
//!
//! Go module versions are the same grammar with the `v` required by Go and
//! optional here (OSV's Go records drop it). `+incompatible` is build
//! metadata, and pseudo-versions (`v0.0.0-20191109021931-daa7c04131f5`,
//! `v1.2.4-0.20191109021931-daa7c04131f5`) are pre-releases, so they order
//! by their timestamp between the releases around them, as Go orders them.

use std::cmp::Ordering;

use super::{check_len, Num, VersionError};

/// npm refuses major, minor and patch numbers above `Number.MAX_SAFE_INTEGER`.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ident {
    // Declaration order is the ordering: numbers below words.
    Number(Num),
    Word(Box<str>),
}

/// A parsed SemVer (or Go module) version.
#[derive(Debug, Clone)]
pub struct SemVersion {
    text: Box<str>,
    major: u64,
    minor: u64,
    patch: u64,
    pre: Box<[Ident]>,
    build: Option<(u16, u16)>,
}

impl SemVersion {
    /// Parses a SemVer 2.0 version; a leading `v` and surrounding
    /// whitespace are accepted, as npm does.
    pub fn parse(input: &str) -> Result<SemVersion, VersionError> {
        parse(input, "SemVer")
    }

    /// Parses a Go module version (`v` optional).
    pub fn parse_go(input: &str) -> Result<SemVersion, VersionError> {
        parse(input, "Go")
    }

    /// The version as given (without surrounding whitespace).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Major, minor and patch.
    pub fn triple(&self) -> (u64, u64, u64) {
        (self.major, self.minor, self.patch)
    }

    /// Whether the version has pre-release identifiers.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    /// The build metadata after `+`, if any (ignored by ordering).
    pub fn build(&self) -> Option<&str> {
        self.build
            .and_then(|(a, b)| self.text.get(usize::from(a)..usize::from(b)))
    }
}

fn parse(input: &str, scheme: &'static str) -> Result<SemVersion, VersionError> {
    let lead = input.len()
        - input
            .trim_start_matches(|c: char| c.is_ascii_whitespace())
            .len();
    let s = input.trim_matches(|c: char| c.is_ascii_whitespace());
    check_len(scheme, s)?;
    let err = |at: usize, what| Err(VersionError::new(scheme, input, lead + at, what));
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'v'));
    let mut nums = [0u64; 3];
    for (k, slot) in nums.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return err(i, "'.' between major, minor and patch");
            }
            i += 1;
        }
        let d = i + b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if d == i {
            return err(i, "a number (major, minor, patch)");
        }
        if b[i] == b'0' && d > i + 1 {
            return err(i, "a number without leading zeros");
        }
        match Num::from_digits(&b[i..d]) {
            Num::Small(n) if n <= MAX_SAFE_INTEGER => *slot = n,
            _ => return err(i, "a number up to 9007199254740991"),
        }
        i = d;
    }
    let ident_end = |from: usize| {
        from + b[from..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count()
    };
    let mut pre = Vec::new();
    if b.get(i) == Some(&b'-') {
        loop {
            let start = i + 1;
            let end = ident_end(start);
            let id = &b[start..end];
            if id.is_empty() {
                return err(start, "a pre-release identifier [0-9A-Za-z-]");
            }
            if id.iter().all(u8::is_ascii_digit) {
                if id.len() > 1 && id[0] == b'0' {
                    return err(
                        start,
                        "a numeric pre-release identifier without leading zeros",
                    );
                }
                pre.push(Ident::Number(Num::from_digits(id)));
            } else {
                pre.push(Ident::Word(String::from_utf8_lossy(id).into()));
            }
            i = end;
            if b.get(i) != Some(&b'.') {
                break;
            }
        }
    }
    let mut build = None;
    if b.get(i) == Some(&b'+') {
        let start = i + 1;
        loop {
            let end = ident_end(i + 1);
            if end == i + 1 {
                return err(i + 1, "a build identifier [0-9A-Za-z-]");
            }
            i = end;
            if b.get(i) != Some(&b'.') {
                break;
            }
        }
        let off = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        build = Some((off(start), off(i)));
    }
    if i != b.len() {
        return err(
            i,
            "'-' (pre-release), '+' (build) or the end of the version",
        );
    }
    Ok(SemVersion {
        text: s.into(),
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre: pre.into_boxed_slice(),
        build,
    })
}

impl Ord for SemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
            })
    }
}

impl PartialOrd for SemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_as_semver_2_0_section_11() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in order.windows(2) {
            let (a, b) = (
                SemVersion::parse(w[0]).unwrap(),
                SemVersion::parse(w[1]).unwrap(),
            );
            assert_eq!(a.cmp(&b), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        let a = SemVersion::parse("1.0.0+build.1").unwrap();
        assert_eq!(
            a.cmp(&SemVersion::parse("v1.0.0+other").unwrap()),
            Ordering::Equal
        );
        assert_eq!(a.build(), Some("build.1"));
    }

    #[test]
    fn go_pseudo_versions_order_by_time() {
        let order = [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-000000000000",
            "v0.1.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
            "v2.0.0+incompatible",
            "2.0.1+incompatible",
        ];
        for w in order.windows(2) {
            let (a, b) = (
                SemVersion::parse_go(w[0]).unwrap(),
                SemVersion::parse_go(w[1]).unwrap(),
            );
            assert_eq!(a.cmp(&b), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn refuses_invalid_versions() {
        for bad in [
            "",
            "1",
            "1.0",
            "1.0.0.0",
            "01.0.0",
            "1.00.0",
            "1.0.0-",
            "1.0.0-01",
            "1.0.0-a..b",
            "1.0.0+",
            "1.0.0+a..b",
            "1.0.0_1",
            "V1.0.0",
            "1.0.0-é",
            "9007199254740992.0.0",
            "1.0.0 -a",
        ] {
            assert!(SemVersion::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(SemVersion::parse("1.0.0-01").unwrap_err().offset, 6);
    }
}
