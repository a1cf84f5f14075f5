//! Loads Kubernetes manifests into the palisade model.
//!
//! Inputs are files, directories and standard input holding YAML (many
//! documents), JSON, `kind: List` objects, `helm template` output and
//! `kustomize build` output. Every object becomes a [`Resource`] with spans;
//! workload kinds also get their typed [`palisade_model::PodTemplate`].
//!
//! Bad input never panics and never stops other files from loading: each
//! problem becomes an [`InputError`] naming the file, the place and the fix.
#![warn(missing_docs)]

mod aci;
mod arm;
mod dockerfile;
mod input;
mod jsonc;
mod normalize;
mod scalar;
mod yaml;

use std::path::Path;
use std::sync::Arc;

use palisade_model::{InputError, Node, Resource, Value};

pub use arm::{is_expression, TEMPLATE_TYPES};
pub use dockerfile::{
    is_dockerfile_name, parse_dockerfile, INSTRUCTIONS, MAX_HEREDOC_BYTES, MAX_INSTRUCTIONS,
};
pub use input::{collect_files, read_input, Input, WalkOptions};

/// Bounds on what one input may cost. Each can be raised by the user.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// Deepest nesting of collections.
    pub max_depth: usize,
    /// Most parser events (≈ nodes) in one file.
    pub max_nodes: usize,
    /// Most nodes created by expanding aliases in one file.
    pub max_alias_expansion: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 32 * 1024 * 1024,
            max_depth: 128,
            max_nodes: 5_000_000,
            max_alias_expansion: 100_000,
        }
    }
}

/// What loading found, besides the objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Files read.
    pub files: usize,
    /// YAML/JSON documents read (empty documents excluded).
    pub documents: usize,
    /// Kubernetes objects loaded (List items counted one by one).
    pub objects: usize,
    /// Documents that are not Kubernetes objects (no `apiVersion`/`kind`), skipped.
    pub non_kubernetes: usize,
    /// Well-formed objects of kinds palisade does not model (CRDs, custom resources), skipped.
    pub unknown_kinds: usize,
}

impl Stats {
    /// Adds another file's counts.
    pub fn add(&mut self, other: &Stats) {
        self.files += other.files;
        self.documents += other.documents;
        self.objects += other.objects;
        self.non_kubernetes += other.non_kubernetes;
        self.unknown_kinds += other.unknown_kinds;
    }
}

/// The result of loading one input.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The objects, in document order.
    pub resources: Vec<Resource>,
    /// Problems found; the other objects are still loaded.
    pub errors: Vec<InputError>,
    /// Counts for the summary.
    pub stats: Stats,
}

/// Kinds palisade models, besides the workload kinds.
const MODELLED_KINDS: &[&str] = &[
    "Service",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "NetworkPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "Namespace",
    "Ingress",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "LimitRange",
    "ResourceQuota",
];

/// API groups whose workload kinds are the built-in ones.
const WORKLOAD_GROUPS: &[&str] = &["", "apps", "batch", "extensions"];

/// Parses every document of a YAML or JSON text into spanned trees.
///
/// Empty documents are returned as `null` nodes.
pub fn parse_yaml(file: &str, text: &str, limits: &Limits) -> Result<Vec<Node>, InputError> {
    Ok(yaml::parse_documents(file, text, limits)?
        .into_iter()
        .map(|d| d.root)
        .collect())
}

/// The text of an ARM template or parameters file with its `//` and `/* */`
/// comments blanked out character for character (newlines kept), so every
/// line and column stays where it is; `None` when the text is not ARM JSON
/// or has no comments. An unterminated `/*` is an error.
pub fn strip_arm_comments(file: &str, text: &str) -> Result<Option<String>, InputError> {
    arm::prepare(file, text)
}

/// Loads every Kubernetes object of one YAML/JSON text; a file named like a
/// Dockerfile ([`is_dockerfile_name`]) becomes one `Dockerfile` resource.
///
/// Reads nothing else: an ARM template loaded this way is evaluated without
/// its parameters files ([`load_input`] pairs them).
pub fn load_str(file: &str, text: &str, limits: &Limits) -> Loaded {
    load_text(file, text, limits, None)
}

/// [`load_str`], with the path of the file when it is one: an ARM template
/// then reads the parameters files beside it, and a parameters file the
/// template beside it ([`arm`]).
fn load_text(file: &str, text: &str, limits: &Limits, path: Option<&Path>) -> Loaded {
    if file != "-" && is_dockerfile_name(file) {
        return dockerfile::load(file, text, limits);
    }
    let file: Arc<str> = Arc::from(file);
    let mut loaded = Loaded {
        stats: Stats {
            files: 1,
            ..Stats::default()
        },
        ..Loaded::default()
    };
    // ARM templates may hold comments; blanked out, spans stay exact.
    let stripped = match arm::prepare(&file, text) {
        Ok(s) => s,
        Err(e) => {
            loaded.errors.push(e);
            return loaded;
        }
    };
    let text = stripped.as_deref().unwrap_or(text);
    let docs = match yaml::parse_documents(&file, text, limits) {
        Ok(docs) => docs,
        Err(e) => {
            loaded.errors.push(e);
            return loaded;
        }
    };
    let sources = helm_sources(text);
    for (index, doc) in docs.into_iter().enumerate() {
        if doc.root.is_null() {
            continue;
        }
        loaded.stats.documents += 1;
        let helm_source = helm_source_for(&sources, doc.root.span.start.line);
        let mut document = index;
        // ACI YAML and ARM templates are modelled by `aci`/`arm`.
        let Some(root) = aci::take(&file, &mut document, doc.root, limits, path, &mut loaded)
        else {
            continue;
        };
        add_object(&file, &mut document, root, helm_source, 0, &mut loaded);
    }
    loaded
}

