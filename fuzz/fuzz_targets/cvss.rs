//! Fuzzes the CVSS vector parser and scorers (`palisade_vuln::cvss`). It must
//! never panic; a vector it accepts scores within 0.0..=10.0, its rating
//! agrees with the score, and its canonical rendering (explicit `X` values
//! dropped) parses back to a vector with the same scores and rendering.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_vuln::cvss::{Cvss, Rating, MAX_VECTOR_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(cvss) = Cvss::parse(text) else {
        return;
    };
    assert!(text.trim().len() <= MAX_VECTOR_LEN);
    for score in [cvss.score(), cvss.base_score()] {
        assert!(score.tenths() <= 100, "{text:?} scores {score}");
    }
    assert_eq!(cvss.rating(), Rating::from_score(cvss.score()));
    let rendered = cvss.to_string();
    match Cvss::parse(&rendered) {
        Ok(again) => {
            assert_eq!(
                again.score(),
                cvss.score(),
                "{text:?} renders as {rendered:?}"
            );
            assert_eq!(again.base_score(), cvss.base_score());
            assert_eq!(again.to_string(), rendered);
        }
        Err(e) => panic!("{text:?} renders as {rendered:?}, which does not parse: {e}"),
    }
});
