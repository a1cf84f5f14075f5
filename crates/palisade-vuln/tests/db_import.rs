//! Importing the real OSV datasets of `../shared/conformance/osv/` (PyPA
//! YAML, AlmaLinux, Ubuntu and RustSec JSON, Alpine secdb converted), as
//! directories and as an `all.zip`, with counts checked against the files;
//! incremental updates; hostile inputs.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use palisade_vuln::import::ImportLimits;
use palisade_vuln::update::{update, SourceResult, SourceSpec, UpdateOptions};
use palisade_vuln::Database;

use common::{conformance, count_files, python_alpine_ids};

fn imported(report: &palisade_vuln::update::UpdateReport) -> Vec<(String, u64)> {
    report
        .sources
        .iter()
        .map(|(l, r)| match r {
            SourceResult::Imported(o) => (l.clone(), o.records),
            other => panic!("{l}: {other:?}"),
        })
        .collect()
}

#[test]
fn imports_every_conformance_dataset_with_counts_from_the_files() {
    let osv = conformance();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let sources = [
        osv.join("pypa/vulns"),
        osv.join("almalinux/advisories"),
        osv.join("ubuntu/osv"),
        osv.join("rustsec/osv/crates"),
        osv.join("alpine-secdb"),
    ];
    let specs: Vec<SourceSpec> = sources
        .iter()
        .map(|p| SourceSpec::Path(p.clone()))
        .collect();
    let t = Instant::now();
    let report = update(&db, &specs, &UpdateOptions::default()).unwrap();
    eprintln!("full import: {:?}", t.elapsed());
    let counts = imported(&report);
    assert_eq!(counts[0].1, count_files(&sources[0], "yaml") as u64, "pypa");
    assert_eq!(
        counts[1].1,
        count_files(&sources[1], "json") as u64,
        "almalinux"
    );
    assert_eq!(counts[2].1, 3, "ubuntu");
    assert_eq!(
        counts[3].1,
        count_files(&sources[3], "json") as u64,
        "rustsec"
    );
    assert_eq!(counts[4].1, python_alpine_ids(&sources[4]), "alpine secdb");
    assert_eq!(counts[0].1, 2661);
    assert_eq!(counts[1].1, 1783);
    assert_eq!(counts[3].1, 1206);

    let t = Instant::now();
    let database = Database::open(&db).unwrap();
    eprintln!("open: {:?}", t.elapsed());
    let status = database.status().unwrap();
    assert_eq!(status.sources.len(), 5);
    let total: u64 = counts.iter().map(|c| c.1).sum();
    assert_eq!(status.advisories, total);
    assert!(status
        .sources
        .iter()
        .all(|s| s.sha256.len() == 64 && s.imported_at > 0));

    // PyPI: names normalised, YAML record kept whole.
    let hits = database.advisories_for("PyPI", "AccessControl").unwrap();
    let one = hits
        .iter()
        .find(|h| h.advisory.id == "PYSEC-2021-335")
        .unwrap();
    assert!(one.advisory.aliases.contains(&"CVE-2021-32807".to_string()));
    assert_eq!(one.fixed_versions(), vec!["4.3", "5.2"]);
    assert_eq!(one.versions, vec!["4.0", "4.1", "4.2", "5.0", "5.1"]);
    assert_eq!(one.ranges.len(), 1, "GIT ranges are not kept");
    // Ubuntu: by source package, every release in the family.
    let pam = database.advisories_for("Ubuntu", "pam").unwrap();
    assert!(pam.iter().any(|h| h.advisory.id == "USN-6588-1"
        && h.ecosystem == "Ubuntu:22.04:LTS"
        && h.fixed_versions() == vec!["1.4.0-11ubuntu2.4"]));
    let jammy = database
        .advisories_for_ecosystem("Ubuntu:22.04:LTS", "pam")
        .unwrap();
    assert!(!jammy.is_empty() && jammy.len() < pam.len());
    assert!(jammy.iter().all(|h| h.ecosystem == "Ubuntu:22.04:LTS"));
    // RustSec: severity vectors.
    let ssl = database.advisories_for("crates.io", "openssl").unwrap();
    let r = ssl
        .iter()
        .find(|h| h.advisory.id == "RUSTSEC-2016-0001")
        .unwrap();
    assert_eq!(r.advisory.severity[0].kind, "CVSS_V3");
    assert!(r.advisory.severity[0].score.starts_with("CVSS:3.0/"));
    // AlmaLinux with suffix.
    let pcs = database.advisories_for("AlmaLinux:9", "pcs").unwrap();
    assert!(pcs
        .iter()
        .any(|h| h.advisory.id == "ALSA-2022:4587" && h.fixed_versions() == vec!["0.11.1-10.el9"]));
    // Alpine secdb, converted.
    let ansible = database.advisories_for("Alpine", "ansible").unwrap();
    let a = ansible
        .iter()
        .find(|h| h.advisory.id == "ALPINE-CVE-2019-14904" && h.ecosystem == "Alpine:v3.11")
        .unwrap();
    assert_eq!(a.fixed_versions(), vec!["2.9.3-r0"]);
    assert!(database
        .advisories_for("PyPI", "no-such-package")
        .unwrap()
        .is_empty());

    if let Ok(keep) = std::env::var("PALISADE_TEST_KEEP_DB") {
        std::fs::copy(db.join("vulns.db"), keep).unwrap();
    }
    // Matching-sized lookups: 10,000 names after open.
    let names: Vec<String> = (0..10_000).map(|i| format!("pkg{i}")).collect();
    let t = Instant::now();
    let mut n = 0;
    for (i, name) in names.iter().enumerate() {
        let fam = ["PyPI", "Debian", "npm", "crates.io"][i % 4];
        n += database.advisories_for(fam, name).unwrap().len();
        if i % 100 == 0 {
            n += database.advisories_for("PyPI", "django").unwrap().len();
        }
    }
    eprintln!("10,000 lookups: {:?} ({n} hits)", t.elapsed());

    // A second update of unchanged sources parses nothing.
    let again = update(&db, &specs, &UpdateOptions::default()).unwrap();
    for (l, r) in &again.sources {
        match r {
            SourceResult::Imported(o) => assert!(o.unchanged && o.units_parsed == 0, "{l}: {o:?}"),
            other => panic!("{l}: {other:?}"),
        }
    }
}

