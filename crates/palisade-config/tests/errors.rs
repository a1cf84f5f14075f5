//! Each class of bad configuration gives an error with its line and column,
//! and every problem of a file is reported at once.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_config::{parse, ConfigFormat};
use palisade_model::InputError;

const KNOWN: &[&str] = &[
    "PSS-PRIVILEGED",
    "PSS-HOST-PATH-VOLUMES",
    "PSS-APPARMOR",
    "PAL-K8S-001",
];

fn errors(text: &str, format: ConfigFormat) -> Vec<InputError> {
    match parse("palisade.cfg", text, format, KNOWN) {
        Ok(c) => panic!("expected errors, got {c:?}"),
        Err(e) => e,
    }
}

fn yaml(text: &str) -> Vec<InputError> {
    errors(text, ConfigFormat::Yaml)
}

fn toml(text: &str) -> Vec<InputError> {
    errors(text, ConfigFormat::Toml)
}

/// The single error, with its line and column.
fn one(errs: Vec<InputError>) -> (InputError, u32, u32) {
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = errs.into_iter().next().unwrap();
    let span = e.span.expect("error has a place");
    assert_eq!(&*e.file, "palisade.cfg");
    (e, span.line(), span.column())
}

#[test]
fn unknown_key_with_suggestion() {
    let (e, line, col) = one(yaml("version: 1\nexceptons: []\n"));
    assert_eq!((line, col), (2, 1));
    assert_eq!(e.message, "unknown key `exceptons`");
    assert_eq!(e.help.as_deref(), Some("did you mean `exceptions`?"));

    let (e, line, col) = one(yaml("rules:\n  disabel: [PSS-APPARMOR]\n"));
    assert_eq!((line, col), (2, 3));
    assert_eq!(e.message, "unknown key `rules.disabel`");
    assert_eq!(e.help.as_deref(), Some("did you mean `disable`?"));

    let (e, line, col) = one(toml("[images]\nrequire_digests = true\n"));
    assert_eq!((line, col), (2, 1));
    assert_eq!(e.help.as_deref(), Some("did you mean `require_digest`?"));

    let (e, _, _) = one(yaml("colour: blue\n"));
    assert!(e.help.unwrap().starts_with("expected one of: version, pss"));
}

#[test]
fn wrong_types() {
    let (e, line, col) = one(yaml("rules:\n  disable: PSS-APPARMOR\n"));
    assert_eq!((line, col), (2, 12));
    assert_eq!(
        e.message,
        "`rules.disable` must be a list of strings, found a string"
    );

    let (e, line, col) = one(toml("[images]\nrequire_digest = \"yes\"\n"));
    assert_eq!((line, col), (2, 18));
    assert_eq!(
        e.message,
        "`images.require_digest` must be true, false or a list of registry patterns, found a string"
    );

    let (e, line, _) = one(yaml("exceptions:\n  rule: PSS-PRIVILEGED\n"));
    assert_eq!(line, 2);
    assert!(
        e.message
            .contains("must be a list of exceptions, found a mapping"),
        "{}",
        e.message
    );

    let (e, _, _) = one(yaml("- a\n- b\n"));
    assert_eq!(
        e.message,
        "the configuration must be a mapping, found a list"
    );

    let (e, line, col) = one(yaml("pss:\n  version: 1.30\n"));
    assert_eq!((line, col), (2, 12));
    assert!(e.help.unwrap().contains("\"v1.3\""));

    let (e, _, _) = one(yaml("version: 2\n"));
    assert_eq!(e.message, "unsupported config version 2");
}

