//! Maven versions, ordered as Maven 3.8's `ComparableVersion` orders them.
//!
//! Any string is a Maven version. It is lower-cased and cut into items:
//! `.` separates items, `-` starts a nested sub-list, and a switch between
//! digits and letters separates items too (starting a sub-list). Digit
//! items are numbers of any length; letter items are qualifiers, ranked
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final =
//! release < sp`, with unknown qualifiers after `sp` in alphabetical order;
//! `a1`, `b1`, `m1` (one letter followed by a digit) mean alpha, beta,
//! milestone. Trailing "null" items (0, the empty qualifier, empty lists)
//! are dropped, so `1 == 1.0 == 1-ga`. Missing items compare as null:
//! `1-rc < 1 < 1-sp < 1.1`, and a number beats a qualifier or a sub-list.
//!
//! palisade accepts ASCII only (Maven's `Character.isDigit` also takes
//! other scripts' digits); that is the one refusal besides empty and
//! over-long input.

use std::cmp::Ordering;

use super::{check_len, Num, VersionError};

const SCHEME: &str = "Maven";

/// A number item. Maven stores numbers of up to 9 digits, up to 18 digits
/// and longer ones in three types and orders a shorter type below a longer
/// one; the digits without leading zeros decide the type, except that an
/// all-zero run keeps its length (`0000000000` is a long zero, which sorts
/// above an int zero). The tag reproduces that.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct MavenNum {
    tag: u8,
    value: Num,
}

/// Qualifier rank as Maven compares it: known qualifiers by index
/// (`"0"`..`"6"`), unknown ones as `"7-" + name`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Qualifier {
    Known(u8),
    Unknown(Box<str>),
}

const RELEASE: u8 = 5;

#[derive(Debug, Clone)]
enum Item {
    Int(MavenNum),
    Str(Qualifier),
    List(Vec<Item>),
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    text: Box<str>,
    items: Vec<Item>,
}

fn number(digits: &[u8]) -> Item {
    let stripped = match digits.iter().position(|&c| c != b'0') {
        Some(p) => &digits[p..],
        None => digits,
    };
    let tag = match stripped.len() {
        0..=9 => 0,
        10..=18 => 1,
        _ => 2,
    };
    Item::Int(MavenNum {
        tag,
        value: Num::from_digits(stripped),
    })
}

