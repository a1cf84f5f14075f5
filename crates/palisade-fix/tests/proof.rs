//! Proof that `palisade fix` works: on every upstream restricted `fail`
//! fixture, the examples and a corpus of hand-written manifests, the fixed
//! output loads, has no restricted PSS finding except the ones listed as
//! left for a person, differs from the input only in the places a fix may
//! touch, keeps comments, and converges.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path as FsPath, PathBuf};

use palisade_fix::{differences, fix_kubernetes, pss_findings, FileFix, Seg, Settings};
use palisade_load::{load_str, Limits};
use palisade_model::{PssLevel, Resource};

fn conformance_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/pod-security-admission/restricted/v1.37/fail");
    assert!(
        dir.is_dir(),
        "conformance fixtures missing at {}: the proof needs ../shared/conformance beside the repository",
        dir.display()
    );
    dir
}

fn yaml_files(dir: &FsPath) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        })
        .collect();
    files.sort();
    files
}

fn load(file: &str, text: &str) -> Vec<Resource> {
    let loaded = load_str(file, text, &Limits::default());
    assert!(
        loaded.errors.is_empty(),
        "{file}: fixed output does not load: {:?}\n{text}",
        loaded.errors
    );
    loaded.resources
}

/// Whether a path is one a fix may change. Written from the fix's promise,
/// not from the fixer's own list of touched paths.
fn allowed(path: &[Seg]) -> bool {
    let key = |i: usize| match path.get(i) {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let keys: Vec<&str> = (0..path.len()).filter_map(key).collect();
    if keys.contains(&"securityContext") {
        return true;
    }
    if matches!(keys.last(), Some(&"hostPID") | Some(&"hostIPC")) {
        return true;
    }
    if let Some(i) = keys.iter().position(|k| *k == "annotations") {
        return keys
            .get(i + 1)
            .is_some_and(|k| k.starts_with("container.apparmor.security.beta.kubernetes.io/"));
    }
    // env[i].value / env[i].valueFrom
    if let Some(pos) = path.iter().position(|s| *s == Seg::Key("env".into())) {
        return matches!(path.get(pos + 1), Some(Seg::Index(_)))
            && matches!(key(pos + 2), Some("value" | "valueFrom"));
    }
    false
}

/// Runs every proof on one input; returns the fix.
fn prove(name: &str, text: &str) -> FileFix {
    let settings = Settings::default();
    let fix = fix_kubernetes(name, text, &settings).unwrap_or_else(|e| panic!("{name}: {e}"));
    let before = load(name, text);
    let after = load(name, &fix.fixed);
    assert_eq!(before.len(), after.len(), "{name}: objects changed");

    // Nothing else changed.
    for (old, new) in before.iter().zip(&after) {
        let mut diffs = Vec::new();
        differences(&old.node, &new.node, &mut Vec::new(), &mut diffs);
        for d in &diffs {
            assert!(
                allowed(d),
                "{name}: {} changed\n{}",
                palisade_fix::path_text(d),
                fix.fixed
            );
        }
    }

    // No restricted PSS finding at the latest version, except those listed.
    for new in &after {
        let manual: BTreeSet<&str> = fix
            .objects
            .iter()
            .filter(|o| o.object == new.reference())
            .flat_map(|o| o.manual.iter().map(|m| m.rule_id))
            .collect();
        for f in pss_findings(std::slice::from_ref(new), &settings) {
            assert!(
                manual.contains(f.rule_id),
                "{name}: {} remains and is not listed for a person: {}\n{}",
                f.rule_id,
                f.message,
                fix.fixed
            );
        }
    }

    // Converges: a second run changes nothing.
    let again = fix_kubernetes(name, &fix.fixed, &settings).unwrap();
    assert!(
        !again.changed(),
        "{name}: second run changed {:?}",
        again.objects
    );
    assert_eq!(again.fixed, fix.fixed);

    // Secrets hold placeholders only.
    if let Some(secret) = fix.secret_manifest() {
        assert!(secret.contains("REPLACE_ME"));
        let objs = load("secret.yaml", &secret);
        assert!(objs.iter().all(|o| o.kind == "Secret"));
    }
    fix
}

#[test]
fn every_restricted_fail_fixture_is_fixed_or_listed() {
    let files = yaml_files(&conformance_dir());
    assert!(files.len() >= 70, "only {} fixtures", files.len());
    let manual_only = [
        "hostnamespaces1",
        "hostpathvolumes",
        "hostports",
        "hostprobesandhostlifecycle",
        "restrictedvolumes",
        "selinuxoptions",
        "sysctls",
        "windowshostprocess",
    ];
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let fix = prove(&name, &text);
        let manual: usize = fix.objects.iter().map(|o| o.manual.len()).sum();
        if manual_only.iter().any(|p| name.starts_with(p)) {
            assert!(manual > 0, "{name}: nothing listed for a person");
        } else {
            assert!(fix.changed(), "{name}: nothing fixed");
            assert_eq!(manual, 0, "{name}: {:?}", fix.objects);
            // Fully fixed: no PSS finding at all.
            let after = load(&name, &fix.fixed);
            assert!(pss_findings(&after, &Settings::default()).is_empty());
        }
    }
}

