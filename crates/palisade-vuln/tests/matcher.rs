//! Matching inventories against the real OSV datasets of
//! `../shared/conformance/osv/` (all of them imported once): PyPI against
//! an independent oracle over Python's `packaging`, every simple range of
//! PyPA, AlmaLinux 9, RustSec and Alpine secdb at its edges, the Ubuntu
//! sample by source package, and hand-written records for withdrawn
//! advisories, aliases, unsorted events, last_affected, limit, multiple
//! ranges, version lists, severities and distro releases.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use palisade_model::{Ecosystem, OsInfo, Package, Severity};
use palisade_vuln::import::{for_each_unit, parse_unit, ImportLimits, SourceKind};
use palisade_vuln::matcher::{match_packages, MatchOptions, MatchReport, SeveritySource};
use palisade_vuln::osv::{Event, Osv, RangeKind};
use palisade_vuln::update::{update, SourceSpec, UpdateOptions};
use palisade_vuln::versions::Scheme;
use palisade_vuln::Database;

use common::conformance;

fn sources() -> Vec<PathBuf> {
    let osv = conformance();
    vec![
        osv.join("pypa/vulns"),
        osv.join("almalinux/advisories"),
        osv.join("ubuntu/osv"),
        osv.join("rustsec/osv/crates"),
        osv.join("alpine-secdb"),
    ]
}

/// The database with every conformance dataset, imported once per test binary.
fn db_dir() -> &'static Path {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("db");
        let specs: Vec<SourceSpec> = sources().into_iter().map(SourceSpec::Path).collect();
        let report = update(&dir, &specs, &UpdateOptions::default()).unwrap();
        assert!(!report.failed(), "{report:?}");
        (tmp, dir)
    })
    .1
}

fn pkg(eco: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem: eco,
        purl: format!("pkg:{}/{name}@{version}", eco.as_str().to_lowercase()),
        source_name: None,
        source_version: None,
        arch: None,
        licenses: vec![],
        layer: String::new(),
        path: String::new(),
    }
}

fn os(id: &str, v: &str) -> OsInfo {
    OsInfo {
        id: id.into(),
        version_id: v.into(),
        ..OsInfo::default()
    }
}

/// Every id (reported id and aliases) matched per package index.
fn ids_by_package(report: &MatchReport) -> HashMap<usize, BTreeSet<String>> {
    let mut out: HashMap<usize, BTreeSet<String>> = HashMap::new();
    for m in &report.matches {
        let e = out.entry(m.package).or_default();
        e.insert(m.id.to_string());
        e.extend(m.aliases.iter().map(|a| a.to_string()));
    }
    out
}

/// Every record of a source directory.
fn records(dir: &Path) -> Vec<Osv> {
    let mut out = Vec::new();
    for_each_unit(
        dir,
        SourceKind::Directory,
        &ImportLimits::default(),
        &mut |u| {
            if let Ok(rs) = parse_unit(u.path, u.bytes) {
                out.extend(rs);
            }
            Ok(())
        },
    )
    .unwrap();
    out
}

