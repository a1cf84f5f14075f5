//! False positives on real Kubernetes manifests: the upstream test manifests
//! in `../shared/conformance/` (network-policy analyzer and Pod Security
//! Admission fixtures; read in place, never copied). They hold no
//! credential-format values, so every value-format detector must stay
//! silent; literals under credential names (cloud-init `password: fedora`)
//! are real hard-coded credentials and are only counted.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn value_detectors_stay_silent_on_real_manifests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    let mut files = Vec::new();
    for sub in ["netpol-analyzer", "pod-security-admission"] {
        walk(&root.join(sub), &mut files);
    }
    if files.is_empty() {
        eprintln!("skipped: no manifests under {}", root.display());
        return;
    }
    let (mut lines, mut named, mut wrong) = (0usize, 0usize, Vec::new());
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let mut env_name: Option<String> = None;
        for line in text.lines() {
            lines += 1;
            for m in palisade_secrets::scan_text(line) {
                if m.detector == "named-credential" {
                    named += 1;
                } else {
                    wrong.push(format!("{}: {} {}", file.display(), m.detector, m.redacted));
                }
            }
            // Env-style pairs: `- name: X` followed by `value: Y`.
            let item = line.trim().trim_start_matches("- ");
            let Some((key, value)) = item.split_once(':') else {
                continue;
            };
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            match key.trim() {
                "name" => env_name = Some(value.to_owned()),
                "value" => {
                    let name = env_name.take().unwrap_or_default();
                    if let Some(m) = palisade_secrets::check_named_value(&name, value) {
                        if m.detector == "named-credential" {
                            named += 1;
                        } else {
                            wrong.push(format!("{}: {name} {}", file.display(), m.detector));
                        }
                    }
                }
                _ => env_name = None,
            }
        }
    }
    println!(
        "{} files, {lines} lines: {} value-format matches, {named} named-credential matches",
        files.len(),
        wrong.len()
    );
    assert!(files.len() > 1000, "expected the conformance manifests");
    assert!(wrong.is_empty(), "{wrong:#?}");
}
