//! The per-package entry blobs of format 3 (`package_entries`): every
//! entry of a (family, name) comes back in index order from one row, the
//! ecosystem filter applies, corrupt blobs fail with the key and byte
//! instead of panicking, and a database of the previous format is
//! discarded and rebuilt by an update.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use palisade_vuln::update::{update, SourceSpec, UpdateOptions};
use palisade_vuln::Database;

const RECORD: &str = r#"{"id":"PAL-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-1"],
"affected":[
 {"package":{"ecosystem":"Debian:12","name":"glibc"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.36-9"}]}],"versions":["2.36-1","2.36-2"]},
 {"package":{"ecosystem":"Debian:11","name":"glibc"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.31-13"}]}],"ecosystem_specific":{"severity":"high"}},
 {"package":{"ecosystem":"PyPI","name":"Zope.Interface","purl":"pkg:pypi/zope-interface"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"last_affected":"1.5"}]}]}
]}"#;

fn build(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("PAL-1.json"), RECORD).unwrap();
    let db = dir.join("db");
    let r = update(&db, &[SourceSpec::Path(src)], &UpdateOptions::default()).unwrap();
    assert!(!r.failed(), "{r:?}");
    db
}

fn set_blob(db: &Path, family: &str, name: &str, blob: &[u8]) {
    let c = rusqlite::Connection::open(db.join("vulns.db")).unwrap();
    let n = c
        .execute(
            "UPDATE package_entries SET entries = ?3 WHERE family = ?1 AND name = ?2",
            rusqlite::params![family, name, blob],
        )
        .unwrap();
    assert_eq!(n, 1);
}

#[test]
fn entries_come_back_from_one_row_each() {
    let tmp = tempfile::tempdir().unwrap();
    let db_dir = build(tmp.path());
    let db = Database::open(&db_dir).unwrap();
    let all = db.advisories_for("Debian", "glibc").unwrap();
    let ecos: Vec<&str> = all.iter().map(|e| e.ecosystem.as_str()).collect();
    assert_eq!(
        ecos,
        ["Debian:11", "Debian:12"],
        "index order: by ecosystem"
    );
    assert_eq!(all[0].severity.as_deref(), Some("high"));
    assert_eq!(all[1].versions, ["2.36-1", "2.36-2"]);
    assert_eq!(all[1].fixed_versions(), ["2.36-9"]);
    assert_eq!(all[0].advisory.aliases, ["CVE-2024-1"]);
    let d12 = db.advisories_for_ecosystem("Debian:12", "glibc").unwrap();
    assert_eq!(d12.len(), 1);
    assert_eq!(d12[0].ecosystem, "Debian:12");
    let py = db.advisories_for("PyPI", "zope_interface").unwrap();
    assert_eq!(py.len(), 1);
    assert_eq!(py[0].purl.as_deref(), Some("pkg:pypi/zope-interface"));
    assert!(db.advisories_for("Debian", "openssl").unwrap().is_empty());
}

#[test]
fn corrupt_blobs_are_errors_naming_key_and_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let db_dir = build(tmp.path());
    let good: Vec<u8> = {
        let c = rusqlite::Connection::open(db_dir.join("vulns.db")).unwrap();
        c.query_row(
            "SELECT entries FROM package_entries WHERE family = 'debian' AND name = 'glibc'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mut huge_count = good.clone();
    huge_count[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    let mut trailing = good.clone();
    trailing.extend_from_slice(b"xyz");
    let mut bad_utf8 = good.clone();
    // The ecosystem text starts after the count (4) and row id (8) and its length (4).
    bad_utf8[16] = 0xff;
    let mut long_len = good.clone();
    long_len[12..16].copy_from_slice(&(u32::MAX - 1).to_le_bytes());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "at byte 0"),
        ("truncated", good[..good.len() - 3].to_vec(), "at byte"),
        ("huge count", huge_count, "at byte 0"),
        ("trailing bytes", trailing, "at byte"),
        ("invalid UTF-8", bad_utf8, "at byte 4"),
        ("length past the end", long_len, "at byte 4"),
    ];
    for (what, blob, want) in cases {
        set_blob(&db_dir, "debian", "glibc", &blob);
        let db = Database::open(&db_dir).unwrap();
        let e = db
            .advisories_for("Debian:12", "glibc")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("corrupt stored entries of debian \"glibc\"") && e.contains(want),
            "{what}: {e}"
        );
    }
}

#[test]
fn a_database_of_the_previous_format_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let db_dir = build(tmp.path());
    {
        let c = rusqlite::Connection::open(db_dir.join("vulns.db")).unwrap();
        c.execute(
            "UPDATE meta SET value = 'palisade-vulns-2' WHERE key = 'format'",
            [],
        )
        .unwrap();
    }
    let e = Database::open(&db_dir).unwrap_err().to_string();
    assert!(
        e.contains("palisade-vulns-2 is not palisade-vulns-4"),
        "{e}"
    );
    build(tmp.path());
    let db = Database::open(&db_dir).unwrap();
    assert_eq!(db.advisories_for("Debian", "glibc").unwrap().len(), 2);
}