#[test]
fn pypi_matches_agree_with_a_packaging_oracle() {
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles/osv_pypi_oracle.py");
    let out = Command::new("/usr/bin/python3")
        .arg(&oracle)
        .arg(conformance())
        .output()
        .expect("needs /usr/bin/python3 with PyYAML and packaging (python3-yaml, python3-pip)");
    assert!(
        out.status.success(),
        "oracle failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut packages = Vec::new();
    let mut expected = Vec::new();
    for line in text.lines() {
        let mut f = line.split('\t');
        let (name, version, ids) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
        packages.push(pkg(Ecosystem::PyPI, name, version));
        expected.push(
            ids.split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect::<BTreeSet<_>>(),
        );
    }
    assert!(packages.len() > 10_000, "{}", packages.len());
    let db = Database::open(db_dir()).unwrap();
    let report = match_packages(&db, None, &packages, &MatchOptions::default()).unwrap();
    let got = ids_by_package(&report);
    let mut problems = Vec::new();
    let mut matched = 0;
    for (i, want) in expected.iter().enumerate() {
        let have = got.get(&i).cloned().unwrap_or_default();
        let primaries: BTreeSet<&str> = report
            .matches
            .iter()
            .filter(|m| m.package == i)
            .map(|m| m.id.as_str())
            .collect();
        matched += want.len();
        let missing: Vec<_> = want.iter().filter(|w| !have.contains(*w)).collect();
        let extra: Vec<_> = primaries.iter().filter(|p| !want.contains(**p)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            problems.push(format!(
                "{} {}: missing {missing:?}, unexpected {extra:?}",
                packages[i].name, packages[i].version
            ));
        }
    }
    eprintln!(
        "{} PyPI (package, version) pairs, {matched} advisory matches expected, {} warnings",
        packages.len(),
        report.warnings.len()
    );
    assert!(matched > 20_000, "{matched}");
    assert!(
        problems.is_empty(),
        "{} disagreements:\n{}",
        problems.len(),
        problems[..problems.len().min(40)].join("\n")
    );
}

/// A version strictly between `lo` (None: the beginning) and `hi`, made
/// from `hi`, checked with the scheme; `None` when no candidate fits.
fn below(scheme: Scheme, lo: Option<&str>, hi: &str) -> Option<String> {
    let mut cands = Vec::new();
    match scheme {
        Scheme::Pep440 => cands.push(format!("{hi}.dev0")),
        Scheme::SemVer => cands.push(format!("{hi}-0")),
        Scheme::Rpm => {
            if let Some((v, _)) = hi.rsplit_once('-') {
                cands.push(format!("{v}-0"));
            }
        }
        Scheme::Apk => {
            if let Some((v, r)) = hi.rsplit_once("-r") {
                if let Ok(n) = r.parse::<u64>() {
                    if n > 0 {
                        cands.push(format!("{v}-r{}", n - 1));
                    }
                }
                cands.push(format!("{v}_pre0-r0"));
            } else {
                cands.push(format!("{hi}_pre0"));
            }
        }
        _ => {}
    }
    cands.into_iter().find(|c| {
        scheme.compare(c, hi).ok() == Some(std::cmp::Ordering::Less)
            && lo.is_none_or(|l| scheme.compare(l, c).ok() == Some(std::cmp::Ordering::Less))
    })
}

struct Case {
    id: String,
    expect_match: bool,
    what: &'static str,
}

/// For every advisory entry with one range `introduced I, fixed F` (in
/// either order) and a version list, if any, without F, and no other entry of the same
/// advisory for that package in the release: F never matches; I matches
/// when concrete; a version just below F matches.
fn edges(
    records: &[Osv],
    eco: Ecosystem,
    ecosystem_ok: &dyn Fn(&str) -> bool,
    os_info: Option<&OsInfo>,
    min_cases: usize,
) {
    let scheme = Scheme::for_model_ecosystem(eco);
    let mut packages = Vec::new();
    let mut cases = Vec::new();
    for rec in records {
        if rec.withdrawn.is_some() {
            continue;
        }
        let mut per_name: HashMap<&str, usize> = HashMap::new();
        for a in &rec.affected {
            if let Some(p) = &a.package {
                if ecosystem_ok(&p.ecosystem) {
                    *per_name.entry(p.name.as_str()).or_default() += 1;
                }
            }
        }
        for a in &rec.affected {
            let Some(p) = &a.package else { continue };
            if !ecosystem_ok(&p.ecosystem) || per_name.get(p.name.as_str()) != Some(&1) {
                continue;
            }
            let ranges: Vec<_> = a
                .ranges
                .iter()
                .filter(|r| r.kind != RangeKind::Git)
                .collect();
            if ranges.len() != 1 || ranges[0].events.len() != 2 {
                continue;
            }
            let (mut intro, mut fixed) = (None, None);
            for e in &ranges[0].events {
                match e {
                    Event::Introduced(v) => intro = Some(v.as_str()),
                    Event::Fixed(v) => fixed = Some(v.as_str()),
                    _ => {}
                }
            }
            let (Some(intro), Some(fixed)) = (intro, fixed) else {
                continue;
            };
            // A version list (PyPA writes one beside each range) must not
            // name the fixed version itself.
            if scheme.parse(fixed).is_err() || a.versions.iter().any(|v| v == fixed) {
                continue;
            }
            let lo = (intro != "0").then_some(intro);
            if lo.is_some_and(|l| scheme.compare(l, fixed).ok() != Some(std::cmp::Ordering::Less)) {
                continue;
            }
            let mut add = |v: &str, expect_match: bool, what: &'static str| {
                packages.push(pkg(eco, &p.name, v));
                cases.push(Case {
                    id: rec.id.clone(),
                    expect_match,
                    what,
                });
            };
            add(fixed, false, "version == fixed");
            if let Some(l) = lo {
                add(l, true, "version == introduced");
            }
            if let Some(b) = below(scheme, lo, fixed) {
                add(&b, true, "version just below fixed");
            }
        }
    }
    let db = Database::open(db_dir()).unwrap();
    let report = match_packages(&db, os_info, &packages, &MatchOptions::default()).unwrap();
    let got = ids_by_package(&report);
    let mut problems = Vec::new();
    let (mut pos, mut neg) = (0, 0);
    for (i, c) in cases.iter().enumerate() {
        let has = got.get(&i).is_some_and(|s| s.contains(&c.id));
        if c.expect_match {
            pos += 1;
        } else {
            neg += 1;
        }
        if has != c.expect_match {
            problems.push(format!(
                "{} {} {}: {} should {}match {}",
                eco,
                packages[i].name,
                packages[i].version,
                c.what,
                if c.expect_match { "" } else { "not " },
                c.id
            ));
        }
    }
    eprintln!(
        "{eco}: {} cases ({pos} must match, {neg} must not), {} warnings, first: {:?}",
        cases.len(),
        report.warnings.len(),
        report.warnings.first()
    );
    assert!(
        problems.is_empty(),
        "{} wrong:\n{}",
        problems.len(),
        problems[..problems.len().min(40)].join("\n")
    );
    assert!(cases.len() >= min_cases, "only {} cases", cases.len());
}

