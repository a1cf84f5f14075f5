//! What to change in one Kubernetes workload, as format-neutral [`Change`]s.

use palisade_model::{Container, Finding, PssLevel, Resource, Value, WORKLOAD_KINDS};
use palisade_rules::pss::BASELINE_CAPABILITIES;
use palisade_rules::{Context, Settings};

use crate::edit::{path_text, Change, NewVal, Path, Seg};
use crate::{GeneratedSecret, ManualItem};

/// The user id written when a workload sets none.
pub const DEFAULT_RUN_AS_USER: i64 = 10001;

/// The placeholder written into generated Secrets instead of a credential.
pub const PLACEHOLDER: &str = "REPLACE_ME";

/// PSS checks palisade never fixes automatically, with the reason.
pub(crate) const MANUAL_RULES: &[(&str, &str)] = &[
    (
        "PSS-HOST-NAMESPACES",
        "the workload shares the node's network; removing hostNetwork changes its addresses, ports and DNS",
    ),
    (
        "PSS-HOST-PATH-VOLUMES",
        "the workload mounts a directory of the node; replace it with a volume that does not reach the host",
    ),
    (
        "PSS-RESTRICTED-VOLUMES",
        "the volume type is not allowed at restricted; replace it with a persistentVolumeClaim, configMap, secret, projected, emptyDir, ephemeral or csi volume",
    ),
    (
        "PSS-HOST-PORTS",
        "the container binds a port of the node; removing hostPort changes how it is reached (use a Service)",
    ),
    (
        "PSS-HOST-PROBES-LIFECYCLE",
        "a probe or lifecycle handler names another host; point it at the pod itself",
    ),
    (
        "PSS-SELINUX",
        "a custom SELinux type, user or role is set; the right label depends on the node's policy",
    ),
    (
        "PSS-SYSCTLS",
        "an unsafe sysctl is set; the workload may depend on the kernel setting",
    ),
    (
        "PSS-WINDOWS-HOST-PROCESS",
        "a Windows HostProcess container runs as a process of the node by design",
    ),
];

/// Everything decided for one object.
#[derive(Debug, Default)]
pub(crate) struct ObjectPlan {
    /// The changes, each with a description for people.
    pub(crate) changes: Vec<(Change, String)>,
    /// What a person has to decide.
    pub(crate) manual: Vec<ManualItem>,
    /// A Secret to create for credentials moved out of the manifest.
    pub(crate) secret: Option<GeneratedSecret>,
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

fn keys(dotted: &str) -> Path {
    dotted.split('.').map(key).collect()
}

fn join(base: &[Seg], rest: &[&str]) -> Path {
    let mut p = base.to_vec();
    p.extend(rest.iter().map(|k| key(k)));
    p
}

impl ObjectPlan {
    fn set(&mut self, path: Path, value: NewVal) {
        let what = format!("set {} to {}", path_text(&path), describe(&value));
        self.changes.push((Change::Set { path, value }, what));
    }

    fn remove(&mut self, path: Path, why: &str) {
        let what = format!("remove {} ({why})", path_text(&path));
        self.changes.push((Change::Remove { path }, what));
    }

