//! Fuzzes the Java archive reader: zip parsing, pom.properties and manifest
//! parsing, file-name versions and nested archives under the entry, depth
//! and decompressed-byte limits. It must never panic or exceed the budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::analyzers::java::{read_archive, JarLimits};

fuzz_target!(|data: &[u8]| {
    let limits = JarLimits {
        max_entries: 1000,
        max_depth: 3,
        max_total_bytes: 8 << 20,
        max_metadata_size: 64 << 10,
    };
    if let Ok(pkgs) = read_archive(data, "app-1.0.jar", &limits) {
        for p in pkgs {
            assert!(p.purl.starts_with("pkg:maven/"));
            assert_eq!(p.path, "app-1.0.jar");
        }
    }
});
