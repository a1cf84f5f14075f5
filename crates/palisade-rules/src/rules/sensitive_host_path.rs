//! `PAL-K8S-013`: a `hostPath` volume exposes a sensitive host path.
//!
//! PSS baseline forbids every `hostPath` volume alike; clusters that must
//! allow some (log shippers, CSI node plugins) still need to know which
//! mounts hand over the node. Paths are compared after lexical
//! normalisation (`//`, `.`, `..`, a trailing `/`); a path matches a listed
//! path when it is the same, lies below it (except below `/`), or is a
//! directory above it (mounting `/var` exposes `/var/lib/kubelet`). The lists
//! are `Settings::critical_host_paths` (critical) and
//! `Settings::sensitive_host_paths` (high).

use palisade_model::{
    Finding, FixAvailability, Resource, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::common;
use crate::{Context, Rule};

/// The rule.
pub struct SensitiveHostPath;

static META: RuleMeta = RuleMeta {
    id: "PAL-K8S-013",
    title: "hostPath volume mounts a sensitive host path",
    severity: Severity::Critical,
    kinds: WORKLOAD_KINDS,
    practice: "Never mount the node's system, runtime or credential paths into a pod",
    rationale: "A hostPath volume gives the container the node's own files. Some paths are a \
        direct takeover: the container runtime socket starts privileged containers on the \
        node, /etc and /root hold credentials and let an attacker add users or cron jobs, \
        /var/lib/kubelet holds every pod's service account tokens and secrets, /proc, /sys and \
        /dev reach the kernel and devices. Others expose every pod's logs or the node's \
        binaries. Critical paths are reported at critical severity, sensitive ones at high.",
    remediation: "Remove the hostPath volume; use a PersistentVolumeClaim, a projected volume, \
        the Kubernetes API or a CSI driver instead, and if a node agent truly needs host \
        access, mount the narrowest path read-only.",
    example: "volumes:\n  - name: data\n    persistentVolumeClaim:\n      claimName: app-data\n  - name: config\n    configMap:\n      name: app-config\n",
    references: &[
        "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath",
        common::AKS_POD_SECURITY,
        common::K8S_PSS,
        "CIS Kubernetes Benchmark v1.9, 5.2.12: Minimize the admission of HostPath volumes",
        "CWE-668: Exposure of Resource to Wrong Sphere",
    ],
    pss: None,
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// Message for a hostPath volume on a listed path.
pub fn message(object: &str, volume: &str, path: &str, listed: &str) -> String {
    format!(
        "{object} mounts host path \"{path}\" (volume \"{volume}\"), which exposes the node's {listed}"
    )
}

/// An absolute path with `//`, `.`, `..` and a trailing `/` resolved
/// lexically; `None` for a relative path.
pub fn normalize_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `host` (normalised) is `listed`, below it, or above it.
fn matches(host: &str, listed: &str) -> bool {
    let Some(listed) = normalize_path(listed) else {
        return false;
    };
    host == listed
        || host == "/"
        || listed.starts_with(&format!("{host}/"))
        || (listed != "/" && host.starts_with(&format!("{listed}/")))
}

/// The severity and the listed path a host path matches, the most severe first.
pub fn classify(path: &str, settings: &crate::Settings) -> Option<(Severity, String)> {
    let host = normalize_path(path)?;
    let lists = [
        (Severity::Critical, &settings.critical_host_paths),
        (Severity::High, &settings.sensitive_host_paths),
    ];
    lists.into_iter().find_map(|(severity, list)| {
        list.iter()
            .find(|listed| matches(&host, listed))
            .map(|listed| (severity, listed.clone()))
    })
}

impl Rule for SensitiveHostPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, resource: &Resource, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(pod) = &resource.pod else { return };
        let object = common::object(resource);
        for volume in &pod.spec.volumes {
            let Some(path) = &volume.host_path else {
                continue;
            };
            if let Some((severity, listed)) = classify(&path.value, ctx.settings) {
                out.push(common::finding_with(
                    &META,
                    severity,
                    resource,
                    path.span,
                    None,
                    message(&object, &volume.name.value, &path.value, &listed),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Settings;

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(
            normalize_path("/var//run/./x/../docker.sock/").as_deref(),
            Some("/var/run/docker.sock")
        );
        assert_eq!(normalize_path("/..").as_deref(), Some("/"));
        assert_eq!(normalize_path("relative/path"), None);
    }

    #[test]
    fn classification_covers_same_below_and_above() {
        let s = Settings::default();
        let sev = |p: &str| classify(p, &s).map(|(sev, _)| sev);
        assert_eq!(sev("/"), Some(Severity::Critical));
        assert_eq!(sev("/var/run/docker.sock"), Some(Severity::Critical));
        assert_eq!(sev("/etc/kubernetes/pki"), Some(Severity::Critical));
        assert_eq!(sev("/var"), Some(Severity::Critical));
        assert_eq!(
            sev("/var/lib/kubelet/../kubelet/pods"),
            Some(Severity::Critical)
        );
        assert_eq!(sev("/var/log/pods"), Some(Severity::High));
        assert_eq!(sev("/home/user"), Some(Severity::High));
        assert_eq!(sev("/data/app"), None);
        assert_eq!(sev("/mnt/disks/ssd0"), None);
        assert_eq!(sev("/etcetera"), None);
        assert_eq!(sev("C:\\Windows"), None);
    }
}
