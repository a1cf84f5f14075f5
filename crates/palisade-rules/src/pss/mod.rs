//! The Pod Security Standards, every policy version, as upstream evaluates them.
//!
//! One rule per upstream check (`k8s.io/pod-security-admission/policy`), one
//! file per rule. Which revision of which check applies at which level and
//! version, and which restricted check replaces which baseline check, is the
//! one table in [`versions`]; the rules only know how to check a pod under a
//! given [`Revision`].

use palisade_model::{
    Capabilities, Container, ContainerKind, Finding, Location, PodSecurityContext, PodTemplate,
    Profile, PssRef, PssVersion, Resource, RuleMeta, SecurityContext, Span,
};

use crate::{Context, Rule};

mod allow_privilege_escalation;
mod app_armor;
mod capabilities_baseline;
mod capabilities_restricted;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod se_linux;
mod seccomp_baseline;
mod seccomp_restricted;
mod sysctls;
pub mod versions;
mod windows_host_process;

pub use versions::{active_revision, checks_at, clamp, Revision, TABLE};

/// The capabilities container runtimes grant by default, which the baseline
/// level allows a container to add back (`capabilities_baseline`), as
/// upstream spells them: upper case, no `CAP_` prefix.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The newest policy version palisade knows.
pub const LATEST: PssVersion = PssVersion::v1(37);

/// Every Pod Security Standards rule: baseline checks first, then restricted,
/// each in upstream's order (sorted by check id).
pub static RULES: &[&dyn Rule] = &[
    // Baseline.
    &app_armor::RULE,
    &capabilities_baseline::RULE,
    &host_namespaces::RULE,
    &host_path_volumes::RULE,
    &host_ports::RULE,
    &host_probes::RULE,
    &privileged::RULE,
    &proc_mount::RULE,
    &se_linux::RULE,
    &seccomp_baseline::RULE,
    &sysctls::RULE,
    &windows_host_process::RULE,
    // Restricted.
    &allow_privilege_escalation::RULE,
    &capabilities_restricted::RULE,
    &proc_mount_restricted::RULE,
    &restricted_volumes::RULE,
    &run_as_non_root::RULE,
    &run_as_user::RULE,
    &seccomp_restricted::RULE,
];

/// The kubernetes.io page defining the standards; every PSS rule cites it.
const PSS_PAGE: &str = "https://kubernetes.io/docs/concepts/security/pod-security-standards/";

/// The signature of one check: the pod, the revision in force, and where to report.
type CheckFn = fn(&PodTemplate, Revision, &mut Report<'_>);

/// A Pod Security Standards rule: its metadata and its check.
///
/// The rule runs only when its upstream check applies at the selected level
/// and version (see [`active_revision`]), and only on objects with a pod template.
pub struct PssRule {
    meta: &'static RuleMeta,
    check: CheckFn,
}

impl Rule for PssRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some((level, check)) = self.meta.pss else {
            return;
        };
        let Some(pod) = resource.pod.as_ref() else {
            return;
        };
        let Some(revision) = active_revision(check, ctx.settings.level, ctx.settings.version)
        else {
            return;
        };
        let mut report = Report {
            resource,
            meta: self.meta,
            pss: PssRef { level, check },
            out,
        };
        (self.check)(pod, revision, &mut report);
    }
}

/// Collects the findings of one rule on one object.
pub(crate) struct Report<'a> {
    resource: &'a Resource,
    meta: &'static RuleMeta,
    pss: PssRef,
    out: &'a mut Vec<Finding>,
}

impl Report<'_> {
    /// Reports a problem of the pod as a whole (pod spec, pod security context, metadata).
    pub(crate) fn pod(&mut self, span: Span, message: String) {
        self.push(span, None, message);
    }

    /// Reports a problem of one container.
    pub(crate) fn container(&mut self, container: &Container, span: Span, message: String) {
        self.push(span, Some(container.name.value.clone()), message);
    }

    fn push(&mut self, span: Span, container: Option<String>, message: String) {
        self.out.push(Finding {
            location: Location {
                file: self.resource.file.clone(),
                span,
            },
            rule_id: self.meta.id,
            severity: self.meta.severity,
            message,
            resource: self.resource.reference(),
            container,
            pss: Some(self.pss),
            suppressed: None,
        });
    }
}