fn qualifier(s: &[u8], followed_by_digit: bool) -> Item {
    let s: &[u8] = match (followed_by_digit, s) {
        (true, b"a") => b"alpha",
        (true, b"b") => b"beta",
        (true, b"m") => b"milestone",
        (_, b"ga" | b"final" | b"release") => b"",
        (_, b"cr") => b"rc",
        _ => s,
    };
    let known: [&[u8]; 7] = [
        b"alpha",
        b"beta",
        b"milestone",
        b"rc",
        b"snapshot",
        b"",
        b"sp",
    ];
    Item::Str(match known.iter().position(|k| *k == s) {
        Some(i) => Qualifier::Known(u8::try_from(i).unwrap_or(0)),
        None => Qualifier::Unknown(String::from_utf8_lossy(s).into()),
    })
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.value.is_zero(),
            Item::Str(q) => *q == Qualifier::Known(RELEASE),
            Item::List(l) => l.is_empty(),
        }
    }

    /// Compares against a missing item.
    fn cmp_null(&self) -> Ordering {
        match self {
            Item::Int(n) => {
                if n.value.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Item::Str(q) => q.cmp(&Qualifier::Known(RELEASE)),
            Item::List(l) => l
                .iter()
                .map(Item::cmp_null)
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal),
        }
    }

    fn cmp_item(&self, other: &Item) -> Ordering {
        match (self, other) {
            (Item::Int(a), Item::Int(b)) => a.cmp(b),
            (Item::Int(_), _) => Ordering::Greater,
            (Item::Str(_), Item::Int(_)) => Ordering::Less,
            (Item::Str(a), Item::Str(b)) => a.cmp(b),
            (Item::Str(_), Item::List(_)) => Ordering::Less,
            (Item::List(_), Item::Int(_)) => Ordering::Less,
            (Item::List(_), Item::Str(_)) => Ordering::Greater,
            (Item::List(a), Item::List(b)) => cmp_lists(a, b),
        }
    }
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    for k in 0..a.len().max(b.len()) {
        let r = match (a.get(k), b.get(k)) {
            (Some(l), Some(r)) => l.cmp_item(r),
            (Some(l), None) => l.cmp_null(),
            (None, Some(r)) => r.cmp_null().reverse(),
            (None, None) => Ordering::Equal,
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

/// Drops trailing null items, looking past non-null sub-lists as Maven
/// does.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl MavenVersion {
    /// Parses a Maven version: any non-empty ASCII string up to 256 bytes.
    pub fn parse(input: &str) -> Result<MavenVersion, VersionError> {
        check_len(SCHEME, input)?;
        if let Some(at) = input.bytes().position(|c| !c.is_ascii()) {
            return Err(VersionError::new(SCHEME, input, at, "ASCII characters"));
        }
        let lower = input.to_ascii_lowercase();
        let v = lower.as_bytes();
        // The lists form a chain: a new sub-list is always the last item
        // of the current one and becomes current, so a stack of the open
        // lists is enough; they are folded together at the end.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0;
        let top = |stack: &mut Vec<Vec<Item>>, item: Item| {
            if let Some(l) = stack.last_mut() {
                l.push(item);
            }
        };
        for (i, &c) in v.iter().enumerate() {
            if c == b'.' || c == b'-' {
                let item = if i == start {
                    number(b"0")
                } else if is_digit {
                    number(&v[start..i])
                } else {
                    qualifier(&v[start..i], false)
                };
                top(&mut stack, item);
                start = i + 1;
                if c == b'-' {
                    stack.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    if stack.last().is_some_and(|l| !l.is_empty()) {
                        stack.push(Vec::new());
                    }
                    top(&mut stack, qualifier(&v[start..i], true));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    top(&mut stack, number(&v[start..i]));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if v.len() > start {
            if !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
                stack.push(Vec::new());
            }
            let item = if is_digit {
                number(&v[start..])
            } else {
                qualifier(&v[start..], false)
            };
            top(&mut stack, item);
        }
        let mut items = stack.pop().unwrap_or_default();
        normalize(&mut items);
        while let Some(mut parent) = stack.pop() {
            parent.push(Item::List(items));
            normalize(&mut parent);
            items = parent;
        }
        Ok(MavenVersion {
            text: input.into(),
            items,
        })
    }

    /// The version as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> MavenVersion {
        MavenVersion::parse(s).unwrap()
    }

    #[test]
    fn orders_qualifiers() {
        let order = [
            "1-alpha1",
            "1-alpha2",
            "1-beta1",
            "1-milestone1",
            "1-rc1",
            "1-snapshot",
            "1",
            "1-sp1",
            "1-abc",
            "1-xyz",
            "1-1",
            "1.1",
        ];
        for w in order.windows(2) {
            assert_eq!(v(w[0]).cmp(&v(w[1])), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [
            ("1", "1.0.0"),
            ("1", "1-ga"),
            ("1.0-final", "1"),
            ("1-cr1", "1-rc1"),
            ("1a1", "1-alpha-1"),
            ("1.0.RELEASE", "1"),
        ] {
            assert_eq!(v(a).cmp(&v(b)), Ordering::Equal, "{a} == {b}");
        }
    }

    #[test]
    fn long_zero_runs_keep_maven_types() {
        // An all-zero run longer than 9 digits is a long zero: above an int.
        assert_eq!(v("0000000000.1").cmp(&v("0.1")), Ordering::Greater);
        assert_eq!(
            v("1.99999999999999999999999").cmp(&v("1.100000000000000000000000")),
            Ordering::Less
        );
    }

    /// Maven's order is not transitive on odd versions; palisade keeps
    /// Maven's answers (checked with ComparableVersion 3.8.7).
    #[test]
    fn reproduces_mavens_cycle() {
        assert_eq!(v(".").cmp(&v("0.A1.0a1.(ost.")), Ordering::Greater);
        assert_eq!(v("0.A1.0a1.(ost.").cmp(&v("al")), Ordering::Greater);
        assert_eq!(v("al").cmp(&v(".")), Ordering::Greater);
    }

    #[test]
    fn refuses_only_empty_long_and_non_ascii() {
        assert!(MavenVersion::parse("").is_err());
        assert!(MavenVersion::parse("1.0-é").is_err());
        for ok in ["-", ".", "--..--", "a", "1..2"] {
            assert!(MavenVersion::parse(ok).is_ok(), "{ok:?}");
        }
    }
}
