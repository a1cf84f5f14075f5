//! Kubernetes objects as loaded from files.

use std::sync::Arc;

use crate::{Dockerfile, Node, ObjectMeta, PodTemplate, ResourceRef, Span};

/// One Kubernetes object from one document of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    /// The file's path as the user named it (`-` for standard input).
    pub file: Arc<str>,
    /// Index of the document in the file (0-based), counting `List` items separately.
    pub document: usize,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// The object's metadata.
    pub meta: ObjectMeta,
    /// Where the object starts.
    pub span: Span,
    /// The whole object as written.
    pub node: Node,
    /// The pod template, for workload kinds.
    pub pod: Option<PodTemplate>,
    /// The Helm template the object came from (`# Source:` comment), when known.
    pub helm_source: Option<String>,
    /// The parsed Dockerfile, for objects of kind `Dockerfile`.
    pub dockerfile: Option<Box<Dockerfile>>,
}

impl Resource {
    /// `metadata.name`, or `""`.
    pub fn name(&self) -> &str {
        self.meta.name.as_ref().map_or("", |n| n.value.as_str())
    }

    /// `metadata.namespace`, when set.
    pub fn namespace(&self) -> Option<&str> {
        self.meta.namespace.as_ref().map(|n| n.value.as_str())
    }

    /// A reference for findings.
    pub fn reference(&self) -> ResourceRef {
        ResourceRef {
            kind: self.kind.clone(),
            name: self.name().to_string(),
            namespace: self.namespace().map(str::to_string),
        }
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        match self.api_version.split_once('/') {
            Some((group, _)) => group,
            None => "",
        }
    }
}

/// Kinds whose objects carry a pod template.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

/// A problem with an input: a file that cannot be read or an object that
/// cannot be understood. Never fatal to the other inputs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InputError {
    /// The file (`-` for standard input; the config file for config errors).
    pub file: Arc<str>,
    /// Where in the file, when known.
    pub span: Option<Span>,
    /// What is wrong, lower-case, no trailing period.
    pub message: String,
    /// How to fix it, when there is a clear fix.
    pub help: Option<String>,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.span {
            Some(span) => write!(f, "{}:{}: {}", self.file, span, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}
