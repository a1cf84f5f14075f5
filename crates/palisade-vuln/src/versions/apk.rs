//! Alpine (apk) versions, ordered as apk-tools orders them.
//!
//! Grammar: `DIGITS {.DIGITS} [LETTER] {_SUFFIX[DIGITS]} [~HASH] [-rDIGITS]`,
//! where `LETTER` is one of `a-z`, `SUFFIX` one of `alpha beta pre rc`
//! (pre-releases) or `cvs svn git hg p` (post-releases) and `HASH` lower
//! case hex digits. Versions compare token by token: numbers as numbers,
//! except that a dotted component with a leading zero on either side
//! compares as a string (`1.02 < 1.1`); letters and hashes as text;
//! suffixes in the order `alpha < beta < pre < rc < (none) < cvs < svn <
//! git < hg < p`. When one version runs out of tokens, a pre-release suffix
//! makes it older; otherwise the version whose next token is "later" in
//! the grammar (or the end) is older: `1.0 < 1.0.1`, `1.0a < 1.0.1`,
//! `1.0_rc1 < 1.0 < 1.0_p1 < 1.0-r1`.

use std::cmp::Ordering;

use super::{check_len, cmp_digits, VersionError};

const SCHEME: &str = "apk";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
}

/// Suffix ranks; below `NONE` are pre-releases.
const SUFFIXES: [&[u8]; 9] = [
    b"alpha", b"beta", b"pre", b"rc", b"cvs", b"svn", b"git", b"hg", b"p",
];
const NONE_RANK: u8 = 4;

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    /// Suffix rank (pre-release suffixes below [`NONE_RANK`]... stored
    /// with the none slot skipped: alpha 0 .. rc 3, cvs 5 .. p 9).
    suffix: u8,
    start: u16,
    end: u16,
}

/// A parsed apk version: its tokens, each a slice of the kept text.
#[derive(Debug, Clone)]
pub struct ApkVersion {
    text: Box<str>,
    tokens: Box<[Token]>,
}

impl ApkVersion {
    /// Parses and validates an apk version; anything apk-tools would call
    /// invalid is refused.
    pub fn parse(input: &str) -> Result<ApkVersion, VersionError> {
        check_len(SCHEME, input)?;
        let b = input.as_bytes();
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, at, what));
        let off = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        let digits_end =
            |from: usize| from + b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let mut tokens = Vec::with_capacity(8);
        let end = digits_end(0);
        if end == 0 {
            return err(0, "a digit to start the version");
        }
        tokens.push(Token {
            kind: Kind::InitialDigit,
            suffix: 0,
            start: 0,
            end: off(end),
        });
        let mut i = end;
        let mut last = Kind::InitialDigit;
        while i < b.len() {
            let c = b[i];
            let (kind, start, stop, suffix) = match c {
                b'a'..=b'z' if last <= Kind::Digit => (Kind::Letter, i, i + 1, 0),
                b'.' if last <= Kind::Digit => {
                    let e = digits_end(i + 1);
                    if e == i + 1 {
                        return err(i + 1, "digits after '.'");
                    }
                    (Kind::Digit, i + 1, e, 0)
                }
                b'0'..=b'9' if last == Kind::Suffix => (Kind::SuffixNo, i, digits_end(i), 0),
                b'_' if last <= Kind::SuffixNo => {
                    let e = i
                        + 1
                        + b[i + 1..]
                            .iter()
                            .take_while(|c| c.is_ascii_lowercase())
                            .count();
                    let name = &b[i + 1..e];
                    let Some(rank) = SUFFIXES.iter().position(|s| *s == name) else {
                        return err(
                            i + 1,
                            "a suffix: alpha, beta, pre, rc, cvs, svn, git, hg or p",
                        );
                    };
                    let rank = u8::try_from(rank).unwrap_or(0);
                    let rank = if rank >= NONE_RANK { rank + 1 } else { rank };
                    (Kind::Suffix, i + 1, e, rank)
                }
                b'~' if last < Kind::CommitHash => {
                    let e = i
                        + 1
                        + b[i + 1..]
                            .iter()
                            .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                            .count();
                    if e == i + 1 {
                        return err(i + 1, "lower-case hex digits after '~'");
                    }
                    (Kind::CommitHash, i + 1, e, 0)
                }
                b'-' if last < Kind::RevisionNo => {
                    if b.get(i + 1) != Some(&b'r') {
                        return err(i + 1, "'r' after '-' (a revision -rN)");
                    }
                    let e = digits_end(i + 2);
                    if e == i + 2 {
                        return err(i + 2, "digits after '-r'");
                    }
                    (Kind::RevisionNo, i + 2, e, 0)
                }
                _ => return err(i, "what the apk version grammar allows here"),
            };
            tokens.push(Token {
                kind,
                suffix,
                start: off(start),
                end: off(stop),
            });
            last = kind;
            i = stop;
        }
        Ok(ApkVersion {
            text: input.into(),
            tokens: tokens.into_boxed_slice(),
        })
    }

    /// The version as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn value(&self, t: &Token) -> &[u8] {
        self.text
            .as_bytes()
            .get(usize::from(t.start)..usize::from(t.end))
            .unwrap_or(b"")
    }
}

