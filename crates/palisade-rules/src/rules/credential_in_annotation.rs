//! `PAL-K8S-023`: an annotation holds a credential.
//!
//! Applies to every kind, and to the pod-template annotations of
//! workloads. An annotation is judged by the last segment of its key and its
//! value; `kubectl.kubernetes.io/last-applied-configuration`, a JSON copy of
//! the object, is only scanned for known credential formats (its fields are
//! judged by the other rules on the object itself).

use palisade_model::{Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, Spanned};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct CredentialInAnnotation;

/// The annotation `kubectl apply` writes.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-023",
    title: "Annotation holds a credential",
    severity: Severity::High,
    kinds: &["*"],
    practice: "Keep credentials out of object metadata",
    rationale: "Annotations are metadata: anyone who can get or list an object reads them, \
        controllers and log shippers copy them, and they are never encrypted at rest. A token \
        in an annotation (a webhook secret, a registry password, or a whole Secret copied into \
        kubectl's last-applied-configuration) is as exposed as if it were printed in the \
        object's name.",
    remediation: "Remove the credential from the annotation, rotate it, and have the consumer \
        read it from a secret store (Azure Key Vault through the Secrets Store CSI driver and \
        workload identity, or a synced Secret); apply Secrets with server-side apply so no \
        last-applied copy is written.",
    example: common::CREDENTIAL_EXAMPLE,
    references: &[
        common::AKS_CSI_SECRETS,
        common::AKS_WORKLOAD_IDENTITY,
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/",
        common::K8S_SECRETS_PRACTICES,
        common::CWE_798,
        "CWE-312: Cleartext Storage of Sensitive Information",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a credential in an annotation.
pub fn message(object: &str, key: &str, description: &str, redacted: &str) -> String {
    format!("{object} has a credential ({description}) in annotation \"{key}\": {redacted}")
}

fn check_annotations(
    resource: &Resource,
    annotations: &[(Spanned<String>, Spanned<String>)],
    out: &mut Vec<Finding>,
) {
    let object = common::object(resource);
    for (key, value) in annotations {
        let found = if key.value == LAST_APPLIED {
            palisade_secrets::scan_text(&value.value)
                .into_iter()
                .max_by_key(|m| m.confidence)
        } else {
            let name = key.value.rsplit('/').next().unwrap_or(&key.value);
            palisade_secrets::check_named_value(name, &common::without_references(&value.value))
        };
        if let Some(m) = found {
            out.push(common::finding_with(
                &META,
                common::credential_severity(m.confidence),
                resource,
                value.span,
                None,
                message(&object, &key.value, m.description, &m.redacted),
            ));
        }
    }
}

impl Rule for CredentialInAnnotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        check_annotations(resource, &resource.meta.annotations, out);
        if let Some(pod) = &resource.pod {
            if pod.meta != resource.meta {
                check_annotations(resource, &pod.meta.annotations, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testkit::*;

    #[test]
    fn credential_annotations_fire_on_objects_and_templates() {
        let secret = "Xk9mQ2vL7pW4zRt8";
        let mut res = workload(spec(vec![container("app", 20)]));
        res.meta.annotations = vec![
            (ss("example.com/webhook-secret", 5), ss(secret, 5)),
            (ss("example.com/owner", 6), ss("team-a", 6)),
        ];
        if let Some(pod) = res.pod.as_mut() {
            pod.meta.annotations = vec![(ss("vault.example/api-token", 7), ss(secret, 7))];
        }
        let found = run(&CredentialInAnnotation, &[res]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![5, 7], "{found:#?}");
        assert!(found.iter().all(|f| !f.message.contains(secret)));
    }
}
