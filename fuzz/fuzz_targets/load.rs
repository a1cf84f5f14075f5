//! Fuzzes the manifest loader: YAML/JSON parsing, alias and depth limits,
//! typed normalisation. It must never panic, hang or grow without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_load::{load_str, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_size: 1 << 20,
        max_depth: 64,
        max_nodes: 200_000,
        max_alias_expansion: 10_000,
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let loaded = load_str("fuzz.yaml", text, &limits);
        // Every error names its file.
        for e in &loaded.errors {
            assert_eq!(&*e.file, "fuzz.yaml");
        }
    }
});