#[test]
fn examples_and_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = yaml_files(&root.join("../../examples/insecure"));
    files.extend(yaml_files(&root.join("../../examples/hardened")));
    files.extend(yaml_files(&root.join("tests/corpus")));
    assert!(files.len() >= 10);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        prove(&path.display().to_string(), &text);
    }
}

#[test]
fn hardened_example_is_left_alone() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("../../examples/hardened/api.yaml")).unwrap();
    let fix = prove("api.yaml", &text);
    assert!(!fix.changed());
    assert_eq!(fix.fixed, text);
}

#[test]
fn comments_and_untouched_lines_are_kept() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("tests/corpus/commented-deployment.yaml")).unwrap();
    let fix = prove("commented-deployment.yaml", &text);
    // Every comment survives, in order.
    let comments = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| l.find('#').map(|i| l[i..].to_string()))
            .collect()
    };
    let kept = comments(&fix.fixed);
    let mut it = kept.iter();
    for c in comments(&text) {
        if c.contains("literal credential") || c.contains("needed? no") {
            continue; // on lines the fix rewrites
        }
        assert!(it.any(|k| *k == c), "comment lost: {c}\n{}", fix.fixed);
    }
    // Only lines the fix had to change are removed.
    let diff = similar::TextDiff::from_lines(text.as_str(), fix.fixed.as_str());
    let removed: Vec<&str> = diff
        .iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Delete)
        .map(|c| c.value())
        .collect();
    assert!(!removed.is_empty());
    for line in removed {
        let allowed = [
            "privileged:",
            "value: \"S3cr3t",
            "procMount:",
            "hostPID:",
            "apparmor",
            "add:",
        ];
        assert!(
            allowed.iter().any(|a| line.contains(a)),
            "unexpected removed line {line:?}\n{}",
            fix.fixed
        );
    }
    assert!(
        !fix.fixed.contains("S3cr3t"),
        "the credential must leave the file"
    );
    assert!(fix
        .fixed
        .contains("          securityContext:\n            privileged: false   # needed? no\n"));
    let secret = fix.secret_manifest().unwrap();
    assert!(secret.contains("name: web-credentials") && secret.contains("namespace: shop"));
    assert!(!secret.contains("S3cr3t"));
}

#[test]
fn expected_text_for_small_inputs() {
    let settings = Settings::default();
    let flow = "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i, securityContext: {privileged: true}}]}}\n";
    let fix = fix_kubernetes("f.yaml", flow, &settings).unwrap();
    assert_eq!(
        fix.fixed,
        "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c, image: i, securityContext: {privileged: false, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, readOnlyRootFilesystem: true}}], securityContext: {seccompProfile: {type: RuntimeDefault}, runAsNonRoot: true, runAsUser: 10001}}}\n"
    );
    let block = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n";
    let fix = fix_kubernetes("b.yaml", block, &settings).unwrap();
    assert_eq!(
        fix.fixed,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - ALL\n      readOnlyRootFilesystem: true\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n    runAsNonRoot: true\n    runAsUser: 10001\n"
    );
}

#[test]
fn baseline_only_fixes_baseline() {
    let settings = Settings {
        level: PssLevel::Baseline,
        ..Settings::default()
    };
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: i\n    securityContext:\n      privileged: true\n      capabilities:\n        add: [CHOWN, SYS_ADMIN]\n";
    let fix = fix_kubernetes("p.yaml", text, &settings).unwrap();
    assert_eq!(
        fix.fixed,
        text.replace("privileged: true", "privileged: false")
            .replace("[CHOWN, SYS_ADMIN]", "[CHOWN]")
    );
    let after = load("p.yaml", &fix.fixed);
    assert!(pss_findings(&after, &settings).is_empty());
}

#[test]
fn broken_input_is_an_error_not_a_fix() {
    let err = fix_kubernetes("x.yaml", "a: [\n", &Settings::default()).unwrap_err();
    assert!(matches!(err, palisade_fix::FixError::Input(_)));
}
