//! `PAL-IMG-010`: world-writable files, and world-writable directories
//! without the sticky bit, outside temporary and virtual paths.
//!
//! `tmp`, `var/tmp`, `dev`, `proc`, `sys`, `run`, `var/run`, `var/lock` and
//! `run/lock` (and everything under them) are left out by the facts
//! builder; symlinks (always `0777`) are never reported.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{file_place, finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct WorldWritable;

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-010",
    title: "World-writable file or directory in a system path",
    severity: Severity::Medium,
    kinds: KINDS,
    practice: "Only temporary directories are world-writable, and only with the sticky bit",
    rationale: "Any user in the container can change a world-writable file, or add, replace and \
        delete files in a world-writable directory without the sticky bit. In a system or \
        application path that lets an unprivileged process (a compromised web worker, say) \
        rewrite programs, libraries or configuration that root or other services later run, \
        turning a foothold into persistence or privilege escalation.",
    remediation: "Remove the write bit for others (`chmod o-w`) in the Dockerfile, give the \
        application user ownership of just the directories it writes, and mount writable paths \
        as volumes (emptyDir) with a read-only root filesystem.",
    example: "RUN chmod -R o-w /opt/app && chown -R 10001:10001 /opt/app/data\n",
    references: &[
        "CWE-732: Incorrect Permission Assignment for Critical Resource",
        "CIS Distribution Independent Linux Benchmark, 6.1.10: Ensure no world writable files exist",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for WorldWritable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        for f in &facts.world_writable {
            let what = if f.dir {
                "a world-writable directory without the sticky bit"
            } else {
                "a world-writable file"
            };
            out.push(finding(
                &META,
                META.severity,
                facts,
                Some(&f.path),
                None,
                format!(
                    "{}: {} is {what} (mode {:04o})",
                    subject(facts),
                    file_place(facts, &f.path, f.layer),
                    f.mode
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::FileFacts;

    use super::*;
    use crate::image_rules::testkit::*;

    #[test]
    fn each_entry_is_reported() {
        let mut f = clean();
        f.world_writable = vec![FileFacts {
            path: "opt/app".into(),
            mode: 0o777,
            dir: true,
            layer: 1,
            ..FileFacts::default()
        }];
        let found = run(&WorldWritable, &f);
        assert_eq!(found.len(), 1);
        assert!(found[0]
            .message
            .contains("directory without the sticky bit (mode 0777)"));
    }
}
