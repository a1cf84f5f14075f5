//! `PAL-K8S-010`: a container sets no cpu or memory request.
//!
//! A limit without a request counts as a request (Kubernetes copies the
//! limit), and so does a `LimitRange` of the scan that supplies a default.
//! Ephemeral containers cannot have resources and are skipped.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common::{self, Want};
use crate::{Context, Rule};

/// The rule.
pub struct MissingResourceRequests;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-010",
    title: "Container sets no cpu or memory request",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Set cpu and memory requests on every container",
    rationale: "The scheduler places pods by their requests. A container without requests is \
        BestEffort (or the weakest Burstable): it can be packed onto a node that cannot run it, \
        is the first evicted under pressure, and gives the cluster autoscaler nothing to plan \
        with, so one busy workload starves its neighbours.",
    remediation: "Set resources.requests.cpu and resources.requests.memory to the container's \
        normal usage.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    resources:\n      requests:\n        cpu: 250m\n        memory: 256Mi\n      limits:\n        memory: 256Mi\n",
    references: &[
        common::AKS_RESOURCES,
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        "CWE-770: Allocation of Resources Without Limits or Throttling",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a container without a request for `resource`.
pub fn message(subject: &str, resource: &str) -> String {
    format!("{subject} sets no {resource} request")
}

impl Rule for MissingResourceRequests {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        common::missing_compute(
            &META,
            resource,
            ctx,
            Want::Request,
            &["cpu", "memory"],
            message,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{Resources, Value};

    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn missing_requests_fire_limits_imply_requests() {
        let mut c = container("app", 20);
        c.resources = Some(Resources {
            span: at(21),
            requests: vec![(ss("memory", 22), ss("128Mi", 22))],
            limits: vec![],
        });
        let mut limited = container("limited", 30);
        limited.resources = Some(Resources {
            span: at(31),
            requests: vec![],
            limits: vec![
                (ss("cpu", 32), ss("1", 32)),
                (ss("memory", 33), ss("1Gi", 33)),
            ],
        });
        let found = run(
            &MissingResourceRequests,
            &[workload(spec(vec![c, limited]))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.span, at(21));
        assert_eq!(
            found[0].message,
            message("container \"app\" of Deployment \"web\"", "cpu")
        );
    }

    #[test]
    fn a_limit_range_default_counts() {
        let lr = object(
            "LimitRange",
            map(vec![
                ("metadata", map(vec![("name", s("defaults", 3))])),
                (
                    "spec",
                    map(vec![(
                        "limits",
                        seq(vec![map(vec![
                            ("type", s("Container", 5)),
                            ("defaultRequest", map(vec![("cpu", s("100m", 6))])),
                            (
                                "default",
                                map(vec![("memory", v(Value::Str("1Gi".into()), 7))]),
                            ),
                        ])]),
                    )]),
                ),
            ]),
        );
        let pod = workload(spec(vec![container("app", 20)]));
        assert_eq!(
            run(&MissingResourceRequests, std::slice::from_ref(&pod)).len(),
            2
        );
        assert!(run(&MissingResourceRequests, &[pod, lr]).is_empty());
    }
}
