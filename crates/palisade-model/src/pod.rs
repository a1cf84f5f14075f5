//! The typed pod model: what a pod spec says about security, with the span
//! of every field so findings point at the exact place.
//!
//! Absent fields are `None` (or empty); the loader fills in only what the
//! document says. [`Container::effective`] applies Kubernetes' rule that a
//! container's `securityContext` overrides the pod's.

use crate::{Span, Spanned};

/// An optional field with its span.
pub type Field<T> = Option<Spanned<T>>;

/// Pod metadata that affects security (annotations, labels).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectMeta {
    /// Where `metadata` is (or the object, when there is none).
    pub span: Span,
    /// `metadata.name`.
    pub name: Field<String>,
    /// `metadata.namespace`.
    pub namespace: Field<String>,
    /// `metadata.annotations`, in document order.
    pub annotations: Vec<(Spanned<String>, Spanned<String>)>,
    /// `metadata.labels`, in document order.
    pub labels: Vec<(Spanned<String>, Spanned<String>)>,
}

impl ObjectMeta {
    /// The annotation value under `key`.
    pub fn annotation(&self, key: &str) -> Option<&Spanned<String>> {
        self.annotations
            .iter()
            .find(|(k, _)| k.value == key)
            .map(|(_, v)| v)
    }
}

/// A pod template: the metadata and spec a workload creates pods from.
#[derive(Debug, Clone, PartialEq)]
pub struct PodTemplate {
    /// The pod's metadata (for a Pod, the object's own metadata).
    pub meta: ObjectMeta,
    /// The pod spec.
    pub spec: PodSpec,
    /// Dotted path of the spec inside the object, e.g. `spec.template.spec`.
    pub spec_path: &'static str,
}

/// `PodSpec`, security-relevant fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodSpec {
    /// Where the spec mapping is.
    pub span: Span,
    /// `hostNetwork`.
    pub host_network: Field<bool>,
    /// `hostPID`.
    pub host_pid: Field<bool>,
    /// `hostIPC`.
    pub host_ipc: Field<bool>,
    /// `hostUsers` (false means a user namespace).
    pub host_users: Field<bool>,
    /// `shareProcessNamespace`.
    pub share_process_namespace: Field<bool>,
    /// `securityContext`.
    pub security_context: Option<PodSecurityContext>,
    /// Every container in the order Kubernetes visits them: init, regular, ephemeral.
    pub containers: Vec<Container>,
    /// `volumes`.
    pub volumes: Vec<Volume>,
    /// `os.name`.
    pub os_name: Field<String>,
    /// `automountServiceAccountToken`.
    pub automount_service_account_token: Field<bool>,
    /// `serviceAccountName` (or the deprecated `serviceAccount`).
    pub service_account_name: Field<String>,
}

impl PodSpec {
    /// Whether `spec.os.name` is `windows`.
    pub fn is_windows(&self) -> bool {
        self.os_name.as_ref().is_some_and(|o| o.value == "windows")
    }

    /// Whether the pod runs in a user namespace (`hostUsers: false`).
    pub fn user_namespace(&self) -> bool {
        self.host_users.as_ref().is_some_and(|h| !h.value)
    }

    /// The containers of one kind.
    pub fn containers_of(&self, kind: ContainerKind) -> impl Iterator<Item = &Container> {
        self.containers.iter().filter(move |c| c.kind == kind)
    }
}

/// Where in the pod spec a container is declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ContainerKind {
    /// `initContainers`.
    Init,
    /// `containers`.
    Regular,
    /// `ephemeralContainers`.
    Ephemeral,
}

impl ContainerKind {
    /// The field name in the pod spec.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// `PodSecurityContext`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodSecurityContext {
    /// Where the mapping is.
    pub span: Span,
    /// `runAsUser`.
    pub run_as_user: Field<i64>,
    /// `runAsGroup`.
    pub run_as_group: Field<i64>,
    /// `runAsNonRoot`.
    pub run_as_non_root: Field<bool>,
    /// `fsGroup`.
    pub fs_group: Field<i64>,
    /// `supplementalGroups`.
    pub supplemental_groups: Vec<Spanned<i64>>,
    /// `seLinuxOptions`.
    pub se_linux_options: Option<SeLinuxOptions>,
    /// `seccompProfile`.
    pub seccomp_profile: Option<Profile>,
    /// `appArmorProfile`.
    pub app_armor_profile: Option<Profile>,
    /// `sysctls`.
    pub sysctls: Vec<Sysctl>,
    /// `windowsOptions`.
    pub windows_options: Option<WindowsOptions>,
}

