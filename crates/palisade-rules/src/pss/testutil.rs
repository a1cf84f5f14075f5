//! Hand-built pods for the rules' unit tests.

use std::sync::Arc;

use palisade_model::{
    Container, ContainerKind, Finding, PodSpec, PssLevel, PssVersion, Resource, SecurityContext,
    Span, Spanned,
};

use crate::rules::testkit::{self, run_with};
pub(crate) use crate::rules::testkit::{sp as at, spec};
use crate::{Rule, Settings};

/// A field written on `line`.
pub fn field<T>(value: T, line: u32) -> Option<Spanned<T>> {
    Some(at(value, line))
}

/// A bare container on `line`, without an image.
pub fn container(kind: ContainerKind, name: &str, line: u32) -> Container {
    Container {
        kind,
        image: None,
        ..testkit::container(name, line)
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

/// A Pod object `demo` in `pod.yaml` around `spec`, with these annotations.
pub fn pod_with(spec: PodSpec, annotations: &[(&str, &str)]) -> Resource {
    let mut res = testkit::workload_named("Pod", "demo", None, spec);
    res.file = Arc::from("pod.yaml");
    res.api_version = "v1".to_string();
    res.meta.annotations = annotations
        .iter()
        .enumerate()
        .map(|(i, (k, v))| {
            let line = 5 + u32::try_from(i).unwrap();
            (at(k.to_string(), line), at(v.to_string(), line))
        })
        .collect();
    if let Some(pod) = &mut res.pod {
        pod.meta = res.meta.clone();
        pod.spec_path = "spec";
    }
    res
}

/// A Pod object around `spec`.
pub fn pod(spec: PodSpec) -> Resource {
    pod_with(spec, &[])
}

/// Runs one rule at a level and version.
pub fn run(rule: &dyn Rule, resource: &Resource, level: PssLevel, minor: u16) -> Vec<Finding> {
    let settings = Settings {
        level,
        version: PssVersion::v1(minor),
        ..Settings::default()
    };
    run_with(rule, std::slice::from_ref(resource), &settings)
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
