//! Fuzzes the version schemes: every scheme parses arbitrary strings
//! without panicking, and on three versions that parse, compare is
//! reflexive, antisymmetric and transitive. Maven is exempt from
//! transitivity: its ComparableVersion has cycles among odd versions
//! (`.` > `0.a1.x` > `al` > `.`, Maven's own result), which palisade
//! reproduces exactly.
#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use palisade_vuln::versions::Scheme;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Three candidate versions separated by NUL (or the whole input thrice).
    let mut parts = text.split('\0');
    let a = parts.next().unwrap_or("");
    let b = parts.next().unwrap_or(a);
    let c = parts.next().unwrap_or(b);
    for scheme in Scheme::ALL {
        let (pa, pb, pc) = (scheme.parse(a), scheme.parse(b), scheme.parse(c));
        let (Ok(x), Ok(y), Ok(z)) = (pa, pb, pc) else {
            continue;
        };
        let cmp = |p: &palisade_vuln::versions::Version, q: &palisade_vuln::versions::Version| {
            p.compare(q).expect("same scheme")
        };
        assert_eq!(
            cmp(&x, &x),
            Ordering::Equal,
            "{scheme}: {a:?} not equal to itself"
        );
        assert_eq!(
            cmp(&x, &y),
            cmp(&y, &x).reverse(),
            "{scheme}: antisymmetry {a:?} {b:?}"
        );
        assert_eq!(
            cmp(&y, &z),
            cmp(&z, &y).reverse(),
            "{scheme}: antisymmetry {b:?} {c:?}"
        );
        if scheme == Scheme::Maven {
            continue;
        }
        let (xy, yz, xz) = (cmp(&x, &y), cmp(&y, &z), cmp(&x, &z));
        if xy != Ordering::Greater && yz != Ordering::Greater {
            assert_ne!(
                xz,
                Ordering::Greater,
                "{scheme}: transitivity {a:?} <= {b:?} <= {c:?}"
            );
        }
        if xy != Ordering::Less && yz != Ordering::Less {
            assert_ne!(
                xz,
                Ordering::Less,
                "{scheme}: transitivity {a:?} >= {b:?} >= {c:?}"
            );
        }
        if xy == Ordering::Equal && yz == Ordering::Equal {
            assert_eq!(xz, Ordering::Equal, "{scheme}: equality {a:?} {b:?} {c:?}");
        }
    }
});
