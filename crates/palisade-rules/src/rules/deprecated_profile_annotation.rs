//! `PAL-K8S-007`: a pod uses the deprecated seccomp or AppArmor annotations.
//!
//! PSS checks the annotations' values (`Unconfined` and the like); this rule
//! reports the annotations themselves, whatever their value, because the
//! securityContext fields replace them.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use super::missing_apparmor_profile::APPARMOR_ANNOTATION_PREFIX;
use crate::{Context, Rule};

/// The rule.
pub struct DeprecatedProfileAnnotation;

/// The legacy pod-wide seccomp annotation.
pub const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// Prefix of the legacy per-container seccomp annotation.
pub const SECCOMP_CONTAINER_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-007",
    title: "Pod uses deprecated seccomp or AppArmor annotations",
    severity: Severity::Low,
    kinds: WORKLOAD_KINDS,
    practice: "Declare seccomp and AppArmor profiles with securityContext fields",
    rationale: "The seccomp annotations were deprecated when seccompProfile became a field \
        (Kubernetes 1.19) and the AppArmor annotations when appArmorProfile did (1.30). Newer \
        releases stop honouring the annotations, so a workload that relies on them may lose \
        its confinement silently after a cluster upgrade, and tools that read only the fields \
        (admission policies, scanners) see an unconfined pod.",
    remediation: "Replace each annotation with securityContext.seccompProfile or \
        securityContext.appArmorProfile on the pod or container, and remove the annotation.",
    example: "spec:\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n    appArmorProfile:\n      type: RuntimeDefault\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n",
    references: &[
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
        "https://kubernetes.io/docs/tutorials/security/apparmor/",
        common::AKS_POD_SECURITY,
        "CWE-477: Use of Obsolete Function",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// Message for a deprecated annotation.
pub fn message(object: &str, key: &str, field: &str) -> String {
    format!(
        "{object} uses the deprecated annotation \"{key}\": use the securityContext field {field}"
    )
}

fn replacement(key: &str) -> Option<&'static str> {
    if key == SECCOMP_POD_ANNOTATION || key.starts_with(SECCOMP_CONTAINER_PREFIX) {
        Some("seccompProfile")
    } else if key.starts_with(APPARMOR_ANNOTATION_PREFIX) {
        Some("appArmorProfile")
    } else {
        None
    }
}

impl Rule for DeprecatedProfileAnnotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        let object = common::object(resource);
        for (key, _) in &pod.meta.annotations {
            if let Some(field) = replacement(&key.value) {
                out.push(common::finding(
                    &META,
                    resource,
                    key.span,
                    None,
                    message(&object, &key.value, field),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn legacy_annotations_fire_others_do_not() {
        let mut res = workload(spec(vec![container("app", 20)]));
        if let Some(pod) = res.pod.as_mut() {
            pod.meta.annotations = vec![
                (ss(SECCOMP_POD_ANNOTATION, 5), ss("runtime/default", 5)),
                (
                    ss("container.apparmor.security.beta.kubernetes.io/app", 6),
                    ss("runtime/default", 6),
                ),
                (ss("prometheus.io/scrape", 7), ss("true", 7)),
            ];
        }
        let found = run(&DeprecatedProfileAnnotation, &[res]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![5, 6]);
        assert_eq!(
            found[1].message,
            message(
                "Deployment \"web\"",
                "container.apparmor.security.beta.kubernetes.io/app",
                "appArmorProfile"
            )
        );
    }
}
