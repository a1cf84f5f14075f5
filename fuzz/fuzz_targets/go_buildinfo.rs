//! Fuzzes the Go build-information reader: ELF section lookup, both header
//! formats (inline varint strings and pointers to string headers mapped
//! through the section table), sentinel stripping and the module lines. It
//! must never panic, and every string it returns is bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::analyzers::go_binary::{parse_modinfo, read_build_info, MAX_INFO_LEN};

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(info)) = read_build_info(data) {
        assert!(info.go_version.len() as u64 <= MAX_INFO_LEN * 3);
        for p in info.packages("bin") {
            assert!(p.purl.starts_with("pkg:golang/"));
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parse_modinfo(text);
    }
});
