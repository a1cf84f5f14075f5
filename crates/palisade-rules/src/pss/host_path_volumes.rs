//! `hostPathVolumes` (baseline): pods must not mount host paths.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{PssRule, Report, Revision, PSS_PAGE};

static META: RuleMeta = RuleMeta {
    id: "PSS-HOST-PATH-VOLUMES",
    title: "hostPath volume",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Pods do not mount directories of the node",
    rationale: "A hostPath volume exposes a directory of the node to the pod. Writable, it \
        lets the pod plant files the node will execute or trust (cron jobs, kubelet \
        configuration, the container runtime socket); even read-only, it leaks other pods' \
        secrets and the node's credentials. It also ties the pod to one node's file layout.",
    remediation: "Replace the `hostPath` volume with an `emptyDir`, a `configMap` or `secret`, \
        or a PersistentVolumeClaim; node agents that truly need host files belong in a \
        separately governed privileged namespace.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      volumeMounts:
        - name: cache
          mountPath: /var/cache/app
  volumes:
    - name: cache
      emptyDir: {}
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
    ],
    pss: Some((PssLevel::Baseline, "hostPathVolumes")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    for volume in &pod.spec.volumes {
        if let Some(source) = volume.sources.iter().find(|s| s.value == "hostPath") {
            let path = volume
                .host_path
                .as_ref()
                .map_or(String::new(), |p| format!(" ({:?})", p.value));
            report.pod(
                source.span,
                format!("volume {:?} must not use hostPath{path}", volume.name.value),
            );
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use palisade_model::{ContainerKind, Span, Volume};

    use super::super::testutil::*;
    use super::*;

    /// A volume with these source keys, the first written on `line`.
    pub fn volume(name: &str, line: u32, sources: &[&str]) -> Volume {
        Volume {
            span: Span::point(line, 5),
            name: at(name.to_string(), line),
            sources: sources
                .iter()
                .map(|s| at(s.to_string(), line + 1))
                .collect(),
            host_path: None,
        }
    }

    #[test]
    fn reports_host_path_at_the_source_key() {
        let mut s = spec(vec![container(ContainerKind::Regular, "app", 20)]);
        let mut host = volume("host", 40, &["hostPath"]);
        host.host_path = field("/var/run".to_string(), 42);
        s.volumes = vec![volume("cache", 30, &["emptyDir"]), host];
        let found = baseline(&RULE, &pod(s), 0);
        assert_eq!(lines(&found), [41]);
        assert_eq!(
            found[0].message,
            "volume \"host\" must not use hostPath (\"/var/run\")"
        );
    }

    #[test]
    fn silent_without_host_path_and_replaced_at_restricted() {
        let mut s = spec(vec![]);
        s.volumes = vec![volume("cache", 30, &["emptyDir"])];
        assert!(baseline(&RULE, &pod(s.clone()), 37).is_empty());
        s.volumes.push(volume("host", 40, &["hostPath"]));
        assert_eq!(baseline(&RULE, &pod(s.clone()), 37).len(), 1);
        // restrictedVolumes overrides hostPathVolumes at every version.
        assert!(restricted(&RULE, &pod(s), 0).is_empty());
    }
}
