//! Hand-built pods for the rules' unit tests.

use std::sync::Arc;

use palisade_model::{
    Container, ContainerKind, Finding, Node, ObjectMeta, PodSpec, PodTemplate, PssLevel,
    PssVersion, Resource, SecurityContext, Span, Spanned, Value,
};

use crate::{Context, Rule, Settings};

/// A value written on `line`.
pub fn at<T>(value: T, line: u32) -> Spanned<T> {
    Spanned::new(value, Span::point(line, 1))
}

/// A field written on `line`.
pub fn field<T>(value: T, line: u32) -> Option<Spanned<T>> {
    Some(at(value, line))
}

/// A bare container on `line`.
pub fn container(kind: ContainerKind, name: &str, line: u32) -> Container {
    Container {
        kind,
        index: 0,
        span: Span::point(line, 1),
        name: at(name.to_string(), line),
        image: None,
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

/// A regular container named `name` with this security context.
pub fn with_sc(name: &str, line: u32, sc: SecurityContext) -> Container {
    let mut c = container(ContainerKind::Regular, name, line);
    c.security_context = Some(SecurityContext {
        span: Span::point(line + 1, 3),
        ..sc
    });
    c
}

/// A Pod object around `spec`, with these annotations.
pub fn pod_with(spec: PodSpec, annotations: &[(&str, &str)]) -> Resource {
    let meta = ObjectMeta {
        span: Span::point(2, 1),
        name: Some(at("demo".to_string(), 3)),
        namespace: None,
        annotations: annotations
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let line = 5 + u32::try_from(i).unwrap();
                (at(k.to_string(), line), at(v.to_string(), line))
            })
            .collect(),
        labels: Vec::new(),
    };
    Resource {
        file: Arc::from("pod.yaml"),
        document: 0,
        api_version: "v1".to_string(),
        kind: "Pod".to_string(),
        meta: meta.clone(),
        span: Span::point(1, 1),
        node: Node::new(Value::Null, Span::point(1, 1)),
        pod: Some(PodTemplate {
            meta,
            spec,
            spec_path: "spec",
        }),
        helm_source: None,
        dockerfile: None,
    }
}

/// A Pod object around `spec`.
pub fn pod(spec: PodSpec) -> Resource {
    pod_with(spec, &[])
}

/// A pod spec with these containers.
pub fn spec(containers: Vec<Container>) -> PodSpec {
    PodSpec {
        span: Span::point(10, 1),
        containers,
        ..PodSpec::default()
    }
}

/// Runs one rule at a level and version.
pub fn run(rule: &dyn Rule, resource: &Resource, level: PssLevel, minor: u16) -> Vec<Finding> {
    let settings = Settings {
        level,
        version: PssVersion::v1(minor),
        ..Settings::default()
    };
    let ctx = Context {
        resources: std::slice::from_ref(resource),
        settings: &settings,
    };
    let mut out = Vec::new();
    if rule.applies_to(&resource.kind) {
        rule.check(resource, &ctx, &mut out);
    }
    out
}

/// Runs one rule at baseline.
pub fn baseline(rule: &dyn Rule, resource: &Resource, minor: u16) -> Vec<Finding> {
    run(rule, resource, PssLevel::Baseline, minor)
}

/// Runs one rule at restricted.
pub fn restricted(rule: &dyn Rule, resource: &Resource, minor: u16) -> Vec<Finding> {
    run(rule, resource, PssLevel::Restricted, minor)
}

/// The lines the findings point at.
pub fn lines(findings: &[Finding]) -> Vec<u32> {
    findings.iter().map(|f| f.location.span.line()).collect()
}