#[test]
fn incremental_directory_update_parses_only_changed_files() {
    let osv = conformance();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let rust = osv.join("rustsec/osv/crates");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&rust)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for p in names.iter().take(50) {
        std::fs::copy(p, src.join(p.file_name().unwrap())).unwrap();
    }
    let db = tmp.path().join("db");
    let spec = [SourceSpec::Path(src.clone())];
    let r = update(&db, &spec, &UpdateOptions::default()).unwrap();
    assert_eq!(imported(&r)[0].1, 50);
    // Change one record, remove one, add one.
    let first = src.join(names[0].file_name().unwrap());
    let text = std::fs::read_to_string(&first).unwrap();
    std::fs::write(
        &first,
        text.replacen("\"summary\": \"", "\"summary\": \"CHANGED ", 1),
    )
    .unwrap();
    std::fs::remove_file(src.join(names[1].file_name().unwrap())).unwrap();
    std::fs::copy(&names[60], src.join(names[60].file_name().unwrap())).unwrap();
    let r = update(&db, &spec, &UpdateOptions::default()).unwrap();
    match &r.sources[0].1 {
        SourceResult::Imported(o) => {
            assert_eq!(
                (o.units_parsed, o.units_removed, o.units_kept, o.records),
                (2, 1, 48, 50),
                "{o:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let database = Database::open(&db).unwrap();
    let id = names[0].file_stem().unwrap().to_string_lossy().to_string();
    let adv = database.advisories_by_id(&id).unwrap();
    assert!(adv[0].summary.as_deref().unwrap().starts_with("CHANGED "));
    let gone = names[1].file_stem().unwrap().to_string_lossy().to_string();
    assert!(database.advisories_by_id(&gone).unwrap().is_empty());
}

/// Builds an `all.zip` like OSV publishes (flat `ID.json` entries).
fn build_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let f = std::fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(name.as_str(), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn dataset_entries() -> Vec<(String, Vec<u8>)> {
    let osv = conformance();
    let mut out = Vec::new();
    for dir in [
        osv.join("almalinux/advisories/almalinux9"),
        osv.join("rustsec/osv/crates"),
    ] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push((
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    for p in common::walk_files(&osv.join("pypa/vulns"), "yaml") {
        out.push((
            p.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read(&p).unwrap(),
        ));
    }
    out.sort();
    out
}

#[test]
fn imports_an_all_zip_and_skips_it_when_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("all.zip");
    let entries = dataset_entries();
    build_zip(&zip_path, &entries);
    let db = tmp.path().join("db");
    let spec = [SourceSpec::Path(zip_path.clone())];
    let r = update(&db, &spec, &UpdateOptions::default()).unwrap();
    assert_eq!(imported(&r)[0].1, entries.len() as u64);
    assert_eq!(entries.len(), 1783 + 1206 + 2661);
    let database = Database::open(&db).unwrap();
    assert_eq!(database.status().unwrap().sources[0].kind, "zip");
    let r = update(&db, &spec, &UpdateOptions::default()).unwrap();
    assert!(matches!(&r.sources[0].1, SourceResult::Imported(o) if o.unchanged));
    // --sha256 checks the file.
    let bad = UpdateOptions {
        sha256: Some("00".repeat(32)),
        ..Default::default()
    };
    let r = update(&db, &spec, &bad).unwrap();
    let SourceResult::Failed(m) = &r.sources[0].1 else {
        panic!("{r:?}")
    };
    assert!(m.contains("SHA-256 is"), "{m}");
}

fn failure(db: &Path, source: &Path, limits: ImportLimits) -> String {
    let o = UpdateOptions {
        limits,
        ..Default::default()
    };
    let r = update(db, &[SourceSpec::Path(source.to_path_buf())], &o).unwrap();
    match &r.sources[0].1 {
        SourceResult::Failed(m) => m.clone(),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn hostile_inputs_fail_with_file_and_place() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let w = |name: &str, text: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (w("bad.json", b"{\"id\": \"X\", \"affected\": [}"), "bad.json: at line 1 column 26: not valid JSON"),
        (w("type.json", br#"{"id":"X","affected":[{"package":{"ecosystem":"PyPI","name":7}}]}"#), "type.json: at affected[0].package.name: expected a string, found a number"),
        (w("noid.yaml", b"summary: x\n"), "noid.yaml: at id: the required field `id` is missing"),
        (w("bad.yaml", b"id: X\naffected: [\n"), "bad.yaml: at line"),
        (w("events.yaml", b"id: X\naffected:\n- package: {ecosystem: PyPI, name: a}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - {bogus: 1}\n"), "at affected[0].ranges[0].events[0]: expected an event with one of"),
        (w("deep.json", format!("{{\"id\":\"X\",\"d\":{}{}}}", "[".repeat(5000), "]".repeat(5000)).as_bytes()), "deep.json: at line 1 column"),
        (w("deep.yaml", format!("id: X\nd: {}\n", "[".repeat(5000)).as_bytes()), "deep.yaml: at line 2"),
        (w("binary.yaml", &[0x80, 0xff, 0x00]), "binary.yaml: at byte 0: not UTF-8"),
    ];
    for (path, want) in cases {
        let m = failure(&db, &path, ImportLimits::default());
        assert!(m.contains(want), "{}: {m}", path.display());
    }
    // A huge file stops at the limit.
    let big = w("big.json", &vec![b' '; 4096]);
    let m = failure(
        &db,
        &big,
        ImportLimits {
            max_unit_bytes: 1024,
            ..Default::default()
        },
    );
    assert!(m.contains("larger than the limit of 1024 bytes"), "{m}");
    // Nothing was imported by any of it.
    assert!(Database::open(&db)
        .unwrap()
        .status()
        .unwrap()
        .sources
        .is_empty());
}

#[test]
fn hostile_zips_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let rec = br#"{"id":"X-1","affected":[]}"#.to_vec();
    // Traversal names.
    for name in [
        "../../etc/x.json",
        "/abs.json",
        "a/../../b.json",
        "C:/x.json",
    ] {
        let z = tmp.path().join("trav.zip");
        build_zip(
            &z,
            &[("ok.json".into(), rec.clone()), (name.into(), rec.clone())],
        );
        let m = failure(&db, &z, ImportLimits::default());
        assert!(
            m.contains(&format!("trav.zip!{name}")) && m.contains("refused"),
            "{m}"
        );
    }
    // A zip bomb: 64 MiB of zeros inflating past the cap.
    let z = tmp.path().join("bomb.zip");
    {
        let f = std::fs::File::create(&z).unwrap();
        let mut zw = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zw.start_file("bomb.json", opts).unwrap();
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..64 {
            zw.write_all(&chunk).unwrap();
        }
        zw.finish().unwrap();
    }
    assert!(std::fs::metadata(&z).unwrap().len() < 1 << 20);
    let m = failure(
        &db,
        &z,
        ImportLimits {
            max_unit_bytes: 8 << 20,
            ..Default::default()
        },
    );
    assert!(
        m.contains("bomb.zip!bomb.json") && m.contains("zip bomb"),
        "{m}"
    );
    // A bad record inside a zip is named by entry and path.
    let z = tmp.path().join("rec.zip");
    build_zip(
        &z,
        &[
            ("ok.json".into(), rec.clone()),
            (
                "X-2.json".into(),
                br#"{"id":"X-2","aliases":"CVE-1"}"#.to_vec(),
            ),
        ],
    );
    let m = failure(&db, &z, ImportLimits::default());
    assert!(
        m.contains("rec.zip!X-2.json: at aliases: expected an array, found a string"),
        "{m}"
    );
    // Not a zip at all though named .zip: read as a file, and garbage is named.
    let g = tmp.path().join("garbage.zip");
    std::fs::write(&g, b"<html>not here</html>").unwrap();
    let m = failure(&db, &g, ImportLimits::default());
    assert!(
        m.contains("garbage.zip") && m.contains("expected an OSV record"),
        "{m}"
    );
}
