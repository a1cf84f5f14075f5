//! `palisade image` end to end on OCI layouts built here with umoci: a
//! layer adding a private key and a later layer deleting it (whiteout), a
//! root image exposing port 80 with a credential in ENV, a setuid file,
//! a world-writable directory and an apt cache. Needs `umoci` (installed
//! by `.ci/run`); fails loudly without it.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDqZkGnL0mDk2QbJxF1Y4w6s8bq8Zz4yq0vN1mE3cXQmgAAAJgbK3kXGyt5\n-----END OPENSSH PRIVATE KEY-----\n";
const SECRET: &str = "Xk9mQ2vL7pW4zR8tY3";

fn umoci(args: &[&str]) {
    let out = Command::new("umoci")
        .args(args)
        .output()
        .expect("umoci must be installed (see .ci/run)");
    assert!(
        out.status.success(),
        "umoci {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Unpacks `image`, lets `edit` change the rootfs, repacks a new layer.
fn layer(image: &str, bundle: &Path, edit: impl FnOnce(&Path)) {
    let b = bundle.to_str().unwrap();
    umoci(&["unpack", "--rootless", "--image", image, b]);
    edit(&bundle.join("rootfs"));
    umoci(&["repack", "--image", image, b]);
    std::fs::remove_dir_all(bundle).unwrap();
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The insecure image: `oci:DIR:bad`.
fn build_bad(dir: &Path) -> PathBuf {
    let layout = dir.join("layout");
    let l = layout.to_str().unwrap();
    let image = format!("{l}:bad");
    umoci(&["init", "--layout", l]);
    umoci(&["new", "--image", &image]);
    let bundle = dir.join("bundle");
    layer(&image, &bundle, |root| {
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(
            root.join("etc/os-release"),
            "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("root/.ssh")).unwrap();
        std::fs::write(root.join("root/.ssh/id_rsa"), KEY).unwrap();
        std::fs::create_dir_all(root.join("usr/local/bin")).unwrap();
        std::fs::write(root.join("usr/local/bin/helper"), "#!/bin/sh\n").unwrap();
        set_mode(&root.join("usr/local/bin/helper"), 0o4755);
        std::fs::create_dir_all(root.join("opt/app")).unwrap();
        set_mode(&root.join("opt/app"), 0o777);
        std::fs::create_dir_all(root.join("var/lib/apt/lists")).unwrap();
        std::fs::write(
            root.join("var/lib/apt/lists/deb.debian.org_InRelease"),
            "x".repeat(100),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        set_mode(&root.join("tmp"), 0o1777);
    });
    layer(&image, &bundle, |root| {
        std::fs::remove_file(root.join("root/.ssh/id_rsa")).unwrap();
    });
    umoci(&[
        "config",
        "--image",
        &image,
        "--config.user=0",
        "--config.exposedports=80/tcp",
        &format!("--config.env=DB_PASSWORD={SECRET}"),
    ]);
    layout
}

/// A clean image: `oci:DIR:good`, non-root, no files of concern.
fn build_good(dir: &Path) -> PathBuf {
    let layout = dir.join("good");
    let l = layout.to_str().unwrap();
    let image = format!("{l}:1.0");
    umoci(&["init", "--layout", l]);
    umoci(&["new", "--image", &image]);
    layer(&image, &dir.join("gb"), |root| {
        std::fs::create_dir_all(root.join("app")).unwrap();
        std::fs::write(root.join("app/run"), "#!/bin/sh\n").unwrap();
        set_mode(&root.join("app/run"), 0o755);
    });
    umoci(&[
        "config",
        "--image",
        &image,
        "--config.user=10001:10001",
        "--config.exposedports=8080/tcp",
    ]);
    layout
}

fn palisade(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn insecure_image_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = build_bad(tmp.path());
    let reference = format!("oci:{}:bad", layout.display());

    // JSON: findings, packages, exit 1.
    let out = palisade(
        &["image", &reference, "--no-config", "--format", "json"],
        tmp.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let ids: Vec<&str> = findings
        .iter()
        .map(|f| {
            f["rule"]
                .as_str()
                .unwrap_or_else(|| f["rule_id"].as_str().unwrap())
        })
        .collect();
    for id in [
        "PAL-IMG-001",
        "PAL-IMG-002",
        "PAL-IMG-003",
        "PAL-IMG-004",
        "PAL-IMG-008",
        "PAL-IMG-009",
        "PAL-IMG-010",
        "PAL-IMG-011",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(v["packages"].is_array() && v["errors"].as_array().unwrap().is_empty());
    let text = stdout(&out);
    assert!(!text.contains(SECRET), "secret leaked");
    assert!(
        !text.contains("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
        "key leaked"
    );
    let key = findings
        .iter()
        .find(|f| f.to_string().contains("PAL-IMG-008"))
        .unwrap()
        .to_string();
    assert!(
        key.contains("deleted in a later layer but still in layer 1/"),
        "{key}"
    );
    assert!(key.contains("!/root/.ssh/id_rsa"), "{key}");

    // Table.
    let out = palisade(&["image", &reference, "--no-config"], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    let table = stdout(&out);
    assert!(
        table.contains("PAL-IMG-009") && table.contains("usr/local/bin/helper"),
        "{table}"
    );
    assert!(!table.contains("/tmp "), "sticky /tmp is fine: {table}");

    // SARIF parses and names the rules.
    let sarif_path = tmp.path().join("out.sarif");
    let out = palisade(
        &[
            "image",
            &reference,
            "--no-config",
            "--format",
            "sarif",
            "--output",
            sarif_path.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(sarif.to_string().contains("PAL-IMG-008"));

    // JUnit validates against the vendored schema.
    let junit = tmp.path().join("out.xml");
    let out = palisade(
        &[
            "image",
            &reference,
            "--no-config",
            "-f",
            "junit",
            "-o",
            junit.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let xsd = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../palisade-report/tests/schemas/junit-10.xsd"
    );
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema", xsd, junit.to_str().unwrap()])
        .output()
        .expect("xmllint must be installed (see .ci/run)");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );

    // --fail-on critical: nothing that severe, exit 0; --severity filters output.
    let out = palisade(
        &[
            "image",
            &reference,
            "--no-config",
            "--fail-on",
            "critical",
            "--severity",
            "high",
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] == "high" || f["severity"] == "critical"));

    // Config: disable, exceptions, approved distros, max age.
    let cfg = tmp.path().join("palisade.yaml");
    std::fs::write(&cfg, "rules:\n  disable: [PAL-IMG-004]\nimage:\n  approved_distros: [alpine-3.20]\nexceptions:\n  - rule: PAL-IMG-001\n    kind: Image\n    reason: base image needs root\n").unwrap();
    let out = palisade(
        &[
            "image",
            &reference,
            "--config",
            cfg.to_str().unwrap(),
            "--format",
            "json",
        ],
        tmp.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = v.to_string();
    assert!(!s.contains("PAL-IMG-004"), "disabled rule ran");
    assert!(s.contains("PAL-IMG-012") && s.contains("debian-12"), "{s}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| !f.to_string().contains("PAL-IMG-001")),
        "suppressed root finding listed without --show-suppressed"
    );
}

#[test]
fn clean_image_passes_and_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let layout = build_good(tmp.path());
    let reference = format!("oci:{}:1.0", layout.display());
    // Only the healthcheck note remains (umoci sets no Healthcheck).
    let out = palisade(
        &["image", &reference, "--no-config", "--format", "json"],
        tmp.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert!(ids.iter().all(|f| f.contains("PAL-IMG-004")), "{ids:#?}");
    let out = palisade(
        &["image", &reference, "--no-config", "--fail-on", "medium"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Missing tag, missing layout, bad platform: exit 2 with a message.
    for (r, expect) in [
        (format!("oci:{}:nope", layout.display()), "nope"),
        (format!("oci:{}/missing", tmp.path().display()), "missing"),
    ] {
        let out = palisade(&["image", &r, "--no-config"], tmp.path());
        assert_eq!(out.status.code(), Some(2), "{r}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(expect),
            "{r}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = palisade(
        &["image", &reference, "--no-config", "--platform", "linux"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));

    // explain and rules know the image rules.
    let out = palisade(&["explain", "PAL-IMG-001"], tmp.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Image runs as root"));
    let out = palisade(&["rules"], tmp.path());
    assert!(stdout(&out).contains("PAL-IMG-012"));
}
