//! Parse once, compare many: 10,000 installed versions across schemes,
//! each compared against the bounds of four ranges (introduced/fixed
//! pairs), all parse and compare consistently. Also: hostile input (long
//! digit runs, long strings) is refused or compared, never panics. Speed
//! is measured by the benchmark (`scripts/bench-vulns`), not asserted here:
//! a timed unit test on a shared machine proves nothing.
#![allow(clippy::unwrap_used)]

use std::cmp::Ordering;

use palisade_vuln::versions::{Scheme, MAX_VERSION_LEN};

fn sample(scheme: Scheme, i: usize) -> String {
    let (a, b, c) = (i % 7, i % 13, i % 101);
    match scheme {
        Scheme::Dpkg => format!("1:{a}.{b}.{c}-{a}ubuntu0.22.04.{b}"),
        Scheme::Rpm => format!("{a}.{b}.{c}-{a}.el9_{b}.alma.1"),
        Scheme::Apk => format!("{a}.{b}.{c}_rc{a}-r{b}"),
        Scheme::Pep440 => format!("{a}.{b}.{c}rc{a}.post{b}"),
        Scheme::SemVer | Scheme::Go => format!("{a}.{b}.{c}-beta.{a}"),
        Scheme::Maven => format!("{a}.{b}.{c}-RC{a}"),
        Scheme::RubyGems => format!("{a}.{b}.{c}.pre{a}"),
        Scheme::NuGet => format!("{a}.{b}.{c}.{a}-preview.{b}"),
        Scheme::Composer => format!("v{a}.{b}.{c}-beta{a}"),
    }
}

#[test]
fn ten_thousand_packages_parse_and_compare_fast() {
    let schemes = Scheme::ALL;
    let strings: Vec<(Scheme, String)> = (0..10_000)
        .map(|i| {
            let s = schemes[i % schemes.len()];
            (s, sample(s, i))
        })
        .collect();
    let bounds: Vec<Vec<_>> = schemes
        .iter()
        .map(|s| {
            (0..8)
                .map(|k| s.parse(&sample(*s, k * 17 + 3)).unwrap())
                .collect()
        })
        .collect();
    let parsed: Vec<_> = strings
        .iter()
        .map(|(s, v)| (*s, s.parse(v).unwrap()))
        .collect();
    let mut inside = 0usize;
    for (s, v) in &parsed {
        let idx = schemes.iter().position(|x| x == s).unwrap();
        for pair in bounds[idx].chunks(2) {
            let (lo, hi) = (&pair[0], &pair[1]);
            if v.compare(lo) != Some(Ordering::Less) && v.compare(hi) == Some(Ordering::Less) {
                inside += 1;
            }
        }
    }
    // Every version lies in some of the ranges and outside others: the
    // comparisons decide, they are not all equal.
    assert!(inside > 0 && inside < parsed.len() * 4, "{inside} in range");
}

#[test]
fn hostile_input_is_refused_or_cheap() {
    let digits = "9".repeat(MAX_VERSION_LEN);
    let mut inputs = vec![
        digits.clone(),
        format!("{}.{}", &digits[..120], &digits[..120]),
        "1".repeat(MAX_VERSION_LEN + 1),
        "-".repeat(MAX_VERSION_LEN),
        "a-".repeat(MAX_VERSION_LEN / 2),
        "1a".repeat(MAX_VERSION_LEN / 2),
        "~".repeat(MAX_VERSION_LEN),
        "\u{0}\u{ffff}\u{1f600}".to_string(),
        "1.0\u{0661}".to_string(),
    ];
    inputs.push(format!("{}:1.0", "9".repeat(40)));
    for scheme in Scheme::ALL {
        for a in &inputs {
            for b in &inputs {
                let _ = scheme.compare(a, b);
            }
        }
    }
    // Long digit runs compare exactly, without overflow.
    let big = format!("1.{}", "9".repeat(60));
    let bigger = format!("1.1{}", "0".repeat(60));
    for scheme in [
        Scheme::Dpkg,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::RubyGems,
    ] {
        assert_eq!(
            scheme.compare(&big, &bigger).unwrap(),
            Ordering::Less,
            "{scheme}"
        );
    }
}
