//! Helpers shared by the rules of this module: building findings, naming
//! objects in messages, and the judgements several rules make (does this
//! container run as root?).

use palisade_model::{
    Container, Effective, Finding, Location, PodSpec, PodTemplate, Resource, RuleMeta, Severity,
    Span,
};

/// A finding of `meta`'s rule at `span`, with the rule's default severity.
pub(crate) fn finding(
    meta: &'static RuleMeta,
    resource: &Resource,
    span: Span,
    container: Option<&Container>,
    message: String,
) -> Finding {
    finding_with(meta, meta.severity, resource, span, container, message)
}

/// A finding of `meta`'s rule at `span` with an explicit severity.
pub(crate) fn finding_with(
    meta: &'static RuleMeta,
    severity: Severity,
    resource: &Resource,
    span: Span,
    container: Option<&Container>,
    message: String,
) -> Finding {
    Finding {
        location: Location {
            file: resource.file.clone(),
            span,
        },
        rule_id: meta.id,
        severity,
        message,
        resource: resource.reference(),
        container: container.map(|c| c.name.value.clone()),
        pss: None,
        suppressed: None,
    }
}

/// `Deployment "web"` (or `Deployment (unnamed)`), for messages.
pub(crate) fn object(resource: &Resource) -> String {
    match resource.name() {
        "" => format!("{} (unnamed)", resource.kind),
        name => format!("{} \"{}\"", resource.kind, name),
    }
}

/// `container "app" of Deployment "web"` (init and ephemeral containers say so).
pub(crate) fn subject(resource: &Resource, container: &Container) -> String {
    let what = match container.kind {
        palisade_model::ContainerKind::Init => "init container",
        palisade_model::ContainerKind::Regular => "container",
        palisade_model::ContainerKind::Ephemeral => "ephemeral container",
    };
    format!(
        "{what} \"{}\" of {}",
        container.name.value,
        object(resource)
    )
}

/// ` (inherited from the pod securityContext)` when the effective value
/// comes from the pod, for messages.
pub(crate) fn origin_note<T>(effective: &Effective<T>) -> &'static str {
    match effective.origin {
        palisade_model::Origin::Pod => " (inherited from the pod securityContext)",
        palisade_model::Origin::Container => "",
    }
}

/// Who a container runs as, as far as the manifest tells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum User {
    /// `runAsUser: 0` is in force.
    Root(Effective<i64>),
    /// A non-zero `runAsUser`, or `runAsNonRoot: true` (the kubelet then
    /// refuses to start an image whose user is root).
    NonRoot,
    /// Neither is set: the image's `USER` decides, and may be root.
    ImageDecides,
}

/// Who `container` runs as under `spec`.
pub(crate) fn user(container: &Container, spec: &PodSpec) -> User {
    let eff = container.effective(spec);
    match eff.run_as_user {
        Some(u) if u.value == 0 => User::Root(u),
        Some(_) => User::NonRoot,
        None if eff.run_as_non_root.is_some_and(|n| n.value) => User::NonRoot,
        None => User::ImageDecides,
    }
}

/// The span to report a missing container `securityContext` field at: the
/// container's `securityContext` when it exists, else the container.
pub(crate) fn container_context_span(container: &Container) -> Span {
    container
        .security_context
        .as_ref()
        .map_or(container.span, |sc| sc.span)
}

/// The span to report a missing pod `securityContext` field at: the pod's
/// `securityContext` when it exists, else the pod spec.
pub(crate) fn pod_context_span(spec: &PodSpec) -> Span {
    spec.security_context
        .as_ref()
        .map_or(spec.span, |sc| sc.span)
}

/// Whether a rule about Linux-only settings should skip this pod.
pub(crate) fn linux_only_skip(spec: &PodSpec) -> bool {
    spec.is_windows()
}

/// The pod of `resource` for a rule about Linux-only settings: `None` for
/// objects without a pod and for pods [`linux_only_skip`] skips.
pub(crate) fn linux_pod(resource: &Resource) -> Option<&PodTemplate> {
    resource
        .pod
        .as_ref()
        .filter(|pod| !linux_only_skip(&pod.spec))
}