/// Container `SecurityContext`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityContext {
    /// Where the mapping is.
    pub span: Span,
    /// `privileged`.
    pub privileged: Field<bool>,
    /// `allowPrivilegeEscalation`.
    pub allow_privilege_escalation: Field<bool>,
    /// `capabilities`.
    pub capabilities: Option<Capabilities>,
    /// `procMount`.
    pub proc_mount: Field<String>,
    /// `readOnlyRootFilesystem`.
    pub read_only_root_filesystem: Field<bool>,
    /// `runAsNonRoot`.
    pub run_as_non_root: Field<bool>,
    /// `runAsUser`.
    pub run_as_user: Field<i64>,
    /// `runAsGroup`.
    pub run_as_group: Field<i64>,
    /// `seLinuxOptions`.
    pub se_linux_options: Option<SeLinuxOptions>,
    /// `seccompProfile`.
    pub seccomp_profile: Option<Profile>,
    /// `appArmorProfile`.
    pub app_armor_profile: Option<Profile>,
    /// `windowsOptions`.
    pub windows_options: Option<WindowsOptions>,
}

/// `capabilities`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Capabilities {
    /// Where the mapping is.
    pub span: Span,
    /// `add`.
    pub add: Vec<Spanned<String>>,
    /// `drop`.
    pub drop: Vec<Spanned<String>>,
}

/// `seLinuxOptions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeLinuxOptions {
    /// Where the mapping is.
    pub span: Span,
    /// `type`.
    pub type_: Field<String>,
    /// `user`.
    pub user: Field<String>,
    /// `role`.
    pub role: Field<String>,
    /// `level`.
    pub level: Field<String>,
}

/// A seccomp or AppArmor profile (`type` plus `localhostProfile`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// Where the mapping is.
    pub span: Span,
    /// `type`; absent reads as the empty string, as Kubernetes decodes it.
    pub type_: Field<String>,
    /// `localhostProfile`.
    pub localhost_profile: Field<String>,
}

impl Profile {
    /// The profile type, `""` when absent.
    pub fn type_str(&self) -> &str {
        self.type_.as_ref().map_or("", |t| t.value.as_str())
    }
}

/// One entry of `sysctls`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sysctl {
    /// Where the entry is.
    pub span: Span,
    /// `name` (empty when absent).
    pub name: Spanned<String>,
    /// `value`.
    pub value: Field<String>,
}

/// `windowsOptions`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowsOptions {
    /// Where the mapping is.
    pub span: Span,
    /// `hostProcess`.
    pub host_process: Field<bool>,
}

/// A container (init, regular or ephemeral).
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// Where the container is declared.
    pub kind: ContainerKind,
    /// Index within its list.
    pub index: usize,
    /// Where the container mapping is.
    pub span: Span,
    /// `name` (empty when absent).
    pub name: Spanned<String>,
    /// `image`.
    pub image: Field<String>,
    /// `imagePullPolicy`.
    pub image_pull_policy: Field<String>,
    /// `command`.
    pub command: Vec<Spanned<String>>,
    /// `args`.
    pub args: Vec<Spanned<String>>,
    /// `env`.
    pub env: Vec<EnvVar>,
    /// `ports`.
    pub ports: Vec<ContainerPort>,
    /// `securityContext`.
    pub security_context: Option<SecurityContext>,
    /// `resources`.
    pub resources: Option<Resources>,
    /// `livenessProbe`.
    pub liveness_probe: Option<Handler>,
    /// `readinessProbe`.
    pub readiness_probe: Option<Handler>,
    /// `startupProbe`.
    pub startup_probe: Option<Handler>,
    /// `lifecycle.postStart`.
    pub post_start: Option<Handler>,
    /// `lifecycle.preStop`.
    pub pre_stop: Option<Handler>,
    /// `volumeMounts`.
    pub volume_mounts: Vec<VolumeMount>,
}

/// One entry of `env`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    /// Where the entry is.
    pub span: Span,
    /// `name`.
    pub name: Spanned<String>,
    /// `value`, when a literal is given.
    pub value: Field<String>,
    /// Whether `valueFrom` is set (a reference, never a literal).
    pub value_from: bool,
}

/// One entry of `ports`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerPort {
    /// Where the entry is.
    pub span: Span,
    /// `name`.
    pub name: Field<String>,
    /// `containerPort`.
    pub container_port: Field<i64>,
    /// `hostPort`.
    pub host_port: Field<i64>,
    /// `protocol`.
    pub protocol: Field<String>,
}

/// `resources`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// Where the mapping is.
    pub span: Span,
    /// `requests`: resource name to quantity text.
    pub requests: Vec<(Spanned<String>, Spanned<String>)>,
    /// `limits`: resource name to quantity text.
    pub limits: Vec<(Spanned<String>, Spanned<String>)>,
}

impl Resources {
    /// The request for a resource (e.g. `cpu`).
    pub fn request(&self, name: &str) -> Option<&Spanned<String>> {
        self.requests
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, v)| v)
    }

    /// The limit for a resource (e.g. `memory`).
    pub fn limit(&self, name: &str) -> Option<&Spanned<String>> {
        self.limits
            .iter()
            .find(|(k, _)| k.value == name)
            .map(|(_, v)| v)
    }
}

/// A probe or lifecycle handler: the parts that can reach other hosts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Handler {
    /// Where the mapping is.
    pub span: Span,
    /// `httpGet.host`.
    pub http_get_host: Field<String>,
    /// `tcpSocket.host`.
    pub tcp_socket_host: Field<String>,
}

