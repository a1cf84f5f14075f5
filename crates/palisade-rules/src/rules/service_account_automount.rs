//! `PAL-K8S-009`: a `ServiceAccount` lets pods mount its token by default.

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, Value};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct ServiceAccountAutomount;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-009",
    title: "ServiceAccount allows automatic token mounting",
    severity: Severity::Low,
    kinds: &["ServiceAccount"],
    practice: "Opt service accounts out of token automounting",
    rationale: "A ServiceAccount without automountServiceAccountToken: false hands its token to \
        every pod that uses it and does not opt out itself. Setting the field on the account \
        makes the safe choice the default for all of its pods; a pod that needs the API can \
        still opt in with its own field or a projected token volume.",
    remediation: "Set automountServiceAccountToken: false on the ServiceAccount.",
    example: "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\nautomountServiceAccountToken: false\n",
    references: &[
        common::AKS_POD_SECURITY,
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting",
        "CIS Kubernetes Benchmark v1.9, 5.1.5: Ensure that default service accounts are not actively used",
        "CWE-522: Insufficiently Protected Credentials",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// Message for a ServiceAccount that does not opt out; `value` is what the
/// field says (`not set`, `true`, ...).
pub fn message(object: &str, value: &str) -> String {
    format!("{object} lets every pod mount its token: automountServiceAccountToken is {value}")
}

impl Rule for ServiceAccountAutomount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let object = common::object(resource);
        match resource.node.get("automountServiceAccountToken") {
            Some(n) if n.value == Value::Bool(false) => {}
            Some(n) => {
                let value = n.scalar_text().unwrap_or_else(|| n.type_name().to_string());
                out.push(common::finding(
                    &META,
                    resource,
                    n.span,
                    None,
                    message(&object, &value),
                ));
            }
            None => out.push(common::finding(
                &META,
                resource,
                resource.span,
                None,
                message(&object, "not set"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    fn account(automount: Option<Value>) -> Resource {
        let mut entries = vec![("metadata", map(vec![("name", s("web", 3))]))];
        if let Some(b) = automount {
            entries.push(("automountServiceAccountToken", v(b, 4)));
        }
        object("ServiceAccount", map(entries))
    }

    #[test]
    fn unset_and_true_fire_false_passes() {
        let found = run(&ServiceAccountAutomount, &[account(None)]);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].message,
            message("ServiceAccount \"web\"", "not set")
        );
        let found = run(
            &ServiceAccountAutomount,
            &[account(Some(Value::Bool(true)))],
        );
        assert_eq!(found[0].location.span, at(4));
        assert_eq!(found[0].message, message("ServiceAccount \"web\"", "true"));
        assert!(run(
            &ServiceAccountAutomount,
            &[account(Some(Value::Bool(false)))]
        )
        .is_empty());
    }

    #[test]
    fn other_kinds_are_not_checked() {
        let cm = object(
            "ConfigMap",
            map(vec![("metadata", map(vec![("name", s("x", 3))]))]),
        );
        assert!(run(&ServiceAccountAutomount, &[cm]).is_empty());
    }
}