#[test]
fn missing_reason() {
    let (e, line, col) = one(yaml(
        "exceptions:\n  - rule: PSS-PRIVILEGED\n    name: csi-*\n",
    ));
    assert_eq!((line, col), (2, 5));
    assert_eq!(e.message, "exception is missing `reason`");

    let (e, line, _) = one(toml(
        "[[exceptions]]\nrule = \"PSS-PRIVILEGED\"\nreason = \"  \"\n",
    ));
    assert_eq!(line, 3);
    assert_eq!(e.message, "exception `reason` is empty");

    let (e, line, col) = one(toml(
        "version = 1\n\n[[exceptions]]\nrule = \"PSS-\"\nreason = \"r\"\n\n[[exceptions]]\nrule = \"PSS-\"\n",
    ));
    assert_eq!((line, col), (7, 1), "at the second [[exceptions]] header");
    assert_eq!(e.message, "exception is missing `reason`");

    let (e, _, _) = one(yaml("exceptions:\n  - reason: why\n"));
    assert_eq!(e.message, "exception is missing `rule`");
}

#[test]
fn bad_dates() {
    for (value, col) in [
        ("2027-02-30", 14),
        ("\"31/03/2027\"", 14),
        ("2027-3-1", 14),
        ("tomorrow", 14),
    ] {
        let text =
            format!("exceptions:\n  - rule: PSS-PRIVILEGED\n    reason: r\n    expires: {value}\n");
        let (e, line, c) = one(yaml(&text));
        assert_eq!((line, c), (4, col), "{value}");
        assert!(e.message.starts_with("invalid date"), "{}", e.message);
        assert!(e.help.unwrap().contains("YYYY-MM-DD"));
    }
    // A TOML date-time is not a date.
    let (e, line, col) = one(toml(
        "[[exceptions]]\nrule = \"PSS-PRIVILEGED\"\nreason = \"r\"\nexpires = 2027-03-31T10:00:00Z\n",
    ));
    assert_eq!((line, col), (4, 11));
    assert!(e.message.contains("2027-03-31T10:00:00Z"), "{}", e.message);
}

#[test]
fn unknown_severity_and_level() {
    let (e, line, col) = one(yaml("rules:\n  severity:\n    PSS-PRIVILEGED: urgent\n"));
    assert_eq!((line, col), (3, 21));
    assert!(
        e.message.contains("unknown severity `urgent`"),
        "{}",
        e.message
    );

    let (e, line, col) = one(toml("[pss]\nlevel = \"strict\"\n"));
    assert_eq!((line, col), (2, 9));
    assert!(e.message.contains("unknown level `strict`"));

    let (e, _, _) = one(yaml("pss:\n  version: v2.1\n"));
    assert_eq!(e.message, "invalid Pod Security Standards version `v2.1`");
}