    fn append(&mut self, path: Path, value: NewVal) {
        let what = format!("add {} to {}", describe(&value), path_text(&path));
        self.changes.push((Change::Append { path, value }, what));
    }
}

fn describe(v: &NewVal) -> String {
    match v {
        NewVal::Bool(b) => b.to_string(),
        NewVal::Int(i) => i.to_string(),
        NewVal::Str(s) => s.clone(),
        NewVal::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", describe(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        NewVal::Seq(items) => {
            let inner: Vec<String> = items.iter().map(describe).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

fn container_path(spec: &[Seg], c: &Container) -> Path {
    let mut p = spec.to_vec();
    p.push(key(c.kind.field()));
    p.push(Seg::Index(c.index));
    p
}

/// Whether a seccomp/AppArmor profile type is one the restricted level accepts.
fn confined(type_: &str) -> bool {
    type_ == "RuntimeDefault" || type_ == "Localhost"
}

/// Plans the fixes for one object.
pub(crate) fn plan(resource: &Resource, settings: &Settings) -> ObjectPlan {
    let mut out = ObjectPlan::default();
    let Some(pod) = &resource.pod else {
        return out;
    };
    if !WORKLOAD_KINDS.contains(&resource.kind.as_str()) {
        return out;
    }
    let restricted = settings.level == PssLevel::Restricted;
    let spec_path = keys(pod.spec_path);
    let meta_path: Path = match spec_path.split_last() {
        Some((_, parent)) if !parent.is_empty() => join(parent, &["metadata"]),
        _ => keys("metadata"),
    };
    let spec = &pod.spec;
    let linux = !spec.is_windows();
    let sc_path = join(&spec_path, &["securityContext"]);
    let psc = spec.security_context.as_ref();

    manual_items(resource, settings, &mut out);

    // Host namespaces: hostPID and hostIPC go unless the workload is a node agent.
    for (name, field) in [("hostPID", &spec.host_pid), ("hostIPC", &spec.host_ipc)] {
        if field.as_ref().is_some_and(|f| f.value) {
            if resource.kind == "DaemonSet" {
                out.manual.push(ManualItem {
                    rule_id: "PSS-HOST-NAMESPACES",
                    container: None,
                    span: field.as_ref().map_or(resource.span, |f| f.span),
                    message: format!(
                        "{name}: a DaemonSet is usually a node agent that needs the host's {}; remove it if it does not",
                        if name == "hostPID" { "processes" } else { "IPC" }
                    ),
                });
            } else {
                out.set(join(&spec_path, &[name]), NewVal::Bool(false));
            }
        }
    }

    // AppArmor annotations (any level: baseline forbids unconfined).
    for (k, v) in &pod.meta.annotations {
        if k.value
            .starts_with("container.apparmor.security.beta.kubernetes.io/")
        {
            let val = v.value.as_str();
            if !(val.is_empty() || val == "runtime/default" || val.starts_with("localhost/")) {
                let mut p = join(&meta_path, &["annotations"]);
                p.push(key(&k.value));
                out.set(p, NewVal::str("runtime/default"));
            }
        }
    }

    // Pod-level security context.
    if let Some(profile) = psc.and_then(|s| s.seccomp_profile.as_ref()) {
        let t = profile.type_str();
        if !confined(t) && (restricted || t == "Unconfined") {
            out.set(
                join(&sc_path, &["seccompProfile", "type"]),
                NewVal::str("RuntimeDefault"),
            );
        }
    } else if restricted && linux {
        out.set(
            join(&sc_path, &["seccompProfile", "type"]),
            NewVal::str("RuntimeDefault"),
        );
    }
    if let Some(profile) = psc.and_then(|s| s.app_armor_profile.as_ref()) {
        if !confined(profile.type_str()) {
            out.set(
                join(&sc_path, &["appArmorProfile", "type"]),
                NewVal::str("RuntimeDefault"),
            );
        }
    }
    if restricted {
        if psc
            .and_then(|s| s.run_as_non_root.as_ref())
            .is_none_or(|f| !f.value)
        {
            out.set(join(&sc_path, &["runAsNonRoot"]), NewVal::Bool(true));
        }
        if linux {
            match psc.and_then(|s| s.run_as_user.as_ref()) {
                Some(u) if u.value == 0 => {
                    out.set(
                        join(&sc_path, &["runAsUser"]),
                        NewVal::Int(DEFAULT_RUN_AS_USER),
                    );
                }
                Some(_) => {}
                None => {
                    let all_set = spec.containers.iter().all(|c| {
                        c.security_context
                            .as_ref()
                            .and_then(|s| s.run_as_user.as_ref())
                            .is_some()
                    });
                    if !all_set {
                        out.set(
                            join(&sc_path, &["runAsUser"]),
                            NewVal::Int(DEFAULT_RUN_AS_USER),
                        );
                    }
                }
            }
        }
    }

    for c in &spec.containers {
        container_fixes(&mut out, &spec_path, c, settings, linux);
    }

    credentials(resource, &spec_path, &mut out);
    out
}

fn container_fixes(
    out: &mut ObjectPlan,
    spec_path: &[Seg],
    c: &Container,
    settings: &Settings,
    linux: bool,
) {
    let restricted = settings.level == PssLevel::Restricted;
    let base = container_path(spec_path, c);
    let sc_path = join(&base, &["securityContext"]);
    let sc = c.security_context.as_ref();

    if sc
        .and_then(|s| s.privileged.as_ref())
        .is_some_and(|p| p.value)
    {
        out.set(join(&sc_path, &["privileged"]), NewVal::Bool(false));
    }
    if let Some(pm) = sc.and_then(|s| s.proc_mount.as_ref()) {
        if pm.value != "Default" {
            out.remove(join(&sc_path, &["procMount"]), "the default masks /proc");
        }
    }
    if let Some(profile) = sc.and_then(|s| s.seccomp_profile.as_ref()) {
        let t = profile.type_str();
        if !confined(t) && (restricted || t == "Unconfined") {
            out.set(
                join(&sc_path, &["seccompProfile", "type"]),
                NewVal::str("RuntimeDefault"),
            );
        }
    }
    if let Some(profile) = sc.and_then(|s| s.app_armor_profile.as_ref()) {
        if !confined(profile.type_str()) {
            out.set(
                join(&sc_path, &["appArmorProfile", "type"]),
                NewVal::str("RuntimeDefault"),
            );
        }
    }
    // Added capabilities beyond what the level allows.
    if let Some(caps) = sc.and_then(|s| s.capabilities.as_ref()) {
        let allowed = |cap: &str| {
            if restricted {
                cap == "NET_BIND_SERVICE"
            } else {
                BASELINE_CAPABILITIES.contains(&cap)
            }
        };
        let bad: Vec<usize> = caps
            .add
            .iter()
            .enumerate()
            .filter(|(_, a)| !allowed(&a.value))
            .map(|(i, _)| i)
            .collect();
        if !bad.is_empty() && bad.len() == caps.add.len() {
            out.remove(
                join(&sc_path, &["capabilities", "add"]),
                "no added capability is allowed",
            );
        } else {
            for i in bad.into_iter().rev() {
                let mut p = join(&sc_path, &["capabilities", "add"]);
                p.push(Seg::Index(i));
                out.remove(p, "capability not allowed");
            }
        }
    }
    if !restricted || !linux {
        if restricted
            && sc
                .and_then(|s| s.run_as_non_root.as_ref())
                .is_some_and(|f| !f.value)
        {
            out.set(join(&sc_path, &["runAsNonRoot"]), NewVal::Bool(true));
        }
        return;
    }
    if sc
        .and_then(|s| s.allow_privilege_escalation.as_ref())
        .is_none_or(|f| f.value)
    {
        out.set(
            join(&sc_path, &["allowPrivilegeEscalation"]),
            NewVal::Bool(false),
        );
    }
    let drops_all = sc
        .and_then(|s| s.capabilities.as_ref())
        .is_some_and(|caps| caps.drop.iter().any(|d| d.value == "ALL"));
    if !drops_all {
        out.append(
            join(&sc_path, &["capabilities", "drop"]),
            NewVal::str("ALL"),
        );
    }
    if sc
        .and_then(|s| s.run_as_non_root.as_ref())
        .is_some_and(|f| !f.value)
    {
        out.set(join(&sc_path, &["runAsNonRoot"]), NewVal::Bool(true));
    }
    if sc
        .and_then(|s| s.run_as_user.as_ref())
        .is_some_and(|u| u.value == 0)
    {
        out.set(
            join(&sc_path, &["runAsUser"]),
            NewVal::Int(DEFAULT_RUN_AS_USER),
        );
    }
    match sc.and_then(|s| s.read_only_root_filesystem.as_ref()) {
        None => out.set(join(&sc_path, &["readOnlyRootFilesystem"]), NewVal::Bool(true)),
        Some(r) if !r.value => out.manual.push(ManualItem {
            rule_id: "PAL-K8S-004",
            container: Some(c.name.value.clone()),
            span: r.span,
            message: "readOnlyRootFilesystem: false is set explicitly; mount an emptyDir where the container writes, then set it to true".into(),
        }),
        Some(_) => {}
    }
}

/// Findings of the checks palisade leaves to a person, as manual items.
fn manual_items(resource: &Resource, settings: &Settings, out: &mut ObjectPlan) {
    let found = pss_findings(std::slice::from_ref(resource), settings);
    for f in found {
        let Some((_, reason)) = MANUAL_RULES.iter().find(|(id, _)| *id == f.rule_id) else {
            continue;
        };
        // hostPID and hostIPC are fixed (or listed separately for DaemonSets).
        if f.rule_id == "PSS-HOST-NAMESPACES" && !f.message.contains("hostNetwork") {
            continue;
        }
        out.manual.push(ManualItem {
            rule_id: f.rule_id,
            container: f.container.clone(),
            span: f.location.span,
            message: format!("{}: {reason}", f.message),
        });
    }
}

/// The Pod Security Standards findings for `resources` at the configured level and version.
pub fn pss_findings(resources: &[Resource], settings: &Settings) -> Vec<Finding> {
    let ctx = Context {
        resources,
        settings,
    };
    let mut out = Vec::new();
    for resource in resources {
        for rule in palisade_rules::all_rules() {
            if rule.meta().pss.is_some() && rule.applies_to(&resource.kind) {
                rule.check(resource, &ctx, &mut out);
            }
        }
    }
    out
}

/// A Secret key for an env var name (`[-._a-zA-Z0-9]+`).
fn secret_key(name: &str) -> String {
    let k: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if k.is_empty() {
        "value".into()
    } else {
        k
    }
}

/// Moves literal credentials in `env[].value` to `valueFrom.secretKeyRef`.
fn credentials(resource: &Resource, spec_path: &[Seg], out: &mut ObjectPlan) {
    let Some(pod) = &resource.pod else { return };
    let name = resource.name();
    let secret_name = if name.is_empty() {
        "workload-credentials".to_string()
    } else {
        format!("{name}-credentials")
    };
    let mut keys_used: Vec<String> = Vec::new();
    for c in &pod.spec.containers {
        let base = container_path(spec_path, c);
        let Some(container) = node_at(&resource.node, &base) else {
            continue;
        };
        if container.get("name").and_then(|n| n.as_str()) != Some(c.name.value.as_str()) {
            continue;
        }
        let Some(env) = container.get("env").and_then(|n| n.as_seq()) else {
            continue;
        };
        for (i, var) in env.iter().enumerate() {
            let Some(var_name) = var.get("name").and_then(|n| n.as_str()) else {
                continue;
            };
            if var.get("valueFrom").is_some() {
                continue;
            }
            let Some(value) = var.get("value").and_then(|n| n.scalar_text()) else {
                continue;
            };
            if value.contains("$(")
                || matches!(var.get("value").map(|n| &n.value), Some(Value::Null))
            {
                continue;
            }
            if palisade_secrets::check_named_value(var_name, &value).is_none() {
                continue;
            }
            let mut k = secret_key(var_name);
            if keys_used.contains(&k) {
                k = format!("{}.{}", secret_key(&c.name.value), k);
            }
            keys_used.push(k.clone());
            let mut p = base.clone();
            p.push(key("env"));
            p.push(Seg::Index(i));
            out.remove(join(&p, &["value"]), "literal credential");
            out.set(
                join(&p, &["valueFrom"]),
                NewVal::Map(vec![(
                    "secretKeyRef".into(),
                    NewVal::Map(vec![
                        ("name".into(), NewVal::str(&secret_name)),
                        ("key".into(), NewVal::str(&k)),
                    ]),
                )]),
            );
        }
    }
    if !keys_used.is_empty() {
        out.secret = Some(GeneratedSecret {
            name: secret_name,
            namespace: resource.namespace().map(str::to_string),
            keys: keys_used,
        });
    }
}

fn node_at<'n>(root: &'n palisade_model::Node, path: &[Seg]) -> Option<&'n palisade_model::Node> {
    let mut cur = root;
    for seg in path {
        cur = match (seg, &cur.value) {
            (Seg::Key(k), Value::Map(m)) => m.get(k)?,
            (Seg::Index(i), Value::Seq(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}
