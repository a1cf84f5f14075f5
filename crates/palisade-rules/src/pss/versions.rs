//! Which check applies at which level and version: the one table.
//!
//! This mirrors upstream's check registry (`policy/registry.go`): every
//! check lists the policy versions where its behaviour changed; a revision
//! stays in force until the next one; a version newer than the newest known
//! one evaluates as the newest ([`clamp`]). The restricted level runs the
//! restricted checks plus every baseline check that no restricted check in
//! force at that version overrides.
//!
//! Adding a policy version is adding rows to [`TABLE`] (and bumping
//! [`LATEST`](super::LATEST)).

use palisade_model::{PodSpec, PssLevel, PssVersion};

use super::LATEST;

use PssLevel::{Baseline as B, Restricted as R};
use Revision::{Allowed, ExemptUserNamespace, ExemptWindows, Original, SeccompFields};

/// How a check behaves in one revision. Each check gives meaning to the
/// variants it uses and treats the others as [`Revision::Original`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// The check as first introduced.
    Original,
    /// As the original, but pods with `spec.os.name: windows` are exempt.
    ExemptWindows,
    /// As the original, but pods in a user namespace (`hostUsers: false`) are exempt.
    ExemptUserNamespace,
    /// Seccomp is read from `securityContext.seccompProfile` instead of the
    /// alpha annotations.
    SeccompFields,
    /// The values allowed in this revision (sysctl names, SELinux types).
    Allowed(&'static [&'static str]),
}

impl Revision {
    /// Whether this revision exempts a pod with `spec` from its check: a
    /// Windows pod under [`Revision::ExemptWindows`], a pod in a user
    /// namespace under [`Revision::ExemptUserNamespace`].
    pub(crate) fn exempts(self, spec: &PodSpec) -> bool {
        match self {
            ExemptWindows => spec.is_windows(),
            ExemptUserNamespace => spec.user_namespace(),
            _ => false,
        }
    }
}

/// One row: from policy version `v1.since` on, `check` behaves as `revision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The upstream check id, e.g. `capabilities_restricted`.
    pub check: &'static str,
    /// The level the check belongs to.
    pub level: PssLevel,
    /// The first policy minor version this revision applies to.
    pub since: u16,
    /// The behaviour from that version on.
    pub revision: Revision,
    /// Baseline checks this (restricted) revision replaces at the restricted level.
    pub overrides: &'static [&'static str],
}

const fn row(check: &'static str, level: PssLevel, since: u16, revision: Revision) -> Entry {
    Entry {
        check,
        level,
        since,
        revision,
        overrides: &[],
    }
}

const fn replacing(
    check: &'static str,
    since: u16,
    revision: Revision,
    overrides: &'static [&'static str],
) -> Entry {
    Entry {
        check,
        level: PssLevel::Restricted,
        since,
        revision,
        overrides,
    }
}

/// Sysctls allowed by baseline from v1.0.
pub const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
/// Sysctls allowed by baseline from v1.27.
pub const SYSCTLS_1_27: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
];
/// Sysctls allowed by baseline from v1.29.
pub const SYSCTLS_1_29: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
/// Sysctls allowed by baseline from v1.32.
pub const SYSCTLS_1_32: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];
/// Sysctls allowed by baseline from v1.37.
pub const SYSCTLS_1_37: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];
/// SELinux types allowed by baseline from v1.0 (`""` is an unset type).
pub const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
/// SELinux types allowed by baseline from v1.31.
pub const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// Every revision of every check, grouped by check, oldest first.
pub static TABLE: &[Entry] = &[
    row("allowPrivilegeEscalation", R, 8, Original),
    row("allowPrivilegeEscalation", R, 25, ExemptWindows),
    row("appArmorProfile", B, 0, Original),
    row("capabilities_baseline", B, 0, Original),
    replacing(
        "capabilities_restricted",
        22,
        Original,
        &["capabilities_baseline"],
    ),
    replacing(
        "capabilities_restricted",
        25,
        ExemptWindows,
        &["capabilities_baseline"],
    ),
    row("hostNamespaces", B, 0, Original),
    row("hostPathVolumes", B, 0, Original),
    row("hostPorts", B, 0, Original),
    row("hostProbesAndHostLifecycle", B, 34, Original),
    row("privileged", B, 0, Original),
    row("procMount", B, 0, Original),
    row("procMount", B, 35, ExemptUserNamespace),
    replacing("procMount_restricted", 35, Original, &["procMount"]),
    replacing("restrictedVolumes", 0, Original, &["hostPathVolumes"]),
    row("runAsNonRoot", R, 0, Original),
    row("runAsNonRoot", R, 35, ExemptUserNamespace),
    row("runAsUser", R, 23, Original),
    row("runAsUser", R, 35, ExemptUserNamespace),
    row("seLinuxOptions", B, 0, Allowed(SELINUX_TYPES_1_0)),
    row("seLinuxOptions", B, 31, Allowed(SELINUX_TYPES_1_31)),
    row("seccompProfile_baseline", B, 0, Original),
    row("seccompProfile_baseline", B, 19, SeccompFields),
    replacing(
        "seccompProfile_restricted",
        19,
        Original,
        &["seccompProfile_baseline"],
    ),
    replacing(
        "seccompProfile_restricted",
        25,
        ExemptWindows,
        &["seccompProfile_baseline"],
    ),
    row("sysctls", B, 0, Allowed(SYSCTLS_1_0)),
    row("sysctls", B, 27, Allowed(SYSCTLS_1_27)),
    row("sysctls", B, 29, Allowed(SYSCTLS_1_29)),
    row("sysctls", B, 32, Allowed(SYSCTLS_1_32)),
    row("sysctls", B, 37, Allowed(SYSCTLS_1_37)),
    row("windowsHostProcess", B, 0, Original),
];