#[test]
fn unknown_rule_ids() {
    let (e, line, col) = one(yaml("rules:\n  disable: [PSS-APARMOR]\n"));
    assert_eq!((line, col), (2, 13));
    assert_eq!(
        e.message,
        "unknown rule id or prefix `PSS-APARMOR` in `rules.disable`"
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `PSS-APPARMOR`?"));

    let (e, line, col) = one(toml("[rules.severity]\npss-privileged = \"low\"\n"));
    assert_eq!((line, col), (2, 1));
    assert_eq!(e.help.as_deref(), Some("did you mean `PSS-PRIVILEGED`?"));

    let (e, _, _) = one(yaml("exceptions:\n  - rule: NOPE\n    reason: r\n"));
    assert_eq!(
        e.help.as_deref(),
        Some("run `palisade rules` for the list of rule ids")
    );
}

#[test]
fn contradictions() {
    let (e, line, _) = one(yaml(
        "rules:\n  enable: [PSS-APPARMOR]\n  disable: [PSS-APPARMOR]\n",
    ));
    assert_eq!(line, 3);
    assert_eq!(
        e.message,
        "`PSS-APPARMOR` is both enabled (line 2) and disabled"
    );

    let (e, _, _) = one(yaml("rules:\n  lock: [PSS-]\n  disable: [PSS-APPARMOR]\n"));
    assert_eq!(e.message, "`PSS-APPARMOR` is disabled but locked by `PSS-`");
}

#[test]
fn bad_globs_and_capabilities() {
    let (e, line, col) = one(yaml(
        "exceptions:\n  - rule: PSS-\n    reason: r\n    name: \"web-[\"\n",
    ));
    assert_eq!((line, col), (4, 11));
    assert!(
        e.message.starts_with("invalid glob in `exceptions[].name`"),
        "{}",
        e.message
    );

    let (e, _, _) = one(yaml("capabilities:\n  allowed: [net_bind_service]\n"));
    assert_eq!(e.message, "invalid capability name `net_bind_service`");
    assert_eq!(e.help.as_deref(), Some("did you mean `NET_BIND_SERVICE`?"));
}

#[test]
fn repeated_keys() {
    let (e, line, _) = one(yaml(
        "rules:\n  disable: [PSS-APPARMOR]\n  disable: [PAL-K8S-001]\n",
    ));
    assert_eq!(line, 3);
    assert!(
        e.message.contains("duplicate key `disable`"),
        "{}",
        e.message
    );
    let (e, line, _) = one(toml("[rules]\nlock = []\nlock = []\n"));
    assert_eq!(line, 3, "{e}");
}

#[test]
fn malformed_syntax() {
    let (e, line, col) = one(yaml("rules:\n  disable: [PSS-APPARMOR\nexceptions: []\n"));
    assert!(e.message.starts_with("invalid YAML"), "{}", e.message);
    assert_eq!((line, col), (3, 11));
    let (e, line, col) = one(toml("[rules]\ndisable = [\"PSS-APPARMOR\"\nenable = []\n"));
    assert_eq!((line, col), (3, 1));
    assert!(e.message.starts_with("invalid TOML"), "{}", e.message);
    let (e, _, _) = one(yaml("version: 1\n---\nversion: 1\n"));
    assert_eq!(e.message, "config has more than one YAML document");
}

#[test]
fn every_problem_is_reported_at_once_in_order() {
    let errs = yaml(
        "versoin: 1\nrules:\n  disable: [PSS-NOPE]\n  severity: {PAL-K8S-001: huge}\nexceptions:\n  - rule: PSS-PRIVILEGED\n    expires: 2027-13-01\n",
    );
    let lines: Vec<u32> = errs.iter().map(|e| e.span.unwrap().line()).collect();
    assert_eq!(lines, [1, 3, 4, 6, 7], "{errs:#?}");
    let rendered = errs[0].to_string();
    assert_eq!(
        rendered,
        "palisade.cfg:1:1: unknown key `versoin` (help: did you mean `version`?)"
    );
}

#[test]
fn no_prefix_of_a_config_panics() {
    let yaml = "version: 1\npss: {level: restricted, version: v1.33}\nrules:\n  disable: [PSS-APPARMOR]\n  severity: {PSS-: low}\n  lock: [PSS-PRIVILEGED]\ncapabilities: {allowed: [CHOWN]}\nimages: {allowed_registries: [\"*.io\"], require_digest: true}\nexceptions:\n  - {rule: PSS-, name: \"a-*\", reason: \"r é\", expires: 2027-01-01}\n";
    let toml = "version = 1\n[pss]\nlevel = \"baseline\"\n[rules]\nlock = [\"PSS-PRIVILEGED\"]\n[rules.severity]\n\"PSS-\" = \"low\"\n[[exceptions]]\nrule = \"PSS-\"\nreason = \"r é\"\nexpires = 2027-01-01\n";
    for (text, format) in [(yaml, ConfigFormat::Yaml), (toml, ConfigFormat::Toml)] {
        assert!(parse("c", text, format, KNOWN).is_ok());
        for (i, _) in text.char_indices() {
            for f in [ConfigFormat::Yaml, ConfigFormat::Toml] {
                // Either outcome is fine; every error must have a place or a file.
                if let Err(errs) = parse("c", &text[..i], f, KNOWN) {
                    assert!(!errs.is_empty());
                    assert!(errs.iter().all(|e| !e.message.is_empty()));
                }
            }
        }
    }
}
