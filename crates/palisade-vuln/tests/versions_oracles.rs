//! The version comparators against the reference implementations: dpkg
//! and apt (python3-apt), rpm (python3-rpm), Python's `packaging`, npm's
//! `semver` and Maven's `ComparableVersion`. Each oracle runs once, as one
//! process, over thousands of version pairs drawn from the conformance
//! datasets and this machine's package lists (see `tests/oracles/`), and
//! every disagreement fails the test. The tools are installed by
//! `.ci/run`; a missing one fails loudly rather than skipping.
#![allow(clippy::unwrap_used)]

use std::cmp::Ordering;
use std::path::{Path, PathBuf};
use std::process::Command;

use palisade_vuln::versions::Scheme;

fn oracles_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracles")
}

fn conformance() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance");
    assert!(
        p.join("osv").is_dir(),
        "conformance data missing at {}",
        p.display()
    );
    p
}

/// Runs an oracle and returns its output lines.
fn run(program: &str, script: &str, hint: &str) -> String {
    let out = Command::new(program)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg(oracles_dir().join(script))
        .arg(conformance())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({hint}): {e}"));
    assert!(
        out.status.success(),
        "{script} failed ({hint}):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[derive(Default, Debug)]
struct Tally {
    compared: usize,
    validity: usize,
    real: usize,
    problems: Vec<String>,
}

/// Checks the oracle's lines against `scheme`: every real version (`P`)
/// parses, validity (`V`) agrees, comparisons (`C`) agree.
fn check(scheme: Scheme, output: &str) -> Tally {
    let mut t = Tally::default();
    for line in output.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["R", _] => {}
            ["P", v] => {
                t.real += 1;
                if let Err(e) = scheme.parse(v) {
                    t.problems.push(format!("real version refused: {e}"));
                }
            }
            ["V", v, ok] => {
                t.validity += 1;
                let ours = scheme.parse(v).is_ok();
                if ours != (*ok == "1") {
                    t.problems
                        .push(format!("validity of {v:?}: oracle {ok}, palisade {ours}"));
                }
            }
            ["C", a, b, r] => {
                t.compared += 1;
                let want = match *r {
                    "-1" => Ordering::Less,
                    "0" => Ordering::Equal,
                    "1" => Ordering::Greater,
                    other => panic!("bad oracle result {other:?}"),
                };
                match scheme.compare(a, b) {
                    Ok(got) if got == want => {}
                    Ok(got) => t
                        .problems
                        .push(format!("{a:?} vs {b:?}: oracle {want:?}, palisade {got:?}")),
                    Err(e) => t.problems.push(format!(
                        "{a:?} vs {b:?}: oracle {want:?}, palisade refused: {e}"
                    )),
                }
            }
            _ => panic!("bad oracle line {line:?}"),
        }
    }
    t
}

fn assert_clean(name: &str, t: &Tally, min_pairs: usize) {
    eprintln!(
        "{name}: {} pairs compared, {} validity checks, {} real versions parsed, {} disagreements",
        t.compared,
        t.validity,
        t.real,
        t.problems.len()
    );
    assert!(
        t.problems.is_empty(),
        "{name}: {} disagreements with the oracle:\n{}",
        t.problems.len(),
        t.problems
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        t.compared >= min_pairs,
        "{name}: only {} pairs compared",
        t.compared
    );
}

#[test]
fn dpkg_agrees_with_apt_and_dpkg() {
    let out = run(
        "/usr/bin/python3",
        "dpkg_oracle.py",
        "needs python3-apt and dpkg",
    );
    assert_clean("dpkg", &check(Scheme::Dpkg, &out), 3000);
}

#[test]
fn rpm_agrees_with_rpm_label_compare() {
    let out = run("/usr/bin/python3", "rpm_oracle.py", "needs python3-rpm");
    assert_clean("rpm", &check(Scheme::Rpm, &out), 5000);
}

#[test]
fn pep440_agrees_with_packaging() {
    let out = run(
        "/usr/bin/python3",
        "pep440_oracle.py",
        "needs python3-pip (vendors packaging)",
    );
    let t = check(Scheme::Pep440, &out);
    assert!(t.validity >= 4000, "only {} validity checks", t.validity);
    assert_clean("PEP 440", &t, 10000);
}

#[test]
fn semver_agrees_with_npm_semver() {
    let out = run("node", "semver_oracle.js", "needs node and npm");
    let t = check(Scheme::SemVer, &out);
    assert!(t.validity >= 2000, "only {} validity checks", t.validity);
    assert_clean("SemVer", &t, 4000);
    // Go module versions are the same ordering with an optional `v`.
    let go = check(Scheme::Go, &out);
    assert_clean("Go (npm semver oracle)", &go, 4000);
}

#[test]
fn maven_agrees_with_comparable_version() {
    let out = run(
        "/usr/bin/python3",
        "maven_oracle.py",
        "needs maven and a JDK",
    );
    assert_clean("Maven", &check(Scheme::Maven, &out), 4000);
}
