//! Fuzzes the dpkg status and apk installed parsers: never a panic, and
//! every package they return has a non-empty name and version.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::analyzers::{apk, dpkg};

fuzz_target!(|data: &[u8]| {
    for require_status in [true, false] {
        if let Ok(pkgs) = dpkg::parse_status(data, dpkg::STATUS, require_status) {
            for p in pkgs {
                assert!(!p.name.is_empty() && !p.version.is_empty());
            }
        }
    }
    if let Ok(pkgs) = apk::parse_installed(data, apk::INSTALLED) {
        for p in pkgs {
            assert!(!p.name.is_empty() && !p.version.is_empty());
        }
    }
});
