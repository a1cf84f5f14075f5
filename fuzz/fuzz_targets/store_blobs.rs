//! Fuzzes what a vulnerability lookup decodes from the store: entry blobs
//! (`package_entries`), advisory cards, stored version lists (including
//! the sorted `S` form) and range lists. A corrupt database gives an
//! error, never a panic, hang or unbounded growth.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = palisade_vuln::store::fuzz_stored(data);
});
