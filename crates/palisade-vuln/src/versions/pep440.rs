//! Python versions (PEP 440), parsed and ordered as `packaging.version`
//! does.
//!
//! Grammar (case-insensitive, surrounding whitespace ignored):
//! `[v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`, with the spellings
//! PEP 440 normalises: `alpha`/`beta`/`c`/`pre`/`preview` for the
//! pre-release letters, `-`, `_` or `.` (or nothing) as separators, an
//! implicit 0 for a missing number, `rev`/`r` and `-N` for post-releases.
//! Anything else is an error: such versions are never compared by guess.
//!
//! Order: epoch, then the release with trailing zeros ignored (`1.0 ==
//! 1.0.0`), then `.devN` of a plain release < pre-releases (`a < b < rc`)
//! < the release < its post-releases; a dev release sorts just before the
//! version it is a dev release of; a local version sorts after the same
//! public version, local segments comparing numbers above words.

use std::cmp::Ordering;

use super::{check_len, Num, VersionError};

const SCHEME: &str = "PEP 440";

/// Pre-release kind, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PreKind {
    /// `a`, `alpha`.
    Alpha,
    /// `b`, `beta`.
    Beta,
    /// `rc`, `c`, `pre`, `preview`.
    Rc,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum LocalSeg {
    // Declaration order is the ordering: words sort below numbers.
    Word(Box<str>),
    Number(Num),
}

/// A parsed PEP 440 version.
#[derive(Debug, Clone)]
pub struct Pep440Version {
    text: Box<str>,
    epoch: Num,
    /// Release numbers with trailing zeros removed.
    release: Box<[Num]>,
    pre: Option<(PreKind, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Option<Box<[LocalSeg]>>,
}

/// A cursor over the lower-cased version.
struct Cur<'a> {
    s: &'a [u8],
}

impl Cur<'_> {
    fn sep(&self, i: usize) -> bool {
        matches!(self.s.get(i), Some(b'-' | b'_' | b'.'))
    }

    fn digits(&self, i: usize) -> usize {
        i + self
            .s
            .get(i..)
            .unwrap_or(b"")
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    }

    fn word<'w>(&self, i: usize, words: &[&'w [u8]]) -> Vec<(&'w [u8], usize)> {
        let rest = self.s.get(i..).unwrap_or(b"");
        words
            .iter()
            .filter(|w| rest.starts_with(w))
            .map(|w| (*w, i + w.len()))
            .collect()
    }
}

/// One way an optional component can match: its value and where it ends.
type Alt<T> = (Option<T>, usize);

/// A matched label and the span of its number, if any.
type Labelled = (&'static [u8], Option<(usize, usize)>);

/// The ways `[sep](labels)[sep][digits]` can match at `i`, in the order a
/// backtracking regular expression tries them (greedy first, then absent).
fn labelled(c: &Cur<'_>, i: usize, labels: &[&'static [u8]]) -> Vec<Alt<Labelled>> {
    let mut out = Vec::new();
    let starts: &[usize] = if c.sep(i) { &[i + 1, i] } else { &[i] };
    for &s in starts {
        for (label, after) in c.word(s, labels) {
            let seps: &[usize] = if c.sep(after) {
                &[after + 1, after]
            } else {
                &[after]
            };
            for &n in seps {
                let d = c.digits(n);
                if d > n {
                    out.push((Some((label, Some((n, d)))), d));
                } else {
                    out.push((Some((label, None)), n));
                }
            }
        }
    }
    out.push((None, i));
    out
}

