//! `PAL-K8S-012`: a container sets no cpu limit.
//!
//! Low severity on purpose: cpu is compressible and many operators choose
//! requests without cpu limits to avoid throttling; disable the rule then.
//! A `LimitRange` of the scan with a `default` cpu limit counts.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common::{self, Want};
use crate::{Context, Rule};

/// The rule.
pub struct MissingCpuLimit;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-012",
    title: "Container sets no cpu limit",
    severity: Severity::Low,
    kinds: WORKLOAD_KINDS,
    practice: "Bound the cpu a container can use",
    rationale: "Without a cpu limit a container may use every idle core of its node. Cpu is \
        compressible, so neighbours keep their requested share, but a runaway or hijacked \
        process (a crypto miner is the usual case) still burns the node's spare capacity and \
        hides in the noise. Teams that prefer requests without cpu limits, to avoid \
        throttling, should disable this rule.",
    remediation: "Set resources.limits.cpu, or disable this rule if the cluster relies on cpu \
        requests alone.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    resources:\n      requests:\n        cpu: 250m\n        memory: 256Mi\n      limits:\n        cpu: \"1\"\n        memory: 256Mi\n",
    references: &[
        common::AKS_RESOURCES,
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
        "CWE-400: Uncontrolled Resource Consumption",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a container without a cpu limit.
pub fn message(subject: &str) -> String {
    format!("{subject} sets no cpu limit")
}

impl Rule for MissingCpuLimit {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        common::missing_compute(
            &META,
            resource,
            ctx,
            Want::Limit,
            &["cpu"],
            |subject, _| message(subject),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::Resources;

    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn only_a_cpu_limit_satisfies_it() {
        let mut c = container("app", 20);
        c.resources = Some(Resources {
            span: at(21),
            requests: vec![(ss("cpu", 22), ss("1", 22))],
            limits: vec![(ss("memory", 23), ss("1Gi", 23))],
        });
        let mut ok = container("ok", 30);
        ok.resources = Some(Resources {
            span: at(31),
            requests: vec![],
            limits: vec![(ss("cpu", 32), ss("500m", 32))],
        });
        let found = run(&MissingCpuLimit, &[workload(spec(vec![c, ok]))]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.span, at(21));
        assert_eq!(
            found[0].message,
            message("container \"app\" of Deployment \"web\"")
        );
    }
}
