//! Helpers shared by the Azure Container Instances rules (`PAL-ACI-NNN`):
//! reading the raw container group and telling literals from ARM expressions.
//!
//! The loader resolves ARM template expressions where the template gives the
//! value and leaves the rest symbolic, written as an expression. A symbolic
//! string is never a literal: it comes from a deployment-time parameter, a
//! secure parameter, a Key Vault reference or a runtime function.

use palisade_model::{Finding, Node, Resource, RuleMeta, Span};

use super::common;

/// The kind of an ACI container group.
pub(crate) const CONTAINER_GROUP: &[&str] = &["ContainerGroup"];

/// The kind of a whole ARM template.
pub(crate) const ARM_TEMPLATE: &[&str] = &["ArmTemplate"];

/// The kind of an ARM parameters file.
pub(crate) const ARM_PARAMETERS: &[&str] = &["ArmParameters"];

/// Where the loader puts the types a parameters file's template declares
/// (`palisade_load::TEMPLATE_TYPES`): parameter name to `type`.
pub(crate) const TEMPLATE_TYPES: &str = "$templateTypes";

/// Workload kinds plus ACI container groups, for container rules whose logic
/// holds for both.
pub(crate) const WORKLOADS_AND_CONTAINER_GROUPS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
    "ContainerGroup",
];

/// ACI YAML reference.
pub(crate) const ACI_YAML: &str =
    "https://learn.microsoft.com/azure/container-instances/container-instances-reference-yaml";
/// ARM template reference of container groups.
pub(crate) const ACI_ARM: &str =
    "https://learn.microsoft.com/azure/templates/microsoft.containerinstance/containergroups";
/// Secure values in ACI.
pub(crate) const ACI_SECURE_ENV: &str =
    "https://learn.microsoft.com/azure/container-instances/container-instances-environment-variables#secure-values";
/// ACI managed identities.
pub(crate) const ACI_IDENTITY: &str =
    "https://learn.microsoft.com/azure/container-instances/container-instances-managed-identity";
/// Key Vault references in parameters.
pub(crate) const ARM_KEY_VAULT: &str =
    "https://learn.microsoft.com/azure/azure-resource-manager/templates/key-vault-parameter";
/// ARM template best practices (parameters).
pub(crate) const ARM_BEST_PRACTICES: &str =
    "https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices";
/// Whether `s` is an ARM expression (`[...]`, not the `[[` escape).
pub(crate) fn is_expression(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[")
}

/// The node as a literal string: a non-empty string that is no expression.
pub(crate) fn literal(node: &Node) -> Option<&str> {
    node.as_str()
        .filter(|s| !s.trim().is_empty() && !is_expression(s))
}

/// The `list*()` function (`listKeys`, `listSecrets`, `listCredentials`, ...)
/// an expression calls, when it calls one: its result is a secret read at
/// deployment time.
pub(crate) fn list_call(expression: &str) -> Option<String> {
    let bytes = expression.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if starts_word && bytes[i..].len() >= 4 && bytes[i..i + 4].eq_ignore_ascii_case(b"list") {
            let mut j = i + 4;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            if bytes.get(j) == Some(&b'(') {
                return expression.get(i..j).map(str::to_string);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    None
}

/// The group's `properties`.
pub(crate) fn properties(resource: &Resource) -> Option<&Node> {
    resource.node.get("properties")
}

/// The items of a sequence under `properties.<key>`.
pub(crate) fn items<'r>(resource: &'r Resource, key: &str) -> &'r [Node] {
    properties(resource)
        .and_then(|p| p.get(key))
        .and_then(Node::as_seq)
        .unwrap_or_default()
}

/// One raw container of a group.
#[derive(Clone, Copy)]
pub(crate) struct RawContainer<'r> {
    /// `init container` or `container`.
    pub(crate) what: &'static str,
    /// `name`.
    pub(crate) name: &'r str,
    /// The container's `properties`.
    pub(crate) props: &'r Node,
}

/// The init containers, then the containers, as written.
pub(crate) fn containers(resource: &Resource) -> Vec<RawContainer<'_>> {
    let mut out = Vec::new();
    for (key, what) in [
        ("initContainers", "init container"),
        ("containers", "container"),
    ] {
        for c in items(resource, key) {
            if let Some(props) = c.get("properties") {
                out.push(RawContainer {
                    what,
                    name: c.get("name").and_then(Node::as_str).unwrap_or_default(),
                    props,
                });
            }
        }
    }
    out
}

/// Every `environmentVariables` entry that sets `key` (`value` or
/// `secureValue`), in container order: the container, the variable's name
/// and the value node.
pub(crate) fn env_values<'r>(
    resource: &'r Resource,
    key: &str,
) -> Vec<(RawContainer<'r>, &'r str, &'r Node)> {
    let mut out = Vec::new();
    for c in containers(resource) {
        let vars = c
            .props
            .get("environmentVariables")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for var in vars {
            if let Some(value) = var.get(key) {
                let name = var.get("name").and_then(Node::as_str).unwrap_or_default();
                out.push((c, name, value));
            }
        }
    }
    out
}

/// `container "web" of ContainerGroup "shop"`.
pub(crate) fn subject(resource: &Resource, c: &RawContainer<'_>) -> String {
    format!("{} \"{}\" of {}", c.what, c.name, common::object(resource))
}

/// A finding naming a container of the group.
pub(crate) fn container_finding(
    meta: &'static RuleMeta,
    severity: palisade_model::Severity,
    resource: &Resource,
    span: Span,
    container: &str,
    message: String,
) -> Finding {
    let mut f = common::finding_with(meta, severity, resource, span, None, message);
    f.container = Some(container.to_string());
    f
}

/// Every template of an ARM template document: the document and the inline
/// templates of its nested deployments, at any depth (bounded).
pub(crate) fn templates(root: &Node) -> Vec<&Node> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() && out.len() < 256 {
        let t = out[i];
        let resources: Vec<&Node> = match t.get("resources").map(|r| &r.value) {
            Some(palisade_model::Value::Seq(s)) => s.iter().collect(),
            Some(palisade_model::Value::Map(m)) => m.iter().map(|e| &e.value).collect(),
            _ => Vec::new(),
        };
        for r in resources {
            if let Some(inner) = r
                .path(&["properties", "template"])
                .filter(|n| n.as_map().is_some())
            {
                out.push(inner);
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_calls_are_found_as_words() {
        assert_eq!(
            list_call("listKeys(resourceId('a', 'b'), '2023-01-01').keys[0].value").as_deref(),
            Some("listKeys")
        );
        assert_eq!(
            list_call("concat('x', LISTSECRETS(x))").as_deref(),
            Some("LISTSECRETS")
        );
        assert_eq!(list_call("playlist(x)"), None);
        assert_eq!(list_call("parameters('listKeys')"), None);
        assert_eq!(list_call("list"), None);
    }

    #[test]
    fn expressions_are_not_literals() {
        assert!(is_expression("[parameters('x')]"));
        assert!(!is_expression("[[x]"));
        assert!(!is_expression("["));
        assert!(!is_expression("plain"));
    }
}
