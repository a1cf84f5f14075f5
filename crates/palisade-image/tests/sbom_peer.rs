//! palisade's CycloneDX SBOM against trivy's, on the same root filesystem
//! built from real parts of this Debian machine: its `/etc/os-release`,
//! `/etc/debian_version` and dpkg database, Debian's Python distributions
//! (`.dist-info` and `.egg-info` directories from
//! `/usr/lib/python3/dist-packages`) and npm's own `package.json` files.
//!
//! Both SBOMs are reduced to (name, version) sets per purl type and
//! compared. Every ecosystem palisade has an analyzer for must agree
//! exactly, after the one normalisation the ecosystem defines (PyPI names,
//! PEP 503); ecosystems whose analyzer is absent from this build are listed
//! as not compared. The differences are printed either way
//! (`cargo test -p palisade-image --test sbom_peer -- --nocapture`).
//!
//! Runs when `trivy` is on the PATH (`trivy rootfs --scanners license` works
//! offline with `--skip-db-update --offline-scan --skip-check-update`);
//! without it the test says so and passes, unless
//! `PALISADE_REQUIRE_PEERS=1` asks for the peer.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_image::{analyzers, scan_image, ImageInput, ScanOptions};
use palisade_report::sbom::{cyclonedx_json, SbomInput};
use serde_json::Value;

/// purl type -> the palisade analyzer that finds packages of it.
const ANALYZER_FOR: &[(&str, &str)] = &[("deb", "dpkg"), ("pypi", "python"), ("npm", "npm")];

type Inventory = BTreeMap<String, BTreeSet<(String, String)>>;

fn copy_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        let mut entries: Vec<_> = std::fs::read_dir(from)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for e in entries {
            copy_tree(&e, &to.join(e.file_name().unwrap()));
        }
    } else if from.is_file() {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}

fn copy_file(root: &Path, host: &str) {
    let from = Path::new(host);
    assert!(
        from.is_file(),
        "{host} is missing on this machine: the test builds its image from it"
    );
    copy_tree(from, &root.join(host.trim_start_matches('/')));
}

/// The first `n` entries of `dir` whose names end in `suffix`, sorted.
fn pick(dir: &str, suffix: &str, n: usize) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().path())
                .filter(|p| p.to_string_lossy().ends_with(suffix))
                .collect()
        })
        .unwrap_or_default();
    all.sort();
    all.truncate(n);
    all
}

/// A root filesystem of real files from this machine.
fn build_rootfs(root: &Path) -> String {
    let mut described = Vec::new();
    copy_file(root, "/etc/os-release");
    copy_file(root, "/etc/debian_version");
    copy_file(root, "/var/lib/dpkg/status");
    described.push("os-release, debian_version, dpkg status".to_string());

    let site = "/usr/lib/python3/dist-packages";
    let dists: Vec<PathBuf> = pick(site, ".dist-info", 6)
        .into_iter()
        .chain(pick(site, ".egg-info", 2))
        .collect();
    assert!(
        !dists.is_empty(),
        "no Python distributions in {site}: install python3 (Debian's)"
    );
    for d in &dists {
        copy_tree(d, &root.join(d.strip_prefix("/").unwrap()));
    }
    described.push(format!("{} Python distributions", dists.len()));

    let npm = "/usr/lib/node_modules/npm";
    if Path::new(npm).join("package.json").is_file() {
        copy_file(root, &format!("{npm}/package.json"));
        let mut n = 1;
        let modules = format!("{npm}/node_modules");
        let mut dirs: Vec<PathBuf> = pick(&modules, "", usize::MAX)
            .into_iter()
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('@'))
            .take(5)
            .collect();
        // One scoped package.
        dirs.extend(pick(&format!("{modules}/@npmcli"), "", 1));
        for d in dirs {
            let pj = d.join("package.json");
            if pj.is_file() {
                copy_file(root, pj.to_str().unwrap());
                n += 1;
            }
        }
        described.push(format!("{n} npm package.json files"));
    }
    described.join(", ")
}

/// The purl type of a purl (`pkg:deb/...` -> `deb`).
fn purl_type(purl: &str) -> Option<String> {
    let rest = purl.strip_prefix("pkg:")?;
    Some(rest.split('/').next()?.to_ascii_lowercase())
}