#[test]
fn pypa_ranges_match_at_their_edges() {
    edges(
        &records(&sources()[0]),
        Ecosystem::PyPI,
        &|e| e == "PyPI",
        None,
        2500,
    );
}

#[test]
fn almalinux_rpm_ranges_match_at_their_edges() {
    edges(
        &records(&sources()[1]),
        Ecosystem::Rpm,
        &|e| e == "AlmaLinux:9",
        Some(&os("almalinux", "9.4")),
        20_000,
    );
}

#[test]
fn rustsec_semver_ranges_match_at_their_edges() {
    edges(
        &records(&sources()[3]),
        Ecosystem::Cargo,
        &|e| e == "crates.io",
        None,
        1000,
    );
}

#[test]
fn alpine_secdb_matches_at_its_edges_per_release() {
    let recs = records(&sources()[4]);
    edges(
        &recs,
        Ecosystem::Apk,
        &|e| e == "Alpine:v3.11",
        Some(&os("alpine", "3.11.13")),
        1500,
    );
    edges(
        &recs,
        Ecosystem::Apk,
        &|e| e == "Alpine:v3.10",
        Some(&os("alpine", "3.10.9")),
        1000,
    );
}

#[test]
fn os_packages_match_only_their_release() {
    let db = Database::open(db_dir()).unwrap();
    // An AlmaLinux 9 advisory does not apply to Rocky 9, AlmaLinux 8's
    // version or an Alpine image.
    let p = vec![pkg(Ecosystem::Rpm, "php", "8.0.13-1.el9")];
    let alma9 =
        match_packages(&db, Some(&os("almalinux", "9.4")), &p, &Default::default()).unwrap();
    assert!(
        alma9.matches.iter().any(|m| m.id == "ALSA-2022:8197"),
        "{alma9:?}"
    );
    assert!(alma9.matches.iter().all(|m| m.ecosystem == "AlmaLinux:9"));
    let m = alma9
        .matches
        .iter()
        .find(|m| m.id == "ALSA-2022:8197")
        .unwrap();
    assert_eq!(m.fixed_version.as_deref(), Some("8.0.20-3.el9"));
    assert_eq!(m.severity_source, SeveritySource::Unknown);
    assert_eq!(m.severity, Severity::Medium);
    for other in [
        os("rocky", "9.4"),
        os("alpine", "3.11.3"),
        os("debian", "12"),
    ] {
        let r = match_packages(&db, Some(&other), &p, &Default::default()).unwrap();
        assert!(r.matches.is_empty(), "{other:?}: {r:?}");
    }
    // Without an OS, OS packages are not matched, and that is said once.
    let none = match_packages(
        &db,
        None,
        &[p[0].clone(), p[0].clone()],
        &Default::default(),
    )
    .unwrap();
    assert!(none.matches.is_empty());
    assert_eq!(none.warnings.len(), 1, "{:?}", none.warnings);
}