/// Reads and loads one input; a read error becomes the result's only error.
///
/// A file that is an ARM template is evaluated with the parameters files
/// beside it, and a parameters file learns its parameters' types from the
/// template beside it (bounded extra reads, same limits); standard input has
/// no siblings.
pub fn load_input(input: &Input, limits: &Limits) -> Loaded {
    let path = match input {
        Input::File(p) => Some(p.as_path()),
        Input::Stdin => None,
    };
    match read_input(input, limits) {
        Ok(text) => load_text(&input.display(), &text, limits, path),
        Err(e) => Loaded {
            errors: vec![e],
            stats: Stats {
                files: 1,
                ..Stats::default()
            },
            ..Loaded::default()
        },
    }
}

/// The `# Source: path` comments that `helm template` writes, with their lines.
fn helm_sources(text: &str) -> Vec<(u32, String)> {
    if !text.contains("# Source: ") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("# Source: ") {
            out.push((
                u32::try_from(i + 1).unwrap_or(u32::MAX),
                rest.trim().to_string(),
            ));
        }
    }
    out
}

fn helm_source_for(sources: &[(u32, String)], line: u32) -> Option<String> {
    sources
        .iter()
        .rev()
        .find(|(l, _)| *l < line)
        .map(|(_, s)| s.clone())
}

fn add_object(
    file: &Arc<str>,
    document: &mut usize,
    obj: Node,
    helm_source: Option<String>,
    list_depth: usize,
    loaded: &mut Loaded,
) {
    let Some(map) = obj.as_map() else {
        loaded.stats.non_kubernetes += 1;
        return;
    };
    let api_version = map.get("apiVersion");
    let kind = map.get("kind");
    let (api_version, kind) = match (api_version, kind) {
        (Some(a), Some(k)) => match (a.as_str(), k.as_str()) {
            (Some(a), Some(k)) if !a.is_empty() && !k.is_empty() => (a.to_string(), k.to_string()),
            _ => {
                let bad = if a.as_str().is_none() { a } else { k };
                loaded.errors.push(InputError {
                    file: file.clone(),
                    span: Some(bad.span),
                    message: format!(
                        "`apiVersion` and `kind` must be non-empty strings, found {}",
                        bad.type_name()
                    ),
                    help: Some("write e.g. `apiVersion: apps/v1` and `kind: Deployment`".into()),
                });
                return;
            }
        },
        _ => {
            loaded.stats.non_kubernetes += 1;
            return;
        }
    };

    if kind == "List" || (kind.ends_with("List") && map.get("items").is_some()) {
        if list_depth >= 2 {
            loaded.errors.push(InputError {
                file: file.clone(),
                span: Some(obj.span),
                message: "lists nested more than two deep".into(),
                help: Some("flatten the List objects".into()),
            });
            return;
        }
        let items = match map.get("items").map(|n| &n.value) {
            Some(Value::Seq(items)) => items.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(_) => {
                loaded.errors.push(InputError {
                    file: file.clone(),
                    span: map.get("items").map(|n| n.span),
                    message: format!("`items` of a {kind} must be a sequence"),
                    help: None,
                });
                return;
            }
        };
        for item in items {
            add_object(
                file,
                document,
                item,
                helm_source.clone(),
                list_depth + 1,
                loaded,
            );
            *document += 1;
        }
        return;
    }

    let group = api_version.split_once('/').map_or("", |(g, _)| g);
    let workload =
        palisade_model::WORKLOAD_KINDS.contains(&kind.as_str()) && WORKLOAD_GROUPS.contains(&group);
    let builtin_group = !group.contains('.') || group.ends_with(".k8s.io");
    let modelled = workload || (MODELLED_KINDS.contains(&kind.as_str()) && builtin_group);
    if !modelled {
        loaded.stats.unknown_kinds += 1;
        return;
    }

    let mut reader = normalize::Reader::new(file);
    let meta = normalize::object_meta(&mut reader, &obj, "");
    let pod = if workload {
        let pod = normalize::pod_template(&mut reader, &kind, &obj, &meta);
        if pod.is_none() && reader.errors.is_empty() && kind != "PodTemplate" {
            // A workload without a pod spec cannot run; say so rather than pass it.
            reader.errors.push(InputError {
                file: file.clone(),
                span: Some(obj.span),
                message: format!(
                    "{kind} `{}` has no pod spec",
                    meta.name.as_ref().map_or("", |n| n.value.as_str())
                ),
                help: Some(format!("a {kind} needs `{}`", pod_spec_hint(&kind))),
            });
        }
        pod
    } else {
        None
    };
    if !reader.errors.is_empty() {
        reader.errors.sort_by_key(|e| e.span);
        loaded.errors.append(&mut reader.errors);
        return;
    }
    loaded.stats.objects += 1;
    loaded.resources.push(Resource {
        file: file.clone(),
        document: *document,
        api_version,
        kind,
        meta,
        span: obj.span,
        node: obj,
        pod,
        helm_source,
        dockerfile: None,
    });
}

fn pod_spec_hint(kind: &str) -> &'static str {
    match kind {
        "Pod" => "spec",
        "CronJob" => "spec.jobTemplate.spec.template.spec",
        _ => "spec.template.spec",
    }
}

#[cfg(test)]
mod tests;