/// One entry of `volumeMounts`.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumeMount {
    /// Where the entry is.
    pub span: Span,
    /// `name`.
    pub name: Spanned<String>,
    /// `mountPath`.
    pub mount_path: Field<String>,
    /// `readOnly`.
    pub read_only: Field<bool>,
}

/// One entry of `volumes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// Where the entry is.
    pub span: Span,
    /// `name`.
    pub name: Spanned<String>,
    /// The volume source keys that are set (e.g. `hostPath`), in document order.
    /// Kubernetes allows exactly one; more than one is kept as written.
    pub sources: Vec<Spanned<String>>,
    /// `hostPath.path`, for hostPath volumes.
    pub host_path: Field<String>,
}

impl Volume {
    /// Whether the volume has a source of this type (e.g. `hostPath`).
    pub fn has_source(&self, key: &str) -> bool {
        self.sources.iter().any(|s| s.value == key)
    }
}

/// Every volume source field of the Kubernetes `Volume` type.
pub const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// Where an effective setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The container's `securityContext`.
    Container,
    /// The pod's `securityContext`, inherited by the container.
    Pod,
}

/// An effective value with its origin and place.
#[derive(Debug, Clone, PartialEq)]
pub struct Effective<T> {
    /// The value in force.
    pub value: T,
    /// Which securityContext set it.
    pub origin: Origin,
    /// Where it was set.
    pub span: Span,
}

/// The security settings in force for one container after the container's
/// `securityContext` overrides the pod's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EffectiveSecurityContext {
    /// `runAsUser`.
    pub run_as_user: Option<Effective<i64>>,
    /// `runAsGroup`.
    pub run_as_group: Option<Effective<i64>>,
    /// `runAsNonRoot`.
    pub run_as_non_root: Option<Effective<bool>>,
    /// `seccompProfile.type`.
    pub seccomp_profile: Option<Effective<String>>,
    /// `appArmorProfile.type`.
    pub app_armor_profile: Option<Effective<String>>,
    /// `seLinuxOptions.type`.
    pub se_linux_type: Option<Effective<String>>,
    /// `windowsOptions.hostProcess`.
    pub host_process: Option<Effective<bool>>,
}

fn pick<T: Clone>(
    container: Option<&Spanned<T>>,
    pod: Option<&Spanned<T>>,
) -> Option<Effective<T>> {
    if let Some(c) = container {
        return Some(Effective {
            value: c.value.clone(),
            origin: Origin::Container,
            span: c.span,
        });
    }
    pod.map(|p| Effective {
        value: p.value.clone(),
        origin: Origin::Pod,
        span: p.span,
    })
}

impl Container {
    /// The container's `securityContext` overlaid on the pod's.
    pub fn effective(&self, pod: &PodSpec) -> EffectiveSecurityContext {
        let c = self.security_context.as_ref();
        let p = pod.security_context.as_ref();
        let profile_type = |prof: Option<&Profile>| prof.and_then(|x| x.type_.clone());
        let c_seccomp = profile_type(c.and_then(|c| c.seccomp_profile.as_ref()));
        let p_seccomp = profile_type(p.and_then(|p| p.seccomp_profile.as_ref()));
        let c_apparmor = profile_type(c.and_then(|c| c.app_armor_profile.as_ref()));
        let p_apparmor = profile_type(p.and_then(|p| p.app_armor_profile.as_ref()));
        let se_type = |o: Option<&SeLinuxOptions>| o.and_then(|x| x.type_.clone());
        let c_se = se_type(c.and_then(|c| c.se_linux_options.as_ref()));
        let p_se = se_type(p.and_then(|p| p.se_linux_options.as_ref()));
        let hp = |o: Option<&WindowsOptions>| o.and_then(|x| x.host_process.clone());
        let c_hp = hp(c.and_then(|c| c.windows_options.as_ref()));
        let p_hp = hp(p.and_then(|p| p.windows_options.as_ref()));
        EffectiveSecurityContext {
            run_as_user: pick(
                c.and_then(|c| c.run_as_user.as_ref()),
                p.and_then(|p| p.run_as_user.as_ref()),
            ),
            run_as_group: pick(
                c.and_then(|c| c.run_as_group.as_ref()),
                p.and_then(|p| p.run_as_group.as_ref()),
            ),
            run_as_non_root: pick(
                c.and_then(|c| c.run_as_non_root.as_ref()),
                p.and_then(|p| p.run_as_non_root.as_ref()),
            ),
            seccomp_profile: pick(c_seccomp.as_ref(), p_seccomp.as_ref()),
            app_armor_profile: pick(c_apparmor.as_ref(), p_apparmor.as_ref()),
            se_linux_type: pick(c_se.as_ref(), p_se.as_ref()),
            host_process: pick(c_hp.as_ref(), p_hp.as_ref()),
        }
    }

    /// The probes and lifecycle handlers that are set.
    pub fn handlers(&self) -> impl Iterator<Item = &Handler> {
        [
            &self.liveness_probe,
            &self.readiness_probe,
            &self.startup_probe,
            &self.post_start,
            &self.pre_stop,
        ]
        .into_iter()
        .flatten()
    }
}
