//! The rules reference page (`docs/rules.md`), rendered from the metadata of
//! every registered rule so the page cannot drift from the code.
//!
//! A test compares the rendering with the file; regenerate it with
//! `UPDATE_DOCS=1 cargo test -p palisade-rules`.

use std::fmt::Write as _;

use palisade_model::{FixAvailability, RuleMeta, RuleStatus};

use crate::rule_metas;

/// What the page says before the table: the id schemes and the choices
/// about what palisade's own rules do not repeat from the Pod Security
/// Standards.
const INTRO: &str = "\
palisade checks two families of rules:

- **Pod Security Standards** (`PSS-…`): the upstream baseline and restricted checks, evaluated \
as the chosen policy version evaluates them.
- **palisade hardening rules** (`PAL-K8S-NNN`): the practices of the AKS pod security and \
best-practice guidance that the Pod Security Standards do not cover. Numbers are assigned in \
the order rules are added and never reused.
- **Dockerfile rules** (`PAL-DF-NNN`): the image a Dockerfile builds (root user, credentials \
in `ENV`/`ARG`/`RUN`, unverified downloads, mutable base images, `sudo`, package caches); see \
[dockerfiles.md](dockerfiles.md).
- **Image rules** (`PAL-IMG-NNN`): a built container image as `palisade image REF` reads it \
(config, layers, files, including files deleted by a later layer); see \
[images-checks.md](images-checks.md).

Where a Pod Security Standards check already forbids something, the palisade rule adds only \
what it lacks, and some practices have no palisade rule at all:

- `allowPrivilegeEscalation` not `false`, `capabilities.drop` without `ALL`, host namespaces \
(`hostNetwork`, `hostPID`, `hostIPC`), host ports, `privileged`, an `Unconfined` seccomp or \
AppArmor profile: the Pod Security Standards report these exactly; no `PAL` rule repeats them.
- SELinux: the Pod Security Standards already restrict the SELinux type and forbid custom \
users and roles. AKS Ubuntu nodes confine containers with AppArmor, not SELinux, so a rule \
asking for an SELinux label would add noise without protection there; `PAL-K8S-006` asks for \
AppArmor instead.
- Root user (`PAL-K8S-001`) overlaps restricted `runAsNonRoot`/`runAsUser`: it reports only \
containers that do run as root, grades an explicit UID 0 above an image-decided user, and \
applies whatever level is enforced.
- hostPath volumes are forbidden by baseline; `PAL-K8S-013` and `PAL-K8S-014` grade which \
host paths and which writable mounts matter, for clusters that must allow some.
- Capabilities: `PAL-K8S-005` uses a configurable allow list and grades dangerous \
capabilities higher, which the fixed PSS lists cannot.
- `namespace: default` (`PAL-K8S-016`) is reported only when written: without a namespace the \
deploy-time namespace decides.
- A Service whose selector matches no workload of the scan is not reported by `PAL-K8S-018`: \
who listens behind it is unknown.
- Images (`PAL-K8S-025` to `PAL-K8S-029`): invalid references and the `images:` policy of the \
configuration (allowed and forbidden registries, required digests, public registries) apply to \
Kubernetes workloads and Azure Container Instances container groups alike; see \
[images.md](images.md).
";

/// A GitHub-style anchor for a heading.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '_' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

fn status(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Stable => "stable",
        RuleStatus::Preview => "preview",
    }
}

fn fix(f: FixAvailability) -> &'static str {
    match f {
        FixAvailability::Always => "always",
        FixAvailability::Sometimes => "sometimes",
        FixAvailability::Never => "never",
    }
}

/// Table cells must not break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn section(out: &mut String, m: &RuleMeta) {
    let _ = writeln!(out, "## {}\n", m.id);
    let _ = writeln!(out, "**{}**\n", m.title);
    let _ = writeln!(out, "- Severity: {}", m.severity);
    let kinds = if m.kinds.contains(&"*") {
        "every kind".to_string()
    } else {
        m.kinds.join(", ")
    };
    let _ = writeln!(out, "- Applies to: {kinds}");
    if let Some((level, check)) = m.pss {
        let _ = writeln!(out, "- Pod Security Standards: {level}, `{check}`");
    }
    let _ = writeln!(
        out,
        "- Status: {}; automatic fix: {}",
        status(m.status),
        fix(m.fix)
    );
    let _ = writeln!(out, "- Practice: {}\n", m.practice);
    let _ = writeln!(out, "{}\n", m.rationale);
    let _ = writeln!(out, "**Remediation.** {}\n", m.remediation);
    let lang = if m.kinds == ["Dockerfile"] {
        "dockerfile"
    } else {
        "yaml"
    };
    let _ = writeln!(out, "```{lang}\n{}\n```\n", m.example.trim_end());
    let _ = writeln!(out, "References:\n");
    for r in m.references {
        if r.starts_with("https://") {
            let _ = writeln!(out, "- <{r}>");
        } else {
            let _ = writeln!(out, "- {r}");
        }
    }
    out.push('\n');
}

/// The whole reference page in Markdown.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str("# palisade rules\n\n");
    out.push_str(
        "<!-- Generated from the rule metadata by `UPDATE_DOCS=1 cargo test -p palisade-rules`; do not edit. -->\n\n",
    );
    out.push_str(INTRO);
    out.push('\n');
    out.push_str("| Id | Severity | Practice |\n|---|---|---|\n");
    for m in rule_metas() {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} |",
            m.id,
            slug(m.id),
            m.severity,
            cell(m.practice)
        );
    }
    out.push('\n');
    for m in rule_metas() {
        section(&mut out, m);
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_github_anchors() {
        assert_eq!(slug("PAL-K8S-001"), "pal-k8s-001");
        assert_eq!(slug("PSS Host_Path"), "pss-host_path");
    }

    #[test]
    fn every_rule_has_a_row_and_a_section() {
        let page = markdown();
        for m in rule_metas() {
            let id = m.id;
            assert!(page.contains(&format!("| [{id}](#")), "{id} row");
            assert!(page.contains(&format!("\n## {id}\n")), "{id} section");
        }
    }
}
