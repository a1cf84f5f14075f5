//! Helpers shared by the database tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/conformance/osv` of the work tree.
pub fn conformance() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/osv");
    assert!(p.is_dir(), "conformance data missing at {}", p.display());
    p
}

/// Every file under `dir` ending in `.ext`, sorted.
pub fn walk_files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// How many files under `dir` end in `.ext`.
pub fn count_files(dir: &Path, ext: &str) -> usize {
    walk_files(dir, ext).len()
}

/// Distinct vulnerability ids per secdb file (fixed version `0` excluded),
/// summed over the files, counted by Python's YAML reader as the oracle.
pub fn python_alpine_ids(dir: &Path) -> u64 {
    let script = r#"
import sys, glob, yaml
total = 0
for f in sorted(glob.glob(sys.argv[1] + '/*/*.yaml')):
    d = yaml.safe_load(open(f))
    ids = set()
    for p in d['packages']:
        for v, l in (p['pkg'].get('secfixes') or {}).items():
            if str(v) == '0':
                continue
            for i in (l or []):
                toks = [t for t in str(i).split() if not (t.startswith('(') or t.endswith(')'))]
                if toks:
                    ids.add(toks[0])
    total += len(ids)
print(total)
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(dir)
        .output()
        .expect("python3 (with PyYAML) is needed as the secdb oracle");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// An inventory package with only what matching reads: ecosystem, name,
/// version and, for OS packages, the source package.
pub fn package(
    ecosystem: palisade_model::Ecosystem,
    name: &str,
    version: &str,
    source: Option<&str>,
) -> palisade_model::Package {
    palisade_model::Package {
        name: name.into(),
        version: version.into(),
        ecosystem,
        purl: String::new(),
        source_name: source.map(str::to_string),
        source_version: None,
        arch: None,
        licenses: vec![],
        layer: String::new(),
        path: String::new(),
    }
}
