//! `PAL-IMG-009`: regular files with the setuid or setgid bit.
//!
//! One finding per file of the final image. The set-id programs that
//! Debian, Ubuntu, Alpine and RHEL-family base images ship to manage users
//! and mounts ([`COMMON_SETID_BINARIES`]) are reported at low severity;
//! any other set-id file at medium.

use palisade_model::{Finding, FixAvailability, ImageFacts, RuleMeta, RuleStatus, Severity};

use super::{file_place, finding, subject, ImageRule, ImageSettings, KINDS};

/// The rule.
pub struct SetidBinary;

/// Set-id programs of common base distributions (by file name), reported
/// at low severity.
pub const COMMON_SETID_BINARIES: &[&str] = &[
    "chage",
    "chfn",
    "chsh",
    "expiry",
    "gpasswd",
    "mount",
    "newgrp",
    "passwd",
    "su",
    "umount",
    "unix_chkpwd",
    "pam_timestamp_check",
    "ssh-agent",
    "wall",
    "write",
    "crontab",
    "bbsuid",
];

static META: RuleMeta = RuleMeta {
    id: "PAL-IMG-009",
    title: "Setuid or setgid file in the image",
    severity: Severity::Medium,
    kinds: KINDS,
    practice: "Ship no setuid or setgid programs in application images",
    rationale: "A setuid or setgid program runs with its owner's or group's privileges whoever \
        starts it: in a container that runs as an unprivileged user, each one is a way back to \
        root through its bugs or misuse. Application containers rarely need to switch users, so \
        these bits are attack surface with no purpose. Programs the common base distributions \
        ship for user and mount management (su, passwd, mount...) are reported at low severity; \
        any other at medium. allowPrivilegeEscalation: false (no_new_privs) defuses them at run \
        time; removing the bit defuses them everywhere.",
    remediation: "Remove the bits in the Dockerfile (`RUN find / -xdev -perm /6000 -type f -exec \
        chmod a-s {} +`), remove the packages that need them, or start from a minimal base image \
        (distroless, scratch); and set allowPrivilegeEscalation: false.",
    example: "RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true\n",
    references: &[
        "CIS Docker Benchmark v1.6.0, 4.8: Ensure setuid and setgid permissions are removed",
        "CWE-250: Execution with Unnecessary Privileges",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

impl ImageRule for SetidBinary {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, facts: &ImageFacts, _s: &ImageSettings, out: &mut Vec<Finding>) {
        for f in &facts.setid_files {
            let name = f.path.rsplit('/').next().unwrap_or(&f.path);
            let severity = if COMMON_SETID_BINARIES.contains(&name) {
                Severity::Low
            } else {
                Severity::Medium
            };
            let bits = match (f.mode & 0o4000 != 0, f.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            out.push(finding(
                &META,
                severity,
                facts,
                Some(&f.path),
                None,
                format!(
                    "{}: {} is {bits} (mode {:04o}, owner uid {})",
                    subject(facts),
                    file_place(facts, &f.path, f.layer),
                    f.mode,
                    f.uid
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
    fn common_programs_are_low_others_medium() {
        let mut f = clean();
        f.setid_files = vec![
            FileFacts {
                path: "usr/bin/passwd".into(),
                mode: 0o4755,
                layer: 0,
                ..FileFacts::default()
            },
            FileFacts {
                path: "opt/app/helper".into(),
                mode: 0o6755,
                layer: 1,
                ..FileFacts::default()
            },
        ];
        let found = run(&SetidBinary, &f);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].severity, Severity::Low);
        assert_eq!(found[1].severity, Severity::Medium);
        assert!(
            found[1].message.contains("is setuid and setgid (mode 6755"),
            "{}",
            found[1].message
        );
        assert_eq!(
            &*found[1].location.file,
            "oci:build/app:1.0!/opt/app/helper"
        );
    }
}
