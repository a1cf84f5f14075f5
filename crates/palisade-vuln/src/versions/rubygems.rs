//! RubyGems versions, ordered as `Gem::Version` orders them.
//!
//! Grammar (`Gem::Version.correct?`): digits, then any number of
//! `.`-separated runs of letters and digits, then optionally `-` and
//! `.`-separated runs of letters, digits and `-`; surrounding whitespace is
//! ignored. Each `-` means `.pre.`. The version splits into segments, each
//! a run of digits (a number) or of letters (a word): `1.0.b1` is
//! `1, 0, "b", 1`. Trailing zeros are dropped from the numeric part before
//! the first word and from the rest, so `1.0 == 1` and `1.0.a == 1.a`.
//! Segments then compare in turn, missing ones as 0: numbers numerically,
//! words by bytes (case-sensitive), and a word sorts below a number, which
//! makes any version with a word a pre-release (`1.0.a < 1.0`).

use std::cmp::Ordering;

use super::{check_len, Num, VersionError};

const SCHEME: &str = "RubyGems";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Number(Num),
    Word(Box<str>),
}

/// A parsed RubyGems version: its canonical segments.
#[derive(Debug, Clone)]
pub struct GemVersion {
    text: Box<str>,
    segments: Box<[Seg]>,
}

impl GemVersion {
    /// Parses a version `Gem::Version.correct?` accepts (an empty one,
    /// which RubyGems reads as `0`, is refused here).
    pub fn parse(input: &str) -> Result<GemVersion, VersionError> {
        // Ruby's `\s`: space, \t, \n, \v, \f, \r.
        let space = |c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r');
        let lead = input.len() - input.trim_start_matches(space).len();
        let s = input.trim_matches(space);
        check_len(SCHEME, s)?;
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, lead + at, what));
        let b = s.as_bytes();
        let mut i = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if i == 0 {
            return err(0, "a digit to start the version");
        }
        while b.get(i) == Some(&b'.') {
            let e = i
                + 1
                + b[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .count();
            if e == i + 1 {
                return err(i + 1, "letters or digits after '.'");
            }
            i = e;
        }
        if b.get(i) == Some(&b'-') {
            loop {
                let e = i
                    + 1
                    + b[i + 1..]
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
                        .count();
                if e == i + 1 {
                    return err(i + 1, "letters, digits or '-' in the pre-release part");
                }
                i = e;
                if b.get(i) != Some(&b'.') {
                    break;
                }
            }
        }
        if i != b.len() {
            return err(i, "'.', '-' or the end of the version");
        }
        // `-` becomes `.pre.`: a "pre" word in the segments.
        let mut segs = Vec::new();
        let mut k = 0;
        while k < b.len() {
            let c = b[k];
            if c.is_ascii_digit() {
                let e = k + b[k..].iter().take_while(|c| c.is_ascii_digit()).count();
                segs.push(Seg::Number(Num::from_digits(&b[k..e])));
                k = e;
            } else if c.is_ascii_alphabetic() {
                let e = k + b[k..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .count();
                segs.push(Seg::Word(String::from_utf8_lossy(&b[k..e]).into()));
                k = e;
            } else {
                if c == b'-' {
                    segs.push(Seg::Word("pre".into()));
                }
                k += 1;
            }
        }
        // Canonical segments: trailing zeros dropped from the numeric part
        // and from the part starting at the first word.
        let first_word = segs
            .iter()
            .position(|s| matches!(s, Seg::Word(_)))
            .unwrap_or(segs.len());
        let mut tail = segs.split_off(first_word);
        let is_zero = |s: &Seg| matches!(s, Seg::Number(n) if n.is_zero());
        while segs.last().is_some_and(is_zero) {
            segs.pop();
        }
        while tail.last().is_some_and(is_zero) {
            tail.pop();
        }
        segs.extend(tail);
        Ok(GemVersion {
            text: s.into(),
            segments: segs.into_boxed_slice(),
        })
    }

    /// The version as given (without surrounding whitespace).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the version has a word segment (a pre-release).
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Seg::Word(_)))
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Number(Num::Small(0));
        for k in 0..self.segments.len().max(other.segments.len()) {
            let a = self.segments.get(k).unwrap_or(&zero);
            let b = other.segments.get(k).unwrap_or(&zero);
            let r = match (a, b) {
                (Seg::Number(x), Seg::Number(y)) => x.cmp(y),
                (Seg::Word(_), Seg::Number(_)) => Ordering::Less,
                (Seg::Number(_), Seg::Word(_)) => Ordering::Greater,
                (Seg::Word(x), Seg::Word(y)) => x.as_bytes().cmp(y.as_bytes()),
            };
            if r != Ordering::Equal {
                return r;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> GemVersion {
        GemVersion::parse(s).unwrap()
    }

    /// Written from the behaviour `Gem::Version`'s documentation describes.
    #[test]
    fn orders_like_gem_version() {
        let order = [
            "0.9",
            "1.0.a",
            "1.0.a.1",
            "1.0.a2",
            "1.0.a10",
            "1.0.b1",
            "1.0.rc1",
            "1.0",
            "1.0.1",
            "1.1.a",
            "1.1-a",
            "1.1-pre",
            "1.1",
            "1.10",
            "2.0.0.pre1",
            "2.0.0.rc1",
            "2.0.0",
        ];
        for w in order.windows(2) {
            assert_eq!(v(w[0]).cmp(&v(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [
            ("1", "1.0.0"),
            ("1.0.a", "1.a"),
            ("1.a.0", "1.a"),
            (" 1.2 ", "1.2"),
            ("1.0-1", "1.0.pre.1"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        }
        // Words compare case-sensitively, upper case first.
        assert_eq!(v("1.0.B").cmp(&v("1.0.a")), Ordering::Less);
    }

    #[test]
    fn refuses_incorrect_versions() {
        for bad in [
            "",
            "a",
            ".1",
            "1.",
            "1..2",
            "1.0-",
            "1.0-a..b",
            "1 0",
            "1.0_1",
            "1.0+1",
            "v1.0",
            "1.0-a.b_c",
        ] {
            assert!(GemVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
