//! Fuzzes the Dockerfile parser and the Dockerfile rules: directives,
//! continuations, heredocs, JSON forms and stage references. It must never
//! panic, hang or grow without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_load::{load_str, Limits};
use palisade_rules::{Context, Settings};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_file_size: 1 << 20,
        ..Limits::default()
    };
    if let Ok(text) = std::str::from_utf8(data) {
        let loaded = load_str("fuzz/Dockerfile", text, &limits);
        for e in &loaded.errors {
            // Every error names its file and a place in it.
            assert_eq!(&*e.file, "fuzz/Dockerfile");
            assert!(e.span.is_some_and(|s| s.line() >= 1 && s.column() >= 1));
        }
        let settings = Settings::default();
        let ctx = Context {
            resources: &loaded.resources,
            settings: &settings,
        };
        let mut out = Vec::new();
        for rule in palisade_rules::rules::RULES {
            for r in &loaded.resources {
                if rule.applies_to(&r.kind) {
                    rule.check(r, &ctx, &mut out);
                }
            }
        }
    }
});