/// Whether two objects may live in the same namespace: equal namespaces, or
/// at least one unset (the deploy-time namespace decides, and objects of one
/// scan are usually applied together).
pub(crate) fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// The lowest port a non-root process of this pod may bind without
/// `NET_BIND_SERVICE`: 1024, or the pod's
/// `net.ipv4.ip_unprivileged_port_start` sysctl.
pub(crate) fn unprivileged_port_start(spec: &PodSpec) -> i64 {
    spec.security_context
        .as_ref()
        .and_then(|sc| {
            sc.sysctls
                .iter()
                .find(|s| s.name.value == "net.ipv4.ip_unprivileged_port_start")
        })
        .and_then(|s| s.value.as_ref())
        .and_then(|v| v.value.trim().parse().ok())
        .unwrap_or(1024)
}

/// The severity of a credential finding: high for a credential the detector
/// is sure of, medium for a plausible one.
pub(crate) fn credential_severity(confidence: palisade_secrets::Confidence) -> Severity {
    match confidence {
        palisade_secrets::Confidence::High => Severity::High,
        palisade_secrets::Confidence::Medium => Severity::Medium,
    }
}

/// `value` without Kubernetes `$(VAR)` references, which the kubelet
/// replaces with another variable's value and which never hold a secret
/// themselves (`$$(` is the escape for a literal `$(` and is kept).
pub(crate) fn without_references(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find("$(") {
        let escaped = i > 0 && rest.get(i - 1..i) == Some("$");
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let inner = after.get(2..).unwrap_or_default();
        match inner.find(')') {
            Some(end)
                if !escaped
                    && end > 0
                    && inner.get(..end).is_some_and(|n| {
                        n.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
                    }) =>
            {
                rest = inner.get(end + 1..).unwrap_or_default();
            }
            _ => {
                out.push_str("$(");
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Which compute resource a rule asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// `resources.requests.<name>`.
    Request,
    /// `resources.limits.<name>`.
    Limit,
}

/// Whether `container` gets a request or limit for `name` (`cpu`, `memory`):
/// written in its `resources`, implied (a limit without a request sets the
/// request to the limit), or supplied by a `LimitRange` of the scan in a
/// compatible namespace (`default`, `defaultRequest` of a `Container` item).
pub(crate) fn has_compute(
    container: &Container,
    resource: &Resource,
    ctx: &crate::Context<'_>,
    want: Want,
    name: &str,
) -> bool {
    if let Some(r) = &container.resources {
        let written = match want {
            Want::Request => r.request(name).is_some() || r.limit(name).is_some(),
            Want::Limit => r.limit(name).is_some(),
        };
        if written {
            return true;
        }
    }
    let keys: &[&str] = match want {
        Want::Request => &["defaultRequest", "default"],
        Want::Limit => &["default"],
    };
    ctx.resources.iter().any(|lr| {
        lr.kind == "LimitRange"
            && same_namespace(lr.namespace(), resource.namespace())
            && lr
                .node
                .path(&["spec", "limits"])
                .and_then(palisade_model::Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter(|item| {
                    item.get("type").and_then(palisade_model::Node::as_str) == Some("Container")
                })
                .any(|item| keys.iter().any(|k| item.path(&[k, name]).is_some()))
    })
}

/// Reports every container of `resource` that gets no `want` for one of
/// `names` (see [`has_compute`]), at its `resources`, with
/// `message(subject, name)`. Ephemeral containers cannot have resources and
/// are skipped.
pub(crate) fn missing_compute(
    meta: &'static RuleMeta,
    resource: &Resource,
    ctx: &crate::Context<'_>,
    want: Want,
    names: &[&str],
    message: impl Fn(&str, &str) -> String,
    out: &mut Vec<Finding>,
) {
    let Some(pod) = &resource.pod else { return };
    for c in pod
        .spec
        .containers
        .iter()
        .filter(|c| c.kind != palisade_model::ContainerKind::Ephemeral)
    {
        for name in names {
            if !has_compute(c, resource, ctx, want, name) {
                out.push(finding(
                    meta,
                    resource,
                    resources_span(c),
                    Some(c),
                    message(&subject(resource, c), name),
                ));
            }
        }
    }
}

/// The span to report a missing request or limit at: the container's
/// `resources` when present, else the container.
pub(crate) fn resources_span(container: &Container) -> Span {
    container
        .resources
        .as_ref()
        .map_or(container.span, |r| r.span)
}

/// A capability name as the kernel spells it: upper case, no `CAP_` prefix.
pub(crate) fn normalize_capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// Kinds that are not namespaced (a `namespace` on them is ignored).
pub(crate) const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "PodSecurityPolicy",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ComponentStatus",
];

/// AKS: best practices for pod security.
pub(crate) const AKS_POD_SECURITY: &str =
    "https://learn.microsoft.com/en-us/azure/aks/developer-best-practices-pod-security";
/// Kubernetes: configure a security context for a pod or container.
pub(crate) const K8S_SECURITY_CONTEXT: &str =
    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/";
/// Kubernetes: the Pod Security Standards.
pub(crate) const K8S_PSS: &str =
    "https://kubernetes.io/docs/concepts/security/pod-security-standards/";
/// AKS: Secrets Store CSI driver with Azure Key Vault.
pub(crate) const AKS_CSI_SECRETS: &str =
    "https://learn.microsoft.com/en-us/azure/aks/csi-secrets-store-driver";
/// AKS: Microsoft Entra Workload ID.
pub(crate) const AKS_WORKLOAD_IDENTITY: &str =
    "https://learn.microsoft.com/en-us/azure/aks/workload-identity-overview";
/// Kubernetes: good practices for Secrets.
pub(crate) const K8S_SECRETS_PRACTICES: &str =
    "https://kubernetes.io/docs/concepts/security/secrets-good-practices/";
/// CWE-798.
pub(crate) const CWE_798: &str = "CWE-798: Use of Hard-coded Credentials";
/// CIS 5.4.2.
pub(crate) const CIS_EXTERNAL_SECRETS: &str =
    "CIS Kubernetes Benchmark v1.9, 5.4.2: Consider external secret storage";
/// The remediation every credential rule shares.
pub(crate) const CREDENTIAL_EXAMPLE: &str = "# Reference a Secret that a secret store keeps in sync:\n\
env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password\n\
---\n\
# Or mount the secret straight from Azure Key Vault with the Secrets Store CSI driver\n\
# and workload identity:\n\
apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: app-secrets\nspec:\n  provider: azure\n  parameters:\n    clientID: 00000000-0000-0000-0000-000000000000\n    keyvaultName: app-vault\n    tenantId: 00000000-0000-0000-0000-000000000000\n    objects: |\n      array:\n        - |\n          objectName: db-password\n          objectType: secret\n\
---\n\
apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\n  labels:\n    azure.workload.identity/use: \"true\"\nspec:\n  serviceAccountName: app\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n      volumeMounts:\n        - name: secrets\n          mountPath: /mnt/secrets\n          readOnly: true\n  volumes:\n    - name: secrets\n      csi:\n        driver: secrets-store.csi.k8s.io\n        readOnly: true\n        volumeAttributes:\n          secretProviderClass: app-secrets\n";

/// AKS: best practices for resource management.
pub(crate) const AKS_RESOURCES: &str =
    "https://learn.microsoft.com/en-us/azure/aks/developer-best-practices-resource-management";
/// CWE-250.
pub(crate) const CWE_250: &str = "CWE-250: Execution with Unnecessary Privileges";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_removed_escapes_kept() {
        assert_eq!(without_references("$(DB_PASSWORD)"), "");
        assert_eq!(
            without_references("postgres://app:$(DB_PASS)@db:5432/app"),
            "postgres://app:@db:5432/app"
        );
        assert_eq!(without_references("$$(literal)"), "$$(literal)");
        assert_eq!(without_references("a $(b c) $("), "a $(b c) $(");
        assert_eq!(without_references("plain"), "plain");
    }

    #[test]
    fn capability_names_are_normalised() {
        assert_eq!(normalize_capability("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(normalize_capability(" NET_RAW "), "NET_RAW");
        assert_eq!(normalize_capability("CAP_"), "");
        assert_eq!(normalize_capability("capacity"), "CAPACITY");
    }
}
