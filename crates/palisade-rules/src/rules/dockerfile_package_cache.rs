//! `PAL-DF-007`: a package install leaves its cache in the shipped image.
//!
//! Looks at the `RUN` steps of the final stage and the stages it is built
//! `FROM` (builder stages do not ship). In one `RUN`:
//!
//! - `apt-get install` / `apt install` without `rm -rf /var/lib/apt/lists/*`;
//! - `apk add` without `--no-cache` (or removing `/var/cache/apk`);
//! - `pip install` (`pip3`, `python -m pip`) without `--no-cache-dir`,
//!   unless `PIP_NO_CACHE_DIR` is set with `ENV`;
//! - `yum`/`dnf`/`microdnf install` without `yum`/`dnf`/`microdnf clean all`
//!   (or removing `/var/cache/yum` or `/var/cache/dnf`).
//!
//! A `RUN --mount=type=cache` keeps its caches out of the image and is
//! never a finding.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::dockerfile_common as df;
use crate::{Context, Rule};

/// The rule.
pub struct DockerfilePackageCache;

static META: RuleMeta = RuleMeta {
    id: "PAL-DF-007",
    title: "Package install leaves its cache in the image",
    severity: Severity::Low,
    kinds: df::KINDS,
    practice: "Clean package manager caches in the same RUN that installs packages",
    rationale: "Package indexes and downloaded packages left in a layer stay in the image \
        forever, even if a later RUN deletes them: tens to hundreds of megabytes that every \
        node pulls, and stale package lists that make later installs pick outdated, \
        vulnerable versions. A smaller image also has less for an attacker to use and less for \
        a scanner to report.",
    remediation: "Clean up in the same RUN: end apt-get installs with \
        `rm -rf /var/lib/apt/lists/*`, use `apk add --no-cache`, `pip install --no-cache-dir`, \
        and `yum clean all` / `dnf clean all`, or use a `RUN --mount=type=cache` cache mount.",
    example: "FROM debian:12-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends ca-certificates \\\n && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir -r requirements.txt\n",
    references: &[
        "https://docs.docker.com/build/building/best-practices/#apt-get",
        "https://docs.docker.com/build/cache/optimize/#use-cache-mounts",
        "CIS Docker Benchmark v1.6.0, 4.7: Ensure update instructions are not used alone in Dockerfiles",
        "CWE-1104: Use of Unmaintained Third Party Components",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for an install that leaves a cache.
pub fn message(subject: &str, manager: &str, fix: &str) -> String {
    format!("{subject} installs packages with {manager} and leaves the cache in the image ({fix})")
}

/// The package managers whose installs leave caches in `text` (one RUN),
/// with the missing clean-up; `pip_env` when `PIP_NO_CACHE_DIR` is set.
pub fn cache_leaks(text: &str, pip_env: bool) -> Vec<(&'static str, &'static str)> {
    let commands = df::commands(text);
    let removes = |prefix: &str| {
        commands.iter().any(|c| {
            df::program(c).is_some_and(|p| {
                df::word_base(c, p) == "rm" && c.iter().skip(p + 1).any(|w| w.starts_with(prefix))
            })
        })
    };
    let mut out = Vec::new();
    for c in &commands {
        let Some(p) = df::program(c) else { continue };
        let prog = df::word_base(c, p);
        let args: Vec<&str> = c.iter().skip(p + 1).map(String::as_str).collect();
        let has = |w: &str| args.contains(&w);
        let leak = match prog {
            "apt-get" | "apt" if has("install") && !removes("/var/lib/apt/lists") => {
                Some(("apt-get", "remove /var/lib/apt/lists/* in the same RUN"))
            }
            "apk" if has("add") && !has("--no-cache") && !removes("/var/cache/apk") => {
                Some(("apk", "use apk add --no-cache"))
            }
            "yum" | "dnf" | "microdnf"
                if has("install") && !cleans(&commands) && !removes("/var/cache/") =>
            {
                Some(("yum/dnf", "run clean all in the same RUN"))
            }
            _ => None,
        };
        let pip = prog.starts_with("pip")
            && prog[3..].chars().all(|ch| ch.is_ascii_digit() || ch == '.')
            || prog.starts_with("python")
                && args.first() == Some(&"-m")
                && args.get(1).is_some_and(|m| m.starts_with("pip"));
        let pip_leak = pip
            && has("install")
            && !pip_env
            && !args.iter().any(|a| a.starts_with("--no-cache-dir"));
        let leak = leak.or(pip_leak.then_some(("pip", "use pip install --no-cache-dir")));
        if let Some(l) = leak {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    out
}

fn cleans(commands: &[Vec<String>]) -> bool {
    commands.iter().any(|c| {
        df::program(c).is_some_and(|p| {
            matches!(df::word_base(c, p), "yum" | "dnf" | "microdnf")
                && c.iter().any(|w| w == "clean")
                && c.iter().any(|w| w == "all")
        })
    })
}

impl Rule for DockerfilePackageCache {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(d) = &resource.dockerfile else {
            return;
        };
        let escape = d.escape();
        let stages = df::shipped_stages(d);
        let pip_env = stages.iter().any(|s| {
            s.instructions.iter().filter(|i| i.is("ENV")).any(|i| {
                i.key_values(escape).iter().any(|(n, v)| {
                    n == "PIP_NO_CACHE_DIR"
                        && v.as_deref()
                            .is_some_and(|v| !matches!(v, "" | "0" | "false" | "off" | "no"))
                })
            })
        });
        for stage in stages {
            for i in stage.instructions.iter().filter(|i| i.is("RUN")) {
                let cache_mount = i.flags.iter().any(|f| {
                    f.value.starts_with("--mount=")
                        && f.value
                            .split(',')
                            .any(|p| p.trim_start_matches("--mount=") == "type=cache")
                });
                if cache_mount {
                    continue;
                }
                for (manager, fix) in cache_leaks(&i.command_text(), pip_env) {
                    out.push(df::finding(
                        &META,
                        META.severity,
                        resource,
                        i.span,
                        message(&df::stage_subject(resource, stage), manager, fix),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leaks_by_manager() {
        let l = |t: &str| {
            cache_leaks(t, false)
                .into_iter()
                .map(|(m, _)| m)
                .collect::<Vec<_>>()
        };
        assert_eq!(l("apt-get update && apt-get install -y curl"), ["apt-get"]);
        assert!(
            l("apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*")
                .is_empty()
        );
        assert_eq!(l("apk add curl"), ["apk"]);
        assert!(l("apk add --no-cache curl").is_empty());
        assert_eq!(l("pip3 install flask"), ["pip"]);
        assert_eq!(l("python3 -m pip install flask"), ["pip"]);
        assert!(l("pip install --no-cache-dir flask").is_empty());
        assert!(cache_leaks("pip install flask", true).is_empty());
        assert_eq!(l("dnf install -y git"), ["yum/dnf"]);
        assert!(l("yum install -y git && yum clean all").is_empty());
        assert!(l("apt-get update").is_empty());
        assert!(l("pipx run x").is_empty());
        assert_eq!(l("sudo apt install vim"), ["apt-get"]);
    }
}
