//! Fuzzes the SBOM readers (`palisade_sbom::read`): CycloneDX JSON and XML,
//! SPDX JSON and tag-value, chosen by the first byte as in real use (the
//! hint path picks tag-value for text that names no format). Reading must
//! never panic; what it reads back must satisfy the reader's own
//! guarantees (every package has a name, a version and a purl, and the
//! purl parses).
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_sbom::{read_with, Limits, Purl};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_bytes: 1 << 20,
        max_depth: 32,
        max_components: 10_000,
    };
    for hint in ["fuzz.json", "fuzz.spdx"] {
        let Ok(sbom) = read_with(data, hint, &limits) else {
            continue;
        };
        assert!(sbom.packages.len() <= limits.max_components);
        for p in &sbom.packages {
            assert!(!p.name.is_empty() && !p.version.is_empty(), "{p:?}");
            assert!(Purl::parse(&p.purl).is_ok(), "{p:?}");
        }
    }
});
