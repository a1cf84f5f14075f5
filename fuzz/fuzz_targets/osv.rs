//! Fuzzes the OSV parser behind `palisade db update`: any bytes, read as
//! an advisory file (OSV JSON or YAML, a JSON array of records, or Alpine
//! secdb YAML), give records or an error naming the file, never a panic,
//! hang or unbounded growth.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_vuln::import::parse_unit;
use palisade_vuln::osv::Osv;

fuzz_target!(|data: &[u8]| {
    match parse_unit("fuzz.json", data) {
        Ok(records) => {
            for r in &records {
                assert!(!r.id.is_empty());
            }
        }
        Err(e) => assert_eq!(e.file, "fuzz.json"),
    }
    if let Err(e) = Osv::from_bytes("fuzz.yaml", data) {
        assert_eq!(e.file, "fuzz.yaml");
    }
});
