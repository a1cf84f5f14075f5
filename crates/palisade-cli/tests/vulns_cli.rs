//! `palisade sbom` and `palisade image --vulns` end to end: a database
//! built offline from the real PyPA advisories, an image root holding a
//! vulnerable Python distribution, its CycloneDX SBOM made by palisade,
//! and the reports, exit codes, JSON fields and VEX suppression.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .env_remove("PALISADE_DB_DIR")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn pypa() -> PathBuf {
    let p =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/osv/pypa/vulns");
    assert!(p.is_dir(), "conformance data missing at {}", p.display());
    p
}

struct Fixture {
    _tmp: tempfile::TempDir,
    db: String,
    root: String,
    bom: String,
    dir: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let out = palisade(&[
        "db",
        "update",
        "--db-dir",
        db.to_str().unwrap(),
        "--source",
        pypa().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = tmp.path().join("root");
    let dist = root.join("usr/lib/python3/dist-packages");
    for (name, version) in [("Jinja2", "2.10"), ("six", "1.16.0")] {
        let d = dist.join(format!("{name}-{version}.dist-info"));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("METADATA"),
            format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"),
        )
        .unwrap();
    }
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(
        root.join("etc/os-release"),
        "ID=debian\nVERSION_ID=\"12\"\n",
    )
    .unwrap();
    let root_ref = format!("dir:{}", root.display());
    let out = palisade(&["image", &root_ref, "--format", "cyclonedx"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bom = tmp.path().join("bom.cdx.json");
    std::fs::write(&bom, &out.stdout).unwrap();
    Fixture {
        db: db.display().to_string(),
        root: root_ref,
        bom: bom.display().to_string(),
        dir: tmp.path().to_path_buf(),
        _tmp: tmp,
    }
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["vulnerability_id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn sbom_and_image_report_the_advisories_with_their_fields() {
    let fx = fixture();
    let out = palisade(&["sbom", &fx.bom, "--db-dir", &fx.db, "-f", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(ids(&v, "findings"), ["PYSEC-2019-217", "PYSEC-2021-66"]);
    let f = &v["findings"][0];
    assert_eq!(f["rule_id"], "PAL-VULN");
    assert_eq!(f["severity"], "medium");
    assert!(f["message"].as_str().unwrap().contains("Jinja2 2.10"));
    assert!(f["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "CVE-2019-10906"));
    assert_eq!(f["package"]["name"], "Jinja2");
    assert_eq!(f["package"]["version"], "2.10");
    assert_eq!(f["package"]["ecosystem"], "PyPI");
    assert_eq!(f["package"]["purl"], "pkg:pypi/jinja2@2.10");
    assert_eq!(f["fixed_version"], "2.10.1");
    assert!(f["cvss_score"].is_null());
    assert!(f.get("layer").is_none(), "SBOM findings have no layer");

    // The image itself gives the same advisories, with a layer field.
    let out = palisade(&[
        "image", &fx.root, "--vulns", "--db-dir", &fx.db, "-f", "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(ids(&v, "findings"), ["PYSEC-2019-217", "PYSEC-2021-66"]);
    assert!(v["findings"][0].as_object().unwrap().contains_key("layer"));
    assert!(v["packages"].as_array().unwrap().len() >= 2);

    // The config default `image.vulns: true` turns matching on without the
    // flag; --no-vulns turns it off for one run.
    let cfg = fx.dir.join("palisade.yaml");
    std::fs::write(&cfg, "image:\n  vulns: true\n").unwrap();
    let cfg = cfg.to_str().unwrap();
    let args = [
        "image", &fx.root, "--db-dir", &fx.db, "--config", cfg, "-f", "json",
    ];
    let out = palisade(&args);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        ids(&json_of(&out), "findings"),
        ["PYSEC-2019-217", "PYSEC-2021-66"]
    );
    let out = palisade(&[&args[..], &["--no-vulns"]].concat());
    let v = json_of(&out);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule_id"] != "PAL-VULN"),
        "{v}"
    );

    // --fail-on above every finding: exit 0; --ignore-unfixed keeps fixed ones.
    let out = palisade(&["sbom", &fx.bom, "--db-dir", &fx.db, "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(0));
    let out = palisade(&[
        "sbom",
        &fx.bom,
        "--db-dir",
        &fx.db,
        "--ignore-unfixed",
        "-f",
        "json",
    ]);
    assert_eq!(ids(&json_of(&out), "findings").len(), 2);

    // --explain-match names the range and the comparison.
    let out = palisade(&["sbom", &fx.bom, "--db-dir", &fx.db, "--explain-match"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("introduced 0 <= 2.10 < fixed 2.10.1 (PEP 440)"),
        "{text}"
    );

    // SARIF and JUnit still render.
    for fmt in ["sarif", "junit", "table"] {
        let out = palisade(&["sbom", &fx.bom, "--db-dir", &fx.db, "-f", fmt]);
        assert_eq!(out.status.code(), Some(1), "{fmt}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("PAL-VULN"),
            "{fmt}"
        );
    }
}

#[test]
fn vex_suppresses_with_its_justification() {
    let fx = fixture();
    let vex = fx.dir.join("app.openvex.json");
    std::fs::write(
        &vex,
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "test", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2019-10906"},
              "products": [{"@id": "pkg:pypi/jinja2@2.10"}],
              "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    let vex = vex.display().to_string();
    let out = palisade(&[
        "sbom",
        &fx.bom,
        "--db-dir",
        &fx.db,
        "--vex",
        &vex,
        "--show-suppressed",
        "-f",
        "json",
    ]);
    let v = json_of(&out);
    assert_eq!(ids(&v, "findings"), ["PYSEC-2021-66"]);
    assert_eq!(ids(&v, "suppressed"), ["PYSEC-2019-217"]);
    let s = &v["suppressed"][0];
    assert!(
        s["suppression"]["reason"]
            .as_str()
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path"),
        "{s}"
    );
    assert_eq!(s["vex"]["status"], "not_affected");
    let out = palisade(&[
        "sbom",
        &fx.bom,
        "--db-dir",
        &fx.db,
        "--vex",
        &vex,
        "--show-suppressed",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("vulnerable_code_not_in_execute_path"),
        "{text}"
    );
}

#[test]
fn a_missing_database_says_how_to_make_one() {
    let fx = fixture();
    let empty = fx.dir.join("no-db");
    let out = palisade(&["sbom", &fx.bom, "--db-dir", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("palisade db update --source"), "{err}");
    let out = palisade(&[
        "image",
        &fx.root,
        "--vulns",
        "--db-dir",
        empty.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = palisade(&["explain", "PAL-VULN"]);
    assert!(out.status.success());
}
