//! Conformance with upstream Pod Security Admission.
//!
//! Walks every fixture upstream generates for its own tests
//! (`k8s.io/pod-security-admission/test/testdata`, copied to
//! `shared/conformance/pod-security-admission/LEVEL/VERSION/{pass,fail}/*.yaml`)
//! and evaluates it with palisade's PSS rules at that level and version:
//!
//! - every `pass` pod must yield no PSS finding;
//! - every `fail` pod must yield a finding of the check the fixture is named
//!   after (`allowprivilegeescalation2.yaml` -> `allowPrivilegeEscalation`,
//!   compared case-insensitively). Upstream reuses baseline fixtures at the
//!   restricted level; where a restricted check replaces that baseline check
//!   (upstream `OverrideCheckIDs`), the replacing check's finding is the
//!   expected one, as in upstream's own fixture test, which matches the
//!   rejection message. Findings of other checks are disagreements too,
//!   except for the few fixtures upstream builds to fail two checks
//!   ([`ALSO_FAILING`]).
//!
//! Every disagreement is listed; the test also pins the number of fixtures.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use palisade_load::{load_str, Limits};
use palisade_model::{Finding, PssLevel, PssVersion};
use palisade_rules::{Context, Settings};

/// Fixtures upstream ships for v1.0 .. v1.37.
const EXPECTED_FIXTURES: usize = 4_537;

/// Upstream's overrides (`policy/check_*.go`, `OverrideCheckIDs`), written out
/// here independently of palisade's table: at the restricted level, from
/// `v1.since`, baseline check `replaced` does not run and `by` runs instead.
const OVERRIDES: &[(&str, &str, u16)] = &[
    ("hostPathVolumes", "restrictedVolumes", 0),
    ("seccompProfile_baseline", "seccompProfile_restricted", 19),
    ("capabilities_baseline", "capabilities_restricted", 22),
    ("procMount", "procMount_restricted", 35),
];

/// Fail fixtures that upstream builds so that a second check fails too, with
/// why: (fixture's check, other check that legitimately fails).
const ALSO_FAILING: &[(&str, &str)] = &[
    // API validation requires allowPrivilegeEscalation unset or true when
    // privileged, so the fixture leaves it unset.
    ("privileged", "allowPrivilegeEscalation"),
    // allowprivilegeescalation3 drops the container's whole securityContext,
    // capabilities.drop included.
    ("allowPrivilegeEscalation", "capabilities_restricted"),
    // HostProcess pods must use the host network.
    ("windowsHostProcess", "hostNamespaces"),
];

fn fixture_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/pod-security-admission");
    assert!(
        root.join("baseline").is_dir() && root.join("restricted").is_dir(),
        "upstream PSA fixtures not found at {} (expected baseline/ and restricted/)",
        root.display()
    );
    root
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| {
            e.unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()))
                .path()
        })
        .collect();
    entries.sort();
    entries
}

/// The last component of a path, as text.
fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("unexpected path {}", path.display()))
}

/// `v1.23` -> 23.
fn minor_of(dir: &Path) -> u16 {
    let name = file_name(dir);
    name.strip_prefix("v1.")
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("unexpected version directory {name}"))
}

/// `procmount_restricted0.yaml` -> `procmount_restricted`.
fn check_of(file: &Path) -> String {
    let stem = file_name(file).trim_end_matches(".yaml");
    stem.trim_end_matches(|c: char| c.is_ascii_digit())
        .to_ascii_lowercase()
}

/// The checks whose finding proves a `fail` fixture named after `check`.
fn accepted(check: &str, level: PssLevel, minor: u16) -> Vec<String> {
    let mut ok = vec![check.to_string()];
    if level == PssLevel::Restricted {
        for (replaced, by, since) in OVERRIDES {
            if replaced.eq_ignore_ascii_case(check) && minor >= *since {
                ok = vec![by.to_ascii_lowercase()];
            }
        }
    }
    ok
}

/// Runs every PSS rule over one fixture.
fn evaluate(path: &Path, level: PssLevel, minor: u16) -> Result<Vec<Finding>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("unreadable: {e}"))?;
    let loaded = load_str(&path.display().to_string(), &text, &Limits::default());
    if !loaded.errors.is_empty() {
        let errors: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
        return Err(format!("loader errors: {}", errors.join("; ")));
    }
    if loaded.resources.len() != 1 || loaded.resources[0].pod.is_none() {
        return Err(format!(
            "expected one object with a pod spec, loaded {} (pod: {})",
            loaded.resources.len(),
            loaded.resources.iter().any(|r| r.pod.is_some())
        ));
    }
    let settings = Settings {
        level,
        version: PssVersion::v1(minor),
        ..Settings::default()
    };
    let ctx = Context {
        resources: &loaded.resources,
        settings: &settings,
    };
    let mut findings = Vec::new();
    for rule in palisade_rules::pss::RULES {
        for resource in &loaded.resources {
            if rule.applies_to(&resource.kind) {
                rule.check(resource, &ctx, &mut findings);
            }
        }
    }
    Ok(findings)
}

