//! Packagist (Composer) versions.
//!
//! Composer normalises a version (`v1.2` → `1.2.0.0`, `1.0-b2` →
//! `1.0.0.0-beta2`) and then compares normalised versions with PHP's
//! `version_compare`. palisade does the same for numbered versions, which
//! is what advisories and lock files hold:
//! `[v]N[.N[.N[.N]]][[-_.]STABILITY[[.-]N...]][[.-]dev]` with `STABILITY` one
//! of `alpha`/`a`, `beta`/`b`, `RC`/`rc`, `patch`/`pl`/`p`, `stable`
//! (case-insensitive). Missing numbers are 0. Order: the four numbers,
//! then `dev` < `alpha` < `beta` < `RC` < (none, `stable`) < `patch`, then
//! the stability's numbers, and a `-dev` suffix sorts just before the same
//! version without it. Branch versions (`dev-main`, `1.x-dev`) name no
//! point in history and are refused.

use std::cmp::Ordering;

use super::{check_len, Num, VersionError};

const SCHEME: &str = "Composer";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stability {
    Dev,
    Alpha,
    Beta,
    Rc,
    Stable,
    Patch,
}

/// A parsed Composer version.
#[derive(Debug, Clone)]
pub struct ComposerVersion {
    text: Box<str>,
    numbers: [Num; 4],
    stability: Stability,
    stability_numbers: Box<[Num]>,
    dev: bool,
}

impl ComposerVersion {
    /// Parses a numbered Composer version.
    pub fn parse(input: &str) -> Result<ComposerVersion, VersionError> {
        let lead = input.len()
            - input
                .trim_start_matches(|c: char| c.is_ascii_whitespace())
                .len();
        let s = input.trim_matches(|c: char| c.is_ascii_whitespace());
        check_len(SCHEME, s)?;
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, lead + at, what));
        let lower = s.to_ascii_lowercase();
        let b = lower.as_bytes();
        let digits = |from: usize| {
            from + b
                .get(from..)
                .unwrap_or(b"")
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let mut i = usize::from(b.first() == Some(&b'v'));
        let mut numbers = [Num::Small(0), Num::Small(0), Num::Small(0), Num::Small(0)];
        for (k, slot) in numbers.iter_mut().enumerate() {
            let from = if k == 0 {
                i
            } else if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i + 1
            } else {
                break;
            };
            let d = digits(from);
            if d == from {
                return err(
                    from,
                    "a version number (branch versions such as dev-main are not comparable)",
                );
            }
            *slot = Num::from_digits(&b[from..d]);
            i = d;
        }
        let mut stability = Stability::Stable;
        let mut stability_numbers = Vec::new();
        let mut dev = false;
        let rest = &b[i..];
        let mut j = usize::from(matches!(rest.first(), Some(b'-' | b'_' | b'.')));
        if j == 1 && rest.len() == 1 {
            return err(i + 1, "a stability after the separator");
        }
        // Longest names first so that `alpha` is not read as `a` + "lpha".
        let names: [(&[u8], Stability); 10] = [
            (b"stable", Stability::Stable),
            (b"alpha", Stability::Alpha),
            (b"patch", Stability::Patch),
            (b"beta", Stability::Beta),
            (b"rc", Stability::Rc),
            (b"pl", Stability::Patch),
            (b"dev", Stability::Dev),
            (b"a", Stability::Alpha),
            (b"b", Stability::Beta),
            (b"p", Stability::Patch),
        ];
        if j < rest.len() {
            match names.iter().find(|(n, _)| rest[j..].starts_with(n)) {
                Some((name, Stability::Dev)) => {
                    dev = true;
                    stability = Stability::Dev;
                    j += name.len();
                }
                Some((name, st)) => {
                    stability = *st;
                    j += name.len();
                    loop {
                        let from = j + usize::from(matches!(rest.get(j), Some(b'.' | b'-')));
                        let d = from
                            + rest[from..]
                                .iter()
                                .take_while(|c| c.is_ascii_digit())
                                .count();
                        if d == from {
                            break;
                        }
                        stability_numbers.push(Num::from_digits(&rest[from..d]));
                        j = d;
                    }
                    let from = j + usize::from(matches!(rest.get(j), Some(b'.' | b'-')));
                    if rest[from..].starts_with(b"dev") {
                        dev = true;
                        j = from + 3;
                    }
                }
                None => return err(i + j, "a stability (alpha, beta, RC, patch, stable, dev)"),
            }
        }
        if j != rest.len() {
            return err(i + j, "the end of the version");
        }
        Ok(ComposerVersion {
            text: s.into(),
            numbers,
            stability,
            stability_numbers: stability_numbers.into_boxed_slice(),
            dev,
        })
    }

    /// The version as given (without surrounding whitespace).
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for ComposerVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.numbers
            .cmp(&other.numbers)
            .then_with(|| self.stability.cmp(&other.stability))
            .then_with(|| self.stability_numbers.cmp(&other.stability_numbers))
            // A -dev suffix sorts first.
            .then_with(|| other.dev.cmp(&self.dev))
    }
}

impl PartialOrd for ComposerVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ComposerVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ComposerVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ComposerVersion {
        ComposerVersion::parse(s).unwrap()
    }

    #[test]
    fn orders_like_composer() {
        let order = [
            "1.0.0-dev",
            "1.0.0-alpha1-dev",
            "1.0.0-alpha1",
            "1.0.0-alpha2",
            "1.0.0-beta",
            "1.0.0-beta1",
            "1.0.0-beta1.2",
            "1.0.0-RC1",
            "1.0.0",
            "1.0.0-p1",
            "1.0.0.1",
            "1.0.1",
            "v1.1",
            "20240101",
        ];
        for w in order.windows(2) {
            assert_eq!(v(w[0]).cmp(&v(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [
            ("1.0", "1.0.0.0"),
            ("v1.0.0", "1.0.0"),
            ("1.0-b2", "1.0.0-beta2"),
            ("1.0.0-stable", "1.0.0"),
            ("1.0pl1", "1.0.0-patch1"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn refuses_branches_and_garbage() {
        for bad in [
            "",
            "dev-main",
            "1.x-dev",
            "1.0.0-foo",
            "1.0.0.0.0",
            "1.0-",
            "1.0.0-beta1-",
            "1.0 0",
        ] {
            assert!(ComposerVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
