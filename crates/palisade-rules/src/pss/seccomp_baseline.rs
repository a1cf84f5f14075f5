//! `seccompProfile_baseline` (baseline): pods must not disable seccomp.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{check_profiles, PssRule, Report, Revision, PSS_PAGE, SECCOMP_PROFILE};

/// The deprecated pod-wide seccomp annotation, checked before policy v1.19.
const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// The prefix of the deprecated per-container seccomp annotations.
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

static META: RuleMeta = RuleMeta {
    id: "PSS-SECCOMP-BASELINE",
    title: "Seccomp disabled",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers never run with seccomp unconfined",
    rationale: "Seccomp filters the system calls a container may make; the runtime's default \
        profile blocks dozens of rarely needed calls that are frequent stepping stones in \
        kernel exploits. An `Unconfined` profile opens the whole kernel interface to the \
        container. Before policy v1.19 the standard reads the alpha seccomp annotations; from \
        v1.19 it reads `securityContext.seccompProfile`.",
    remediation: "Set `securityContext.seccompProfile.type` to `RuntimeDefault` or `Localhost` \
        (or leave it unset); with the old annotations use `runtime/default`, \
        `docker/default` or `localhost/<profile>`.",
    example: "\
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tutorials/security/seccomp/",
    ],
    pss: Some((PssLevel::Baseline, "seccompProfile_baseline")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn valid_annotation(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn check(pod: &PodTemplate, revision: Revision, report: &mut Report<'_>) {
    if revision == Revision::SeccompFields {
        check_profiles(pod, &SECCOMP_PROFILE, false, report);
    } else {
        check_annotations(pod, report);
    }
}

/// Policy v1.0 to v1.18: the alpha annotations, for the pod and for each container.
fn check_annotations(pod: &PodTemplate, report: &mut Report<'_>) {
    let mut keys = vec![POD_ANNOTATION.to_string()];
    for c in &pod.spec.containers {
        let key = format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name.value);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    for key in keys {
        if let Some(value) = pod
            .meta
            .annotation(&key)
            .filter(|v| !valid_annotation(&v.value))
        {
            report.pod(
                value.span,
                format!("pod must not set annotation {key}={:?}", value.value),
            );
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use palisade_model::{
        Container, ContainerKind, PodSecurityContext, PodSpec, Profile, SecurityContext, Span,
    };

    use super::super::testutil::*;
    use super::*;

    /// A seccomp profile mapping on `line`, its type on `line + 1`.
    pub fn profile(line: u32, kind: Option<&str>) -> Option<Profile> {
        Some(Profile {
            span: Span::point(line, 5),
            type_: kind.map(|k| at(k.to_string(), line + 1)),
            localhost_profile: None,
        })
    }

    /// A container with a seccomp profile at `line + 2`.
    pub fn seccomp(name: &str, line: u32, kind: Option<&str>) -> Container {
        with_sc(
            name,
            line,
            SecurityContext {
                seccomp_profile: profile(line + 2, kind),
                ..SecurityContext::default()
            },
        )
    }

    /// Sets the pod-level seccomp profile at line 12.
    pub fn pod_seccomp(s: &mut PodSpec, kind: Option<&str>) {
        s.security_context = Some(PodSecurityContext {
            seccomp_profile: profile(12, kind),
            ..PodSecurityContext::default()
        });
    }

    #[test]
    fn fields_from_1_19() {
        let mut s = spec(vec![
            seccomp("app", 20, Some("Unconfined")),
            seccomp("ok", 30, Some("Localhost")),
        ]);
        pod_seccomp(&mut s, Some("RuntimeDefault"));
        let res = pod(s);
        let found = baseline(&RULE, &res, 19);
        assert_eq!(lines(&found), [23]);
        assert_eq!(
            found[0].message,
            "container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\""
        );
        // Before v1.19 only the annotations count.
        assert!(baseline(&RULE, &res, 18).is_empty());
    }

    #[test]
    fn unset_profile_is_fine_but_a_typeless_one_is_not() {
        let mut s = spec(vec![container(ContainerKind::Regular, "app", 20)]);
        assert!(baseline(&RULE, &pod(s.clone()), 37).is_empty());
        pod_seccomp(&mut s, None);
        let found = baseline(&RULE, &pod(s), 37);
        assert_eq!(lines(&found), [12]);
    }

    #[test]
    fn annotations_before_1_19() {
        let res = pod_with(
            spec(vec![
                container(ContainerKind::Regular, "app", 20),
                container(ContainerKind::Init, "init", 30),
            ]),
            &[
                (POD_ANNOTATION, "unconfined"),
                (
                    "container.seccomp.security.alpha.kubernetes.io/app",
                    "docker/default",
                ),
                ("container.seccomp.security.alpha.kubernetes.io/init", ""),
                (
                    "container.seccomp.security.alpha.kubernetes.io/ghost",
                    "unconfined",
                ),
            ],
        );
        let found = baseline(&RULE, &res, 0);
        assert_eq!(lines(&found), [5, 7]);
        assert_eq!(
            found[0].message,
            "pod must not set annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\""
        );
        assert!(baseline(&RULE, &res, 19).is_empty());
        // At restricted the annotation check still runs before v1.19 and is replaced after.
        assert_eq!(restricted(&RULE, &res, 18).len(), 2);
        assert!(restricted(&RULE, &res, 19).is_empty());
    }
}
