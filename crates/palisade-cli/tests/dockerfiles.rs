//! End-to-end: `palisade scan` over a directory holding a Dockerfile and a
//! manifest finds both, reports Dockerfile findings with their lines, and
//! reports a broken Dockerfile as an input error with its place.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .arg("scan")
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn tempdir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("palisade-cli-docker-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DOCKERFILE: &str = "# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
RUN go build -o /out/app .

FROM debian
ENV API_TOKEN=ghp_R2d2C3poL8kX4vQ9mN7bT1zW5yH6jF0aS3eD
RUN apt-get update && \\
    apt-get install -y curl
COPY --from=build /out/app /app
ENTRYPOINT [\"/app\"]
";

const MANIFEST: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n";

fn finding<'a>(v: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {v:#}"))
}

#[test]
fn scans_dockerfiles_beside_manifests() {
    let dir = tempdir("mixed");
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    std::fs::write(dir.join("pod.yaml"), MANIFEST).unwrap();
    std::fs::write(dir.join("notes.txt"), "FROM nothing").unwrap();
    let out = scan(&[dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["summary"]["files"], 2, "{v:#}");
    assert_eq!(v["summary"]["objects"], 2);
    assert!(v["errors"].as_array().unwrap().is_empty(), "{v:#}");

    let file = dir.join("Dockerfile").display().to_string();
    let root = finding(&v, "PAL-DF-001");
    assert_eq!(root["file"], file.as_str());
    assert_eq!(root["line"], 5);
    assert_eq!(root["resource"]["kind"], "Dockerfile");
    assert_eq!(root["resource"]["name"], "Dockerfile");
    let base = finding(&v, "PAL-DF-005");
    assert_eq!(
        (base["line"].clone(), base["column"].clone()),
        (5.into(), 6.into())
    );
    let secret = finding(&v, "PAL-DF-002");
    assert_eq!(secret["line"], 6);
    assert_eq!(secret["severity"], "high");
    let cache = finding(&v, "PAL-DF-007");
    assert_eq!(cache["line"], 7);
    // The manifest is still scanned.
    finding(&v, "PSS-PRIVILEGED");
    // The token is reported, never printed.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("ghp_R2d2C3poL8kX4vQ9mN7bT1zW5yH6jF0aS3eD"));
}

#[test]
fn broken_dockerfile_is_an_input_error_with_a_place() {
    let dir = tempdir("broken");
    std::fs::write(
        dir.join("api.Dockerfile"),
        "FROM alpine:3.20\nRUN <<EOF\necho unterminated\n",
    )
    .unwrap();
    std::fs::write(dir.join("pod.yaml"), MANIFEST).unwrap();
    let out = scan(&[dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("api.Dockerfile"));
    assert_eq!(errors[0]["line"], 2);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("unterminated heredoc"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("api.Dockerfile:2:5"), "{stderr}");
}

#[test]
fn docker_examples_fire_and_pass() {
    let out = scan(&["examples/docker/Dockerfile", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    for id in [
        "PAL-DF-001",
        "PAL-DF-002",
        "PAL-DF-003",
        "PAL-DF-004",
        "PAL-DF-005",
        "PAL-DF-006",
        "PAL-DF-007",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let out = scan(&["examples/docker/hardened.Dockerfile", "--format", "json"]);
    let v = json(&out);
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(out.status.code(), Some(0));
}
