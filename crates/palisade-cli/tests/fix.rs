//! `palisade fix` end to end: diff output, exit codes, `--write`, atomicity.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;
use std::process::{Command, Output};

const INSECURE: &str = "# keep me\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c # the app\n    image: nginx:1.27\n    env:\n    - name: DB_PASSWORD\n      value: \"S3cr3t-Passw0rd!\"\n    securityContext:\n      privileged: true\n";

fn palisade(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn diff_by_default_exits_1_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), INSECURE).unwrap();
    let out = palisade(&["fix", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("--- a/pod.yaml\n+++ b/pod.yaml\n"),
        "{stdout}"
    );
    assert!(stdout.contains("-      privileged: true\n+      privileged: false\n"));
    assert!(stdout.contains("+++ b/pod.secret.yaml"));
    assert!(stdout.contains("+  DB_PASSWORD: REPLACE_ME"));
    assert!(!stdout.contains("+      value: \"S3cr3t"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap(),
        INSECURE
    );
    // --diff is the same, explicitly.
    let out = palisade(&["fix", "--diff", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn write_rewrites_in_place_then_converges() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, INSECURE).unwrap();
    let out = palisade(&["fix", "--write", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(fixed.starts_with("# keep me\n") && fixed.contains("- name: c # the app\n"));
    assert!(!fixed.contains("S3cr3t"));
    let secret = std::fs::read_to_string(dir.path().join("pod.secret.yaml")).unwrap();
    assert!(secret.contains("kind: Secret") && secret.contains("DB_PASSWORD: REPLACE_ME"));
    assert!(!secret.contains("S3cr3t"));
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Nothing left to change: exit 0 with and without --write, empty diff.
    let out = palisade(&["fix", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty());
    // And a scan of the fixed file finds no Pod Security Standards problem.
    let out = palisade(
        &["scan", "pod.yaml", "--format", "json", "--no-config"],
        dir.path(),
    );
    assert!(
        !text(&out.stdout).contains("\"PSS-"),
        "{}",
        text(&out.stdout)
    );
}

#[cfg(unix)]
#[test]
fn write_into_read_only_directory_fails_cleanly() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    let file = sub.join("pod.yaml");
    let plain = INSECURE.replace(
        "    env:\n    - name: DB_PASSWORD\n      value: \"S3cr3t-Passw0rd!\"\n",
        "",
    );
    std::fs::write(&file, &plain).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root ignores directory permissions; the check only means something otherwise.
    let writable = std::fs::write(sub.join("probe"), "x").is_ok();
    let out = palisade(&["fix", "--write", "ro/pod.yaml"], dir.path());
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o755)).unwrap();
    if writable {
        eprintln!("running as root: directory permissions are not enforced");
        return;
    }
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: ro/pod.yaml"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), plain);
    assert_eq!(std::fs::read_dir(&sub).unwrap().count(), 1);
}

#[test]
fn existing_secret_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), INSECURE).unwrap();
    std::fs::write(dir.path().join("pod.secret.yaml"), "mine\n").unwrap();
    let out = palisade(&["fix", "--write", "pod.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.secret.yaml")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.yaml")).unwrap(),
        INSECURE
    );
}

#[test]
fn manual_items_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: n\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: i\n",
    )
    .unwrap();
    let out = palisade(&["fix", "net.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("left for a person"), "{stderr}");
    assert!(stderr.contains("PSS-HOST-NAMESPACES"), "{stderr}");
    assert!(
        !text(&out.stdout).contains("hostNetwork"),
        "hostNetwork is left alone"
    );

    std::fs::write(dir.path().join("bad.yaml"), "a: [\n").unwrap();
    let out = palisade(&["fix", "bad.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("invalid YAML"));

    let out = palisade(&["fix", "--write", "-"], dir.path());
    assert_eq!(out.status.code(), Some(2));
}

const ACI_YAML: &str = "# blog\napiVersion: '2021-10-01'\ntype: Microsoft.ContainerInstance/containerGroups\nname: blog\nproperties:\n  containers:\n    - name: wordpress\n      properties:\n        image: wordpress:6.5\n        environmentVariables:\n          - name: WORDPRESS_DB_PASSWORD\n            value: Xk9#mQ2$vL7pW4zR # from the wiki\n        resources:\n          requests: {cpu: 1, memoryInGB: 1.5}\n        securityContext:\n          privileged: true\n  ipAddress:\n    type: Public\n    ports:\n      - port: 80\n";

const ARM: &str = "{\n  // the API\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"parameters\": {\n    \"imageTag\": { \"type\": \"string\" } /* given at deploy time */\n  },\n  \"resources\": [\n    {\n      \"type\": \"Microsoft.ContainerInstance/containerGroups\",\n      \"apiVersion\": \"2023-05-01\",\n      \"name\": \"api\",\n      \"properties\": {\n        \"containers\": [\n          {\n            \"name\": \"api\",\n            \"properties\": {\n              \"image\": \"[concat('acr.example/api:', parameters('imageTag'))]\",\n              \"environmentVariables\": [\n                { \"name\": \"DB_PASSWORD\", \"value\": \"Xk9#mQ2$vL7pW4zR\" } // TODO\n              ],\n              \"resources\": { \"requests\": { \"cpu\": 1, \"memoryInGB\": 1 } }\n            }\n          }\n        ]\n      }\n    }\n  ]\n}\n";

#[test]
fn aci_yaml_diff_write_and_converge() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blog.yaml");
    std::fs::write(&file, ACI_YAML).unwrap();
    let out = palisade(&["fix", "blog.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("-            value: Xk9#mQ2$vL7pW4zR # from the wiki\n+            secureValue: REPLACE_ME # from the wiki\n"),
        "{stdout}"
    );
    assert!(stdout.contains("-          privileged: true\n+          privileged: false\n"));
    assert!(
        !stdout.contains("secret.yaml"),
        "no Secret for ACI: {stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("ContainerGroup `blog`: left for a person"),
        "{stderr}"
    );
    assert!(
        stderr.contains("PAL-ACI-001") && stderr.contains("deploy time"),
        "{stderr}"
    );
    assert!(
        stderr.contains("PAL-ACI-008") && stderr.contains("subnetIds"),
        "{stderr}"
    );

    let out = palisade(&["fix", "--write", "blog.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(
        fixed.starts_with("# blog\n") && !fixed.contains("Xk9#"),
        "{fixed}"
    );
    assert!(!dir.path().join("blog.secret.yaml").exists());
    let out = palisade(&["fix", "blog.yaml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).is_empty());
    // The scan no longer reports the credential or the privileged container.
    let out = palisade(&["scan", "blog.yaml"], dir.path());
    let report = text(&out.stdout);
    assert!(
        !report.contains("PAL-ACI-001") && !report.contains("PAL-ACI-009"),
        "{report}"
    );
}

#[test]
fn arm_template_with_comments_gets_a_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("azuredeploy.json");
    std::fs::write(&file, ARM).unwrap();
    let out = palisade(&["fix", "--write", "azuredeploy.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        fixed,
        ARM.replace(
            "\"imageTag\": { \"type\": \"string\" } /* given at deploy time */",
            "\"imageTag\": { \"type\": \"string\" }, /* given at deploy time */\n    \"dbPassword\": {\"type\": \"securestring\"}"
        )
        .replace(
            "\"value\": \"Xk9#mQ2$vL7pW4zR\" } // TODO",
            "\"secureValue\": \"[parameters('dbPassword')]\" } // TODO"
        )
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`dbPassword`") && stderr.contains("Key Vault"),
        "{stderr}"
    );
    let out = palisade(&["fix", "azuredeploy.json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
