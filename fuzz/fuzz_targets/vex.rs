//! Fuzzes the VEX parser (`palisade_vuln::vex::parse_vex`, OpenVEX and
//! CycloneDX VEX). Parsing must never panic, and every statement must be
//! found again by its own vulnerability id and each of its products.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_vuln::vex::parse_vex;

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse_vex(data, "fuzz.json") else {
        return;
    };
    for s in doc.statements.iter().take(64) {
        for p in s.products.iter().chain(&s.subcomponents).take(16) {
            assert!(
                doc.status_for(&s.vulnerability, p).is_some(),
                "statement {} not found for {p:?}",
                s.index
            );
        }
    }
});
