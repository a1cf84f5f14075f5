//! Builders for hand-made model values in unit tests.

use std::sync::Arc;

use palisade_model::{
    Container, ContainerKind, Entry, Finding, Mapping, Node, ObjectMeta, PodSpec, PodTemplate,
    Resource, Span, Spanned, Value,
};

use crate::{Context, Rule, Settings};

/// A span on `line`, column 1.
pub(crate) fn at(line: u32) -> Span {
    Span::point(line, 1)
}

/// A value written on `line`.
pub(crate) fn sp<T>(value: T, line: u32) -> Spanned<T> {
    Spanned::new(value, at(line))
}

/// A string written on `line`.
pub(crate) fn ss(value: &str, line: u32) -> Spanned<String> {
    Spanned::new(value.to_string(), at(line))
}

/// The `Dockerfile` object of a file named `Dockerfile` holding `text`.
pub(crate) fn dockerfile(text: &str) -> Vec<Resource> {
    let loaded = palisade_load::load_str("Dockerfile", text, &palisade_load::Limits::default());
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.resources.len(), 1);
    loaded.resources
}

/// A regular container named `name` declared on `line`.
pub(crate) fn container(name: &str, line: u32) -> Container {
    Container {
        kind: ContainerKind::Regular,
        index: 0,
        span: at(line),
        name: ss(name, line),
        image: Some(ss("registry.example/app:1.0", line)),
        image_pull_policy: None,
        command: Vec::new(),
        args: Vec::new(),
        env: Vec::new(),
        ports: Vec::new(),
        security_context: None,
        resources: None,
        liveness_probe: None,
        readiness_probe: None,
        startup_probe: None,
        post_start: None,
        pre_stop: None,
        volume_mounts: Vec::new(),
    }
}

/// A pod spec on line 10 with these containers.
pub(crate) fn spec(containers: Vec<Container>) -> PodSpec {
    PodSpec {
        span: at(10),
        containers,
        ..PodSpec::default()
    }
}

/// A `Deployment "web"` with this pod spec.
pub(crate) fn workload(spec: PodSpec) -> Resource {
    workload_named("Deployment", "web", None, spec)
}

/// A workload of `kind` named `name` with this pod spec.
pub(crate) fn workload_named(
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    spec: PodSpec,
) -> Resource {
    let meta = ObjectMeta {
        span: at(2),
        name: Some(ss(name, 3)),
        namespace: namespace.map(|n| ss(n, 4)),
        ..ObjectMeta::default()
    };
    Resource {
        file: Arc::from("test.yaml"),
        document: 0,
        api_version: "apps/v1".to_string(),
        kind: kind.to_string(),
        meta: meta.clone(),
        span: at(1),
        node: Node::new(Value::Null, at(1)),
        pod: Some(PodTemplate {
            meta,
            spec,
            spec_path: "spec.template.spec",
        }),
        helm_source: None,
        dockerfile: None,
    }
}

/// A mapping node.
pub(crate) fn map(entries: Vec<(&str, Node)>) -> Node {
    Node::new(
        Value::Map(Mapping {
            entries: entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: key.to_string(),
                    key_span: value.span,
                    value,
                })
                .collect(),
        }),
        at(1),
    )
}

/// A string node on `line`.
pub(crate) fn s(value: &str, line: u32) -> Node {
    Node::new(Value::Str(value.to_string()), at(line))
}

/// A node of any scalar value on `line`.
pub(crate) fn v(value: Value, line: u32) -> Node {
    Node::new(value, at(line))
}

/// A sequence node.
pub(crate) fn seq(items: Vec<Node>) -> Node {
    Node::new(Value::Seq(items), at(1))
}

/// A non-workload object of `kind`, its metadata read from `node`.
pub(crate) fn object(kind: &str, node: Node) -> Resource {
    let text = |keys: &[&str]| {
        node.path(keys)
            .and_then(|n| n.as_str().map(|s| Spanned::new(s.to_string(), n.span)))
    };
    let pairs = |key: &str| -> Vec<(Spanned<String>, Spanned<String>)> {
        node.path(&["metadata", key])
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|e| {
                        let value = e.value.scalar_text()?;
                        Some((
                            Spanned::new(e.key.clone(), e.key_span),
                            Spanned::new(value, e.value.span),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let meta = ObjectMeta {
        span: at(2),
        name: text(&["metadata", "name"]),
        namespace: text(&["metadata", "namespace"]),
        annotations: pairs("annotations"),
        labels: pairs("labels"),
    };
    Resource {
        file: Arc::from("test.yaml"),
        document: 0,
        api_version: "v1".to_string(),
        kind: kind.to_string(),
        meta,
        span: at(1),
        node,
        pod: None,
        helm_source: None,
        dockerfile: None,
    }
}

/// Runs `rule` on every object of `resources` it applies to, default settings.
pub(crate) fn run(rule: &dyn Rule, resources: &[Resource]) -> Vec<Finding> {
    run_with(rule, resources, &Settings::default())
}

/// Runs `rule` on every object of `resources` it applies to.
pub(crate) fn run_with(
    rule: &dyn Rule,
    resources: &[Resource],
    settings: &Settings,
) -> Vec<Finding> {
    let ctx = Context {
        resources,
        settings,
    };
    let mut out = Vec::new();
    for r in resources {
        if rule.applies_to(&r.kind) {
            rule.check(r, &ctx, &mut out);
        }
    }
    out
}
