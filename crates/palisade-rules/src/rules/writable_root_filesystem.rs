//! `PAL-K8S-004`: a container's root filesystem is writable.
//!
//! Not part of the Pod Security Standards at any level. Windows pods are
//! skipped (the field is not supported there).

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct WritableRootFilesystem;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-004",
    title: "Container root filesystem is writable",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Mount the container's root filesystem read-only",
    rationale: "With a writable root filesystem, an attacker who gets code execution can drop \
        tools, replace binaries and libraries the application loads later, or persist a \
        backdoor for the container's lifetime. A read-only root filesystem turns the image \
        into an immutable artefact; the few paths the application must write (temporary \
        files, caches) are mounted as emptyDir volumes and can be watched.",
    remediation: "Set readOnlyRootFilesystem: true in the container securityContext and mount \
        an emptyDir volume at each path the application writes, such as /tmp.",
    example: "containers:\n  - name: app\n    image: registry.example/app:1.4.2\n    securityContext:\n      readOnlyRootFilesystem: true\n    volumeMounts:\n      - name: tmp\n        mountPath: /tmp\nvolumes:\n  - name: tmp\n    emptyDir: {}\n",
    references: &[
        common::AKS_POD_SECURITY,
        common::K8S_SECURITY_CONTEXT,
        "CIS Kubernetes Benchmark v1.9, 5.7.3: Apply Security Context to Your Pods and Containers",
        "CWE-732: Incorrect Permission Assignment for Critical Resource",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Sometimes,
};

/// Message for a container with `readOnlyRootFilesystem: false`.
pub fn false_message(subject: &str) -> String {
    format!("{subject} has a writable root filesystem: readOnlyRootFilesystem is false")
}

/// Message for a container without `readOnlyRootFilesystem`.
pub fn unset_message(subject: &str) -> String {
    format!("{subject} has a writable root filesystem: readOnlyRootFilesystem is not set")
}

impl Rule for WritableRootFilesystem {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        for c in &pod.spec.containers {
            let field = c
                .security_context
                .as_ref()
                .and_then(|sc| sc.read_only_root_filesystem.as_ref());
            let subject = common::subject(resource, c);
            let (span, message) = match field {
                Some(f) if f.value => continue,
                Some(f) => (f.span, false_message(&subject)),
                None => (common::container_context_span(c), unset_message(&subject)),
            };
            out.push(common::finding(&META, resource, span, Some(c), message));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::SecurityContext;

    use super::*;
    use crate::rules::testkit::*;

    fn with_rofs(name: &str, line: u32, value: Option<bool>) -> palisade_model::Container {
        let mut c = container(name, line);
        c.security_context = Some(SecurityContext {
            span: at(line + 1),
            read_only_root_filesystem: value.map(|v| sp(v, line + 2)),
            ..SecurityContext::default()
        });
        c
    }

    #[test]
    fn false_and_unset_fire_true_passes() {
        let s = spec(vec![
            with_rofs("a", 20, Some(false)),
            with_rofs("b", 30, None),
            with_rofs("c", 40, Some(true)),
            container("d", 50),
        ]);
        let found = run(&WritableRootFilesystem, &[workload(s)]);
        let got: Vec<(u32, &str)> = found
            .iter()
            .map(|f| (f.location.span.line(), f.container.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(got, vec![(22, "a"), (31, "b"), (50, "d")]);
        assert_eq!(
            found[0].message,
            false_message("container \"a\" of Deployment \"web\"")
        );
        assert_eq!(
            found[1].message,
            unset_message("container \"b\" of Deployment \"web\"")
        );
    }
}
