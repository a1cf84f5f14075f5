//! `windowsHostProcess` (baseline): pods and containers must not run as Windows host processes.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{forbid_setting, PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-WINDOWS-HOST-PROCESS",
    title: "Windows HostProcess container",
    severity: Severity::Critical,
    kinds: WORKLOAD_KINDS,
    practice: "Windows pods run isolated, not as host processes",
    rationale: "A Windows HostProcess container runs directly on the node, in the host's \
        network namespace and with access to its file system and processes; it is the \
        Windows equivalent of a privileged container. Anything it runs can take over the node.",
    remediation: "Remove `securityContext.windowsOptions.hostProcess` from the pod and its \
        containers (or set it to `false`).",
    example: "\
spec:
  os:
    name: windows
  securityContext:
    windowsOptions:
      hostProcess: false
  containers:
    - name: app
      image: registry.example/app:1.4.2
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/",
    ],
    pss: Some((PssLevel::Baseline, "windowsHostProcess")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

const HOST_PROCESS: &str = "securityContext.windowsOptions.hostProcess=true";

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    forbid_setting(
        pod,
        |sc| sc.windows_options.as_ref()?.host_process.as_ref(),
        |sc| sc.windows_options.as_ref()?.host_process.as_ref(),
        |flag| flag.value.then(|| (flag.span, HOST_PROCESS.to_string())),
        report,
    );
}

#[cfg(test)]
mod tests {
    use palisade_model::{
        ContainerKind, PodSecurityContext, SecurityContext, Span, WindowsOptions,
    };

    use super::super::testutil::*;
    use super::*;

    fn windows(line: u32, value: bool) -> Option<WindowsOptions> {
        Some(WindowsOptions {
            span: Span::point(line, 5),
            host_process: field(value, line + 1),
        })
    }

    #[test]
    fn reports_pod_and_containers() {
        let c = with_sc(
            "app",
            20,
            SecurityContext {
                windows_options: windows(23, true),
                ..SecurityContext::default()
            },
        );
        let other = with_sc(
            "other",
            30,
            SecurityContext {
                windows_options: windows(33, false),
                ..SecurityContext::default()
            },
        );
        let mut s = spec(vec![
            c,
            other,
            container(ContainerKind::Regular, "plain", 40),
        ]);
        s.security_context = Some(PodSecurityContext {
            windows_options: windows(12, true),
            ..PodSecurityContext::default()
        });
        let found = baseline(&RULE, &pod(s), 0);
        assert_eq!(lines(&found), [13, 24]);
        assert_eq!(
            found[0].message,
            "pod must not set securityContext.windowsOptions.hostProcess=true"
        );
        assert!(found[0].container.is_none());
        assert_eq!(found[1].container.as_deref(), Some("app"));
    }

    #[test]
    fn silent_when_false() {
        let mut s = spec(vec![]);
        s.security_context = Some(PodSecurityContext {
            windows_options: windows(12, false),
            ..PodSecurityContext::default()
        });
        assert!(restricted(&RULE, &pod(s), 37).is_empty());
    }
}
