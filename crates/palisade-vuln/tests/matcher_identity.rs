//! The matcher gives exactly the results of its first, straightforward
//! version (kept in `tests/reference/matcher_v1.rs`): same matches, ids,
//! aliases, fixed versions, severities, CVSS, explanations and warnings,
//! on a large inventory drawn from every conformance dataset (versions
//! taken from the advisories' own events and version lists, so nearly
//! every package sits on a range edge), for each distribution release.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "reference/matcher_v1.rs"]
mod reference;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use palisade_model::{Ecosystem, OsInfo, Package};
use palisade_vuln::matcher::{match_packages, match_packages_on, MatchOptions};
use palisade_vuln::update::{update, SourceSpec, UpdateOptions};
use palisade_vuln::Database;

use common::conformance;

use common::package as pkg;

/// The versions an entry's stored ranges and version list name.
fn versions_of(ranges: &str, versions: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(rest) = ranges.strip_prefix('C') {
        for line in rest.split('\n') {
            for ev in line.split('\t').skip(1) {
                if let Some(v) = ev.get(1..) {
                    if v != "0" {
                        out.push(v.to_string());
                    }
                }
            }
        }
    }
    if let Some(rest) = versions.strip_prefix('L') {
        out.extend(
            rest.split('\n')
                .filter(|v| !v.is_empty())
                .take(2)
                .map(str::to_string),
        );
    }
    out
}

#[test]
fn matches_are_identical_to_the_reference_matcher() {
    let osv = conformance();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("db");
    let sources: Vec<PathBuf> = vec![
        osv.join("pypa/vulns"),
        osv.join("almalinux/advisories"),
        osv.join("ubuntu/osv"),
        osv.join("rustsec/osv/crates"),
        osv.join("alpine-secdb"),
    ];
    let specs: Vec<SourceSpec> = sources.into_iter().map(SourceSpec::Path).collect();
    let report = update(&dir, &specs, &UpdateOptions::default()).unwrap();
    assert!(!report.failed(), "{report:?}");

    // Packages per image OS ("" for language packages).
    let conn = rusqlite::Connection::open(dir.join("vulns.db")).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT family, ecosystem, package_name, ranges, versions FROM affected ORDER BY rowid",
        )
        .unwrap();
    let rows: Vec<(String, String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut groups: BTreeMap<(String, String), Vec<Package>> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for (i, (family, ecosystem, name, ranges, versions)) in rows.iter().enumerate() {
        // Every row of the small datasets, every third AlmaLinux row.
        if family == "almalinux" && i % 3 != 0 {
            continue;
        }
        let mut vs = versions_of(ranges, versions);
        vs.truncate(3);
        if i % 50 == 0 {
            vs.push("not a version!".into());
        }
        let release = ecosystem.split(':').nth(1).unwrap_or("");
        for v in vs {
            let (os, p) = match family.as_str() {
                "pypi" => (("", ""), pkg(Ecosystem::PyPI, name, &v, None)),
                "crates.io" => (("", ""), pkg(Ecosystem::Cargo, name, &v, None)),
                "almalinux" => (("almalinux", "9.4"), pkg(Ecosystem::Rpm, name, &v, None)),
                "alpine" => {
                    let r = release.trim_start_matches('v');
                    (
                        ("alpine", r),
                        pkg(Ecosystem::Apk, &format!("{name}-libs"), &v, Some(name)),
                    )
                }
                "ubuntu" => (
                    ("ubuntu", release),
                    pkg(Ecosystem::Deb, &format!("lib{name}"), &v, Some(name)),
                ),
                _ => continue,
            };
            if seen.insert((os, p.ecosystem, p.name.clone(), v.clone())) {
                groups
                    .entry((os.0.to_string(), os.1.to_string()))
                    .or_default()
                    .push(p);
            }
        }
    }
    let total: usize = groups.values().map(Vec::len).sum();
    assert!(total > 5000, "{total} packages");

    let db = Database::open(&dir).unwrap();
    let explain = MatchOptions {
        explain: true,
        ..Default::default()
    };
    let unfixed = MatchOptions {
        ignore_unfixed: true,
        ..Default::default()
    };
    let mut matches = 0;
    for ((id, version), packages) in &groups {
        let os = OsInfo {
            id: id.clone(),
            version_id: version.clone(),
            ..OsInfo::default()
        };
        let os = (!id.is_empty()).then_some(&os);
        let want = reference::match_packages(&db, os, packages, &MatchOptions::default()).unwrap();
        let got = match_packages(&db, os, packages, &explain).unwrap();
        // The same on one thread and on three, whatever the cores here.
        for threads in [1, 3] {
            assert_eq!(
                match_packages_on(&db, os, packages, &explain, threads).unwrap(),
                got,
                "{id} {version} on {threads} threads"
            );
        }
        assert_eq!(got.warnings, want.warnings, "{id} {version}");
        assert_eq!(got.matches.len(), want.matches.len(), "{id} {version}");
        for (g, w) in got.matches.iter().zip(&want.matches) {
            assert_eq!(g, w, "{id} {version}");
        }
        matches += got.matches.len();
        // Without --explain-match: the same, explanations left empty.
        let mut plain = want.clone();
        plain.matches.iter_mut().for_each(|m| m.explanation.clear());
        assert_eq!(
            match_packages(&db, os, packages, &MatchOptions::default()).unwrap(),
            plain
        );
        let want = reference::match_packages(&db, os, packages, &unfixed).unwrap();
        let mut got = match_packages(&db, os, packages, &unfixed).unwrap();
        got.matches
            .iter_mut()
            .for_each(|m| m.explanation = Vec::new());
        let mut want_plain = want;
        want_plain
            .matches
            .iter_mut()
            .for_each(|m| m.explanation.clear());
        assert_eq!(got, want_plain, "{id} {version} ignore_unfixed");
    }
    eprintln!("{total} packages, {matches} matches, identical");
    assert!(matches > 10_000, "{matches} matches over {total} packages");
}
