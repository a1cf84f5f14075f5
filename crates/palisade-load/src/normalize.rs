//! Raw [`Node`] trees to the typed workload model.
//!
//! Types are checked the way the Kubernetes API decodes objects: a boolean
//! field holding `"true"` (a string) or an integer field holding `"abc"` is
//! an error the API server would reject, reported here with its place.
//! `null` reads as absent, as it does for the API server.

use std::sync::Arc;

use palisade_model::{
    Capabilities, Container, ContainerKind, ContainerPort, EnvVar, Field, Handler, InputError,
    Node, ObjectMeta, PodSecurityContext, PodSpec, PodTemplate, Profile, Resources, SeLinuxOptions,
    SecurityContext, Spanned, Sysctl, Value, Volume, VolumeMount, WindowsOptions, VOLUME_SOURCES,
};

/// Collects type errors while reading one object.
pub(crate) struct Reader<'a> {
    file: &'a Arc<str>,
    pub(crate) errors: Vec<InputError>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(file: &'a Arc<str>) -> Self {
        Reader {
            file,
            errors: Vec::new(),
        }
    }

    fn wrong_type(&mut self, node: &Node, path: &str, expected: &str) {
        let found = match &node.value {
            Value::Str(s) => format!("string \"{}\"", truncate(s, 40)),
            Value::Int(i) => format!("integer {i}"),
            Value::Bool(b) => format!("boolean {b}"),
            other => other.type_name().to_string(),
        };
        let help = match (expected, &node.value) {
            ("boolean", Value::Str(s)) if matches!(s.as_str(), "true" | "false") => {
                format!("write {s} without quotes")
            }
            ("integer", Value::Str(s)) if s.parse::<i64>().is_ok() => {
                format!("write {s} without quotes")
            }
            _ => format!("`{path}` takes {} {expected}", article(expected)),
        };
        self.errors.push(InputError {
            file: self.file.clone(),
            span: Some(node.span),
            message: format!(
                "`{path}` must be {} {expected}, found {found}",
                article(expected)
            ),
            help: Some(help),
        });
    }

    /// A child that must be a mapping (absent or null: `None`).
    pub(crate) fn map<'n>(&mut self, parent: &'n Node, key: &str, at: &str) -> Option<&'n Node> {
        let node = parent.get(key)?;
        match node.value {
            Value::Null => None,
            Value::Map(_) => Some(node),
            _ => {
                self.wrong_type(node, &join(at, key), "mapping");
                None
            }
        }
    }

    /// A child that must be a sequence (absent or null: empty).
    pub(crate) fn seq<'n>(&mut self, parent: &'n Node, key: &str, at: &str) -> &'n [Node] {
        let Some(node) = parent.get(key) else {
            return &[];
        };
        match &node.value {
            Value::Null => &[],
            Value::Seq(items) => items,
            _ => {
                self.wrong_type(node, &join(at, key), "sequence");
                &[]
            }
        }
    }

    pub(crate) fn bool(&mut self, parent: &Node, key: &str, at: &str) -> Field<bool> {
        let node = parent.get(key)?;
        match node.value {
            Value::Null => None,
            Value::Bool(b) => Some(Spanned::new(b, node.span)),
            _ => {
                self.wrong_type(node, &join(at, key), "boolean");
                None
            }
        }
    }

    pub(crate) fn int(&mut self, parent: &Node, key: &str, at: &str) -> Field<i64> {
        let node = parent.get(key)?;
        match node.value {
            Value::Null => None,
            Value::Int(i) => Some(Spanned::new(i, node.span)),
            _ => {
                self.wrong_type(node, &join(at, key), "integer");
                None
            }
        }
    }

    fn int_node(&mut self, node: &Node, path: &str) -> Field<i64> {
        match node.value {
            Value::Null => None,
            Value::Int(i) => Some(Spanned::new(i, node.span)),
            _ => {
                self.wrong_type(node, path, "integer");
                None
            }
        }
    }

    /// A string field. Plain scalars that YAML resolved to numbers or
    /// booleans are taken as their text, as typed decoding of string fields does.
    pub(crate) fn string(&mut self, parent: &Node, key: &str, at: &str) -> Field<String> {
        let node = parent.get(key)?;
        match &node.value {
            Value::Str(s) => Some(Spanned::new(s.clone(), node.span)),
            Value::Map(_) | Value::Seq(_) => {
                self.wrong_type(node, &join(at, key), "string");
                None
            }
            _ => self.string_node(node, ""),
        }
    }

    pub(crate) fn string_node(&mut self, node: &Node, path: &str) -> Field<String> {
        match &node.value {
            Value::Null => None,
            Value::Str(s) => Some(Spanned::new(s.clone(), node.span)),
            Value::Int(_) | Value::Bool(_) | Value::Float(_) => {
                node.scalar_text().map(|t| Spanned::new(t, node.span))
            }
            _ => {
                self.wrong_type(node, path, "string");
                None
            }
        }
    }

    pub(crate) fn strings(&mut self, parent: &Node, key: &str, at: &str) -> Vec<Spanned<String>> {
        let items = self.seq(parent, key, at);
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Value::Str(s) = &item.value {
                out.push(Spanned::new(s.clone(), item.span));
            } else if let Some(s) = self.string_node(item, &format!("{}[{i}]", join(at, key))) {
                out.push(s);
            }
        }
        out
    }

    /// A `map[string]string` such as labels, annotations or resource quantities.
    pub(crate) fn string_map(
        &mut self,
        parent: &Node,
        key: &str,
        at: &str,
    ) -> Vec<(Spanned<String>, Spanned<String>)> {
        let Some(node) = self.map(parent, key, at) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Some(m) = node.as_map() {
            let path = join(at, key);
            for e in m.iter() {
                let p = format!("{path}.{}", e.key);
                if let Some(v) = self.string_node(&e.value, &p) {
                    out.push((Spanned::new(e.key.clone(), e.key_span), v));
                }
            }
        }
        out
    }
}

