//! Azure Container Instances container groups into the shared model.
//!
//! Two sources hold container groups: the YAML files `az container create
//! --file` takes (one group per document, recognised by `type:
//! Microsoft.ContainerInstance/containerGroups`, or by a date `apiVersion`
//! with `properties.containers` and no `kind`), and ARM templates (read by
//! [`crate::arm`], which hands every group here with its expressions resolved).
//!
//! Each group becomes a [`Resource`] of kind [`CONTAINER_GROUP`] whose pod
//! template holds the init and regular containers and the volumes, so the
//! general container rules can read it; the raw group stays in
//! [`Resource::node`] for the ACI rules. A string that is still an ARM
//! expression after resolution ([`crate::arm::is_expression`]) is not a
//! literal: in a typed field it reads as absent, and an environment variable
//! holding one is a reference (`value_from`).

use std::sync::Arc;

use palisade_model::{
    Capabilities, Container, ContainerKind, ContainerPort, EnvVar, InputError, Mapping, Node,
    ObjectMeta, PodSpec, PodTemplate, Resource, Resources, SecurityContext, Spanned, Value, Volume,
    VolumeMount, VOLUME_SOURCES,
};

use crate::arm::is_expression;
use crate::normalize::Reader;
use crate::Loaded;

/// The ARM resource type of a container group.
pub(crate) const GROUP_TYPE: &str = "Microsoft.ContainerInstance/containerGroups";

/// The model kind of a container group.
pub(crate) const CONTAINER_GROUP: &str = "ContainerGroup";

/// Models a document that is an ARM template, an ARM parameters file or an
/// ACI YAML container group, and gives back any other document for
/// Kubernetes loading. `path` is the file's, when it is one (for pairing
/// templates with their parameters files).
pub(crate) fn take(
    file: &Arc<str>,
    document: &mut usize,
    root: Node,
    limits: &crate::Limits,
    path: Option<&std::path::Path>,
    loaded: &mut Loaded,
) -> Option<Node> {
    let Some(map) = root.as_map() else {
        return Some(root);
    };
    if crate::arm::is_template(map) {
        crate::arm::add_template(file, document, root, limits, path, loaded);
    } else if crate::arm::is_parameters(map) {
        crate::arm::add_parameters(file, *document, root, limits, path, loaded);
    } else if is_aci_yaml(map) {
        add_yaml_group(file, *document, root, loaded);
    } else {
        return Some(root);
    }
    None
}

/// Whether a document is an ACI YAML container group.
pub(crate) fn is_aci_yaml(map: &Mapping) -> bool {
    if let Some(t) = map.get("type").and_then(Node::as_str) {
        return t.eq_ignore_ascii_case(GROUP_TYPE);
    }
    map.get("kind").is_none()
        && map
            .get("apiVersion")
            .and_then(Node::scalar_text)
            .is_some_and(|v| looks_like_date(&v))
        && map
            .get("properties")
            .and_then(|p| p.get("containers"))
            .is_some()
}

/// `YYYY-MM-DD`, optionally followed by `-preview`.
fn looks_like_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 10
        && b.iter().take(10).enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Loads one ACI YAML document as a container group.
pub(crate) fn add_yaml_group(file: &Arc<str>, document: usize, obj: Node, loaded: &mut Loaded) {
    let version = obj
        .get("apiVersion")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    add_group(file, document, &version, obj, loaded);
}

/// Models one container group node (ACI YAML document or resolved ARM resource).
pub(crate) fn add_group(
    file: &Arc<str>,
    document: usize,
    version: &str,
    group: Node,
    loaded: &mut Loaded,
) {
    let mut r = Reader::new(file);
    let name = string(&mut r, &group, "name", "");
    let meta = ObjectMeta {
        span: group.span,
        name,
        ..ObjectMeta::default()
    };
    let pod = match r.map(&group, "properties", "") {
        Some(props) => Some(PodTemplate {
            meta: meta.clone(),
            spec: pod_spec(&mut r, props),
            spec_path: "properties",
        }),
        None => {
            if r.errors.is_empty() {
                r.errors.push(InputError {
                    file: file.clone(),
                    span: Some(group.span),
                    message: format!(
                        "container group `{}` has no `properties`",
                        meta.name.as_ref().map_or("", |n| n.value.as_str())
                    ),
                    help: Some("a container group needs `properties.containers`".into()),
                });
            }
            None
        }
    };
    if !r.errors.is_empty() {
        r.errors.sort_by_key(|e| e.span);
        loaded.errors.append(&mut r.errors);
        return;
    }
    loaded.stats.objects += 1;
    let api_version = if version.is_empty() {
        GROUP_TYPE.to_string()
    } else {
        format!("{GROUP_TYPE}@{version}")
    };
    loaded.resources.push(Resource {
        file: file.clone(),
        document,
        api_version,
        kind: CONTAINER_GROUP.to_string(),
        meta,
        span: group.span,
        node: group,
        pod,
        helm_source: None,
        dockerfile: None,
    });
}