fn describe(findings: &[Finding]) -> String {
    let parts: Vec<String> = findings
        .iter()
        .map(|f| {
            let check = f.pss.map_or("<no pss>", |p| p.check);
            format!("{check} at {}: {}", f.location.span, f.message)
        })
        .collect();
    if parts.is_empty() {
        "no finding".to_string()
    } else {
        parts.join(" | ")
    }
}

#[test]
fn every_upstream_fixture_agrees() {
    let root = fixture_root();
    let mut walked = 0usize;
    let mut disagreements = String::new();
    let mut per_level = [0usize; 2];

    for (li, level) in [PssLevel::Baseline, PssLevel::Restricted]
        .into_iter()
        .enumerate()
    {
        for version_dir in sorted_entries(&root.join(level.as_str())) {
            let minor = minor_of(&version_dir);
            for outcome in ["pass", "fail"] {
                let dir = version_dir.join(outcome);
                if !dir.is_dir() {
                    continue;
                }
                for file in sorted_entries(&dir) {
                    if file.extension().and_then(|e| e.to_str()) != Some("yaml") {
                        continue;
                    }
                    walked += 1;
                    per_level[li] += 1;
                    let rel = file
                        .strip_prefix(&root)
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    let findings = match evaluate(&file, level, minor) {
                        Ok(f) => f,
                        Err(e) => {
                            let _ = writeln!(disagreements, "{rel}: {e}");
                            continue;
                        }
                    };
                    if findings.iter().any(|f| f.pss.is_none()) {
                        let _ = writeln!(disagreements, "{rel}: finding without a PSS reference");
                    }
                    if outcome == "pass" {
                        if !findings.is_empty() {
                            let _ = writeln!(
                                disagreements,
                                "{rel}: expected no finding, found {}",
                                describe(&findings)
                            );
                        }
                        continue;
                    }
                    let check = check_of(&file);
                    let ok = accepted(&check, level, minor);
                    let hit = findings.iter().any(|f| {
                        f.pss
                            .is_some_and(|p| ok.contains(&p.check.to_ascii_lowercase()))
                    });
                    let stray: Vec<&Finding> = findings
                        .iter()
                        .filter(|f| {
                            f.pss.is_some_and(|p| {
                                let other = p.check.to_ascii_lowercase();
                                !ok.contains(&other)
                                    && !ALSO_FAILING.iter().any(|(fixture, also)| {
                                        fixture.eq_ignore_ascii_case(&check)
                                            && also.eq_ignore_ascii_case(&other)
                                    })
                            })
                        })
                        .collect();
                    if !stray.is_empty() {
                        let stray: Vec<Finding> = stray.into_iter().cloned().collect();
                        let _ = writeln!(
                            disagreements,
                            "{rel}: besides {}, also found {}",
                            ok.join(" or "),
                            describe(&stray)
                        );
                    }
                    if !hit {
                        let _ = writeln!(
                            disagreements,
                            "{rel}: expected a {} finding, found {}",
                            ok.join(" or "),
                            describe(&findings)
                        );
                    }
                }
            }
        }
    }

    assert!(
        disagreements.is_empty(),
        "palisade disagrees with upstream on {} fixture(s):\n{disagreements}",
        disagreements.lines().count()
    );
    assert!(
        per_level[0] > 0 && per_level[1] > 0,
        "both levels walked: {per_level:?}"
    );
    assert_eq!(
        walked, EXPECTED_FIXTURES,
        "number of upstream fixtures walked"
    );
}

/// Versions newer than the newest known one evaluate as the newest, like
/// upstream's `latest`.
#[test]
fn newer_versions_evaluate_as_latest() {
    let root = fixture_root();
    let latest = palisade_rules::pss::LATEST.minor;
    let mut compared = 0;
    for level in [PssLevel::Baseline, PssLevel::Restricted] {
        for outcome in ["pass", "fail"] {
            let dir = root
                .join(level.as_str())
                .join(format!("v1.{latest}"))
                .join(outcome);
            for file in sorted_entries(&dir) {
                let at_latest = evaluate(&file, level, latest).unwrap();
                let beyond = evaluate(&file, level, latest + 5).unwrap();
                assert_eq!(at_latest, beyond, "{}", file.display());
                compared += 1;
            }
        }
    }
    assert!(compared > 100, "compared {compared} fixtures");
}

#[test]
fn fixture_names_map_to_checks() {
    assert_eq!(
        check_of(Path::new("x/allowprivilegeescalation2.yaml")),
        "allowprivilegeescalation"
    );
    assert_eq!(
        check_of(Path::new("x/procmount_restricted0.yaml")),
        "procmount_restricted"
    );
    assert_eq!(
        accepted("hostpathvolumes", PssLevel::Restricted, 3),
        ["restrictedvolumes"]
    );
    assert_eq!(
        accepted("seccompprofile_baseline", PssLevel::Restricted, 18),
        ["seccompprofile_baseline"]
    );
    assert_eq!(accepted("procmount", PssLevel::Baseline, 37), ["procmount"]);
}