/// (name, version) per purl type from a CycloneDX document; the full name
/// rebuilt from `group` where a tool splits it off.
fn inventory(doc: &Value) -> Inventory {
    let mut out = Inventory::new();
    for c in doc["components"].as_array().into_iter().flatten() {
        let Some(kind) = c["purl"].as_str().and_then(purl_type) else {
            continue;
        };
        let name = c["name"].as_str().unwrap_or_default();
        let full = match c["group"].as_str().filter(|g| !g.is_empty()) {
            Some(g) if kind == "maven" => format!("{g}:{name}"),
            Some(g) => format!("{g}/{name}"),
            None => name.to_string(),
        };
        let name = if kind == "pypi" { pep503(&full) } else { full };
        let version = c["version"].as_str().unwrap_or_default().to_string();
        out.entry(kind).or_default().insert((name, version));
    }
    out
}

/// PEP 503 name normalisation: lower case, runs of `-_.` as one `-`.
fn pep503(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn trivy() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("trivy"))
        .find(|p| p.is_file())
}

#[test]
fn package_sets_agree_with_trivy() {
    let Some(trivy) = trivy() else {
        let required = std::env::var("PALISADE_REQUIRE_PEERS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "PALISADE_REQUIRE_PEERS=1 but trivy is not on the PATH"
        );
        eprintln!("sbom_peer: trivy is not installed; comparison not run");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    let what = build_rootfs(&root);
    eprintln!("sbom_peer: rootfs with {what}");

    // palisade
    let inv = scan_image(&ImageInput::Dir(root.clone()), &ScanOptions::default()).unwrap();
    for e in &inv.errors {
        eprintln!(
            "sbom_peer: palisade error: {} {}: {}",
            e.analyzer, e.path, e.message
        );
    }
    let ours_text = cyclonedx_json(&SbomInput {
        name: &inv.source,
        digest: inv.manifest_digest.as_deref(),
        os: inv.os.as_ref(),
        packages: &inv.packages,
        tool_version: env!("CARGO_PKG_VERSION"),
        created: "2026-01-01T00:00:00Z",
        seed: "",
    });
    let ours_doc: Value = serde_json::from_str(&ours_text).unwrap();
    let ours = inventory(&ours_doc);

    // trivy, offline: no vulnerability DB is needed to list packages.
    let out = Command::new(&trivy)
        .args([
            "rootfs",
            "--format",
            "cyclonedx",
            "--scanners",
            "license",
            "--skip-db-update",
            "--offline-scan",
            "--skip-check-update",
            "--quiet",
            "--cache-dir",
        ])
        .arg(dir.path().join("trivy-cache"))
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trivy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs_doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let theirs = inventory(&theirs_doc);

    let os_name = |doc: &Value| -> Option<String> {
        doc["components"]
            .as_array()?
            .iter()
            .find(|c| c["type"] == "operating-system")
            .map(|c| format!("{} {}", c["name"], c["version"]))
    };
    eprintln!(
        "sbom_peer: OS palisade {:?}, trivy {:?} (trivy reads /etc/debian_version's point release)",
        os_name(&ours_doc),
        os_name(&theirs_doc)
    );

    let kinds: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    let empty = BTreeSet::new();
    let mut failures = Vec::new();
    eprintln!(
        "sbom_peer: {:<6} {:>9} {:>7} {:>10} {:>11}",
        "type", "palisade", "trivy", "only ours", "only trivy"
    );
    for kind in kinds {
        let a = ours.get(kind).unwrap_or(&empty);
        let b = theirs.get(kind).unwrap_or(&empty);
        let only_ours: Vec<_> = a.difference(b).collect();
        let only_theirs: Vec<_> = b.difference(a).collect();
        eprintln!(
            "sbom_peer: {kind:<6} {:>9} {:>7} {:>10} {:>11}",
            a.len(),
            b.len(),
            only_ours.len(),
            only_theirs.len()
        );
        for (n, v) in &only_ours {
            eprintln!("sbom_peer:   only palisade: {kind} {n} {v}");
        }
        for (n, v) in &only_theirs {
            eprintln!("sbom_peer:   only trivy:    {kind} {n} {v}");
        }
        let analyzer = ANALYZER_FOR
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, id)| *id);
        match analyzer {
            Some(id) if analyzers::analyzer(id).is_some() => {
                if !(only_ours.is_empty() && only_theirs.is_empty()) {
                    failures.push(format!(
                        "{kind}: {} only in palisade, {} only in trivy",
                        only_ours.len(),
                        only_theirs.len()
                    ));
                }
            }
            Some(id) => eprintln!("sbom_peer:   not compared: this build has no `{id}` analyzer"),
            None => eprintln!(
                "sbom_peer:   not compared: the test image holds no such packages on purpose"
            ),
        }
    }
    assert!(failures.is_empty(), "package sets differ: {failures:?}");
    // The comparison compared something: dpkg at least, whenever it exists.
    if analyzers::analyzer("dpkg").is_some() {
        assert!(ours.get("deb").is_some_and(|s| s.len() > 10), "{ours:?}");
    }
}
