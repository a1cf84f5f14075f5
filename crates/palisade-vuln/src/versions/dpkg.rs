//! Debian and Ubuntu versions: `[epoch:]upstream[-revision]`, ordered as
//! `dpkg --compare-versions` orders them.
//!
//! The epoch compares as a number. Upstream version and revision compare
//! in alternating runs: a run of non-digits character by character, where
//! `~` sorts before everything (even the end of the string), letters sort
//! before every other character, and the end of the string sorts before
//! anything except `~`; then a run of digits as a number (of any length).

use std::cmp::Ordering;

use super::{check_len, VersionError};

const SCHEME: &str = "dpkg";

/// A parsed dpkg version. The text is kept; comparison works on slices of
/// it and never allocates.
#[derive(Debug, Clone)]
pub struct DpkgVersion {
    text: Box<str>,
    epoch: u32,
    upstream: (u16, u16),
    revision: (u16, u16),
}

impl DpkgVersion {
    /// Parses a dpkg version. Leading and trailing whitespace is ignored, as
    /// dpkg does. Refused: an empty version, whitespace inside, an epoch
    /// that is not a number up to 2^31-1, nothing after the epoch colon, an
    /// empty revision after the last `-`, an upstream version that does not
    /// start with a digit or has characters outside `A-Za-z0-9.+~-:`, and a
    /// revision with characters outside `A-Za-z0-9.+~` (dpkg only warns
    /// about the last three; Debian policy forbids them).
    pub fn parse(input: &str) -> Result<DpkgVersion, VersionError> {
        let lead = input.len()
            - input
                .trim_start_matches(|c: char| c.is_ascii_whitespace())
                .len();
        let s = input.trim_matches(|c: char| c.is_ascii_whitespace());
        check_len(SCHEME, s)?;
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, lead + at, what));
        let b = s.as_bytes();
        if let Some(at) = b.iter().position(|c| c.is_ascii_whitespace()) {
            return err(at, "no whitespace inside a version");
        }
        let (epoch, up_start) = match b.iter().position(|&c| c == b':') {
            Some(colon) => {
                let digits = &b[..colon];
                if digits.is_empty() {
                    return err(0, "an epoch number before ':'");
                }
                if let Some(at) = digits.iter().position(|c| !c.is_ascii_digit()) {
                    return err(at, "an epoch of digits before ':'");
                }
                let mut epoch: u32 = 0;
                for &d in digits {
                    epoch = match epoch
                        .checked_mul(10)
                        .and_then(|e| e.checked_add(u32::from(d - b'0')))
                    {
                        Some(e) if e <= i32::MAX as u32 => e,
                        _ => return err(0, "an epoch of at most 2147483647"),
                    };
                }
                if colon + 1 == b.len() {
                    return err(colon + 1, "a version after the epoch colon");
                }
                (epoch, colon + 1)
            }
            None => (0, 0),
        };
        let (up_end, rev_start) = match b[up_start..].iter().rposition(|&c| c == b'-') {
            Some(h) => {
                let h = up_start + h;
                if h + 1 == b.len() {
                    return err(h + 1, "a revision after the last '-'");
                }
                (h, h + 1)
            }
            None => (b.len(), b.len()),
        };
        if up_end == up_start {
            return err(up_start, "an upstream version");
        }
        if !b[up_start].is_ascii_digit() {
            return err(up_start, "an upstream version starting with a digit");
        }
        for (i, &c) in b.iter().enumerate().take(up_end).skip(up_start) {
            if !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'~' | b'-' | b':')) {
                return err(i, "upstream version characters A-Za-z0-9.+~-:");
            }
        }
        for (i, &c) in b.iter().enumerate().skip(rev_start) {
            if !(c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'~')) {
                return err(i, "revision characters A-Za-z0-9.+~");
            }
        }
        // MAX_VERSION_LEN (256) keeps every offset within u16.
        let off = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        Ok(DpkgVersion {
            text: s.into(),
            epoch,
            upstream: (off(up_start), off(up_end)),
            revision: (off(rev_start), off(b.len())),
        })
    }

    /// The version (without surrounding whitespace).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        self.text
            .get(usize::from(self.upstream.0)..usize::from(self.upstream.1))
            .unwrap_or("")
    }

    /// The Debian revision (empty when absent, which orders like `0`).
    pub fn revision(&self) -> &str {
        self.text
            .get(usize::from(self.revision.0)..usize::from(self.revision.1))
            .unwrap_or("")
    }
}

