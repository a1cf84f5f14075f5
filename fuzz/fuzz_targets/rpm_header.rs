//! Fuzzes the rpm header-blob parser and the Berkeley DB hash reader: they
//! must never panic, hang or allocate without bound, and whatever parses
//! must satisfy the header's own limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_image::analyzers::rpm::{bdb, header};

fuzz_target!(|data: &[u8]| {
    if let Ok(h) = header::parse_header(data) {
        assert!(h.name.len() <= header::MAX_STRING_LEN);
        assert!(!h.evr().is_empty());
        if let Some(src) = &h.source_rpm {
            let _ = header::split_source_rpm(src);
        }
    }
    if let Ok(rows) = bdb::read_blobs(data) {
        for (hnum, blob) in rows {
            assert!(hnum > 0);
            assert!(blob.len() <= data.len());
        }
    }
});
