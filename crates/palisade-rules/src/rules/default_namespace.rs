//! `PAL-K8S-016`: an object is placed in the `default` namespace explicitly.
//!
//! Only an explicit `namespace: default` is reported: an object without a
//! namespace goes wherever it is deployed to (`kubectl -n`, Helm, Argo CD,
//! Flux), so the manifest alone does not say it lands in `default`.
//! Cluster-scoped kinds are skipped.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct DefaultNamespace;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-016",
    title: "Object is placed in the default namespace",
    severity: Severity::Low,
    kinds: &["*"],
    practice: "Give each application its own namespace",
    rationale: "Namespaces are the unit of RBAC, network policy, resource quota and Pod \
        Security admission. The default namespace is shared by everything nobody placed \
        deliberately, usually has none of those controls, and lets unrelated workloads see \
        and reach each other, so a compromise of one spreads easily.",
    remediation: "Create a namespace for the application, with its RBAC, network policies, \
        quotas and pod-security labels, and deploy the object there.",
    example: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n",
    references: &[
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/",
        "https://learn.microsoft.com/en-us/azure/aks/operator-best-practices-cluster-isolation",
        "CIS Kubernetes Benchmark v1.9, 5.7.4: The default namespace should not be used",
        "CWE-653: Improper Isolation or Compartmentalization",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for an object in the default namespace.
pub fn message(object: &str) -> String {
    format!("{object} is placed in the default namespace")
}

impl Rule for DefaultNamespace {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if common::CLUSTER_SCOPED_KINDS.contains(&resource.kind.as_str()) {
            return;
        }
        if let Some(ns) = resource
            .meta
            .namespace
            .as_ref()
            .filter(|n| n.value == "default")
        {
            out.push(common::finding(
                &META,
                resource,
                ns.span,
                None,
                message(&common::object(resource)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn explicit_default_fires_absent_and_other_pass() {
        let spec = spec(vec![container("app", 20)]);
        let found = run(
            &DefaultNamespace,
            &[
                workload_named("Deployment", "a", Some("default"), spec.clone()),
                workload_named("Deployment", "b", Some("shop"), spec.clone()),
                workload_named("Deployment", "c", None, spec),
            ],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, message("Deployment \"a\""));
        assert_eq!(found[0].location.span, at(4));
        let role = object(
            "ClusterRole",
            map(vec![(
                "metadata",
                map(vec![("name", s("r", 3)), ("namespace", s("default", 4))]),
            )]),
        );
        assert!(run(&DefaultNamespace, &[role]).is_empty());
    }
}
