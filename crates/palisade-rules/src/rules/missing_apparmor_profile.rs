//! `PAL-K8S-006`: a container declares no AppArmor profile.
//!
//! PSS baseline only forbids `Unconfined` (and custom annotation values); it
//! accepts a pod that declares nothing. This rule asks for an explicit
//! profile: the `appArmorProfile` field on the pod or container, or the
//! legacy annotation (which `PAL-K8S-007` reports separately as deprecated).
//! Windows pods are skipped.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct MissingAppArmorProfile;

/// Prefix of the legacy per-container AppArmor annotation.
pub const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-006",
    title: "Container declares no AppArmor profile",
    severity: Severity::Low,
    kinds: WORKLOAD_KINDS,
    practice: "Confine containers with an explicit AppArmor profile",
    rationale: "AppArmor limits which files, capabilities and mounts a process can use even when \
        it runs as root, and blocks many container escape techniques. When the manifest names \
        no profile, confinement depends on the node: whether AppArmor is enabled and what the \
        container runtime applies by default. Declaring RuntimeDefault (or a Localhost \
        profile) makes the confinement part of the workload, visible to review and enforced \
        by admission.",
    remediation: "Set securityContext.appArmorProfile.type: RuntimeDefault on the pod (or a \
        Localhost profile for a container that needs its own).",
    example: "spec:\n  securityContext:\n    appArmorProfile:\n      type: RuntimeDefault\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n",
    references: &[
        common::AKS_POD_SECURITY,
        "https://kubernetes.io/docs/tutorials/security/apparmor/",
        "https://learn.microsoft.com/en-us/azure/aks/operator-best-practices-cluster-security",
        "CWE-693: Protection Mechanism Failure",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// Message for a container without an AppArmor profile.
pub fn message(subject: &str) -> String {
    format!("{subject} declares no AppArmor profile: set appArmorProfile.type to RuntimeDefault")
}

impl Rule for MissingAppArmorProfile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        for c in &pod.spec.containers {
            if c.effective(&pod.spec).app_armor_profile.is_some() {
                continue;
            }
            let key = format!("{APPARMOR_ANNOTATION_PREFIX}{}", c.name.value);
            if pod.meta.annotation(&key).is_some() {
                continue;
            }
            out.push(common::finding(
                &META,
                resource,
                common::container_context_span(c),
                Some(c),
                message(&common::subject(resource, c)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, Profile};

    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn field_or_annotation_satisfies_the_rule() {
        let s = spec(vec![container("app", 20), container("side", 30)]);
        let mut res = workload(s.clone());
        let found = run(&MissingAppArmorProfile, &[res.clone()]);
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            message("container \"app\" of Deployment \"web\"")
        );
        if let Some(pod) = res.pod.as_mut() {
            pod.meta.annotations.push((
                ss("container.apparmor.security.beta.kubernetes.io/side", 5),
                ss("runtime/default", 5),
            ));
        }
        let found = run(&MissingAppArmorProfile, &[res]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].container.as_deref(), Some("app"));

        let mut s = s;
        s.security_context = Some(PodSecurityContext {
            span: at(11),
            app_armor_profile: Some(Profile {
                span: at(12),
                type_: Some(ss("RuntimeDefault", 13)),
                localhost_profile: None,
            }),
            ..PodSecurityContext::default()
        });
        assert!(run(&MissingAppArmorProfile, &[workload(s)]).is_empty());
    }
}