/// How a message names a container: `container "app"`, `init container "setup"`,
/// `ephemeral container "debug"`.
pub(crate) fn who(container: &Container) -> String {
    let kind = match container.kind {
        ContainerKind::Init => "init container",
        ContainerKind::Regular => "container",
        ContainerKind::Ephemeral => "ephemeral container",
    };
    format!("{kind} {:?}", container.name.value)
}

/// The innermost place where a missing container security setting belongs:
/// the container's `securityContext` when there is one, else the container.
pub(crate) fn security_context_span(container: &Container) -> Span {
    container
        .security_context
        .as_ref()
        .map_or(container.span, |sc| sc.span)
}

/// A setting of the pod's `securityContext`, read by `get`, when both are set.
pub(crate) fn pod_setting<T>(
    pod: &PodTemplate,
    get: fn(&PodSecurityContext) -> Option<&T>,
) -> Option<&T> {
    pod.spec.security_context.as_ref().and_then(get)
}

/// A setting of a container's `securityContext`, read by `get`, when both are set.
pub(crate) fn container_setting<T>(
    container: &Container,
    get: fn(&SecurityContext) -> Option<&T>,
) -> Option<&T> {
    container.security_context.as_ref().and_then(get)
}

/// Reports the problems `problems` finds in a setting of the pod's and of
/// every container's `securityContext` (read by `pod_get` and
/// `container_get`): each `(span, what)` as `pod must not set {what}` or
/// `container "app" must not set {what}`.
pub(crate) fn forbid_setting<T, I>(
    pod: &PodTemplate,
    pod_get: fn(&PodSecurityContext) -> Option<&T>,
    container_get: fn(&SecurityContext) -> Option<&T>,
    problems: impl Fn(&T) -> I,
    report: &mut Report<'_>,
) where
    I: IntoIterator<Item = (Span, String)>,
{
    for (span, what) in pod_setting(pod, pod_get).into_iter().flat_map(&problems) {
        report.pod(span, format!("pod must not set {what}"));
    }
    for c in &pod.spec.containers {
        for (span, what) in container_setting(c, container_get)
            .into_iter()
            .flat_map(&problems)
        {
            report.container(c, span, format!("{} must not set {what}", who(c)));
        }
    }
}

/// Reports every capability in `caps.add` of `container` that `allowed`
/// rejects (names compared as written, like upstream).
pub(crate) fn forbid_added(
    container: &Container,
    caps: &Capabilities,
    allowed: impl Fn(&str) -> bool,
    report: &mut Report<'_>,
) {
    for cap in caps.add.iter().filter(|cap| !allowed(&cap.value)) {
        report.container(
            container,
            cap.span,
            format!(
                "{} must not include {:?} in securityContext.capabilities.add",
                who(container),
                cap.value
            ),
        );
    }
}

/// The type of a seccomp or AppArmor profile when it is neither `RuntimeDefault`
/// nor `Localhost` (an empty type counts), with the span to report it at.
pub(crate) fn forbidden_profile_type(profile: &Profile) -> Option<(&str, Span)> {
    let kind = profile.type_str();
    if matches!(kind, "RuntimeDefault" | "Localhost") {
        return None;
    }
    Some((
        kind,
        profile.type_.as_ref().map_or(profile.span, |t| t.span),
    ))
}

/// Which profile of the pod and container security contexts a check reads,
/// and how its messages name it (`securityContext.seccompProfile.type`).
pub(crate) struct ProfileField {
    pub(crate) name: &'static str,
    pub(crate) pod: fn(&PodSecurityContext) -> Option<&Profile>,
    pub(crate) container: fn(&SecurityContext) -> Option<&Profile>,
}