#[test]
fn ubuntu_binary_packages_match_by_source_package() {
    let db = Database::open(db_dir()).unwrap();
    let mut libpam = pkg(Ecosystem::Deb, "libpam0g", "1.4.0-11ubuntu2.3");
    libpam.source_name = Some("pam".into());
    let mut fixed = libpam.clone();
    fixed.version = "1.4.0-11ubuntu2.4".into();
    let mut bin_named = pkg(Ecosystem::Deb, "libpam0g", "1.4.0-11ubuntu2.3");
    bin_named.source_name = None;
    let jammy = os("ubuntu", "22.04");
    let r = match_packages(
        &db,
        Some(&jammy),
        &[libpam.clone(), fixed, bin_named],
        &MatchOptions {
            explain: true,
            ..Default::default()
        },
    )
    .unwrap();
    let ids: BTreeSet<&str> = r
        .matches
        .iter()
        .filter(|m| m.package == 0)
        .map(|m| m.id.as_str())
        .collect();
    assert!(ids.contains("CVE-2024-22365"), "{r:?}");
    assert!(ids.contains("USN-6588-1"), "{r:?}");
    assert!(r.matches.iter().all(|m| m.package == 0), "{r:?}");
    let cve = r.matches.iter().find(|m| m.id == "CVE-2024-22365").unwrap();
    // The standard archive's fix, not the Pro one, and the CVSS v3.1 score.
    assert_eq!(cve.fixed_version.as_deref(), Some("1.4.0-11ubuntu2.4"));
    assert_eq!(cve.ecosystem, "Ubuntu:22.04:LTS");
    assert_eq!(cve.advisory_package, "pam");
    assert_eq!(cve.severity_source, SeveritySource::Cvss);
    assert_eq!(cve.cvss.as_ref().unwrap().score, 5.5);
    assert_eq!(cve.severity, Severity::Medium);
    assert!(
        cve.explanation[0]
            .contains("introduced 0 <= 1.4.0-11ubuntu2.3 < fixed 1.4.0-11ubuntu2.4 (dpkg)"),
        "{:?}",
        cve.explanation
    );
    // Focal's own fixed version applies on focal.
    let mut focal_pkg = libpam.clone();
    focal_pkg.version = "1.3.1-5ubuntu4.6".into();
    let r = match_packages(
        &db,
        Some(&os("ubuntu", "20.04")),
        &[focal_pkg],
        &Default::default(),
    )
    .unwrap();
    let cve = r.matches.iter().find(|m| m.id == "CVE-2024-22365").unwrap();
    assert_eq!(cve.fixed_version.as_deref(), Some("1.3.1-5ubuntu4.7"));
    // 18.04 only has the Pro fix.
    let mut bionic = libpam;
    bionic.version = "1.1.8-3.6ubuntu2.18.04.6".into();
    let r = match_packages(
        &db,
        Some(&os("ubuntu", "18.04")),
        &[bionic],
        &Default::default(),
    )
    .unwrap();
    let cve = r.matches.iter().find(|m| m.id == "CVE-2024-22365").unwrap();
    assert_eq!(cve.ecosystem, "Ubuntu:Pro:18.04:LTS");
    assert_eq!(
        cve.fixed_version.as_deref(),
        Some("1.1.8-3.6ubuntu2.18.04.6+esm1")
    );
}

