//! `appArmorProfile` (baseline): pods must not disable or override the default AppArmor profile.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{check_profiles, ProfileField, PssRule, Report, Revision, PSS_PAGE};

/// The prefix of the deprecated per-container AppArmor annotations.
const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

static META: RuleMeta = RuleMeta {
    id: "PSS-APPARMOR",
    title: "AppArmor profile disabled or overridden",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Containers run under the runtime's default or a node-local AppArmor profile",
    rationale: "On hosts with AppArmor the runtime confines every container with its default \
        profile, which blocks writes to /proc and /sys, mounts and other kernel interfaces \
        used to break out. An `Unconfined` profile (or the annotation value `unconfined`) \
        removes that layer, so a single kernel or runtime bug is enough to escape.",
    remediation: "Set `appArmorProfile.type` to `RuntimeDefault` or `Localhost` (or leave it \
        unset), and remove AppArmor annotations whose value is not `runtime/default` or \
        `localhost/<profile>`.",
    example: "\
spec:
  securityContext:
    appArmorProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tutorials/security/apparmor/",
    ],
    pss: Some((PssLevel::Baseline, "appArmorProfile")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

/// `appArmorProfile` of the pod and its containers.
const APP_ARMOR_PROFILE: ProfileField = ProfileField {
    name: "AppArmor profile type",
    pod: |sc| sc.app_armor_profile.as_ref(),
    container: |sc| sc.app_armor_profile.as_ref(),
};

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    check_profiles(pod, &APP_ARMOR_PROFILE, false, report);
    for (key, value) in &pod.meta.annotations {
        if !key.value.starts_with(ANNOTATION_PREFIX) {
            continue;
        }
        let v = value.value.as_str();
        if v.is_empty() || v == "runtime/default" || v.starts_with("localhost/") {
            continue;
        }
        report.pod(
            value.span,
            format!("pod must not set annotation {}={v:?}", key.value),
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{ContainerKind, PodSecurityContext, Profile, SecurityContext, Span};

    use super::super::testutil::*;
    use super::*;

    fn profile(line: u32, kind: Option<&str>) -> Option<Profile> {
        Some(Profile {
            span: Span::point(line, 5),
            type_: kind.map(|k| at(k.to_string(), line + 1)),
            localhost_profile: None,
        })
    }

    #[test]
    fn reports_bad_types_on_pod_and_containers() {
        let c = with_sc(
            "app",
            20,
            SecurityContext {
                app_armor_profile: profile(23, Some("Unconfined")),
                ..SecurityContext::default()
            },
        );
        let ok = with_sc(
            "ok",
            30,
            SecurityContext {
                app_armor_profile: profile(33, Some("Localhost")),
                ..SecurityContext::default()
            },
        );
        let mut s = spec(vec![c, ok]);
        s.security_context = Some(PodSecurityContext {
            app_armor_profile: profile(12, None),
            ..PodSecurityContext::default()
        });
        let found = baseline(&RULE, &pod(s), 0);
        // A profile without a type reads as "" (not allowed), pointing at the profile.
        assert_eq!(lines(&found), [12, 24]);
        assert_eq!(
            found[0].message,
            "pod must not set AppArmor profile type to \"\""
        );
        assert_eq!(
            found[1].message,
            "container \"app\" must not set AppArmor profile type to \"Unconfined\""
        );
    }

    #[test]
    fn reports_bad_annotations_only() {
        let res = pod_with(
            spec(vec![container(ContainerKind::Regular, "app", 20)]),
            &[
                (
                    "container.apparmor.security.beta.kubernetes.io/app",
                    "unconfined",
                ),
                (
                    "container.apparmor.security.beta.kubernetes.io/b",
                    "runtime/default",
                ),
                (
                    "container.apparmor.security.beta.kubernetes.io/c",
                    "localhost/custom",
                ),
                ("container.apparmor.security.beta.kubernetes.io/d", ""),
                ("other.example/app", "unconfined"),
            ],
        );
        let found = baseline(&RULE, &res, 37);
        assert_eq!(lines(&found), [5]);
        assert_eq!(
            found[0].message,
            "pod must not set annotation container.apparmor.security.beta.kubernetes.io/app=\"unconfined\""
        );
        assert_eq!(restricted(&RULE, &res, 0).len(), 1);
    }
}