impl Ord for DpkgVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(self.upstream().as_bytes(), other.upstream().as_bytes()))
            .then_with(|| verrevcmp(self.revision().as_bytes(), other.revision().as_bytes()))
    }
}

impl PartialOrd for DpkgVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DpkgVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DpkgVersion {}

/// The weight of a non-digit character; `None` (end of string) and digits
/// weigh 0.
fn weight(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

fn is_digit(c: Option<&u8>) -> bool {
    c.is_some_and(u8::is_ascii_digit)
}

/// dpkg's comparison of an upstream version or revision.
pub(crate) fn verrevcmp(a: &[u8], b: &[u8]) -> Ordering {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit run, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let (wa, wb) = (weight(a.get(i).copied()), weight(b.get(j).copied()));
            if wa != wb {
                return wa.cmp(&wb);
            }
            i += 1;
            j += 1;
        }
        // Digit run, as a number.
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(a.get(i)) && is_digit(b.get(j)) {
            if first_diff == Ordering::Equal {
                first_diff = a[i].cmp(&b[j]);
            }
            i += 1;
            j += 1;
        }
        if is_digit(a.get(i)) {
            return Ordering::Greater;
        }
        if is_digit(b.get(j)) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        DpkgVersion::parse(a)
            .unwrap()
            .cmp(&DpkgVersion::parse(b).unwrap())
    }

    #[test]
    fn orders_like_dpkg() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0~rc1", "1.0", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0", "1.0+b1", Less),
            ("1.0a", "1.0+", Less),
            ("1:0.1", "2.0", Greater),
            ("0:1.0", "1.0", Equal),
            ("1.0-0", "1.0", Equal),
            ("1.01", "1.1", Equal),
            ("2.36.1-8+deb12u1", "2.36.1-8", Greater),
            ("1.2.3-1ubuntu0.22.04.1", "1.2.3-1ubuntu0.22.04.2", Less),
            (
                "1:9.18.28-0ubuntu0.22.04.1",
                "1:9.18.28-0ubuntu0.22.04.1+esm1",
                Less,
            ),
            ("1.0-1-2", "1.0-1-10", Less),
            ("10:1", "9:2", Greater),
            (
                "1.99999999999999999999999999",
                "1.100000000000000000000000000",
                Less,
            ),
        ] {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn splits_epoch_upstream_revision() {
        let v = DpkgVersion::parse(" 2:1.0-a:b-3 ").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (2, "1.0-a:b", "3"));
        let v = DpkgVersion::parse("1.0").unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (0, "1.0", ""));
    }

    #[test]
    fn refuses_what_dpkg_refuses() {
        for bad in [
            "",
            " ",
            "1 0",
            ":1.0",
            "a:1.0",
            "1:",
            "1.0-",
            "99999999999:1",
            "-1",
            "a1.0",
            "1.0_1",
            "1.0-1_1",
            "1.0\u{e9}",
            "1:-1",
        ] {
            let e = DpkgVersion::parse(bad).unwrap_err();
            assert_eq!(e.scheme, "dpkg", "{bad:?}");
        }
        let e = DpkgVersion::parse("1.0-a_b").unwrap_err();
        assert_eq!(e.offset, 5);
        assert!(e.to_string().contains("revision characters"), "{e}");
    }
}
