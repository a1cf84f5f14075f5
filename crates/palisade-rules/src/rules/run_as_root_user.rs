//! `PAL-K8S-001`: a container runs, or may run, as the root user.
//!
//! Overlaps PSS restricted `runAsNonRoot` and `runAsUser`, and differs from
//! them on purpose: PSS fails every pod without `runAsNonRoot: true`, even
//! one that sets a non-zero `runAsUser`; this rule reports only containers
//! that do run as root, grading an explicit `runAsUser: 0` (high) above an
//! image-decided user (medium), and applies whatever PSS level is enforced.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common::{self, User};
use crate::{Context, Rule};

/// The rule.
pub struct RunAsRootUser;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-001",
    title: "Container runs as the root user",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Run containers as a non-root user",
    rationale: "A process running as UID 0 in a container is root on the node's kernel: any \
        container escape, writable hostPath or kernel bug becomes a full node compromise, and \
        inside the container root can rewrite binaries and configuration. When neither \
        runAsUser nor runAsNonRoot is set, the image's USER decides, and most public images \
        run as root. An explicit runAsUser: 0 is reported at high severity; an unset user \
        without runAsNonRoot: true at medium, since the image may still be non-root.",
    remediation: "Set runAsNonRoot: true and a non-zero runAsUser in the pod or container \
        securityContext, and build the image with a non-root USER.",
    example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n",
    references: &[
        common::AKS_POD_SECURITY,
        common::K8S_SECURITY_CONTEXT,
        common::K8S_PSS,
        "CIS Kubernetes Benchmark v1.9, 5.2.7: Minimize the admission of root containers",
        common::CWE_250,
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// Message for a container whose `runAsUser` is 0.
pub fn root_message(subject: &str, origin_note: &str) -> String {
    format!("{subject} runs as root: runAsUser is 0{origin_note}")
}

/// Message for a container whose user the image decides.
pub fn image_user_message(subject: &str) -> String {
    format!(
        "{subject} may run as root: runAsUser is not set and runAsNonRoot is not true, so the image decides"
    )
}

impl Rule for RunAsRootUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        for c in &pod.spec.containers {
            let subject = common::subject(resource, c);
            match common::user(c, &pod.spec) {
                User::Root(eff) => out.push(common::finding(
                    &META,
                    resource,
                    eff.span,
                    Some(c),
                    root_message(&subject, common::origin_note(&eff)),
                )),
                User::ImageDecides => out.push(common::finding_with(
                    &META,
                    Severity::Medium,
                    resource,
                    common::container_context_span(c),
                    Some(c),
                    image_user_message(&subject),
                )),
                User::NonRoot => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, SecurityContext};

    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn explicit_root_on_the_pod_is_high_and_points_at_the_field() {
        let mut spec = spec(vec![container("app", 20)]);
        spec.security_context = Some(PodSecurityContext {
            span: at(11),
            run_as_user: Some(sp(0, 12)),
            ..PodSecurityContext::default()
        });
        let res = workload(spec);
        let found = run(&RunAsRootUser, &[res]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(found[0].location.span, at(12));
        assert_eq!(found[0].container.as_deref(), Some("app"));
        assert_eq!(
            found[0].message,
            root_message(
                "container \"app\" of Deployment \"web\"",
                " (inherited from the pod securityContext)"
            )
        );
    }

    #[test]
    fn container_override_wins_over_the_pod() {
        let mut c = container("app", 20);
        c.security_context = Some(SecurityContext {
            span: at(21),
            run_as_user: Some(sp(1000, 22)),
            ..SecurityContext::default()
        });
        let mut spec = spec(vec![c]);
        spec.security_context = Some(PodSecurityContext {
            span: at(11),
            run_as_user: Some(sp(0, 12)),
            ..PodSecurityContext::default()
        });
        assert!(run(&RunAsRootUser, &[workload(spec)]).is_empty());
    }

    #[test]
    fn unset_user_without_run_as_non_root_is_medium() {
        let res = workload(spec(vec![container("app", 20)]));
        let found = run(&RunAsRootUser, &[res]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[0].location.span, at(20));
        assert!(found[0].message.contains("image decides"));
    }

    #[test]
    fn run_as_non_root_true_is_enough() {
        let mut spec = spec(vec![container("app", 20)]);
        spec.security_context = Some(PodSecurityContext {
            span: at(11),
            run_as_non_root: Some(sp(true, 12)),
            ..PodSecurityContext::default()
        });
        assert!(run(&RunAsRootUser, &[workload(spec)]).is_empty());
    }
}