/// The version evaluated when `version` is asked for: versions newer than
/// [`LATEST`] evaluate as `LATEST`, like upstream's `latest`.
pub fn clamp(version: PssVersion) -> PssVersion {
    version.min(LATEST)
}

/// The row of `check` in force at `version`, ignoring level and overrides.
fn row_at(check: &str, version: PssVersion) -> Option<&'static Entry> {
    TABLE
        .iter()
        .filter(|e| e.check == check && e.since <= version.minor)
        .max_by_key(|e| e.since)
}

/// Whether a restricted check in force at `version` replaces baseline `check`.
fn overridden(check: &str, version: PssVersion) -> bool {
    TABLE.iter().any(|e| {
        e.overrides.contains(&check)
            && row_at(e.check, version).is_some_and(|active| std::ptr::eq(active, e))
    })
}

/// The revision of `check` evaluated at `level` and `version`, or `None` when
/// the check does not run there (not yet introduced, restricted-only at
/// baseline, or replaced by a restricted check).
pub fn active_revision(check: &str, level: PssLevel, version: PssVersion) -> Option<Revision> {
    let version = clamp(version);
    let entry = row_at(check, version)?;
    match (entry.level, level) {
        (PssLevel::Restricted, PssLevel::Baseline) => None,
        (PssLevel::Baseline, PssLevel::Restricted) if overridden(check, version) => None,
        _ => Some(entry.revision),
    }
}

