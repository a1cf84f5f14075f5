//! Shared by the integration tests: a root filesystem built from real parts
//! of this Debian machine, and real SBOMs of it made by trivy and palisade.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_image::{scan_image, ImageInput, ImageInventory, ScanOptions};
use palisade_model::{Ecosystem, Package};
use palisade_report::sbom::{SbomFormat, SbomInput};

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

/// `ROOT` with this machine's `/etc/os-release`, `/etc/debian_version`,
/// dpkg database and the `.dist-info` directories of Debian's Python
/// distributions.
pub fn build_rootfs(root: &Path) {
    for f in [
        "/etc/os-release",
        "/etc/debian_version",
        "/var/lib/dpkg/status",
    ] {
        assert!(
            Path::new(f).is_file(),
            "{f} is missing: the test builds its root filesystem from this Debian machine"
        );
        copy_tree(Path::new(f), &root.join(f.trim_start_matches('/')));
    }
    let py = Path::new("/usr/lib/python3/dist-packages");
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(py) {
        let mut dirs: Vec<PathBuf> = rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".dist-info"))
            .collect();
        dirs.sort();
        for d in dirs.into_iter().take(12) {
            copy_tree(
                &d,
                &root
                    .join("usr/lib/python3/dist-packages")
                    .join(d.file_name().unwrap()),
            );
            n += 1;
        }
    }
    assert!(n > 0, "no .dist-info directory under {}", py.display());
}

/// trivy on the PATH; `None` (with a message) when absent, unless
/// `PALISADE_REQUIRE_PEERS=1` asks for it, then a failure.
pub fn trivy() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("trivy"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        let required = std::env::var("PALISADE_REQUIRE_PEERS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "PALISADE_REQUIRE_PEERS=1 but trivy is not on the PATH"
        );
        eprintln!("SKIPPED: trivy is not installed; the trivy-made SBOMs were not read");
    }
    found
}

/// trivy's SBOM of `root` in `format` (`cyclonedx`, `spdx-json`, `spdx`),
/// made offline.
pub fn trivy_sbom(trivy: &Path, root: &Path, cache: &Path, format: &str) -> Vec<u8> {
    let out = Command::new(trivy)
        .args([
            "rootfs",
            "--format",
            format,
            "--scanners",
            "license",
            "--skip-db-update",
            "--offline-scan",
            "--skip-check-update",
            "--quiet",
            "--cache-dir",
        ])
        .arg(cache)
        .arg(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "trivy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// palisade's inventory of `root`.
pub fn palisade_inventory(root: &Path) -> ImageInventory {
    scan_image(
        &ImageInput::Dir(root.to_path_buf()),
        &ScanOptions::default(),
    )
    .unwrap()
}

/// palisade's SBOM of an inventory, as `palisade image --format` writes it.
pub fn palisade_sbom(
    inv: &ImageInventory,
    format: SbomFormat,
    name: &str,
    digest: Option<&str>,
) -> String {
    format.render(&SbomInput {
        name,
        digest,
        os: inv.os.as_ref(),
        packages: &inv.packages,
        tool_version: "0.1.0",
        created: "2026-01-02T03:04:05Z",
        seed: "",
    })
}

/// (ecosystem, name, version, purl) of each package, sorted.
pub fn keys(pkgs: &[Package]) -> Vec<(Ecosystem, String, String, String)> {
    let mut v: Vec<_> = pkgs
        .iter()
        .map(|p| {
            (
                p.ecosystem,
                p.name.clone(),
                p.version.clone(),
                p.purl.clone(),
            )
        })
        .collect();
    v.sort();
    v
}