/// Hand-written records, imported into their own database.
fn small_db(records: &[(&str, serde_json::Value)]) -> (tempfile::TempDir, Database) {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir(&src).unwrap();
    for (name, rec) in records {
        std::fs::write(src.join(format!("{name}.json")), rec.to_string()).unwrap();
    }
    let dir = tmp.path().join("db");
    let report = update(&dir, &[SourceSpec::Path(src)], &UpdateOptions::default()).unwrap();
    assert!(!report.failed(), "{report:?}");
    let db = Database::open(&dir).unwrap();
    (tmp, db)
}

fn rec(id: &str, eco: &str, name: &str, ranges: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "id": id, "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": eco, "name": name}, "ranges": ranges}]
    })
}

fn ids_at(db: &Database, os_info: Option<&OsInfo>, p: &Package) -> BTreeSet<String> {
    match_packages(db, os_info, std::slice::from_ref(p), &Default::default())
        .unwrap()
        .matches
        .into_iter()
        .map(|m| m.id.to_string())
        .collect()
}

#[test]
fn ubuntu_priority_gives_the_severity_when_there_is_no_cvss() {
    let mut r = rec(
        "UBUNTU-CVE-TEST-1",
        "Ubuntu:22.04:LTS",
        "pam",
        serde_json::json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.4.0-11ubuntu2.4"}]}]),
    );
    r["affected"][0]["ecosystem_specific"] = serde_json::json!({"ubuntu_priority": "high"});
    let mut untriaged = rec(
        "UBUNTU-CVE-TEST-2",
        "Ubuntu:22.04:LTS",
        "pam",
        serde_json::json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.4.0-11ubuntu2.5"}]}]),
    );
    untriaged["affected"][0]["ecosystem_specific"] =
        serde_json::json!({"ubuntu_priority": "untriaged"});
    let (_tmp, db) = small_db(&[("a", r), ("b", untriaged)]);
    let mut p = pkg(Ecosystem::Deb, "libpam0g", "1.4.0-11ubuntu2.3");
    p.source_name = Some("pam".into());
    let report = match_packages(
        &db,
        Some(&os("ubuntu", "22.04")),
        std::slice::from_ref(&p),
        &Default::default(),
    )
    .unwrap();
    let high = report
        .matches
        .iter()
        .find(|m| m.id == "UBUNTU-CVE-TEST-1")
        .unwrap();
    assert_eq!(high.severity, Severity::High);
    assert_eq!(
        high.severity_source,
        SeveritySource::Ecosystem("high".into())
    );
    let unknown = report
        .matches
        .iter()
        .find(|m| m.id == "UBUNTU-CVE-TEST-2")
        .unwrap();
    assert_eq!(unknown.severity_source, SeveritySource::Unknown);
}

