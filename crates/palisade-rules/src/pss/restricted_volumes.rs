//! `restrictedVolumes` (restricted): pods may use only ephemeral and projected volume types.

use palisade_model::{
    FixAvailability, PodTemplate, PssLevel, RuleMeta, RuleStatus, Severity, WORKLOAD_KINDS,
};

use super::{PssRule, Report, Revision, PSS_PAGE};

/// Volume sources the restricted level allows.
const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Volume sources upstream names when it rejects a volume; any other source
/// (or none) is reported as `unknown`, like upstream.
const NAMED: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

static META: RuleMeta = RuleMeta {
    id: "PSS-RESTRICTED-VOLUMES",
    title: "Pod uses a restricted volume type",
    severity: Severity::Medium,
    kinds: WORKLOAD_KINDS,
    practice: "Pods use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, \
        persistentVolumeClaim, projected and secret volumes",
    rationale: "Inline volume sources such as hostPath, nfs, iscsi, rbd, cephfs or flexVolume \
        connect the pod directly to node directories, network storage or node-side drivers, \
        bypassing the PersistentVolume machinery where administrators decide who may reach \
        which storage. hostPath hands over the node itself; network sources carry credentials \
        and reach storage outside the cluster's control; gitRepo runs git on the node.",
    remediation: "Replace the volume with one of the allowed types; reach network or \
        cloud storage through a PersistentVolumeClaim bound to an administrator-provided \
        PersistentVolume or StorageClass.",
    example: "\
spec:
  containers:
    - name: app
      image: registry.example/app:1.4.2
      volumeMounts:
        - name: data
          mountPath: /data
  volumes:
    - name: data
      persistentVolumeClaim:
        claimName: app-data
",
    references: &[
        PSS_PAGE,
        "https://kubernetes.io/docs/concepts/storage/volumes/",
        "https://kubernetes.io/docs/concepts/storage/persistent-volumes/",
    ],
    pss: Some((PssLevel::Restricted, "restrictedVolumes")),
    status: RuleStatus::Stable,
    fix: FixAvailability::Never,
};

/// The rule.
pub(super) static RULE: PssRule = PssRule { meta: &META, check };

fn check(pod: &PodTemplate, _: Revision, report: &mut Report<'_>) {
    for volume in &pod.spec.volumes {
        // A volume without a source is an emptyDir: Kubernetes defaults it so
        // (`SetDefaults_Volume`) before admission sees it.
        if volume.sources.is_empty()
            || volume
                .sources
                .iter()
                .any(|s| ALLOWED.contains(&s.value.as_str()))
        {
            continue;
        }
        // Name the type the way upstream does: the first restricted source in
        // upstream's order, or `unknown`; point at that source key when there is one.
        let named = NAMED
            .iter()
            .find_map(|n| volume.sources.iter().find(|s| s.value == *n));
        let (kind, span) = match (named, volume.sources.first()) {
            (Some(s), _) => (s.value.as_str(), s.span),
            (None, first) => ("unknown", first.map_or(volume.span, |s| s.span)),
        };
        report.pod(
            span,
            format!(
                "volume {:?} must not use restricted volume type {kind:?}",
                volume.name.value
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use palisade_model::VOLUME_SOURCES;

    use super::super::host_path_volumes::tests::volume;
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn allows_exactly_the_upstream_list() {
        for source in VOLUME_SOURCES {
            let mut s = spec(vec![]);
            s.volumes = vec![volume("v", 30, &[source])];
            let found = restricted(&RULE, &pod(s), 0);
            assert_eq!(found.is_empty(), ALLOWED.contains(source), "{source}");
        }
        // Every source is either allowed or named.
        for source in VOLUME_SOURCES {
            assert!(
                ALLOWED.contains(source) || NAMED.contains(source),
                "{source}"
            );
        }
    }

    #[test]
    fn reports_at_the_source_key_with_its_type() {
        let mut s = spec(vec![]);
        s.volumes = vec![
            volume("cache", 20, &["emptyDir"]),
            volume("share", 30, &["nfs"]),
        ];
        let found = restricted(&RULE, &pod(s), 37);
        assert_eq!(lines(&found), [31]);
        assert_eq!(
            found[0].message,
            "volume \"share\" must not use restricted volume type \"nfs\""
        );
    }

    #[test]
    fn a_source_upstream_does_not_name_is_unknown() {
        let mut s = spec(vec![]);
        s.volumes = vec![volume("odd", 30, &["madeUp"])];
        let found = restricted(&RULE, &pod(s), 37);
        assert_eq!(lines(&found), [31]);
        assert_eq!(
            found[0].message,
            "volume \"odd\" must not use restricted volume type \"unknown\""
        );
    }

    #[test]
    fn a_volume_without_a_source_defaults_to_empty_dir() {
        let mut s = spec(vec![]);
        s.volumes = vec![volume("defaulted", 20, &[])];
        assert!(restricted(&RULE, &pod(s), 37).is_empty());
    }

    #[test]
    fn one_allowed_source_makes_the_volume_allowed_like_upstream() {
        let mut s = spec(vec![]);
        s.volumes = vec![volume("mixed", 20, &["hostPath", "secret"])];
        assert!(restricted(&RULE, &pod(s.clone()), 37).is_empty());
        assert!(baseline(&RULE, &pod(s), 37).is_empty(), "restricted only");
    }
}
