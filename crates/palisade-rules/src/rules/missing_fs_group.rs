//! `PAL-K8S-003`: a pod mounts volumes but sets no `fsGroup`.
//!
//! Only volumes whose ownership the kubelet manages count: a mounted volume
//! of any source except `hostPath`, `nfs`, `image` and `gitRepo`, for which
//! `fsGroup` changes nothing. Windows pods are skipped.

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, Volume, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct MissingFsGroup;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-003",
    title: "Pod mounts volumes without an fsGroup",
    severity: Severity::Low,
    kinds: WORKLOAD_KINDS,
    practice: "Give mounted volumes a non-root group with fsGroup",
    rationale: "Without fsGroup, a new persistent volume, emptyDir or projected secret is \
        owned by root, and a container that runs as a non-root user cannot write to it. The \
        usual workaround is to run the container as root or to add a privileged init container \
        that changes ownership; fsGroup instead makes the kubelet give the volume to a \
        dedicated group, so the workload keeps running unprivileged.",
    remediation: "Set securityContext.fsGroup on the pod to the group the application runs as \
        (and fsGroupChangePolicy: OnRootMismatch for large volumes).",
    example: "spec:\n  securityContext:\n    runAsNonRoot: true\n    runAsUser: 10001\n    fsGroup: 10001\n    fsGroupChangePolicy: OnRootMismatch\n  containers:\n    - name: app\n      image: registry.example/app:1.4.2\n      volumeMounts:\n        - name: data\n          mountPath: /data\n  volumes:\n    - name: data\n      persistentVolumeClaim:\n        claimName: app-data\n",
    references: &[
        common::AKS_POD_SECURITY,
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#configure-volume-permission-and-ownership-change-policy-for-pods",
        "CWE-732: Incorrect Permission Assignment for Critical Resource",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Volume sources whose ownership `fsGroup` does not change.
const UNMANAGED_SOURCES: &[&str] = &["hostPath", "nfs", "image", "gitRepo"];

/// Message for a pod that mounts `volume` without an `fsGroup`.
pub fn message(object: &str, volume: &str) -> String {
    format!("{object} mounts volume \"{volume}\" but its pod securityContext sets no fsGroup")
}

fn managed(volume: &Volume) -> bool {
    !volume.sources.is_empty()
        && volume
            .sources
            .iter()
            .all(|s| !UNMANAGED_SOURCES.contains(&s.value.as_str()))
}

impl Rule for MissingFsGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, _ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = common::linux_pod(resource) else {
            return;
        };
        let spec = &pod.spec;
        if spec
            .security_context
            .as_ref()
            .is_some_and(|sc| sc.fs_group.is_some())
        {
            return;
        }
        let mounted = spec.volumes.iter().filter(|v| managed(v)).find(|v| {
            spec.containers
                .iter()
                .flat_map(|c| &c.volume_mounts)
                .any(|m| m.name.value == v.name.value)
        });
        if let Some(volume) = mounted {
            out.push(common::finding(
                &META,
                resource,
                common::pod_context_span(spec),
                None,
                message(&common::object(resource), &volume.name.value),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::{PodSecurityContext, Volume, VolumeMount};

    use super::*;
    use crate::rules::testkit::*;

    fn volume(name: &str, source: &str) -> Volume {
        Volume {
            span: at(40),
            name: ss(name, 40),
            sources: vec![ss(source, 41)],
            host_path: None,
        }
    }

    fn mount(name: &str) -> VolumeMount {
        VolumeMount {
            span: at(25),
            name: ss(name, 25),
            mount_path: Some(ss("/data", 26)),
            read_only: None,
        }
    }

    #[test]
    fn mounted_volume_without_fs_group_fires_once() {
        let mut c = container("app", 20);
        c.volume_mounts = vec![mount("data"), mount("cache")];
        let mut s = spec(vec![c]);
        s.volumes = vec![
            volume("data", "persistentVolumeClaim"),
            volume("cache", "emptyDir"),
        ];
        let found = run(&MissingFsGroup, &[workload(s)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, message("Deployment \"web\"", "data"));
        assert_eq!(found[0].location.span, at(10));
    }

    #[test]
    fn fs_group_unmounted_and_host_path_volumes_pass() {
        let mut c = container("app", 20);
        c.volume_mounts = vec![mount("host")];
        let mut s = spec(vec![c]);
        s.volumes = vec![volume("host", "hostPath"), volume("unused", "emptyDir")];
        assert!(run(&MissingFsGroup, &[workload(s.clone())]).is_empty());
        s.volumes.push(volume("data", "emptyDir"));
        s.containers[0].volume_mounts.push(mount("data"));
        assert_eq!(run(&MissingFsGroup, &[workload(s.clone())]).len(), 1);
        s.security_context = Some(PodSecurityContext {
            span: at(11),
            fs_group: Some(sp(2000, 12)),
            ..PodSecurityContext::default()
        });
        assert!(run(&MissingFsGroup, &[workload(s)]).is_empty());
    }
}
