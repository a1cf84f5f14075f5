//! Fuzzes the configuration parser in both syntaxes (YAML and TOML) and
//! the validator behind them: any text gives a config or located errors,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palisade_config::{parse, ConfigFormat};

const KNOWN: &[&str] = &["PSS-PRIVILEGED", "PAL-K8S-001"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [ConfigFormat::Yaml, ConfigFormat::Toml] {
        if let Err(errors) = parse("palisade.yaml", text, format, KNOWN) {
            assert!(!errors.is_empty());
        }
    }
});