impl Pep440Version {
    /// Parses a version the way `packaging.version.Version` does; a string
    /// it would refuse is an error.
    pub fn parse(input: &str) -> Result<Pep440Version, VersionError> {
        // Python's `\s` on ASCII: also vertical tab and the separators 0x1c-0x1f.
        let space = |c: char| c.is_ascii_whitespace() || matches!(c, '\x0b' | '\x1c'..='\x1f');
        let lead = input.len() - input.trim_start_matches(space).len();
        let trimmed = input.trim_matches(space);
        check_len(SCHEME, trimmed)?;
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, lead + at, what));
        if let Some(at) = trimmed.bytes().position(|c| !c.is_ascii()) {
            return err(at, "ASCII characters");
        }
        // Lower-cased on the stack: check_len bounds the length.
        let mut buf = [0u8; crate::versions::MAX_VERSION_LEN];
        let s = match buf.get_mut(..trimmed.len()) {
            Some(b) => {
                b.copy_from_slice(trimmed.as_bytes());
                b.make_ascii_lowercase();
                &*b
            }
            None => return err(0, "at most 256 bytes"),
        };
        let c = Cur { s };
        let mut i = usize::from(s.first() == Some(&b'v'));
        // Epoch.
        let mut epoch = Num::Small(0);
        let d = c.digits(i);
        if d > i && s.get(d) == Some(&b'!') {
            epoch = Num::from_digits(&s[i..d]);
            i = d + 1;
        }
        // Release: first where it ends and how many numbers it keeps once
        // trailing zeros are removed, so that it is allocated once.
        let release_start = i;
        let (mut segments, mut kept) = (0usize, 0usize);
        loop {
            let d = c.digits(i);
            if d == i {
                return err(i, "a release number");
            }
            segments += 1;
            if s[i..d].iter().any(|&b| b != b'0') {
                kept = segments;
            }
            i = d;
            if s.get(i) == Some(&b'.') && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
            } else {
                break;
            }
        }
        let mut release = Vec::with_capacity(kept);
        release.extend(
            s[release_start..i]
                .split(|&b| b == b'.')
                .take(kept)
                .map(Num::from_digits),
        );
        if i == s.len() {
            // A plain release: nothing else to read.
            return Ok(Pep440Version {
                text: trimmed.into(),
                epoch,
                release: release.into_boxed_slice(),
                pre: None,
                post: None,
                dev: None,
                local: None,
            });
        }
        let num = |r: Option<(usize, usize)>| {
            r.map_or(Num::Small(0), |(a, b)| Num::from_digits(&s[a..b]))
        };
        let mut furthest = i;
        // Optional pre, post, dev and local parts, tried in the order a
        // backtracking regular expression would: first full match wins.
        for (pre, after_pre) in labelled(
            &c,
            i,
            &[
                b"a", b"b", b"c", b"rc", b"alpha", b"beta", b"pre", b"preview",
            ],
        ) {
            let mut posts: Vec<Alt<Option<(usize, usize)>>> = Vec::new();
            if s.get(after_pre) == Some(&b'-') {
                let d = c.digits(after_pre + 1);
                if d > after_pre + 1 {
                    posts.push((Some(Some((after_pre + 1, d))), d));
                }
            }
            for (p, e) in labelled(&c, after_pre, &[b"post", b"rev", b"r"]) {
                posts.push((p.map(|(_, n)| n), e));
            }
            for (post, after_post) in posts {
                for (dev, after_dev) in labelled(&c, after_post, &[b"dev"]) {
                    furthest = furthest.max(after_dev);
                    let local = match parse_local(s, after_dev) {
                        Some(l) => l,
                        None => continue,
                    };
                    let pre = pre.map(|(label, n)| {
                        let kind = match label {
                            b"a" | b"alpha" => PreKind::Alpha,
                            b"b" | b"beta" => PreKind::Beta,
                            _ => PreKind::Rc,
                        };
                        (kind, num(n))
                    });
                    return Ok(Pep440Version {
                        text: trimmed.into(),
                        epoch,
                        release: release.into_boxed_slice(),
                        pre,
                        post: post.map(num),
                        dev: dev.map(|(_, n)| num(n)),
                        local,
                    });
                }
            }
        }
        err(
            furthest,
            "a PEP 440 pre-release, post-release, dev release or +local part",
        )
    }

    /// The version as given (without surrounding whitespace).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether this is a pre-release or dev release.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }

    /// Whether the version has a `+local` part.
    pub fn has_local(&self) -> bool {
        self.local.is_some()
    }
}

/// `+` followed by alphanumeric segments separated by `-`, `_` or `.`, up
/// to the end; `Some(None)` when there is nothing at `i`.
#[allow(clippy::option_option)]
fn parse_local(s: &[u8], i: usize) -> Option<Option<Box<[LocalSeg]>>> {
    if i == s.len() {
        return Some(None);
    }
    if s[i] != b'+' {
        return None;
    }
    let mut segs = Vec::new();
    for seg in s[i + 1..].split(|c| matches!(c, b'-' | b'_' | b'.')) {
        if seg.is_empty() || !seg.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        segs.push(if seg.iter().all(u8::is_ascii_digit) {
            LocalSeg::Number(Num::from_digits(seg))
        } else {
            LocalSeg::Word(String::from_utf8_lossy(seg).into())
        });
    }
    Some(Some(segs.into_boxed_slice()))
}

/// The pre-release slot of the sort key.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum PreKey<'a> {
    /// A dev release of a plain release sorts before its pre-releases.
    DevOnly,
    Pre(PreKind, &'a Num),
    Final,
}

impl Pep440Version {
    fn pre_key(&self) -> PreKey<'_> {
        match (&self.pre, &self.post, &self.dev) {
            (Some((k, n)), _, _) => PreKey::Pre(*k, n),
            (None, None, Some(_)) => PreKey::DevOnly,
            _ => PreKey::Final,
        }
    }
}

fn cmp_release(a: &[Num], b: &[Num]) -> Ordering {
    // Trailing zeros are already gone, so a plain lexicographic compare of
    // the numbers is the padded comparison.
    a.cmp(b)
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| cmp_release(&self.release, &other.release))
            .then_with(|| self.pre_key().cmp(&other.pre_key()))
            // No post-release sorts first: None < Some.
            .then_with(|| self.post.cmp(&other.post))
            // No dev release sorts last.
            .then_with(|| match (&self.dev, &other.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            // No local part sorts first; segments compare in turn.
            .then_with(|| self.local.cmp(&other.local))
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Pep440Version {
        Pep440Version::parse(s).unwrap()
    }

    #[test]
    fn orders_as_pep_440_lists() {
        let order = [
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for w in order.windows(2) {
            assert_eq!(v(w[0]).cmp(&v(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn normalised_spellings_are_equal() {
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0", "v1.0"),
            ("1.0a", "1.0a0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0preview1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0r", "1.0.post0"),
            ("1.0-rev2", "1.0.post2"),
            ("1.0.DEV", "1.0.dev0"),
            ("0!1.0", "1.0"),
            (" 1.0\n", "1.0"),
            ("1.0+ABC", "1.0+abc"),
            ("1.0+1-2_3", "1.0+1.2.3"),
            ("1.0a.", "1.0a0"),
            ("1.0a-1", "1.0a1"),
            ("1.0-dev-", "1.0.dev0"),
            ("1.0a._post1", "1.0a0.post1"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn refuses_what_packaging_refuses() {
        for bad in [
            "",
            "1.0-",
            "1.0.",
            "a1",
            "1..0",
            "1.0+",
            "1.0+a..b",
            "1.0_1",
            "1.0 1",
            "1.0ab",
            "1.0.post.post",
            "1.0+é",
            "latest",
            "1.0.x",
            "2.7.1.final",
            "1!",
            "!1",
        ] {
            assert!(Pep440Version::parse(bad).is_err(), "{bad:?}");
        }
    }
}