#[test]
fn corrupt_blobs_and_cards_fail_matching_too() {
    use palisade_model::{Ecosystem, OsInfo};
    use palisade_vuln::{match_packages, MatchOptions};
    let tmp = tempfile::tempdir().unwrap();
    let db_dir = build(tmp.path());
    let glibc = common::package(Ecosystem::Deb, "libc6", "2.36-1", Some("glibc"));
    let os = OsInfo {
        id: "debian".into(),
        version_id: "12".into(),
        ..OsInfo::default()
    };
    let run = || {
        let db = Database::open(&db_dir).unwrap();
        match_packages(
            &db,
            Some(&os),
            std::slice::from_ref(&glibc),
            &MatchOptions::default(),
        )
    };
    assert_eq!(run().unwrap().matches.len(), 1);

    // A card that is cut short, or has a count past its end.
    let c = rusqlite::Connection::open(db_dir.join("vulns.db")).unwrap();
    let card: Vec<u8> = c
        .query_row(
            "SELECT card FROM advisories WHERE osv_id = 'PAL-1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    for bad in [card[..card.len() - 1].to_vec(), vec![7u8; 3], {
        let mut b = card.clone();
        b[0] = 9;
        b
    }] {
        c.execute(
            "UPDATE advisories SET card = ?1 WHERE osv_id = 'PAL-1'",
            [&bad],
        )
        .unwrap();
        let e = run().unwrap_err().to_string();
        assert!(e.contains("corrupt stored advisory"), "{e}");
    }
    c.execute(
        "UPDATE advisories SET card = ?1 WHERE osv_id = 'PAL-1'",
        [&card],
    )
    .unwrap();
    assert_eq!(run().unwrap().matches.len(), 1);

    // A blob cut short fails the match with the key and byte.
    set_blob(&db_dir, "debian", "glibc", &[1, 0, 0, 0, 9]);
    let e = run().unwrap_err().to_string();
    assert!(
        e.contains("corrupt stored entries of debian \"glibc\""),
        "{e}"
    );
}

/// Version lists are stored sorted by the ecosystem's scheme (so that a
/// lookup binary-searches them) and still read back in the order written;
/// a match names the first listed version equal to the package's, in the
/// order written, whatever its spelling.
#[test]
fn version_lists_are_stored_sorted_and_read_as_written() {
    use palisade_model::Ecosystem;
    use palisade_vuln::{match_packages, MatchOptions};
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let written = ["2.0rc1", "1.0.0", "not a version", "0.9", "1.0", "1!0.1"];
    let record = serde_json::json!({
        "id": "PAL-2", "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": written}]
    });
    std::fs::write(src.join("PAL-2.json"), record.to_string()).unwrap();
    let db_dir = tmp.path().join("db");
    let r = update(&db_dir, &[SourceSpec::Path(src)], &UpdateOptions::default()).unwrap();
    assert!(!r.failed(), "{r:?}");
    let stored: String = rusqlite::Connection::open(db_dir.join("vulns.db"))
        .unwrap()
        .query_row("SELECT versions FROM affected", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        stored,
        "S5\n3\t0.9\n1\t1.0.0\n4\t1.0\n0\t2.0rc1\n5\t1!0.1\n2\tnot a version"
    );
    let db = Database::open(&db_dir).unwrap();
    assert_eq!(
        db.advisories_for("PyPI", "demo").unwrap()[0].versions,
        written
    );

    let pkg = |v: &str| common::package(Ecosystem::PyPI, "demo", v, None);
    let inventory: Vec<palisade_model::Package> = ["1", "0.9", "1.5", "2.0.0rc1", "1!0.1.0", "0.1"]
        .iter()
        .map(|v| pkg(v))
        .collect();
    let explain = MatchOptions {
        explain: true,
        ..Default::default()
    };
    let r = match_packages(&db, None, &inventory, &explain).unwrap();
    let got: Vec<(usize, String)> = r
        .matches
        .iter()
        .map(|m| (m.package, m.explanation.join("; ")))
        .collect();
    assert_eq!(
        got,
        [
            (
                0,
                "PAL-2 [PyPI demo]: listed in versions: 1.0.0 == 1 (PEP 440)".to_string()
            ),
            (
                1,
                "PAL-2 [PyPI demo]: listed in versions: 0.9 == 0.9 (PEP 440)".to_string()
            ),
            (
                3,
                "PAL-2 [PyPI demo]: listed in versions: 2.0rc1 == 2.0.0rc1 (PEP 440)".to_string()
            ),
            (
                4,
                "PAL-2 [PyPI demo]: listed in versions: 1!0.1 == 1!0.1.0 (PEP 440)".to_string()
            ),
        ]
    );
}
