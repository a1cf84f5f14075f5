//! RPM versions: `[epoch:]version[-release]` (EVR), ordered as rpm's
//! `rpmvercmp` orders each part, epoch first.
//!
//! Within a part, anything but ASCII letters, digits, `~` and `^` separates
//! segments and is otherwise ignored. Segments compare in turn: a digit run
//! as a number, a letter run byte by byte, and a digit run beats a letter
//! run. `~` sorts before everything, the end of the string included
//! (`1.0~rc1 < 1.0`); `^` sorts after the end of the string but before
//! anything else (`1.0 < 1.0^git1 < 1.0.1`). When one part runs out, the
//! longer one is newer.

use std::cmp::Ordering;

use super::{check_len, cmp_digits, VersionError};

const SCHEME: &str = "rpm";

/// A parsed RPM EVR. Comparison works on slices of the kept text.
#[derive(Debug, Clone)]
pub struct RpmVersion {
    text: Box<str>,
    /// End of the epoch digits (0: no epoch).
    epoch_end: u16,
    version: (u16, u16),
    /// Release; empty when absent.
    release: (u16, u16),
}

impl RpmVersion {
    /// Splits an EVR as rpm does: leading digits before a `:` are the
    /// epoch (an empty one means 0), the text after the last `-` is the
    /// release. Refused: empty input, an empty version or release,
    /// whitespace and control characters.
    pub fn parse(input: &str) -> Result<RpmVersion, VersionError> {
        check_len(SCHEME, input)?;
        let err = |at: usize, what| Err(VersionError::new(SCHEME, input, at, what));
        let b = input.as_bytes();
        if let Some(at) = b
            .iter()
            .position(|c| c.is_ascii_whitespace() || c.is_ascii_control())
        {
            return err(at, "no whitespace or control characters");
        }
        let digits = b
            .iter()
            .position(|c| !c.is_ascii_digit())
            .unwrap_or(b.len());
        let (epoch_end, v_start) = if b.get(digits) == Some(&b':') {
            (digits, digits + 1)
        } else {
            (0, 0)
        };
        let (v_end, r_start) = match b[v_start..].iter().rposition(|&c| c == b'-') {
            Some(h) => (v_start + h, v_start + h + 1),
            None => (b.len(), b.len()),
        };
        if v_end == v_start {
            return err(v_start, "a version");
        }
        if v_end < b.len() && r_start == b.len() {
            return err(r_start, "a release after the last '-'");
        }
        let off = |x: usize| u16::try_from(x).unwrap_or(u16::MAX);
        Ok(RpmVersion {
            text: input.into(),
            epoch_end: off(epoch_end),
            version: (off(v_start), off(v_end)),
            release: (off(r_start), off(b.len())),
        })
    }

    /// Builds from separate epoch, version and release, as rpm headers
    /// store them (`epoch` `None` is 0, `release` may be empty).
    pub fn from_parts(
        epoch: Option<u32>,
        version: &str,
        release: &str,
    ) -> Result<RpmVersion, VersionError> {
        let mut s = String::new();
        if let Some(e) = epoch {
            s.push_str(&e.to_string());
            s.push(':');
        }
        s.push_str(version);
        if !release.is_empty() {
            s.push('-');
            s.push_str(release);
        }
        let v = RpmVersion::parse(&s)?;
        if version.contains('-') || v.version() != version || v.release() != release {
            return Err(VersionError::new(SCHEME, &s, 0, "a version without '-'"));
        }
        Ok(v)
    }

    fn part(&self, (a, b): (u16, u16)) -> &str {
        self.text.get(usize::from(a)..usize::from(b)).unwrap_or("")
    }

    /// The EVR as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The epoch digits (`""` when absent, which orders as 0).
    pub fn epoch(&self) -> &str {
        self.part((0, self.epoch_end))
    }

    /// The version.
    pub fn version(&self) -> &str {
        self.part(self.version)
    }

    /// The release (`""` when absent).
    pub fn release(&self) -> &str {
        self.part(self.release)
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_digits(self.epoch().as_bytes(), other.epoch().as_bytes())
            .then_with(|| rpmvercmp(self.version().as_bytes(), other.version().as_bytes()))
            .then_with(|| rpmvercmp(self.release().as_bytes(), other.release().as_bytes()))
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

fn is_separator(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || c == b'~' || c == b'^')
}

/// rpm's segment-wise comparison of one version or release string.
pub fn rpmvercmp(a: &[u8], b: &[u8]) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        while i < a.len() && is_separator(a[i]) {
            i += 1;
        }
        while j < b.len() && is_separator(b[j]) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else { break };
        let (si, sj) = (i, j);
        let numeric = ca.is_ascii_digit();
        let class = if numeric {
            u8::is_ascii_digit
        } else {
            u8::is_ascii_alphabetic
        };
        while i < a.len() && class(&a[i]) {
            i += 1;
        }
        while j < b.len() && class(&b[j]) {
            j += 1;
        }
        if sj == j {
            // Different kinds of segment: a number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let rc = if numeric {
            cmp_digits(&a[si..i], &b[sj..j])
        } else {
            a[si..i].cmp(&b[sj..j])
        };
        if rc != Ordering::Equal {
            return rc;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(a: &str, b: &str) -> Ordering {
        RpmVersion::parse(a)
            .unwrap()
            .cmp(&RpmVersion::parse(b).unwrap())
    }

    #[test]
    fn orders_like_rpm() {
        use Ordering::*;
        for (a, b, want) in [
            ("1.0~rc1-1", "1.0-1", Less),
            ("1.0^git1-1", "1.0-1", Greater),
            ("1.0^git1-1", "1.0.1-1", Less),
            ("1.0^", "1.0", Greater),
            ("1.0~", "1.0^", Less),
            ("1:1.0-1", "2.0-1", Greater),
            ("0:1.0-1", "1.0-1", Equal),
            ("1.0a-1", "1.0-1", Greater),
            ("1.0a-1", "1.0.1-1", Less),
            ("1.a-1", "1.1-1", Less),
            ("1.010-1", "1.10-1", Equal),
            ("1..0-1", "1.0-1", Equal),
            ("115.6.0-1.el9_3.alma", "115.6.0-1.el9_3", Greater),
            ("2.34-60.el9", "2.34-100.el9", Less),
            ("1.0-1.el9", "1.0-1.el9_2", Less),
        ] {
            assert_eq!(cmp(a, b), want, "{a} vs {b}");
            assert_eq!(cmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn splits_evr() {
        let v = RpmVersion::parse("3:1.2-3-4.el9").unwrap();
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            ("3", "1.2-3", "4.el9")
        );
        let v = RpmVersion::parse(":1.2").unwrap();
        assert_eq!((v.epoch(), v.version(), v.release()), ("", "1.2", ""));
        let v = RpmVersion::parse("a:1.2").unwrap();
        assert_eq!((v.epoch(), v.version(), v.release()), ("", "a:1.2", ""));
        let v = RpmVersion::from_parts(Some(1), "2.0", "3.fc40").unwrap();
        assert_eq!(v.as_str(), "1:2.0-3.fc40");
        assert!(RpmVersion::from_parts(None, "1-2", "3").is_err());
    }

    #[test]
    fn refuses_bad_evrs() {
        for bad in ["", "1.0-", "-1", "1:", "1:-1", "1 0", "1.0\n", "1.0-1\t"] {
            assert!(RpmVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