/// `at.key`, or `key` at the top.
fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

/// Reads the `metadata` of `obj`, which sits at path `at` ("" for the object).
pub(crate) fn object_meta(r: &mut Reader<'_>, obj: &Node, at: &str) -> ObjectMeta {
    let path = join(at, "metadata");
    let Some(meta) = r.map(obj, "metadata", at) else {
        return ObjectMeta {
            span: obj.span,
            ..ObjectMeta::default()
        };
    };
    ObjectMeta {
        span: meta.span,
        name: r.string(meta, "name", &path),
        namespace: r.string(meta, "namespace", &path),
        annotations: r.string_map(meta, "annotations", &path),
        labels: r.string_map(meta, "labels", &path),
    }
}

/// Where the pod template sits for each workload kind.
fn template_path(kind: &str) -> Option<(&'static [&'static str], &'static str)> {
    Some(match kind {
        "Pod" => (&[], "spec"),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => (&["spec", "template"], "spec.template.spec"),
        "CronJob" => (
            &["spec", "jobTemplate", "spec", "template"],
            "spec.jobTemplate.spec.template.spec",
        ),
        "PodTemplate" => (&["template"], "template.spec"),
        _ => return None,
    })
}

/// Reads the pod template of a workload object, when it has one.
pub(crate) fn pod_template(
    r: &mut Reader<'_>,
    kind: &str,
    obj: &Node,
    object_meta: &ObjectMeta,
) -> Option<PodTemplate> {
    let (template_keys, spec_path) = template_path(kind)?;
    let mut holder = obj;
    let mut walked = String::new();
    for key in template_keys {
        holder = r.map(holder, key, &walked)?;
        walked = join(&walked, key);
    }
    let meta = if template_keys.is_empty() {
        object_meta.clone()
    } else {
        crate::normalize::object_meta(r, holder, &walked)
    };
    let spec_node = r.map(holder, "spec", &walked)?;
    Some(PodTemplate {
        meta,
        spec: pod_spec(r, spec_node, spec_path),
        spec_path,
    })
}

fn pod_spec(r: &mut Reader<'_>, spec: &Node, path: &str) -> PodSpec {
    let p = |k: &str| format!("{path}.{k}");
    let mut containers = Vec::new();
    for kind in [
        ContainerKind::Init,
        ContainerKind::Regular,
        ContainerKind::Ephemeral,
    ] {
        let items = r.seq(spec, kind.field(), path);
        let list_path = if items.is_empty() {
            String::new()
        } else {
            p(kind.field())
        };
        for (i, item) in items.iter().enumerate() {
            let cpath = format!("{list_path}[{i}]");
            if item.as_map().is_none() {
                if !item.is_null() {
                    r.wrong_type(item, &cpath, "mapping");
                }
                continue;
            }
            containers.push(container(r, item, kind, i, &cpath));
        }
    }
    let mut volumes = Vec::new();
    for (i, item) in r.seq(spec, "volumes", path).iter().enumerate() {
        let vpath = format!("{}[{i}]", p("volumes"));
        if let Some(v) = volume(r, item, &vpath) {
            volumes.push(v);
        }
    }
    let os_name = match r.map(spec, "os", path) {
        Some(os) => r.string(os, "name", &p("os")),
        None => None,
    };
    let service_account_name = r
        .string(spec, "serviceAccountName", path)
        .or_else(|| r.string(spec, "serviceAccount", path));
    PodSpec {
        span: spec.span,
        host_network: r.bool(spec, "hostNetwork", path),
        host_pid: r.bool(spec, "hostPID", path),
        host_ipc: r.bool(spec, "hostIPC", path),
        host_users: r.bool(spec, "hostUsers", path),
        share_process_namespace: r.bool(spec, "shareProcessNamespace", path),
        security_context: r
            .map(spec, "securityContext", path)
            .map(|sc| pod_security_context(r, sc, &p("securityContext"))),
        containers,
        volumes,
        os_name,
        automount_service_account_token: r.bool(spec, "automountServiceAccountToken", path),
        service_account_name,
    }
}