/// Reports the pod's and every container's profile of `field` whose type is
/// forbidden (see [`forbidden_profile_type`]). With `required`, a container
/// that sets no profile while the pod sets none either is reported too; one
/// without its own profile under a pod profile inherits the pod's, whose
/// finding already covers it.
pub(crate) fn check_profiles(
    pod: &PodTemplate,
    field: &ProfileField,
    required: bool,
    report: &mut Report<'_>,
) {
    let name = field.name;
    let pod_profile = pod_setting(pod, field.pod);
    if let Some((kind, span)) = pod_profile.and_then(forbidden_profile_type) {
        report.pod(span, format!("pod must not set {name} to {kind:?}"));
    }
    for c in &pod.spec.containers {
        match container_setting(c, field.container) {
            Some(profile) => {
                if let Some((kind, span)) = forbidden_profile_type(profile) {
                    report.container(
                        c,
                        span,
                        format!("{} must not set {name} to {kind:?}", who(c)),
                    );
                }
            }
            None if required && pod_profile.is_none() => report.container(
                c,
                security_context_span(c),
                format!(
                    "pod or {} must set {name} to \"RuntimeDefault\" or \"Localhost\"",
                    who(c)
                ),
            ),
            None => {}
        }
    }
}

/// `securityContext.seccompProfile` of the pod and its containers.
pub(crate) const SECCOMP_PROFILE: ProfileField = ProfileField {
    name: "securityContext.seccompProfile.type",
    pod: |sc| sc.seccomp_profile.as_ref(),
    container: |sc| sc.seccomp_profile.as_ref(),
};

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_table_check_has_exactly_one_rule() {
        let rule_checks: Vec<&str> = RULES
            .iter()
            .map(|r| r.meta().pss.map(|(_, id)| id).unwrap())
            .collect();
        let unique: BTreeSet<&str> = rule_checks.iter().copied().collect();
        assert_eq!(unique.len(), rule_checks.len(), "two rules share a check");
        let table: BTreeSet<&str> = TABLE.iter().map(|e| e.check).collect();
        assert_eq!(unique, table);
    }

    #[test]
    fn rules_are_in_upstream_order() {
        let order: Vec<(palisade_model::PssLevel, &str)> =
            RULES.iter().map(|r| r.meta().pss.unwrap()).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
    }

    #[test]
    fn metadata_is_complete() {
        for rule in RULES {
            let m = rule.meta();
            assert!(m.id.starts_with("PSS-"), "{}", m.id);
            assert!(!m.title.is_empty() && !m.practice.is_empty(), "{}", m.id);
            assert!(m.rationale.len() > 80, "{}: rationale too short", m.id);
            assert!(
                m.remediation.ends_with('.'),
                "{}: remediation must end with a period",
                m.id
            );
            assert!(
                m.example.contains("spec:"),
                "{}: example must be a pod spec",
                m.id
            );
            assert!(
                m.references.contains(&PSS_PAGE),
                "{}: cite the PSS page",
                m.id
            );
            assert_eq!(m.kinds, palisade_model::WORKLOAD_KINDS, "{}", m.id);
            let (level, check) = m.pss.unwrap();
            let entry = TABLE.iter().find(|e| e.check == check).unwrap();
            assert_eq!(entry.level, level, "{}: level differs from the table", m.id);
        }
    }

    #[test]
    fn examples_are_indented_yaml_without_tabs() {
        for rule in RULES {
            let example = rule.meta().example;
            assert!(!example.contains('\t'), "{}", rule.meta().id);
            assert!(example.ends_with('\n'), "{}", rule.meta().id);
            assert!(example.starts_with("spec:\n"), "{}", rule.meta().id);
        }
    }

    #[test]
    fn only_workload_objects_with_a_pod_are_checked() {
        use palisade_model::ContainerKind;
        let mut c = testutil::container(ContainerKind::Regular, "app", 20);
        c.security_context = None;
        let mut res = testutil::pod(testutil::spec(vec![c]));
        let all = |res: &Resource| -> usize {
            RULES
                .iter()
                .map(|r| testutil::restricted(*r, res, 37).len())
                .sum()
        };
        assert!(all(&res) > 0);
        res.pod = None;
        assert_eq!(all(&res), 0);
    }
}