fn token_cmp(a: &ApkVersion, ta: &Token, b: &ApkVersion, tb: &Token) -> Ordering {
    let (va, vb) = (a.value(ta), b.value(tb));
    match ta.kind {
        Kind::Digit if va.first() == Some(&b'0') || vb.first() == Some(&b'0') => va.cmp(vb),
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => cmp_digits(va, vb),
        Kind::Letter | Kind::CommitHash => va.cmp(vb),
        Kind::Suffix => ta.suffix.cmp(&tb.suffix),
        Kind::End => Ordering::Equal,
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let end = Token {
            kind: Kind::End,
            suffix: 0,
            start: 0,
            end: 0,
        };
        let mut k = 0;
        let (ta, tb) = loop {
            let ta = self.tokens.get(k).copied().unwrap_or(end);
            let tb = other.tokens.get(k).copied().unwrap_or(end);
            if ta.kind != tb.kind || ta.kind == Kind::End {
                break (ta, tb);
            }
            let r = token_cmp(self, &ta, other, &tb);
            if r != Ordering::Equal {
                return r;
            }
            k += 1;
        };
        if ta.kind == tb.kind {
            return Ordering::Equal;
        }
        if ta.kind == Kind::Suffix && ta.suffix < NONE_RANK {
            return Ordering::Less;
        }
        if tb.kind == Kind::Suffix && tb.suffix < NONE_RANK {
            return Ordering::Greater;
        }
        // The version whose next token comes later in the grammar is older.
        tb.kind.cmp(&ta.kind)
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Re-expressed from the behaviour apk-tools documents and tests
    /// (test/unit/version.data): written here, not copied.
    #[test]
    fn orders_like_apk_tools() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0", "1.0.1", Less),
            ("1.0", "1.0a", Less),
            ("1.0a", "1.0.1", Less),
            ("1.0a", "1.0b", Less),
            ("1.0_alpha1", "1.0_alpha2", Less),
            ("1.0_alpha9", "1.0_beta1", Less),
            ("1.0_beta", "1.0_pre", Less),
            ("1.0_pre3", "1.0_rc1", Less),
            ("1.0_rc5", "1.0", Less),
            ("1.0", "1.0_cvs", Less),
            ("1.0_cvs", "1.0_svn", Less),
            ("1.0_svn", "1.0_git", Less),
            ("1.0_git", "1.0_hg", Less),
            ("1.0_hg", "1.0_p1", Less),
            ("1.0_p1", "1.0_p2", Less),
            ("1.0-r1", "1.0_p1", Less),
            ("1.0_p1-r9", "1.0_p2", Less),
            ("1.0-r1", "1.0-r10", Less),
            ("1.0-r9", "1.0.1", Less),
            ("1.0_rc1-r5", "1.0", Less),
            ("1.0", "1.0-r0", Less),
            ("1.02", "1.1", Less),
            ("1.02", "1.002", Greater),
            ("1.10", "1.9", Greater),
            ("01.0", "1.0", Equal),
            ("2.3.0b-r1", "2.3.0b-r2", Less),
            ("1.0_alpha", "1.0_alpha1", Less),
            ("1.0_alpha_p1", "1.0_alpha", Greater),
            ("1.0_p1_rc1", "1.0_p1", Less),
            ("1.0~abc", "1.0~abd", Less),
            ("1.0-r1", "1.0~abc-r1", Less),
            ("1.0_git20240101-r0", "1.0_git20231231-r3", Greater),
            ("3.0.15-r0", "3.0.2-r0", Greater),
            (
                "1.99999999999999999999999999",
                "1.100000000000000000000000000",
                Less,
            ),
        ] {
            let (pa, pb) = (ApkVersion::parse(a).unwrap(), ApkVersion::parse(b).unwrap());
            assert_eq!(pa.cmp(&pb), want, "{a} vs {b}");
            assert_eq!(pb.cmp(&pa), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn refuses_what_apk_tools_calls_invalid() {
        for bad in [
            "",
            "a",
            ".1",
            "1.",
            "1..2",
            "1.0ab",
            "1.0a1",
            "1.0a.1",
            "1_foo",
            "1_alpha.1",
            "1-r",
            "1-rc1",
            "1-r1-r2",
            "1-r1.2",
            "1-r1_p1",
            "1~",
            "1~xyz",
            "1~ab_p1",
            "1-r1~ab",
            "1.0A",
            "1.0 ",
            "1_",
            "1_p1a",
        ] {
            assert!(ApkVersion::parse(bad).is_err(), "{bad:?}");
        }
        let e = ApkVersion::parse("1.0_foo").unwrap_err();
        assert_eq!(e.offset, 4);
    }
}
