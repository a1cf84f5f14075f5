//! The image policy end to end: a `palisade.yaml` with an allow list, a
//! deny list and a digest requirement beside a manifest, scanned by the
//! binary; exit codes and JSON findings.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;
use std::process::{Command, Output};

const DIGEST: &str = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

fn scan(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(["scan", "--format", "json", "--fail-on", "low"])
        .args(extra)
        .arg(dir)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn findings(out: &Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v["findings"].as_array().unwrap().clone()
}

/// The image findings (`PAL-K8S-025` to `PAL-K8S-029`) as
/// `(rule, line, container, message)`.
fn image_findings(out: &Output) -> Vec<(String, u64, String, String)> {
    let mut found: Vec<_> = findings(out)
        .iter()
        .filter(|f| {
            let id = f["rule_id"].as_str().unwrap();
            ("PAL-K8S-025".."PAL-K8S-030").contains(&id)
        })
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["container"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn manifest() -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: shop
spec:
  selector:
    matchLabels: {{app: shop}}
  template:
    metadata:
      labels: {{app: shop}}
    spec:
      initContainers:
        - name: wait
          image: busybox:1.36
      containers:
        - name: api
          image: myregistry.azurecr.io/shop/api:1.4.2
        - name: pinned
          image: myregistry.azurecr.io/shop/worker:1.4.2@{DIGEST}
        - name: proxy
          image: quay.io/coreos/etcd:v3.5.0
        - name: broken
          image: myregistry.azurecr.io/Shop/api:1
"
    )
}

const POLICY: &str = "images:
  allowed_registries: [\"*.azurecr.io\"]
  forbidden_registries: [\"quay.io/coreos/*\"]
  require_digest: [\"*.azurecr.io\"]
";

#[test]
fn configured_policy_reports_each_broken_clause_at_the_image() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("palisade.yaml"), POLICY).unwrap();
    std::fs::write(dir.path().join("shop.yaml"), manifest()).unwrap();
    let out = scan(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found = image_findings(&out);
    let expected = [
        (
            "PAL-K8S-025",
            24,
            "broken",
            "container \"broken\" of Deployment \"shop\" uses image \"myregistry.azurecr.io/Shop/api:1\", which is not a valid image reference: repository \"Shop/api\" must be lower-case",
        ),
        (
            "PAL-K8S-026",
            15,
            "wait",
            "init container \"wait\" of Deployment \"shop\" uses image \"busybox:1.36\" (docker.io/library/busybox), which is not in images.allowed_registries [\"*.azurecr.io\"]",
        ),
        (
            "PAL-K8S-026",
            22,
            "proxy",
            "container \"proxy\" of Deployment \"shop\" uses image \"quay.io/coreos/etcd:v3.5.0\" (quay.io/coreos/etcd), which is not in images.allowed_registries [\"*.azurecr.io\"]",
        ),
        (
            "PAL-K8S-027",
            22,
            "proxy",
            "container \"proxy\" of Deployment \"shop\" uses image \"quay.io/coreos/etcd:v3.5.0\" (quay.io/coreos/etcd), which matches \"quay.io/coreos/*\" in images.forbidden_registries",
        ),
        (
            "PAL-K8S-028",
            18,
            "api",
            "container \"api\" of Deployment \"shop\" uses image \"myregistry.azurecr.io/shop/api:1.4.2\" without a digest; images.require_digest requires one for images matching \"*.azurecr.io\"",
        ),
    ];
    let expected: Vec<(String, u64, String, String)> = expected
        .iter()
        .map(|(r, l, c, m)| (r.to_string(), *l, c.to_string(), m.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn without_a_policy_public_registries_are_low_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shop.yaml"), manifest()).unwrap();
    let out = scan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let found = image_findings(&out);
    let public: Vec<(&str, u64)> = found
        .iter()
        .filter(|f| f.0 == "PAL-K8S-029")
        .map(|f| (f.2.as_str(), f.1))
        .collect();
    assert_eq!(public, [("wait", 15), ("proxy", 22)]);
    assert!(found
        .iter()
        .all(|f| f.0 == "PAL-K8S-029" || f.0 == "PAL-K8S-025"));
    let severities: Vec<String> = findings(&out)
        .iter()
        .filter(|f| f["rule_id"] == "PAL-K8S-029")
        .map(|f| f["severity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(severities, ["low", "low"]);
}

#[test]
fn a_clean_manifest_passes_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("palisade.yaml"), POLICY).unwrap();
    std::fs::write(
        dir.path().join("ok.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n    - name: app\n      image: myregistry.azurecr.io/shop/api:1.4.2@{DIGEST}\n"
        ),
    )
    .unwrap();
    let out = scan(dir.path(), &[]);
    assert_eq!(image_findings(&out), Vec::new());
}

#[test]
fn a_pattern_without_a_registry_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("palisade.yaml"),
        "images:\n  allowed_registries: [\"bitnami/*\"]\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("shop.yaml"), manifest()).unwrap();
    let out = scan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("names no registry") && stderr.contains("docker.io/bitnami/*"),
        "{stderr}"
    );
}

/// The image findings and `PAL-DF-008` as `(file, rule, line, column, message)`.
fn base_image_findings(out: &Output) -> Vec<(String, String, u64, u64, String)> {
    let mut found: Vec<_> = findings(out)
        .iter()
        .filter(|f| {
            let id = f["rule_id"].as_str().unwrap();
            ("PAL-K8S-025".."PAL-K8S-030").contains(&id) || id == "PAL-DF-008"
        })
        .map(|f| {
            let file = Path::new(f["file"].as_str().unwrap());
            (
                file.file_name().unwrap().to_string_lossy().to_string(),
                f["rule_id"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn dockerfile_base_images_meet_the_registry_policy_and_the_approved_bases() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("palisade.yaml"),
        "images:
  allowed_registries: [\"*.azurecr.io\"]
  forbidden_registries: [\"quay.io/coreos/*\"]
  require_digest: [\"*.azurecr.io\"]
  approved_base_images:
    - \"myregistry.azurecr.io/base/*\"
    - \"mcr.microsoft.com/cbl-mariner/distroless/*\"
",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "# syntax=docker/dockerfile:1
ARG RUNTIME=debian:12-slim
FROM golang:1.22 AS build
RUN go build -o /out/app .
FROM myregistry.azurecr.io/tools/lint:2 AS lint
FROM quay.io/coreos/etcd:v3.5.0 AS etcd
FROM ${RUNTIME} AS runtime-base
FROM runtime-base
COPY --from=build /out/app /app
COPY --from=etcd /usr/local/bin/etcd /usr/local/bin/
USER 10001:10001
",
    )
    .unwrap();
    // Approved and pinned: only the builder's registry is reported.
    std::fs::write(
        dir.path().join("api.Dockerfile"),
        format!(
            "FROM golang:1.22 AS build
FROM build AS test
FROM scratch AS empty
FROM myregistry.azurecr.io/base/distroless:1.0@{DIGEST}
COPY --from=build /out/app /app
USER 10001:10001
"
        ),
    )
    .unwrap();
    let out = scan(dir.path(), &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let allowed = "which is not in images.allowed_registries [\"*.azurecr.io\"]";
    let expected = [
        (
            "Dockerfile",
            "PAL-DF-008",
            7,
            6,
            "stage 4 of Dockerfile \"Dockerfile\" is the shipped image and is built on \"debian:12-slim\" (docker.io/library/debian:12-slim, FROM ${RUNTIME}, the base of stage \"runtime-base\"), which is not in images.approved_base_images [\"myregistry.azurecr.io/base/*\", \"mcr.microsoft.com/cbl-mariner/distroless/*\"]".to_string(),
        ),
        (
            "Dockerfile",
            "PAL-K8S-026",
            3,
            6,
            format!("stage \"build\" of Dockerfile \"Dockerfile\" uses image \"golang:1.22\" (docker.io/library/golang), {allowed}"),
        ),
        (
            "Dockerfile",
            "PAL-K8S-026",
            6,
            6,
            format!("stage \"etcd\" of Dockerfile \"Dockerfile\" uses image \"quay.io/coreos/etcd:v3.5.0\" (quay.io/coreos/etcd), {allowed}"),
        ),
        (
            "Dockerfile",
            "PAL-K8S-026",
            7,
            6,
            format!("stage \"runtime-base\" of Dockerfile \"Dockerfile\" (FROM ${{RUNTIME}}) uses image \"debian:12-slim\" (docker.io/library/debian), {allowed}"),
        ),
        (
            "Dockerfile",
            "PAL-K8S-027",
            6,
            6,
            "stage \"etcd\" of Dockerfile \"Dockerfile\" uses image \"quay.io/coreos/etcd:v3.5.0\" (quay.io/coreos/etcd), which matches \"quay.io/coreos/*\" in images.forbidden_registries".to_string(),
        ),
        (
            "Dockerfile",
            "PAL-K8S-028",
            5,
            6,
            "stage \"lint\" of Dockerfile \"Dockerfile\" uses image \"myregistry.azurecr.io/tools/lint:2\" without a digest; images.require_digest requires one for images matching \"*.azurecr.io\"".to_string(),
        ),
        (
            "api.Dockerfile",
            "PAL-K8S-026",
            1,
            6,
            format!("stage \"build\" of Dockerfile \"api.Dockerfile\" uses image \"golang:1.22\" (docker.io/library/golang), {allowed}"),
        ),
    ];
    let expected: Vec<(String, String, u64, u64, String)> = expected
        .into_iter()
        .map(|(f, r, l, c, m)| (f.to_string(), r.to_string(), l, c, m))
        .collect();
    assert_eq!(base_image_findings(&out), expected);

    // Without a policy the public bases are low findings and no base image
    // is judged against an approved list.
    std::fs::remove_file(dir.path().join("palisade.yaml")).unwrap();
    let out = scan(dir.path(), &[]);
    let found: Vec<(String, String, u64)> = base_image_findings(&out)
        .into_iter()
        .map(|(f, r, l, _, _)| (f, r, l))
        .collect();
    let public = |f: &str, l: u64| (f.to_string(), "PAL-K8S-029".to_string(), l);
    assert_eq!(
        found,
        [
            public("Dockerfile", 3),
            public("Dockerfile", 6),
            public("Dockerfile", 7),
            public("api.Dockerfile", 1),
        ]
    );
}
