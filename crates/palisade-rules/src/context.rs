//! What a rule may know besides the object it checks.

use palisade_model::{PssLevel, PssVersion, Resource};

/// Rule settings resolved from the command line and the configuration file.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The Pod Security Standards level to enforce.
    pub level: PssLevel,
    /// The Pod Security Standards version to enforce.
    pub version: PssVersion,
    /// Capabilities a container may add without a finding (upper-case, no `CAP_` prefix).
    ///
    /// Read by `PAL-K8S-005`; entries are normalised the same way as the
    /// manifest's values (case and a `CAP_` prefix do not matter).
    /// Default: `NET_BIND_SERVICE`, the one capability PSS restricted allows.
    pub allowed_capabilities: Vec<String>,
    /// Added capabilities reported at high severity by `PAL-K8S-005`
    /// (upper-case, no `CAP_` prefix; `ALL` stands for every capability).
    ///
    /// Default: the capabilities that give a container a direct path to the
    /// node or to other workloads (see [`DANGEROUS_CAPABILITIES`]).
    pub dangerous_capabilities: Vec<String>,
    /// Host paths whose `hostPath` mount hands over the node (`PAL-K8S-013`,
    /// critical): the path itself, anything below it (except below `/`,
    /// which only matches itself) and any directory above it count.
    /// Default: [`CRITICAL_HOST_PATHS`].
    pub critical_host_paths: Vec<String>,
    /// Host paths whose `hostPath` mount exposes sensitive node data
    /// (`PAL-K8S-013`, high); matched like [`Settings::critical_host_paths`].
    /// Default: [`SENSITIVE_HOST_PATHS`].
    pub sensitive_host_paths: Vec<String>,
    /// The image policy (`images:` of the configuration file), read by the
    /// image rules `PAL-K8S-025` to `PAL-K8S-029`. Default: no allow or
    /// deny list, no digest required, [`crate::image_policy::PUBLIC_REGISTRIES`]
    /// as the public registries.
    pub image_policy: crate::image_policy::ImagePolicy,
}

/// Default [`Settings::dangerous_capabilities`].
pub const DANGEROUS_CAPABILITIES: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_TIME",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_RESOURCE",
    "BPF",
    "PERFMON",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "NET_RAW",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SETFCAP",
    "SYSLOG",
    "LINUX_IMMUTABLE",
    "CHECKPOINT_RESTORE",
];

/// Default [`Settings::critical_host_paths`]: the host's root, its
/// configuration, the container runtime and kubelet state, kernel interfaces
/// and devices.
pub const CRITICAL_HOST_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/boot",
    "/dev",
    "/proc",
    "/sys",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/etc/kubernetes",
];

/// Default [`Settings::sensitive_host_paths`]: user data, logs of every pod
/// on the node, and the node's binaries.
pub const SENSITIVE_HOST_PATHS: &[&str] = &[
    "/home", "/var/log", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/opt",
];

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            level: PssLevel::Restricted,
            version: crate::pss::LATEST,
            allowed_capabilities: vec!["NET_BIND_SERVICE".to_string()],
            dangerous_capabilities: strings(DANGEROUS_CAPABILITIES),
            critical_host_paths: strings(CRITICAL_HOST_PATHS),
            sensitive_host_paths: strings(SENSITIVE_HOST_PATHS),
            image_policy: crate::image_policy::ImagePolicy::default(),
        }
    }
}

/// Everything a rule can see while checking one object.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Every object of the scan, for rules that look across objects
    /// (a Service targeting a container port, a RoleBinding naming a ServiceAccount).
    pub resources: &'a [Resource],
    /// The resolved settings.
    pub settings: &'a Settings,
}
