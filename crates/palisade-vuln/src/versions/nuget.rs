//! NuGet versions, ordered as `NuGetVersion` (NuGet.Versioning) orders
//! them.
//!
//! Grammar: one to four numbers `MAJOR[.MINOR[.PATCH[.REVISION]]]` (each
//! up to 2147483647, leading zeros allowed, missing ones 0), then an
//! optional `-` and dot-separated release labels `[0-9A-Za-z-]+` (a label
//! of digits has no leading zero), then optional `+` build metadata;
//! surrounding whitespace is ignored. Order: the four numbers, then a
//! release sorts after its pre-releases; labels compare in turn, labels
//! that are whole numbers (in 32 bits) numerically and below the others,
//! the others case-insensitively; more labels sort later. Build metadata is
//! ignored.

use std::cmp::Ordering;

use super::{check_len, VersionError};

const SCHEME: &str = "NuGet";

#[derive(Debug, Clone)]
enum Label {
    Number(i32),
    Text(Box<str>),
}

/// A parsed NuGet version.
#[derive(Debug, Clone)]
pub struct NuGetVersion {
    text: Box<str>,
    numbers: [u32; 4],
    labels: Box<[Label]>,
}

fn valid_part(p: &[u8], allow_leading_zeros: bool) -> bool {
    !p.is_empty()
        && p.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && (allow_leading_zeros
            || !(p.len() > 1 && p[0] == b'0' && p.iter().all(u8::is_ascii_digit)))
}

impl NuGetVersion {
    /// Parses a version `NuGetVersion.TryParse` accepts, except that the
    /// numbers must be plain ASCII digits (.NET would also take signs and
    /// inner spaces).
    pub fn parse(input: &str) -> Result<NuGetVersion, VersionError> {
        let lead = input.len()
            - input
                .trim_start_matches(|c: char| c.is_ascii_whitespace())
                .len();
        let s = input.trim_matches(|c: char| c.is_ascii_whitespace());
        check_len(SCHEME, s)?;
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, lead + at, what));
        let b = s.as_bytes();
        let plus = b.iter().position(|&c| c == b'+').unwrap_or(b.len());
        let dash = b[..plus].iter().position(|&c| c == b'-').unwrap_or(plus);
        let mut numbers = [0u32; 4];
        let mut at = 0;
        for (k, part) in b[..dash].split(|&c| c == b'.').enumerate() {
            if k >= 4 {
                return err(at, "at most four numbers");
            }
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return err(at, "a number");
            }
            let mut n: u32 = 0;
            for &d in part {
                n = match n
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u32::from(d - b'0')))
                {
                    Some(n) if n <= i32::MAX as u32 => n,
                    _ => return err(at, "a number up to 2147483647"),
                };
            }
            numbers[k] = n;
            at += part.len() + 1;
        }
        let mut labels = Vec::new();
        if dash < plus {
            let mut at = dash + 1;
            for part in b[dash + 1..plus].split(|&c| c == b'.') {
                if !valid_part(part, false) {
                    return err(
                        at,
                        "a release label [0-9A-Za-z-]+ (numbers without leading zeros)",
                    );
                }
                let text = String::from_utf8_lossy(part);
                labels.push(match text.parse::<i32>() {
                    Ok(n) => Label::Number(n),
                    Err(_) => Label::Text(text.into()),
                });
                at += part.len() + 1;
            }
        }
        if plus < b.len() {
            let mut at = plus + 1;
            for part in b[plus + 1..].split(|&c| c == b'.') {
                if !valid_part(part, true) {
                    return err(at, "build metadata [0-9A-Za-z-]+");
                }
                at += part.len() + 1;
            }
        }
        Ok(NuGetVersion {
            text: s.into(),
            numbers,
            labels: labels.into_boxed_slice(),
        })
    }

    /// The version as given (without surrounding whitespace).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the version has release labels.
    pub fn is_prerelease(&self) -> bool {
        !self.labels.is_empty()
    }
}

fn cmp_label(a: &Label, b: &Label) -> Ordering {
    match (a, b) {
        (Label::Number(x), Label::Number(y)) => x.cmp(y),
        (Label::Number(_), Label::Text(_)) => Ordering::Less,
        (Label::Text(_), Label::Number(_)) => Ordering::Greater,
        (Label::Text(x), Label::Text(y)) => x
            .bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(y.bytes().map(|c| c.to_ascii_uppercase())),
    }
}

impl Ord for NuGetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers.cmp(&other.numbers).then_with(|| {
            match (self.labels.is_empty(), other.labels.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.labels.iter().zip(other.labels.iter()) {
                        let r = cmp_label(a, b);
                        if r != Ordering::Equal {
                            return r;
                        }
                    }
                    self.labels.len().cmp(&other.labels.len())
                }
            }
        })
    }
}

impl PartialOrd for NuGetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NuGetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NuGetVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> NuGetVersion {
        NuGetVersion::parse(s).unwrap()
    }

    /// Written from the ordering NuGet's package versioning documentation
    /// describes.
    #[test]
    fn orders_like_nuget() {
        let order = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-Beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.0.1",
            "1.0.1-pre",
            "1.0.1",
            "1.1",
            "2",
        ];
        for w in order.windows(2) {
            assert_eq!(v(w[0]).cmp(&v(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [
            ("1.0", "1.0.0.0"),
            ("1", "1.0.0"),
            ("1.01", "1.1"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0+abc", "1.0.0+def"),
            (" 1.0.0 ", "1.0.0"),
            ("1.0.0-beta-1", "1.0.0-BETA-1"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        }
        // A label too big for 32 bits is text, which sorts above numbers.
        assert_eq!(v("1.0.0-99999999999").cmp(&v("1.0.0-5")), Ordering::Greater);
    }

    #[test]
    fn refuses_invalid_versions() {
        for bad in [
            "",
            "a",
            "1.",
            ".1",
            "1.0.0.0.0",
            "1.0-",
            "1.0-01",
            "1.0-a..b",
            "1.0+",
            "1.0+a_b",
            "1.0 .0",
            "2147483648.0",
            "-1.0",
        ] {
            assert!(NuGetVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