fn pod_security_context(r: &mut Reader<'_>, sc: &Node, path: &str) -> PodSecurityContext {
    let p = |k: &str| format!("{path}.{k}");
    let mut supplemental_groups = Vec::new();
    for (i, g) in r.seq(sc, "supplementalGroups", path).iter().enumerate() {
        if let Some(v) = r.int_node(g, &format!("{}[{i}]", p("supplementalGroups"))) {
            supplemental_groups.push(v);
        }
    }
    let mut sysctls = Vec::new();
    for (i, item) in r.seq(sc, "sysctls", path).iter().enumerate() {
        let spath = format!("{}[{i}]", p("sysctls"));
        if item.as_map().is_none() {
            r.wrong_type(item, &spath, "mapping");
            continue;
        }
        sysctls.push(Sysctl {
            span: item.span,
            name: r
                .string(item, "name", &spath)
                .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
            value: r.string(item, "value", &spath),
        });
    }
    PodSecurityContext {
        span: sc.span,
        run_as_user: r.int(sc, "runAsUser", path),
        run_as_group: r.int(sc, "runAsGroup", path),
        run_as_non_root: r.bool(sc, "runAsNonRoot", path),
        fs_group: r.int(sc, "fsGroup", path),
        supplemental_groups,
        se_linux_options: selinux(r, sc, path),
        seccomp_profile: profile(r, sc, "seccompProfile", path),
        app_armor_profile: profile(r, sc, "appArmorProfile", path),
        sysctls,
        windows_options: windows(r, sc, path),
    }
}

fn selinux(r: &mut Reader<'_>, sc: &Node, path: &str) -> Option<SeLinuxOptions> {
    let node = r.map(sc, "seLinuxOptions", path)?;
    let p = format!("{path}.seLinuxOptions");
    Some(SeLinuxOptions {
        span: node.span,
        type_: r.string(node, "type", &p),
        user: r.string(node, "user", &p),
        role: r.string(node, "role", &p),
        level: r.string(node, "level", &p),
    })
}

fn profile(r: &mut Reader<'_>, sc: &Node, key: &str, path: &str) -> Option<Profile> {
    let node = r.map(sc, key, path)?;
    let p = format!("{path}.{key}");
    Some(Profile {
        span: node.span,
        type_: r.string(node, "type", &p),
        localhost_profile: r.string(node, "localhostProfile", &p),
    })
}

fn windows(r: &mut Reader<'_>, sc: &Node, path: &str) -> Option<WindowsOptions> {
    let node = r.map(sc, "windowsOptions", path)?;
    let p = format!("{path}.windowsOptions");
    Some(WindowsOptions {
        span: node.span,
        host_process: r.bool(node, "hostProcess", &p),
    })
}

