//! The table format: exact output for a fixed scan, colour only on
//! request, and no terminal control characters from manifest content.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use palisade_report::{Format, Report, Summary};

#[test]
fn table_matches_expected_output() {
    let (f, e, s) = (findings(), errors(), scanned());
    let out = render_to_string(&report(&f, &e, &s, false), Format::Table, false);
    assert_expected("table.txt", &out);
    assert!(
        !out.contains("needs API access"),
        "suppressed finding listed:\n{out}"
    );
    for line in out.lines() {
        assert!(
            line.chars().count() <= 100,
            "line over 100 columns: {line:?}"
        );
    }
}

#[test]
fn table_lists_suppressed_findings_on_request() {
    let (f, e, s) = (findings(), errors(), scanned());
    let out = render_to_string(&report(&f, &e, &s, true), Format::Table, false);
    assert_expected("table-suppressed.txt", &out);
    let words = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("(suppressed by annotation: needs API access)"));
    assert!(words.contains("(suppressed by config: limits come from the namespace LimitRange)"));
}

#[test]
fn colour_only_when_asked() {
    let (f, e, s) = (findings(), errors(), scanned());
    let r = report(&f, &e, &s, false);
    let plain = render_to_string(&r, Format::Table, false);
    assert!(!plain.contains('\x1b'));
    let coloured = render_to_string(&r, Format::Table, true);
    // Critical is bold bright red, medium yellow; each is reset after.
    assert!(
        coloured.contains("\x1b[1m\x1b[91mCRITICAL\x1b[0m"),
        "{coloured:?}"
    );
    assert!(coloured.contains("\x1b[33mMEDIUM\x1b[0m"), "{coloured:?}");
    // Removing the escapes gives the plain table back.
    let stripped = strip_sgr(&coloured);
    assert_eq!(stripped, plain);
}

/// Removes `ESC [ params m` sequences.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn hostile_text_cannot_reach_the_terminal() {
    let mut f = findings();
    f[0].message = HOSTILE.to_string();
    f[0].resource.name = "web\x1b[8m".to_string();
    f[0].container = Some("a\nb".to_string());
    let mut e = errors();
    e[0].message = HOSTILE.to_string();
    e[0].help = Some("\x1b]8;;http://evil\x07click\x1b]8;;\x07".to_string());
    let f0_file = "deploy/\x1b[31mweb.yaml";
    f[0].location.file = std::sync::Arc::from(f0_file);
    let s = scanned();
    for color in [false, true] {
        let out = render_to_string(&report(&f, &e, &s, true), Format::Table, color);
        let text = if color { strip_sgr(&out) } else { out.clone() };
        for c in text.chars() {
            assert!(
                c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "control character {c:?} in table output:\n{out}"
            );
        }
        for line in text.lines() {
            assert!(
                line.chars().count() <= 100,
                "line over 100 columns: {line:?}"
            );
        }
        // Our own escapes are only the styles we emit: hostile ones are text.
        let out = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(out.contains("\\u{1b}[2J"), "{out}");
        assert!(out.contains("\\u{1b}]0;owned\\u{7}"), "{out}");
        assert!(out.contains("line1\\nline2\\r\\n\\0nul"), "{out}");
        assert!(out.contains("\\u{202e}rtl \\u{9b}31m"), "{out}");
        assert!(out.contains("container=a\\nb"), "{out}");
        assert!(out.contains("deploy/\\u{1b}[31mweb.yaml"), "{out}");
        assert!(
            out.contains("help: \\u{1b}]8;;http://evil\\u{7}click"),
            "{out}"
        );
    }
}

#[test]
fn empty_scan_says_so() {
    let report = Report {
        summary: Summary {
            files: 1,
            objects: 2,
            ..Summary::default()
        },
        ..Report::default()
    };
    let out = render_to_string(&report, Format::Table, false);
    assert_eq!(out, "no findings in 1 file, 2 objects\n");
}

#[test]
fn very_long_rule_ids_move_the_message_below() {
    let mut f = findings();
    f.truncate(1);
    let long: &'static str = "PAL-A-VERY-LONG-RULE-IDENTIFIER-THAT-NOBODY-SHOULD-EVER-WRITE";
    f[0].rule_id = long;
    let (e, s) = (Vec::new(), Vec::new());
    let out = render_to_string(&report(&f, &e, &s, false), Format::Table, false);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[1], format!("  21:13  CRITICAL  {long}"));
    assert!(
        lines[2].starts_with("      container \"app\" is privileged"),
        "{out}"
    );
}
