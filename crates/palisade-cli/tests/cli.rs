//! End-to-end tests of the `palisade` binary: exit codes, formats, inputs,
//! configuration and the bundled examples.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_palisade"));
    c.env_remove("NO_COLOR");
    c
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    bin().args(args).current_dir(repo()).output().unwrap()
}

fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
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

fn rule_ids(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap().to_string())
        .collect()
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: team\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n";

#[test]
fn hardened_example_is_clean() {
    let out = run(&["scan", "examples/hardened", "--format", "json"]);
    let v = json(&out);
    assert_eq!(rule_ids(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn insecure_examples_fail_with_located_findings() {
    let out = run(&["scan", "examples/insecure", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let ids = rule_ids(&v);
    for expected in [
        "PSS-PRIVILEGED",
        "PSS-HOST-NAMESPACES",
        "PSS-RESTRICTED-VOLUMES",
    ] {
        assert!(
            ids.iter().any(|i| i.starts_with(expected)),
            "{expected} missing from {ids:?}"
        );
    }
    let privileged = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule_id"] == "PSS-PRIVILEGED")
        .unwrap();
    assert_eq!(privileged["file"], "examples/insecure/web.yaml");
    assert_eq!(privileged["line"], 23);
    assert_eq!(privileged["container"], "app");
    assert_eq!(privileged["resource"]["kind"], "Deployment");
    assert_eq!(privileged["pss"]["check"], "privileged");
    // The literal password is reported, but never printed in full.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("S3cr3t-Passw0rd!"),
        "secret leaked into the report"
    );
    assert!(
        !stdout.contains("Tr0ub4dor&3xyz"),
        "secret leaked into the report"
    );
}

#[test]
fn summary_counts_files_and_objects() {
    let out = run(&["scan", "examples", "--format", "json"]);
    let v = json(&out);
    assert_eq!(v["summary"]["files"], 8);
    assert_eq!(v["summary"]["objects"], 11);
}

#[test]
fn fail_on_threshold_decides_the_exit_code() {
    let out = run_stdin(
        &[
            "scan",
            "-",
            "--format",
            "json",
            "--level",
            "baseline",
            "--fail-on",
            "critical",
        ],
        PRIVILEGED_POD,
    );
    assert_eq!(out.status.code(), Some(1));
    let relaxed = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n";
    let out = run_stdin(
        &["scan", "-", "--format", "json", "--fail-on", "critical"],
        relaxed,
    );
    let v = json(&out);
    assert!(!rule_ids(&v).is_empty());
    assert_eq!(
        out.status.code(),
        Some(0),
        "only non-critical findings: {:?}",
        rule_ids(&v)
    );
}

#[test]
fn stdin_reads_helm_template_output() {
    let text = format!("---\n# Source: chart/templates/pod.yaml\n{PRIVILEGED_POD}");
    let out = run_stdin(&["scan", "-", "--format", "json"], &text);
    let v = json(&out);
    let f = &v["findings"].as_array().unwrap()[0];
    assert_eq!(f["file"], "-");
}

#[test]
fn missing_path_and_empty_input_exit_2() {
    let out = run(&["scan", "does/not/exist"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cannot read")
            || String::from_utf8_lossy(&out.stderr).contains("cannot read")
    );

    let dir = tempdir("empty");
    std::fs::write(dir.join("values.yaml"), "replicaCount: 1\n").unwrap();
    let out = run(&["scan", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert!(v["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no Kubernetes objects"));
    let out = run_stdin(&["scan", "-"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn bad_file_does_not_hide_good_files() {
    let dir = tempdir("mixed");
    std::fs::write(
        dir.join("a-bad.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: indent\n",
    )
    .unwrap();
    std::fs::write(dir.join("b-types.yaml"), "apiVersion: v1\nkind: Pod\nmetadata: {name: y}\nspec:\n  securityContext: {runAsUser: \"abc\"}\n  containers: [{name: c, image: i}]\n").unwrap();
    std::fs::write(dir.join("c-good.yaml"), PRIVILEGED_POD).unwrap();
    std::fs::write(dir.join("d-binary.yaml"), b"\x00\x01\x02garbage").unwrap();
    let out = run(&["scan", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert!(rule_ids(&v).contains(&"PSS-PRIVILEGED".to_string()));
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let typed = errors
        .iter()
        .find(|e| e["file"].as_str().unwrap().ends_with("b-types.yaml"))
        .unwrap();
    assert_eq!(typed["line"], 5);
    assert!(typed["message"].as_str().unwrap().contains("runAsUser"));
    // Errors also reach stderr with file:line:column.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("b-types.yaml:5:"), "{stderr}");
}

#[test]
fn formats_and_output_file() {
    let dir = tempdir("formats");
    let target = dir.join("report.sarif");
    let out = run(&[
        "scan",
        "examples/insecure",
        "--format",
        "sarif",
        "--output",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let uri = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        ["artifactLocation"]["uri"];
    assert!(
        uri.as_str().unwrap().starts_with("examples/insecure/"),
        "{uri}"
    );
    let out = run(&["scan", "examples/insecure", "--format", "junit"]);
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.starts_with("<?xml") && xml.contains("<testsuites"),
        "{xml}"
    );
}

#[test]
fn config_exceptions_and_annotations_suppress() {
    let dir = tempdir("config");
    std::fs::write(
        dir.join("palisade.yaml"),
        "version: 1\nexceptions:\n  - rule: PSS-PRIVILEGED\n    namespace: team\n    reason: \"debug pod, removed after the incident\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("pod.yaml"), PRIVILEGED_POD).unwrap();
    let out = run(&[
        "scan",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--show-suppressed",
        "--level",
        "baseline",
    ]);
    let v = json(&out);
    assert!(!rule_ids(&v).contains(&"PSS-PRIVILEGED".to_string()));
    let suppressed = v["suppressed"].as_array().unwrap();
    assert!(suppressed.iter().any(|f| f["rule_id"] == "PSS-PRIVILEGED"
        && f["suppression"]["reason"]
            .as_str()
            .unwrap()
            .contains("incident")));
    // --no-config brings it back.
    let out = run(&[
        "scan",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--no-config",
    ]);
    assert!(rule_ids(&json(&out)).contains(&"PSS-PRIVILEGED".to_string()));
}

#[test]
fn bad_config_is_an_error_with_a_place() {
    let dir = tempdir("badconfig");
    std::fs::write(dir.join("palisade.yaml"), "version: 1\nrulez: {}\n").unwrap();
    std::fs::write(dir.join("pod.yaml"), PRIVILEGED_POD).unwrap();
    let out = run(&["scan", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("palisade.yaml:2:"), "{stderr}");
}

#[test]
fn explain_and_rules() {
    let out = run(&["explain", "pss-privileged"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("PSS-PRIVILEGED")
            && text.contains("Why it matters")
            && text.contains("References")
    );
    let out = run(&["explain", "NOPE-1"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert!(rules.len() > 30, "{}", rules.len());
    for r in rules {
        for key in [
            "id",
            "title",
            "severity",
            "practice",
            "rationale",
            "remediation",
            "references",
        ] {
            assert!(!r[key].is_null(), "{key} missing in {r}");
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["scan", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["scan", "--pss-version", "2.0", "examples"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn pss_version_selects_policy() {
    // runAsUser=0 is only a restricted check from v1.23 on.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: t}\nspec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n";
    let ids = |version: &str| {
        let out = run_stdin(
            &["scan", "-", "--format", "json", "--pss-version", version],
            pod,
        );
        rule_ids(&json(&out))
    };
    assert!(ids("v1.23").iter().any(|i| i == "PSS-RUN-AS-USER"));
    assert!(!ids("v1.22").iter().any(|i| i == "PSS-RUN-AS-USER"));
    assert!(ids("latest").iter().any(|i| i == "PSS-RUN-AS-USER"));
}
