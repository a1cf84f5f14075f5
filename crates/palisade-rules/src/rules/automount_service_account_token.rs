//! `PAL-K8S-008`: a pod mounts its service account token automatically.
//!
//! The pod's own field wins; when it is unset, a `ServiceAccount` of the
//! same scan (same name, compatible namespace) with
//! `automountServiceAccountToken: false` is honoured, as the API server does.

use palisade_model::{
    Finding, FixAvailability, Node, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct AutomountServiceAccountToken;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-008",
    title: "Pod mounts a service account token automatically",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Mount a service account token only in pods that call the Kubernetes API",
    rationale: "By default every container gets a token for the pod's service account at \
        /var/run/secrets/kubernetes.io/serviceaccount. Most applications never call the \
        Kubernetes API, yet anyone who compromises them can use the token to query or change \
        the cluster with whatever RBAC grants that account (often more than intended, when \
        several workloads share the default account).",
    remediation: "Set automountServiceAccountToken: false in the pod spec (or on its \
        ServiceAccount), and mount a projected token only in pods that need the API.",
    example: "spec:\n  serviceAccountName: web\n  automountServiceAccountToken: false\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n",
    references: &[
        common::AKS_POD_SECURITY,
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        "CIS Kubernetes Benchmark v1.9, 5.1.6: Ensure that Service Account Tokens are only mounted where necessary",
        "CWE-522: Insufficiently Protected Credentials",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// Message for a pod with `automountServiceAccountToken: true`.
pub fn true_message(object: &str) -> String {
    format!("{object} mounts its service account token: automountServiceAccountToken is true")
}

/// Message for a pod that leaves the field unset.
pub fn unset_message(object: &str, account: &str) -> String {
    format!(
        "{object} mounts the token of service account \"{account}\": automountServiceAccountToken is not false on the pod or the account"
    )
}

/// Whether a `ServiceAccount` of the scan named `account`, in a namespace
/// compatible with `namespace`, opts out of automounting.
fn account_opts_out(ctx: &Context<'_>, account: &str, namespace: Option<&str>) -> bool {
    ctx.resources.iter().any(|r| {
        r.kind == "ServiceAccount"
            && r.name() == account
            && common::same_namespace(r.namespace(), namespace)
            && r.node
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                == Some(false)
    })
}

impl Rule for AutomountServiceAccountToken {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        let spec = &pod.spec;
        let object = common::object(resource);
        match &spec.automount_service_account_token {
            Some(f) if !f.value => {}
            Some(f) => out.push(common::finding(
                &META,
                resource,
                f.span,
                None,
                true_message(&object),
            )),
            None => {
                let account = spec
                    .service_account_name
                    .as_ref()
                    .map_or("default", |n| n.value.as_str());
                if !account_opts_out(ctx, account, resource.namespace()) {
                    out.push(common::finding(
                        &META,
                        resource,
                        spec.span,
                        None,
                        unset_message(&object, account),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::Value;

    use super::*;
    use crate::rules::testkit::*;

    fn account(name: &str, automount: Option<bool>) -> Resource {
        let mut entries = vec![("metadata", map(vec![("name", s(name, 3))]))];
        if let Some(b) = automount {
            entries.push(("automountServiceAccountToken", v(Value::Bool(b), 4)));
        }
        object("ServiceAccount", map(entries))
    }

    #[test]
    fn unset_fires_unless_the_account_opts_out() {
        let mut s = spec(vec![container("app", 20)]);
        s.service_account_name = Some(ss("web", 12));
        let pod = workload(s.clone());
        let found = run(&AutomountServiceAccountToken, std::slice::from_ref(&pod));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, unset_message("Deployment \"web\"", "web"));
        assert_eq!(found[0].location.span, at(10));
        let found = run(
            &AutomountServiceAccountToken,
            &[pod.clone(), account("web", Some(true))],
        );
        assert_eq!(found.len(), 1);
        let found = run(
            &AutomountServiceAccountToken,
            &[pod.clone(), account("other", Some(false))],
        );
        assert_eq!(found.len(), 1);
        assert!(run(
            &AutomountServiceAccountToken,
            &[pod, account("web", Some(false))]
        )
        .is_empty());
    }

    #[test]
    fn the_pod_field_wins() {
        let mut s = spec(vec![container("app", 20)]);
        s.automount_service_account_token = Some(sp(true, 13));
        let found = run(
            &AutomountServiceAccountToken,
            &[workload(s.clone()), account("default", Some(false))],
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].location.span, at(13));
        assert_eq!(found[0].message, true_message("Deployment \"web\""));
        s.automount_service_account_token = Some(sp(false, 13));
        assert!(run(&AutomountServiceAccountToken, &[workload(s)]).is_empty());
    }
}