#[test]
fn hand_written_records_follow_osv_semantics() {
    use serde_json::json;
    let mut withdrawn = rec(
        "WD-1",
        "PyPI",
        "demo",
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]),
    );
    withdrawn["withdrawn"] = json!("2024-02-01T00:00:00Z");
    let mut listed = rec("LIST-1", "PyPI", "demo", json!([]));
    listed["affected"][0]["versions"] = json!(["5.0", "5.1.0"]);
    let mut multi = rec(
        "MULTI-1",
        "PyPI",
        "demo",
        json!([
            {"type": "ECOSYSTEM", "events": [{"introduced": "6.0"}, {"fixed": "6.2"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "7.0"}, {"fixed": "7.3"}]}
        ]),
    );
    multi["severity"] = json!([
        {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
        {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}
    ]);
    let mut v4only = rec(
        "V4-1",
        "npm",
        "left-pad",
        json!([{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.3.0"}]}]),
    );
    v4only["severity"] = json!([{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]);
    let mut word = rec(
        "GHSA-aaaa-bbbb-cccc",
        "PyPI",
        "other",
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0"}]}]),
    );
    word["aliases"] = json!(["CVE-2024-0001"]);
    word["database_specific"] = json!({"severity": "MODERATE"});
    let mut pysec = rec(
        "PYSEC-2024-1",
        "PyPI",
        "other",
        json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.9"}]}]),
    );
    pysec["aliases"] = json!(["CVE-2024-0001"]);
    let (_tmp, db) = small_db(&[
        ("wd", withdrawn),
        (
            "unsorted",
            rec(
                "UNSORTED-1",
                "PyPI",
                "demo",
                json!([{"type": "ECOSYSTEM", "events": [
                    {"fixed": "4.0"}, {"introduced": "3.0"}, {"fixed": "2.0"}, {"introduced": "1.0"}]}]),
            ),
        ),
        (
            "la",
            rec(
                "LA-1",
                "PyPI",
                "demo",
                json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "0.5"}]}]),
            ),
        ),
        (
            "limit",
            rec(
                "LIMIT-1",
                "PyPI",
                "demo",
                json!([{"type": "ECOSYSTEM", "events": [{"introduced": "8.0"}, {"limit": "8.5"}]}]),
            ),
        ),
        ("list", listed),
        ("multi", multi),
        ("v4", v4only),
        ("word", word),
        ("pysec", pysec),
        (
            "deb12",
            rec(
                "DSA-1",
                "Debian:12",
                "glibc",
                json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.36-9+deb12u4"}]}]),
            ),
        ),
        (
            "deb11",
            rec(
                "DSA-2",
                "Debian:11",
                "glibc",
                json!([{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.31-13+deb11u9"}]}]),
            ),
        ),
    ]);
    let at = |v: &str| ids_at(&db, None, &pkg(Ecosystem::PyPI, "Demo", v));
    let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(at("0.1"), set(&["LA-1"]));
    assert_eq!(at("0.5"), set(&["LA-1"]));
    assert_eq!(at("0.5.1"), set(&[]));
    assert_eq!(at("1.0"), set(&["UNSORTED-1"]));
    assert_eq!(at("2.0"), set(&[]));
    assert_eq!(at("3.9"), set(&["UNSORTED-1"]));
    assert_eq!(at("4.0"), set(&[]));
    assert_eq!(at("5.0.0"), set(&["LIST-1"]));
    assert_eq!(at("5.1"), set(&["LIST-1"]));
    assert_eq!(at("5.2"), set(&[]));
    assert_eq!(at("6.1"), set(&["MULTI-1"]));
    assert_eq!(at("6.5"), set(&[]));
    assert_eq!(at("7.0"), set(&["MULTI-1"]));
    assert_eq!(at("7.3"), set(&[]));
    assert_eq!(at("8.4"), set(&["LIMIT-1"]));
    assert_eq!(at("8.5"), set(&[]));

    let one = |p: Package, o: Option<&OsInfo>| {
        let explain = MatchOptions {
            explain: true,
            ..Default::default()
        };
        match_packages(&db, o, &[p], &explain).unwrap().matches
    };
    // Two ranges: the fix of the range that matched; v3.1 preferred over v4.0.
    let m = one(pkg(Ecosystem::PyPI, "demo", "7.1"), None);
    assert_eq!(m[0].fixed_version.as_deref(), Some("7.3"));
    assert_eq!(m[0].cvss.as_ref().unwrap().version, "3.1");
    assert_eq!(m[0].severity, Severity::Medium);
    assert_eq!(m[0].cvss.as_ref().unwrap().score, 5.3);
    // Only v4.0: its score.
    let m = one(pkg(Ecosystem::Npm, "left-pad", "1.2.0"), None);
    assert_eq!(m[0].cvss.as_ref().unwrap().version, "4.0");
    assert_eq!(m[0].severity, Severity::Critical);
    assert!(
        one(pkg(Ecosystem::Npm, "Left-Pad", "1.2.0"), None).is_empty(),
        "npm names are exact"
    );
    // Aliases merged: one match, every id listed, the ecosystem's word kept.
    let m = one(pkg(Ecosystem::PyPI, "OTHER", "0.1"), None);
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].id, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(m[0].aliases, vec!["CVE-2024-0001", "PYSEC-2024-1"]);
    assert_eq!(m[0].fixed_version.as_deref(), Some("0.9"));
    assert_eq!(m[0].severity, Severity::Medium);
    assert_eq!(
        m[0].severity_source,
        SeveritySource::Ecosystem("MODERATE".into())
    );
    assert_eq!(m[0].explanation.len(), 2, "{:?}", m[0].explanation);
    // Between the two fixes only the later advisory matches.
    let m = one(pkg(Ecosystem::PyPI, "other", "0.9"), None);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].aliases, vec!["CVE-2024-0001"]);
    // Debian: by source package, on its own release only, the distro's fix.
    let mut libc6 = pkg(Ecosystem::Deb, "libc6", "2.36-9+deb12u3");
    libc6.source_name = Some("glibc".into());
    let m = one(libc6.clone(), Some(&os("debian", "12")));
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].id, "DSA-1");
    assert_eq!(m[0].fixed_version.as_deref(), Some("2.36-9+deb12u4"));
    assert_eq!(
        m[0].explanation,
        vec!["DSA-1 [Debian:12 glibc]: ECOSYSTEM range #0: introduced 0 <= 2.36-9+deb12u3 < fixed 2.36-9+deb12u4 (dpkg)"]
    );
    libc6.version = "2.36-9+deb12u4".into();
    assert!(one(libc6.clone(), Some(&os("debian", "12"))).is_empty());
    libc6.version = "2.31-13+deb11u8".into();
    let m = one(libc6.clone(), Some(&os("debian", "11")));
    assert_eq!(m[0].id, "DSA-2");
    // A source version different from the binary's is the one compared.
    libc6.version = "9.9".into();
    libc6.source_version = Some("2.31-13+deb11u8".into());
    assert_eq!(
        one(libc6, Some(&os("debian", "11")))[0].compared_version,
        "2.31-13+deb11u8"
    );
    // --ignore-unfixed drops matches without a fix.
    let r = match_packages(
        &db,
        None,
        &[
            pkg(Ecosystem::PyPI, "demo", "0.1"),
            pkg(Ecosystem::PyPI, "demo", "1.0"),
        ],
        &MatchOptions {
            ignore_unfixed: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.matches.len(), 1);
    assert_eq!(r.matches[0].id, "UNSORTED-1");
    // A version the scheme refuses is reported, not guessed.
    let r = match_packages(
        &db,
        None,
        &[pkg(Ecosystem::PyPI, "demo", "not-a-version")],
        &Default::default(),
    )
    .unwrap();
    assert!(r.matches.is_empty());
    assert!(
        r.warnings[0].message.contains("not-a-version"),
        "{:?}",
        r.warnings
    );
}