/// The checks that run at `level` and `version`, in upstream's order
/// (baseline checks first, then restricted, each sorted by id).
pub fn checks_at(level: PssLevel, version: PssVersion) -> Vec<(&'static str, Revision)> {
    let mut ids: Vec<(PssLevel, &'static str)> = TABLE.iter().map(|e| (e.level, e.check)).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|(_, id)| active_revision(id, level, version).map(|r| (id, r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(level: PssLevel, minor: u16) -> Vec<&'static str> {
        checks_at(level, PssVersion::v1(minor))
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    }

    #[test]
    fn table_is_grouped_and_strictly_increasing_per_check() {
        let mut seen: Vec<&str> = Vec::new();
        for pair in TABLE.windows(2) {
            if pair[0].check == pair[1].check {
                assert!(pair[0].since < pair[1].since, "{}", pair[0].check);
                assert_eq!(pair[0].level, pair[1].level, "{}", pair[0].check);
            }
        }
        for e in TABLE {
            if seen.last() != Some(&e.check) {
                assert!(
                    !seen.contains(&e.check),
                    "{} is split in the table",
                    e.check
                );
                seen.push(e.check);
            }
        }
        assert_eq!(seen.len(), 19, "upstream has 19 checks");
    }

    #[test]
    fn only_restricted_rows_override_and_only_baseline_checks() {
        for e in TABLE {
            for o in e.overrides {
                assert_eq!(e.level, PssLevel::Restricted, "{}", e.check);
                let target = TABLE.iter().find(|t| t.check == *o).unwrap();
                assert_eq!(
                    target.level,
                    PssLevel::Baseline,
                    "{} overrides {o}",
                    e.check
                );
            }
        }
    }

    #[test]
    fn latest_covers_every_row() {
        assert!(TABLE.iter().all(|e| e.since <= LATEST.minor));
        assert_eq!(LATEST, PssVersion::v1(37));
    }

    #[test]
    fn newer_versions_clamp_to_latest() {
        assert_eq!(clamp(PssVersion::v1(99)), LATEST);
        assert_eq!(clamp(PssVersion::v1(12)), PssVersion::v1(12));
        assert_eq!(ids(PssLevel::Restricted, 99), ids(PssLevel::Restricted, 37));
    }

    #[test]
    fn baseline_never_runs_restricted_checks() {
        for minor in 0..=40 {
            for (id, _) in checks_at(PssLevel::Baseline, PssVersion::v1(minor)) {
                let e = TABLE.iter().find(|e| e.check == id).unwrap();
                assert_eq!(e.level, PssLevel::Baseline, "v1.{minor}: {id}");
            }
        }
    }

    #[test]
    fn check_sets_match_upstream_at_key_versions() {
        assert_eq!(
            ids(PssLevel::Baseline, 0),
            [
                "appArmorProfile",
                "capabilities_baseline",
                "hostNamespaces",
                "hostPathVolumes",
                "hostPorts",
                "privileged",
                "procMount",
                "seLinuxOptions",
                "seccompProfile_baseline",
                "sysctls",
                "windowsHostProcess",
            ]
        );
        assert_eq!(ids(PssLevel::Baseline, 34).len(), 12);
        assert!(ids(PssLevel::Baseline, 34).contains(&"hostProbesAndHostLifecycle"));
        assert!(!ids(PssLevel::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));

        let r0 = ids(PssLevel::Restricted, 0);
        assert!(!r0.contains(&"hostPathVolumes"));
        assert!(r0.contains(&"restrictedVolumes") && r0.contains(&"runAsNonRoot"));
        assert!(!r0.contains(&"allowPrivilegeEscalation"));
        assert_eq!(r0.len(), 12);

        let r37 = ids(PssLevel::Restricted, 37);
        assert_eq!(r37.len(), 15);
        for gone in [
            "hostPathVolumes",
            "capabilities_baseline",
            "seccompProfile_baseline",
            "procMount",
        ] {
            assert!(!r37.contains(&gone), "{gone} is overridden at v1.37");
        }
    }

    #[test]
    fn overrides_start_when_the_restricted_check_starts() {
        let r = PssLevel::Restricted;
        let at = |id, minor| active_revision(id, r, PssVersion::v1(minor));
        assert_eq!(at("seccompProfile_baseline", 18), Some(Original));
        assert_eq!(at("seccompProfile_baseline", 19), None);
        assert_eq!(at("capabilities_baseline", 21), Some(Original));
        assert_eq!(at("capabilities_baseline", 22), None);
        assert_eq!(at("procMount", 34), Some(Original));
        assert_eq!(at("procMount", 35), None);
        assert_eq!(at("procMount_restricted", 35), Some(Original));
        assert_eq!(at("hostPathVolumes", 0), None);
        // Baseline keeps running them.
        let b = PssLevel::Baseline;
        assert_eq!(
            active_revision("procMount", b, PssVersion::v1(35)),
            Some(ExemptUserNamespace)
        );
        assert_eq!(
            active_revision("seccompProfile_baseline", b, PssVersion::v1(19)),
            Some(SeccompFields)
        );
    }

    #[test]
    fn revisions_change_at_upstream_versions() {
        let r = PssLevel::Restricted;
        let at = |id, minor| active_revision(id, r, PssVersion::v1(minor));
        assert_eq!(at("allowPrivilegeEscalation", 7), None);
        assert_eq!(at("allowPrivilegeEscalation", 8), Some(Original));
        assert_eq!(at("allowPrivilegeEscalation", 24), Some(Original));
        assert_eq!(at("allowPrivilegeEscalation", 25), Some(ExemptWindows));
        assert_eq!(at("runAsUser", 22), None);
        assert_eq!(at("runAsUser", 23), Some(Original));
        assert_eq!(at("runAsUser", 35), Some(ExemptUserNamespace));
        assert_eq!(at("sysctls", 26), Some(Allowed(SYSCTLS_1_0)));
        assert_eq!(at("sysctls", 31), Some(Allowed(SYSCTLS_1_29)));
        assert_eq!(at("sysctls", 36), Some(Allowed(SYSCTLS_1_32)));
        assert_eq!(at("sysctls", 37), Some(Allowed(SYSCTLS_1_37)));
        assert_eq!(at("seLinuxOptions", 30), Some(Allowed(SELINUX_TYPES_1_0)));
        assert_eq!(at("seLinuxOptions", 31), Some(Allowed(SELINUX_TYPES_1_31)));
        assert_eq!(at("noSuchCheck", 31), None);
    }

    #[test]
    fn allowed_lists_only_grow() {
        let lists = [
            SYSCTLS_1_0,
            SYSCTLS_1_27,
            SYSCTLS_1_29,
            SYSCTLS_1_32,
            SYSCTLS_1_37,
        ];
        for pair in lists.windows(2) {
            assert!(pair[0].iter().all(|s| pair[1].contains(s)));
            assert!(pair[1].len() > pair[0].len());
        }
        assert!(SELINUX_TYPES_1_0
            .iter()
            .all(|s| SELINUX_TYPES_1_31.contains(s)));
    }
}
