//! `PAL-K8S-014`: a container mounts a `hostPath` volume writable.
//!
//! PSS baseline forbids `hostPath` volumes outright and does not tell a
//! read-only mount from a writable one; this rule reports the writable
//! mounts, whatever the path (see `PAL-K8S-013` for the path itself).

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct WritableHostPath;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-014",
    title: "Container mounts a hostPath volume writable",
    severity: Severity::High,
    kinds: WORKLOAD_KINDS,
    practice: "Mount host paths read-only",
    rationale: "A writable hostPath mount lets the container change the node's files: plant \
        binaries or configuration other processes on the node will run or read, fill the \
        node's disk, or tamper with the data of other pods that share the path. Even where a \
        node agent needs to read host files, it rarely needs to write them.",
    remediation: "Set readOnly: true on the volumeMount, or replace the hostPath volume with a \
        PersistentVolumeClaim or emptyDir when the container must write.",
    example: "containers:\n  - name: agent\n    image: registry.example/agent:3.1\n    volumeMounts:\n      - name: logs\n        mountPath: /host/logs\n        readOnly: true\nvolumes:\n  - name: logs\n    hostPath:\n      path: /var/log/app\n      type: Directory\n",
    references: &[
        "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        common::AKS_POD_SECURITY,
        "CIS Kubernetes Benchmark v1.9, 5.2.12: Minimize the admission of HostPath volumes",
        "CWE-732: Incorrect Permission Assignment for Critical Resource",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Always,
};

/// Message for a writable hostPath mount.
pub fn message(subject: &str, host_path: &str, volume: &str, mount_path: &str) -> String {
    format!("{subject} mounts host path \"{host_path}\" (volume \"{volume}\") writable at \"{mount_path}\"")
}

impl Rule for WritableHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        for c in &pod.spec.containers {
            for mount in &c.volume_mounts {
                let Some(volume) = pod
                    .spec
                    .volumes
                    .iter()
                    .find(|v| v.name.value == mount.name.value && v.has_source("hostPath"))
                else {
                    continue;
                };
                let span = match &mount.read_only {
                    Some(ro) if ro.value => continue,
                    Some(ro) => ro.span,
                    None => mount.span,
                };
                let host = volume.host_path.as_ref().map_or("", |p| p.value.as_str());
                let at = mount.mount_path.as_ref().map_or("", |p| p.value.as_str());
                out.push(common::finding(
                    &META,
                    resource,
                    span,
                    Some(c),
                    message(&common::subject(resource, c), host, &volume.name.value, at),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{Volume, VolumeMount};

    use super::*;
    use crate::rules::testkit::*;

    fn mount(name: &str, line: u32, read_only: Option<bool>) -> VolumeMount {
        VolumeMount {
            span: at(line),
            name: ss(name, line),
            mount_path: Some(ss("/host", line + 1)),
            read_only: read_only.map(|r| sp(r, line + 2)),
        }
    }

    #[test]
    fn writable_host_path_mounts_fire() {
        let mut c = container("app", 20);
        c.volume_mounts = vec![
            mount("host", 21, None),
            mount("host", 24, Some(false)),
            mount("host", 27, Some(true)),
            mount("scratch", 30, None),
        ];
        let mut s = spec(vec![c]);
        s.volumes = vec![
            Volume {
                span: at(40),
                name: ss("host", 40),
                sources: vec![ss("hostPath", 41)],
                host_path: Some(ss("/data", 42)),
            },
            Volume {
                span: at(43),
                name: ss("scratch", 43),
                sources: vec![ss("emptyDir", 44)],
                host_path: None,
            },
        ];
        let found = run(&WritableHostPath, &[workload(s)]);
        let lines: Vec<u32> = found.iter().map(|f| f.location.span.line()).collect();
        assert_eq!(lines, vec![21, 26]);
        assert_eq!(
            found[0].message,
            message(
                "container \"app\" of Deployment \"web\"",
                "/data",
                "host",
                "/host"
            )
        );
    }
}