/// Whether `parent.key` is an unresolved expression (read as absent).
fn symbolic(parent: &Node, key: &str) -> bool {
    parent
        .get(key)
        .and_then(Node::as_str)
        .is_some_and(is_expression)
}

fn map<'n>(r: &mut Reader<'_>, parent: &'n Node, key: &str, at: &str) -> Option<&'n Node> {
    if symbolic(parent, key) {
        return None;
    }
    r.map(parent, key, at)
}

fn seq<'n>(r: &mut Reader<'_>, parent: &'n Node, key: &str, at: &str) -> &'n [Node] {
    if symbolic(parent, key) {
        return &[];
    }
    r.seq(parent, key, at)
}

fn boolean(r: &mut Reader<'_>, parent: &Node, key: &str, at: &str) -> Option<Spanned<bool>> {
    if symbolic(parent, key) {
        return None;
    }
    r.bool(parent, key, at)
}

fn int(r: &mut Reader<'_>, parent: &Node, key: &str, at: &str) -> Option<Spanned<i64>> {
    if symbolic(parent, key) {
        return None;
    }
    r.int(parent, key, at)
}

fn string(r: &mut Reader<'_>, parent: &Node, key: &str, at: &str) -> Option<Spanned<String>> {
    r.string(parent, key, at)
}