fn container(
    r: &mut Reader<'_>,
    c: &Node,
    kind: ContainerKind,
    index: usize,
    path: &str,
) -> Container {
    let p = |k: &str| format!("{path}.{k}");
    let mut env = Vec::new();
    for (i, item) in r.seq(c, "env", path).iter().enumerate() {
        let epath = format!("{}[{i}]", p("env"));
        if item.as_map().is_none() {
            r.wrong_type(item, &epath, "mapping");
            continue;
        }
        env.push(EnvVar {
            span: item.span,
            name: r
                .string(item, "name", &epath)
                .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
            value: r.string(item, "value", &epath),
            value_from: item.get("valueFrom").is_some_and(|v| !v.is_null()),
        });
    }
    let mut ports = Vec::new();
    for (i, item) in r.seq(c, "ports", path).iter().enumerate() {
        let ppath = format!("{}[{i}]", p("ports"));
        if item.as_map().is_none() {
            r.wrong_type(item, &ppath, "mapping");
            continue;
        }
        ports.push(ContainerPort {
            span: item.span,
            name: r.string(item, "name", &ppath),
            container_port: r.int(item, "containerPort", &ppath),
            host_port: r.int(item, "hostPort", &ppath),
            protocol: r.string(item, "protocol", &ppath),
        });
    }
    let mut volume_mounts = Vec::new();
    for (i, item) in r.seq(c, "volumeMounts", path).iter().enumerate() {
        let vpath = format!("{}[{i}]", p("volumeMounts"));
        if item.as_map().is_none() {
            r.wrong_type(item, &vpath, "mapping");
            continue;
        }
        volume_mounts.push(VolumeMount {
            span: item.span,
            name: r
                .string(item, "name", &vpath)
                .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
            mount_path: r.string(item, "mountPath", &vpath),
            read_only: r.bool(item, "readOnly", &vpath),
        });
    }
    let resources = r.map(c, "resources", path).map(|res| Resources {
        span: res.span,
        requests: r.string_map(res, "requests", &p("resources")),
        limits: r.string_map(res, "limits", &p("resources")),
    });
    let lifecycle = r.map(c, "lifecycle", path);
    let (post_start, pre_stop) = match lifecycle {
        Some(l) => (
            handler(r, l, "postStart", &p("lifecycle")),
            handler(r, l, "preStop", &p("lifecycle")),
        ),
        None => (None, None),
    };
    Container {
        kind,
        index,
        span: c.span,
        name: r
            .string(c, "name", path)
            .unwrap_or_else(|| Spanned::new(String::new(), c.span)),
        image: r.string(c, "image", path),
        image_pull_policy: r.string(c, "imagePullPolicy", path),
        command: r.strings(c, "command", path),
        args: r.strings(c, "args", path),
        env,
        ports,
        security_context: r
            .map(c, "securityContext", path)
            .map(|sc| security_context(r, sc, &p("securityContext"))),
        resources,
        liveness_probe: handler(r, c, "livenessProbe", path),
        readiness_probe: handler(r, c, "readinessProbe", path),
        startup_probe: handler(r, c, "startupProbe", path),
        post_start,
        pre_stop,
        volume_mounts,
    }
}

fn handler(r: &mut Reader<'_>, parent: &Node, key: &str, path: &str) -> Option<Handler> {
    let node = r.map(parent, key, path)?;
    let p = format!("{path}.{key}");
    let http_get_host = match r.map(node, "httpGet", &p) {
        Some(h) => r.string(h, "host", &format!("{p}.httpGet")),
        None => None,
    };
    let tcp_socket_host = match r.map(node, "tcpSocket", &p) {
        Some(t) => r.string(t, "host", &format!("{p}.tcpSocket")),
        None => None,
    };
    Some(Handler {
        span: node.span,
        http_get_host,
        tcp_socket_host,
    })
}

fn security_context(r: &mut Reader<'_>, sc: &Node, path: &str) -> SecurityContext {
    let p = |k: &str| format!("{path}.{k}");
    let capabilities = r.map(sc, "capabilities", path).map(|caps| Capabilities {
        span: caps.span,
        add: r.strings(caps, "add", &p("capabilities")),
        drop: r.strings(caps, "drop", &p("capabilities")),
    });
    SecurityContext {
        span: sc.span,
        privileged: r.bool(sc, "privileged", path),
        allow_privilege_escalation: r.bool(sc, "allowPrivilegeEscalation", path),
        capabilities,
        proc_mount: r.string(sc, "procMount", path),
        read_only_root_filesystem: r.bool(sc, "readOnlyRootFilesystem", path),
        run_as_non_root: r.bool(sc, "runAsNonRoot", path),
        run_as_user: r.int(sc, "runAsUser", path),
        run_as_group: r.int(sc, "runAsGroup", path),
        se_linux_options: selinux(r, sc, path),
        seccomp_profile: profile(r, sc, "seccompProfile", path),
        app_armor_profile: profile(r, sc, "appArmorProfile", path),
        windows_options: windows(r, sc, path),
    }
}

fn volume(r: &mut Reader<'_>, item: &Node, path: &str) -> Option<Volume> {
    let Some(map) = item.as_map() else {
        if !item.is_null() {
            r.wrong_type(item, path, "mapping");
        }
        return None;
    };
    let mut sources = Vec::new();
    for e in map.iter() {
        if VOLUME_SOURCES.contains(&e.key.as_str()) && !e.value.is_null() {
            sources.push(Spanned::new(e.key.clone(), e.key_span));
        }
    }
    let host_path = match r.map(item, "hostPath", path) {
        Some(h) => r.string(h, "path", &format!("{path}.hostPath")),
        None => None,
    };
    Some(Volume {
        span: item.span,
        name: r
            .string(item, "name", path)
            .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
        sources,
        host_path,
    })
}
