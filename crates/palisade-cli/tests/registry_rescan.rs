//! `palisade registry scan` and `palisade registry rescan` end to end: a
//! real `docker-registry` on 127.0.0.1 holding three repositories (one with
//! two tags on the same digest) whose images carry real PyPI `METADATA`
//! files; a database made with `palisade db update --source DIR` from
//! advisories of `../shared/conformance/osv/pypa`; a scan; then database
//! updates that add and remove one advisory, rescanned with the registry
//! stopped. Needs umoci, skopeo and docker-registry (installed by
//! `.ci/run`); fails loudly without them.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common_registry;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common_registry::{add_image, dist_info, init_layout, skopeo_push, Registry};
use serde_json::Value;

fn pypa(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/osv/pypa/vulns")
        .join(rel)
}

/// Copies advisory `rel` (`package/PYSEC-....yaml`) into `dir`.
fn add_advisory(dir: &Path, rel: &str) {
    let to = dir.join(rel);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(pypa(rel), to).unwrap_or_else(|e| panic!("{rel}: {e}"));
}

fn palisade(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palisade"));
    cmd.args(args).env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", text(o)))
}

fn db_update(db: &Path, source: &Path) {
    let o = palisade(
        &[
            "db",
            "update",
            "--db-dir",
            db.to_str().unwrap(),
            "--source",
            source.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// `(vulnerability id, package name, version)` of a findings array.
fn ids(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["vulnerability_id"].as_str().unwrap().to_string(),
                f["package"]["name"].as_str().unwrap().to_string(),
                f["package"]["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn t(id: &str, name: &str, version: &str) -> (String, String, String) {
    (id.into(), name.into(), version.into())
}

/// Images of a scan or rescan JSON keyed by their first reference's
/// repository (`app/web`, ...).
fn by_repo(v: &Value, host: &str) -> BTreeMap<String, Value> {
    v["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let r = i["references"][0].as_str().unwrap();
            let repo = r
                .strip_prefix(&format!("{host}/"))
                .unwrap()
                .rsplit_once(':')
                .unwrap()
                .0;
            (repo.to_string(), i.clone())
        })
        .collect()
}

/// Access-log lines of the registry that fetched one of `digests`.
fn blob_gets(reg: &Registry, digests: &[String]) -> usize {
    reg.log_text()
        .lines()
        .filter(|l| l.contains("GET /v2/") && l.contains("/blobs/"))
        .filter(|l| digests.iter().any(|d| l.contains(d.as_str())))
        .count()
}

#[test]
fn scan_then_rescan_reports_exactly_the_advisory_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut reg = Registry::start(dir);
    let host = reg.host();

    // Three repositories; app/web has two tags on one manifest.
    let layout = dir.join("layout");
    init_layout(&layout);
    add_image(
        &layout,
        "web",
        &[
            dist_info("requests", "2.25.0"),
            dist_info("Jinja2", "2.11.2"),
        ],
    );
    add_image(
        &layout,
        "api",
        &[
            dist_info("requests", "2.31.0"),
            dist_info("PyYAML", "5.3.1"),
        ],
    );
    add_image(
        &layout,
        "cli",
        &[dist_info("Jinja2", "3.1.2"), dist_info("PyYAML", "6.0")],
    );
    skopeo_push(&layout, "web", &format!("{host}/app/web:1.0"));
    skopeo_push(&layout, "web", &format!("{host}/app/web:stable"));
    skopeo_push(&layout, "api", &format!("{host}/app/api:1"));
    skopeo_push(&layout, "cli", &format!("{host}/tools/cli:v2"));

    // A database with two advisories: requests < 2.31.0 (from 2.3.0) and
    // PyYAML < 5.4.
    let advisories = dir.join("advisories");
    add_advisory(&advisories, "requests/PYSEC-2023-74.yaml");
    add_advisory(&advisories, "pyyaml/PYSEC-2021-142.yaml");
    let db = dir.join("db");
    db_update(&db, &advisories);

    let store = dir.join("store");
    let (db_s, store_s) = (db.to_str().unwrap(), store.to_str().unwrap());
    let scan = |extra: &[&str]| {
        let mut args = vec![
            "registry",
            "scan",
            &host,
            "--insecure",
            "--no-cache",
            "--page-size",
            "1",
            "--db-dir",
            db_s,
            "--store-dir",
            store_s,
        ];
        if !extra.contains(&"--format") {
            args.extend_from_slice(&["--format", "json"]);
        }
        args.extend_from_slice(extra);
        palisade(&args, &[])
    };

    // First scan: every image inventoried once, matched.
    let o = scan(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v = json(&o);
    let mut repos: Vec<&str> = v["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    repos.sort();
    assert_eq!(repos, ["app/api", "app/web", "tools/cli"], "{}", text(&o));
    let images = by_repo(&v, &host);
    assert_eq!(images.len(), 3, "{}", text(&o));
    let web = &images["app/web"];
    assert_eq!(
        web["references"],
        serde_json::json!([
            format!("{host}/app/web:1.0"),
            format!("{host}/app/web:stable")
        ])
    );
    for i in images.values() {
        assert_eq!(i["inventoried"], true);
        assert_eq!(i["packages"], 2);
    }
    assert_eq!(
        ids(&web["findings"]),
        [t("PYSEC-2023-74", "requests", "2.25.0")]
    );
    assert_eq!(
        ids(&images["app/api"]["findings"]),
        [t("PYSEC-2021-142", "PyYAML", "5.3.1")]
    );
    assert_eq!(ids(&images["tools/cli"]["findings"]), []);
    let f = &web["findings"][0];
    assert_eq!(f["rule_id"], "PAL-VULN");
    assert_eq!(f["vulnerability_id"], "PYSEC-2023-74");
    assert_eq!(f["fixed_version"], "2.31.0");
    assert!(f["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "CVE-2023-32681"));
    assert_eq!(f["package"]["ecosystem"], "PyPI");
    assert!(f["layer"].as_str().unwrap().starts_with("sha256:"));
    for k in ["severity", "message", "cvss_score", "package"] {
        assert!(f.get(k).is_some(), "{k} missing: {f}");
    }

    // One store entry per manifest digest.
    let entries: Vec<PathBuf> = std::fs::read_dir(&store)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 3, "{entries:?}");
    let stamps: Vec<_> = entries
        .iter()
        .map(|p| {
            let e: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            e["scanned_at"].clone()
        })
        .collect();

    // A second scan pulls no layer: every digest is already stored.
    let layers: Vec<String> = images
        .values()
        .flat_map(|i| i["findings"].as_array().unwrap().clone())
        .map(|f| f["layer"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(layers.len(), 2);
    let before = blob_gets(&reg, &layers);
    assert_eq!(
        before,
        2,
        "each image layer fetched once in the first scan:\n{}",
        reg.log_text()
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let o = scan(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let again = by_repo(&json(&o), &host);
    assert!(
        again.values().all(|i| i["inventoried"] == false),
        "{}",
        text(&o)
    );
    assert_eq!(blob_gets(&reg, &layers), before, "{}", reg.log_text());
    for (p, stamp) in entries.iter().zip(&stamps) {
        let e: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        assert_eq!(&e["scanned_at"], stamp, "{}", p.display());
    }
    // The table names what was not pulled.
    let o = scan(&["--format", "table"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("already stored, not pulled"),
        "{}",
        text(&o)
    );

    // The database gains one advisory (Jinja2 < 2.11.3); the registry goes
    // away: the rescan needs no registry.
    add_advisory(&advisories, "jinja2/PYSEC-2021-66.yaml");
    db_update(&db, &advisories);
    reg.stop();
    let snapshot = dir.join("store-before-rescan");
    std::fs::create_dir(&snapshot).unwrap();
    for e in std::fs::read_dir(&store).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, snapshot.join(p.file_name().unwrap())).unwrap();
    }
    let rescan = |store: &str, extra: &[&str]| {
        let mut args = vec![
            "registry",
            "rescan",
            "--db-dir",
            db_s,
            "--store-dir",
            store,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        palisade(&args, &[])
    };
    let o = rescan(store_s, &["--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&o);
    let images = by_repo(&v, &host);
    assert_eq!(images.len(), 3);
    let web = &images["app/web"];
    assert_eq!(ids(&web["new"]), [t("PYSEC-2021-66", "Jinja2", "2.11.2")]);
    assert_eq!(ids(&web["fixed"]), []);
    assert_eq!(
        ids(&web["still_open"]),
        [t("PYSEC-2023-74", "requests", "2.25.0")]
    );
    assert_eq!(web["changed"], true);
    assert_eq!(web["new"][0]["fixed_version"], "2.11.3");
    let api = &images["app/api"];
    assert_eq!(ids(&api["new"]), []);
    assert_eq!(ids(&api["fixed"]), []);
    assert_eq!(
        ids(&api["still_open"]),
        [t("PYSEC-2021-142", "PyYAML", "5.3.1")]
    );
    assert_eq!(api["changed"], false);
    let cli = &images["tools/cli"];
    for k in ["new", "fixed", "still_open"] {
        assert_eq!(ids(&cli[k]), [], "{k}");
    }
    assert_eq!(
        v["summary"],
        serde_json::json!({"images": 3, "changed": 1, "new": 1, "fixed": 0, "still_open": 2})
    );

    // The same rescan on the snapshot fails at the default --fail-on low.
    let o = rescan(snapshot.to_str().unwrap(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = palisade(
        &[
            "registry",
            "rescan",
            "--db-dir",
            db_s,
            "--store-dir",
            snapshot.to_str().unwrap(),
        ],
        &[],
    );
    // (the snapshot was rescanned above: nothing new any more)
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("3 images rescanned, 0 changed: 0 new, 0 fixed, 3 still open"),
        "{table}"
    );

    // Nothing changed since: a second rescan reports no change.
    let o = rescan(store_s, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(json(&o)["summary"]["changed"], 0);

    // An advisory removed from the source shows as fixed where it matched.
    std::fs::remove_file(advisories.join("pyyaml/PYSEC-2021-142.yaml")).unwrap();
    db_update(&db, &advisories);
    let o = rescan(store_s, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v = json(&o);
    let images = by_repo(&v, &host);
    assert_eq!(
        ids(&images["app/api"]["fixed"]),
        [t("PYSEC-2021-142", "PyYAML", "5.3.1")]
    );
    assert_eq!(ids(&images["app/api"]["still_open"]), []);
    assert_eq!(
        v["summary"],
        serde_json::json!({"images": 3, "changed": 1, "new": 0, "fixed": 1, "still_open": 2})
    );
    // The table says the same.
    let o = palisade(
        &[
            "registry",
            "rescan",
            "--db-dir",
            db_s,
            "--store-dir",
            snapshot.to_str().unwrap(),
        ],
        &[],
    );
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(
        table.contains("fixed  PYSEC-2021-142") && table.contains("1 changed: 0 new, 1 fixed"),
        "{}",
        text(&o)
    );

    // A corrupt entry is reported and skipped; the others are rescanned.
    let bad = store.join(format!("sha256-{}.json", "a".repeat(64)));
    std::fs::write(&bad, b"{\"format\": 1, \"manifest_digest\": ").unwrap();
    let o = rescan(store_s, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let v = json(&o);
    assert_eq!(v["summary"]["images"], 3);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&bad.display().to_string()) && stderr.contains("line 1"),
        "{stderr}"
    );
}

#[test]
fn empty_or_missing_store_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let db = tmp.path().join("db");
    let o = palisade(
        &["registry", "rescan", "--db-dir", db.to_str().unwrap()],
        &[("PALISADE_STORE_DIR", store.as_path())],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("is empty") && stderr.contains("palisade registry scan"),
        "{stderr}"
    );
    let missing = tmp.path().join("nope");
    let o = palisade(
        &[
            "registry",
            "rescan",
            "--store-dir",
            missing.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not exist"),
        "{}",
        text(&o)
    );
}