fn strings(r: &mut Reader<'_>, parent: &Node, key: &str, at: &str) -> Vec<Spanned<String>> {
    if symbolic(parent, key) {
        return Vec::new();
    }
    r.strings(parent, key, at)
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn pod_spec(r: &mut Reader<'_>, props: &Node) -> PodSpec {
    let path = "properties";
    let mut containers = Vec::new();
    for kind in [ContainerKind::Init, ContainerKind::Regular] {
        let field = kind.field();
        for (i, item) in seq(r, props, field, path).iter().enumerate() {
            let cpath = format!("{path}.{field}[{i}]");
            if item.as_map().is_none() {
                if !item.is_null() {
                    not_a_mapping(r, item, path, &format!("{field}[{i}]"));
                }
                continue;
            }
            containers.push(container(r, item, kind, i, &cpath));
        }
    }
    let mut volumes = Vec::new();
    for (i, item) in seq(r, props, "volumes", path).iter().enumerate() {
        let vpath = format!("{path}.volumes[{i}]");
        let Some(m) = item.as_map() else {
            if !item.is_null() {
                not_a_mapping(r, item, path, &format!("volumes[{i}]"));
            }
            continue;
        };
        let sources = m
            .iter()
            .filter(|e| VOLUME_SOURCES.contains(&e.key.as_str()) && !e.value.is_null())
            .map(|e| Spanned::new(e.key.clone(), e.key_span))
            .collect();
        volumes.push(Volume {
            span: item.span,
            name: string(r, item, "name", &vpath)
                .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
            sources,
            host_path: None,
        });
    }
    let os_name = string(r, props, "osType", path)
        .filter(|o| !is_expression(&o.value))
        .map(|o| Spanned::new(o.value.to_ascii_lowercase(), o.span));
    PodSpec {
        span: props.span,
        containers,
        volumes,
        os_name,
        ..PodSpec::default()
    }
}

/// Reports `node` (at `at.key`) as not a mapping, with the reader's message.
fn not_a_mapping(r: &mut Reader<'_>, node: &Node, at: &str, key: &str) {
    let _ = r.map(&wrap(node, key), key, at);
}

/// A one-entry mapping `key: node`, so the reader can report `node`'s type.
fn wrap(node: &Node, key: &str) -> Node {
    Node::new(
        Value::Map(Mapping {
            entries: vec![palisade_model::Entry {
                key: key.into(),
                key_span: node.span,
                value: node.clone(),
            }],
        }),
        node.span,
    )
}

fn container(
    r: &mut Reader<'_>,
    c: &Node,
    kind: ContainerKind,
    index: usize,
    cpath: &str,
) -> Container {
    let name = string(r, c, "name", cpath).unwrap_or_else(|| Spanned::new(String::new(), c.span));
    let empty = Node::new(Value::Map(Mapping::default()), c.span);
    let ppath = join(cpath, "properties");
    let p = map(r, c, "properties", cpath).unwrap_or(&empty);
    let sub = |k: &str| join(&ppath, k);

    let mut env = Vec::new();
    for (i, item) in seq(r, p, "environmentVariables", &ppath).iter().enumerate() {
        let epath = format!("{}[{i}]", sub("environmentVariables"));
        if item.as_map().is_none() {
            not_a_mapping(r, item, &ppath, &format!("environmentVariables[{i}]"));
            continue;
        }
        let value = string(r, item, "value", &epath);
        let secure = item.get("secureValue").is_some_and(|v| !v.is_null());
        let reference = value.as_ref().is_some_and(|v| is_expression(&v.value));
        env.push(EnvVar {
            span: item.span,
            name: string(r, item, "name", &epath)
                .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
            value: if reference { None } else { value },
            value_from: secure || reference,
        });
    }

    let mut ports = Vec::new();
    for (i, item) in seq(r, p, "ports", &ppath).iter().enumerate() {
        let pp = format!("{}[{i}]", sub("ports"));
        if item.as_map().is_none() {
            not_a_mapping(r, item, &ppath, &format!("ports[{i}]"));
            continue;
        }
        ports.push(ContainerPort {
            span: item.span,
            name: None,
            container_port: int(r, item, "port", &pp),
            host_port: None,
            protocol: string(r, item, "protocol", &pp),
        });
    }

    let mut volume_mounts = Vec::new();
    for (i, item) in seq(r, p, "volumeMounts", &ppath).iter().enumerate() {
        let vp = format!("{}[{i}]", sub("volumeMounts"));
        if item.as_map().is_none() {
            not_a_mapping(r, item, &ppath, &format!("volumeMounts[{i}]"));
            continue;
        }
        volume_mounts.push(VolumeMount {
            span: item.span,
            name: string(r, item, "name", &vp)
                .unwrap_or_else(|| Spanned::new(String::new(), item.span)),
            mount_path: string(r, item, "mountPath", &vp),
            read_only: boolean(r, item, "readOnly", &vp),
        });
    }

    let resources = map(r, p, "resources", &ppath).map(|res| {
        let rp = sub("resources");
        Resources {
            span: res.span,
            requests: quantities(r, res, "requests", &rp),
            limits: quantities(r, res, "limits", &rp),
        }
    });

    let security_context = map(r, p, "securityContext", &ppath).map(|sc| {
        let sp = sub("securityContext");
        let capabilities = map(r, sc, "capabilities", &sp).map(|caps| {
            let cp = join(&sp, "capabilities");
            Capabilities {
                span: caps.span,
                add: strings(r, caps, "add", &cp),
                drop: strings(r, caps, "drop", &cp),
            }
        });
        SecurityContext {
            span: sc.span,
            privileged: boolean(r, sc, "privileged", &sp),
            allow_privilege_escalation: boolean(r, sc, "allowPrivilegeEscalation", &sp),
            capabilities,
            run_as_user: int(r, sc, "runAsUser", &sp),
            run_as_group: int(r, sc, "runAsGroup", &sp),
            ..SecurityContext::default()
        }
    });

    Container {
        kind,
        index,
        span: c.span,
        name,
        image: string(r, p, "image", &ppath),
        image_pull_policy: None,
        command: strings(r, p, "command", &ppath),
        args: Vec::new(),
        env,
        ports,
        security_context,
        resources,
        liveness_probe: None,
        readiness_probe: None,
        startup_probe: None,
        post_start: None,
        pre_stop: None,
        volume_mounts,
    }
}

/// `requests`/`limits`: `cpu` as written, `memoryInGB` as `memory: <n>Gi`,
/// `gpu.count` as `nvidia.com/gpu`.
fn quantities(
    r: &mut Reader<'_>,
    res: &Node,
    key: &str,
    at: &str,
) -> Vec<(Spanned<String>, Spanned<String>)> {
    let Some(node) = map(r, res, key, at) else {
        return Vec::new();
    };
    let path = join(at, key);
    let mut out = Vec::new();
    let Some(m) = node.as_map() else {
        return out;
    };
    for e in m.iter() {
        let name = match e.key.as_str() {
            "cpu" => "cpu",
            k if k.eq_ignore_ascii_case("memoryInGB") => "memory",
            "gpu" => {
                if let Some(count) = e.value.get("count").and_then(Node::scalar_text) {
                    out.push((
                        Spanned::new("nvidia.com/gpu".to_string(), e.key_span),
                        Spanned::new(count, e.value.span),
                    ));
                }
                continue;
            }
            _ => continue,
        };
        let p = format!("{path}.{}", e.key);
        let value = match &e.value.value {
            Value::Str(s) if is_expression(s) => continue,
            Value::Int(_) | Value::Float(_) | Value::Str(_) => r.string_node(&e.value, &p),
            Value::Null => continue,
            _ => {
                let _ = r.string(&wrap(&e.value, &e.key), &e.key, &path);
                continue;
            }
        };
        if let Some(v) = value {
            let text = if name == "memory" {
                format!("{}Gi", v.value)
            } else {
                v.value
            };
            out.push((
                Spanned::new(name.to_string(), e.key_span),
                Spanned::new(text, v.span),
            ));
        }
    }
    out
}
