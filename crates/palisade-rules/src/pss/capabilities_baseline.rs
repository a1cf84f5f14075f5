//! `capabilities_baseline` (baseline): containers may add only the runtime's default capabilities.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{
    container_setting, forbid_added, PssRule, Report, Revision, BASELINE_CAPABILITIES, PSS_PAGE,
};

static META: RuleMeta = RuleMeta {
    id: "PSS-CAPABILITIES-BASELINE",
    title: "Container adds a non-default capability",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Containers add no capability beyond the runtime's default set",
    rationale: "Linux capabilities split root's power into pieces; the runtime's default set \
        is what ordinary containers need. Capabilities beyond it, such as SYS_ADMIN, \
        SYS_PTRACE, NET_ADMIN, NET_RAW or SYS_MODULE, hand the container kernel interfaces \
        that are the usual routes to escaping it, spoofing traffic or tampering with the node.",
    remediation: "Remove the capability from `securityContext.capabilities.add`; keep only \
        names from the default set (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, \
        MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      securityContext:
        capabilities:
          drop: [\"ALL\"]
          add: [\"NET_BIND_SERVICE\"]
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container",
        "https://man7.org/linux/man-pages/man7/capabilities.7.html",
    ],
    pss: Some((PssLevel::Baseline, "capabilities_baseline")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    for c in &pod.spec.containers {
        if let Some(caps) = container_setting(c, |sc| sc.capabilities.as_ref()) {
            forbid_added(c, caps, |cap| BASELINE_CAPABILITIES.contains(&cap), report);
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use palisade_model::{Capabilities, Container, SecurityContext, Span};

    use super::super::testutil::*;
    use super::*;

    /// A container with these added and dropped capabilities; `add` entries are on lines
    /// `line + 3 ..`, the `capabilities` mapping on `line + 2`.
    pub fn caps(name: &str, line: u32, add: &[&str], drop: &[&str]) -> Container {
        let list = |names: &[&str], first: u32| {
            names
                .iter()
                .zip(first..)
                .map(|(n, l)| at(n.to_string(), l))
                .collect()
        };
        with_sc(
            name,
            line,
            SecurityContext {
                capabilities: Some(Capabilities {
                    span: Span::point(line + 2, 5),
                    add: list(add, line + 3),
                    drop: list(drop, line + 10),
                }),
                ..SecurityContext::default()
            },
        )
    }

    #[test]
    fn reports_each_non_default_capability() {
        let res = pod(spec(vec![caps(
            "app",
            20,
            &["CHOWN", "NET_RAW", "SYS_ADMIN"],
            &[],
        )]));
        let found = baseline(&RULE, &res, 0);
        assert_eq!(lines(&found), [24, 25]);
        assert_eq!(
            found[0].message,
            "container \"app\" must not include \"NET_RAW\" in securityContext.capabilities.add"
        );
    }

    #[test]
    fn matches_names_exactly_like_upstream() {
        // Upstream compares the strings as written: a CAP_ prefix or lower case is not the default name.
        let res = pod(spec(vec![caps("app", 20, &["CAP_CHOWN", "chown"], &[])]));
        assert_eq!(baseline(&RULE, &res, 0).len(), 2);
    }

    #[test]
    fn default_capabilities_pass_and_restricted_replaces_it_from_1_22() {
        let ok = pod(spec(vec![caps("app", 20, BASELINE_CAPABILITIES, &[])]));
        assert!(baseline(&RULE, &ok, 37).is_empty());
        let bad = pod(spec(vec![caps("app", 20, &["SYS_ADMIN"], &[])]));
        assert_eq!(restricted(&RULE, &bad, 21).len(), 1);
        assert!(restricted(&RULE, &bad, 22).is_empty());
        assert_eq!(baseline(&RULE, &bad, 22).len(), 1);
    }
}
