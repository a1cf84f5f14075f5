//! `palisade fix` for Azure Container Instances: container groups in ACI
//! YAML files and in ARM templates (JSON, comments allowed).
//!
//! What is fixed, each as a minimal edit where the value is written:
//!
//! - an `environmentVariables[]` entry whose `value` is a literal credential
//!   becomes `secureValue`. In ACI YAML the literal is replaced by
//!   [`PLACEHOLDER`] (the value must be supplied at deploy time, which is
//!   listed for a person); in an ARM template it becomes
//!   `[parameters('<name>')]` and a `securestring` parameter without a
//!   default is added to the template's `parameters`;
//! - a literal credential in `secureValue` (still a secret committed in the
//!   file) is replaced the same way;
//! - a `value` holding a `list*()` result (`listKeys()`) becomes
//!   `secureValue`, the expression kept;
//! - `privileged: true` becomes `false`.
//!
//! A value that reaches the group through a variable or a parameter default
//! is not rewritten (the literal is elsewhere in the template), nor is a
//! group inside a nested deployment with inner scope (a new parameter would
//! have to be passed through); both are listed for a person, as are the
//! other `PAL-ACI` findings, each with a precise hint.

use palisade_load::{is_expression, load_str, strip_arm_comments, Limits};
use palisade_model::{Finding, Node, Resource, Span, Value};
use palisade_rules::{Context, Settings};

use crate::edit::{self, Change, NewVal, Path, Seg};
use crate::{FileFix, FixError, Fixer, ManualItem, ObjectFix, PLACEHOLDER};

/// The model kind of a container group.
const CONTAINER_GROUP: &str = "ContainerGroup";
/// The model kind of a whole ARM template.
const ARM_TEMPLATE: &str = "ArmTemplate";

/// Azure Container Instances container groups, in ACI YAML files and ARM templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct AzureContainerInstances;

impl Fixer for AzureContainerInstances {
    fn fix(&self, file: &str, text: &str, settings: &Settings) -> Result<FileFix, FixError> {
        fix_aci(file, text, settings)
    }
}

fn key(k: &str) -> Seg {
    Seg::Key(k.to_string())
}

fn join(base: &[Seg], rest: &[Seg]) -> Path {
    let mut p = base.to_vec();
    p.extend_from_slice(rest);
    p
}

/// Where a container group is written in the file.
struct Site<'r> {
    /// The node edits are made in: the YAML document, or the whole template.
    root: &'r Node,
    /// The template resource (index into the loaded resources), for ARM.
    template: Option<usize>,
    /// Path from `root` to the group.
    base: Path,
    /// Whether `parameters()` in the group names the root template's
    /// parameters (false inside a nested deployment with inner scope).
    root_scope: bool,
}

/// One object's plan: its index in the loaded resources, the changes
/// described for people, the touched paths, and what is left for a person.
type ObjectEntry = (usize, Vec<String>, Vec<Path>, Vec<ManualItem>);

/// The planned fixes of one file.
#[derive(Default)]
struct FilePlan {
    /// Per edited root (index of the resource whose node is the root): changes.
    roots: Vec<(usize, Vec<Change>)>,
    /// Per object (index into the loaded resources): descriptions, touched paths, manual items.
    objects: Vec<ObjectEntry>,
}

impl FilePlan {
    fn object(&mut self, i: usize) -> &mut ObjectEntry {
        let at = match self.objects.iter().position(|o| o.0 == i) {
            Some(at) => at,
            None => {
                self.objects.push((i, Vec::new(), Vec::new(), Vec::new()));
                self.objects.len() - 1
            }
        };
        &mut self.objects[at]
    }

    fn root(&mut self, i: usize) -> &mut Vec<Change> {
        let at = match self.roots.iter().position(|o| o.0 == i) {
            Some(at) => at,
            None => {
                self.roots.push((i, Vec::new()));
                self.roots.len() - 1
            }
        };
        &mut self.roots[at].1
    }

    fn changed(&self) -> bool {
        self.roots.iter().any(|(_, c)| !c.is_empty())
    }

    fn first_change(&self) -> Option<String> {
        self.objects
            .iter()
            .find_map(|(_, d, _, _)| d.first().cloned())
    }
}

/// Fixes the container groups of one ACI YAML or ARM template text.
pub fn fix_aci(file: &str, text: &str, settings: &Settings) -> Result<FileFix, FixError> {
    let limits = Limits::default();
    let loaded = load_str(file, text, &limits);
    if !loaded.errors.is_empty() {
        return Err(FixError::Input(loaded.errors));
    }
    let resources = &loaded.resources;
    let plan = plan_file(resources, settings);
    let fixed = if plan.changed() {
        let stripped = strip_arm_comments(file, text).map_err(|e| FixError::Input(vec![e]))?;
        let scan = stripped.as_deref().unwrap_or(text);
        let src = edit::Source::new(scan);
        let roots: Vec<Node> = plan
            .roots
            .iter()
            .filter_map(|(i, _)| resources.get(*i).map(|r| r.node.clone()))
            .collect();
        let style = edit::Style::learn(&src, &roots);
        let pairs: Vec<(&Node, &[Change])> = plan
            .roots
            .iter()
            .filter_map(|(i, c)| resources.get(*i).map(|r| (&r.node, c.as_slice())))
            .collect();
        edit::apply_mapped(&src, text, style, &pairs).map_err(FixError::Unsafe)?
    } else {
        text.to_string()
    };
    let mut objects = Vec::new();
    for (i, changes, touched, manual) in plan.objects {
        let Some(r) = resources.get(i) else { continue };
        if changes.is_empty() && manual.is_empty() && touched.is_empty() {
            continue;
        }
        objects.push(ObjectFix {
            object: r.reference(),
            span: r.span,
            changes,
            touched,
            manual,
        });
    }
    if fixed != text {
        let after = crate::verify_unchanged(file, resources, &objects, &fixed)?;
        if let Some(what) = plan_file(&after, settings).first_change() {
            return Err(FixError::Unsafe(format!(
                "the fix does not converge (a second run would {what})"
            )));
        }
    }
    // Objects only listed for the check (a template whose groups changed) are not reported.
    objects.retain(|o| !o.changes.is_empty() || !o.manual.is_empty());
    Ok(FileFix {
        fixed,
        objects,
        secrets: Vec::new(),
    })
}

/// The path from `node` to the mapping whose span is `span` (spans of
/// collections mark where they start, so the search visits every node).
fn find_path(node: &Node, span: Span, at: &mut Path, depth: usize) -> Option<Path> {
    if depth > 256 {
        return None;
    }
    if node.span == span && node.as_map().is_some() {
        return Some(at.clone());
    }
    match &node.value {
        Value::Map(m) => m.iter().find_map(|e| {
            at.push(key(&e.key));
            let found = find_path(&e.value, span, at, depth + 1);
            at.pop();
            found
        }),
        Value::Seq(items) => items.iter().enumerate().find_map(|(i, item)| {
            at.push(Seg::Index(i));
            let found = find_path(item, span, at, depth + 1);
            at.pop();
            found
        }),
        _ => None,
    }
}

/// The template a container group `resources[i]` was found in, with the
/// path to the group: the loader puts a template's groups right after it.
fn template_of(resources: &[Resource], i: usize) -> Option<(usize, Path)> {
    let group = resources.get(i)?;
    let mut j = i;
    while j > 0 {
        j -= 1;
        let r = resources.get(j)?;
        match r.kind.as_str() {
            CONTAINER_GROUP => continue,
            ARM_TEMPLATE => {
                return find_path(&r.node, group.span, &mut Vec::new(), 0).map(|p| (j, p));
            }
            _ => return None,
        }
    }
    None
}

fn node_at<'n>(root: &'n Node, path: &[Seg]) -> Option<&'n Node> {
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

/// Whether the group at `base` in a template is evaluated in the root
/// template's scope: no nested deployment on the way has `scope: inner`.
fn in_root_scope(root: &Node, base: &[Seg]) -> bool {
    (0..base.len()).all(|n| {
        let Some(node) = node_at(root, &base[..n]) else {
            return true;
        };
        let deployment = node
            .get("type")
            .and_then(Node::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("Microsoft.Resources/deployments"));
        !(deployment
            && node
                .path(&["properties", "expressionEvaluationOptions", "scope"])
                .and_then(Node::as_str)
                .is_some_and(|s| s.eq_ignore_ascii_case("inner")))
    })
}

/// Where the group `resources[i]` is written.
fn site(resources: &[Resource], i: usize) -> Option<Site<'_>> {
    let group = resources.get(i)?;
    match template_of(resources, i) {
        Some((t, base)) => {
            let root = &resources.get(t)?.node;
            Some(Site {
                root,
                template: Some(t),
                root_scope: in_root_scope(root, &base),
                base,
            })
        }
        None => Some(Site {
            root: &group.node,
            template: None,
            base: Vec::new(),
            root_scope: true,
        }),
    }
}

/// The `list*()` function an expression calls (`listKeys`, `listSecrets`), if any.
fn list_call(expression: &str) -> Option<&str> {
    let bytes = expression.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if word_start
            && bytes
                .get(i..i + 4)
                .is_some_and(|w| w.eq_ignore_ascii_case(b"list"))
        {
            let mut j = i + 4;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'_') {
                j += 1;
            }
            if bytes.get(j) == Some(&b'(') {
                return expression.get(i..j);
            }
            i = j;
        } else {
            i += 1;
        }
    }
    None
}

/// A parameter name for an environment variable: `DB_PASSWORD` -> `dbPassword`.
fn camel(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let lower = word.to_ascii_lowercase();
        if out.is_empty() {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "secret");
    }
    out
}

/// Plans the fixes of every container group of a file, and lists the rest.
fn plan_file(resources: &[Resource], settings: &Settings) -> FilePlan {
    let mut plan = FilePlan::default();
    // Parameter names taken, per template.
    let mut taken: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, r) in resources.iter().enumerate() {
        if r.kind != CONTAINER_GROUP {
            continue;
        }
        let Some(site) = site(resources, i) else {
            plan.object(i).3.push(ManualItem {
                rule_id: "PAL-ACI-001",
                container: None,
                span: r.span,
                message: "the container group is not written where the template places it; fix it by hand".into(),
            });
            continue;
        };
        let root_index = site.template.unwrap_or(i);
        let names = match taken.iter().position(|(t, _)| *t == root_index) {
            Some(at) => at,
            None => {
                let existing = site
                    .root
                    .get("parameters")
                    .and_then(Node::as_map)
                    .map(|m| m.iter().map(|e| e.key.to_ascii_lowercase()).collect())
                    .unwrap_or_default();
                taken.push((root_index, existing));
                taken.len() - 1
            }
        };
        plan_group(&mut plan, resources, i, &site, &mut taken[names].1);
    }
    manual_findings(&mut plan, resources, settings);
    plan
}

/// One fix to one group, before it is recorded.
struct GroupChange {
    /// Path from the group.
    path: Path,
    change: ChangeKind,
    what: String,
}

enum ChangeKind {
    /// Rename `value` to `secureValue`, with a new value or keeping it.
    ToSecure(Option<NewVal>),
    /// Set a scalar.
    Set(NewVal),
}

fn plan_group(
    plan: &mut FilePlan,
    resources: &[Resource],
    i: usize,
    site: &Site<'_>,
    taken: &mut Vec<String>,
) {
    let Some(group) = resources.get(i) else {
        return;
    };
    let Some(orig_group) = node_at(site.root, &site.base) else {
        return;
    };
    let arm = site.template.is_some();
    let mut changes: Vec<GroupChange> = Vec::new();
    let mut manual: Vec<ManualItem> = Vec::new();
    let mut params: Vec<String> = Vec::new();
    for kind in ["initContainers", "containers"] {
        let Some(containers) = group
            .node
            .path(&["properties", kind])
            .and_then(Node::as_seq)
        else {
            continue;
        };
        for (ci, c) in containers.iter().enumerate() {
            let cname = c.get("name").and_then(Node::as_str).unwrap_or_default();
            let cpath = vec![
                key("properties"),
                key(kind),
                Seg::Index(ci),
                key("properties"),
            ];
            let Some(props) = c.get("properties") else {
                continue;
            };
            let vars = props
                .get("environmentVariables")
                .and_then(Node::as_seq)
                .unwrap_or_default();
            for (ei, var) in vars.iter().enumerate() {
                let name = var.get("name").and_then(Node::as_str).unwrap_or_default();
                let vpath = join(&cpath, &[key("environmentVariables"), Seg::Index(ei)]);
                let orig_var = node_at(orig_group, &vpath).filter(|v| v.as_map().is_some());
                let secure = var.get("secureValue");
                let (field, node) = match (secure, var.get("value")) {
                    (Some(s), _) if !s.is_null() => ("secureValue", s),
                    (_, Some(v)) => ("value", v),
                    _ => continue,
                };
                let Some(resolved) = node.as_str() else {
                    continue;
                };
                let orig_value = orig_var.and_then(|v| v.get(field));
                let written = orig_value.and_then(Node::as_str);
                if is_expression(resolved) {
                    if field == "value" {
                        if let Some(function) = list_call(resolved) {
                            if orig_var.is_some_and(|v| v.get("secureValue").is_none()) {
                                changes.push(GroupChange {
                                    path: join(&vpath, &[key("value")]),
                                    change: ChangeKind::ToSecure(None),
                                    what: format!(
                                        "move env var {name}'s {function}() result to secureValue"
                                    ),
                                });
                            }
                        }
                    }
                    continue;
                }
                if palisade_secrets::check_named_value(name, resolved).is_none() {
                    continue;
                }
                let literal_here =
                    written == Some(resolved) && orig_value.is_some_and(|o| o.span == node.span);
                if !literal_here {
                    manual.push(ManualItem {
                        rule_id: rule_for(field),
                        container: Some(cname.to_string()),
                        span: node.span,
                        message: format!(
                            "env var {name}: the credential comes from {} elsewhere in the template; make that a securestring parameter without a default, pass it to secureValue, and rotate the credential",
                            written.unwrap_or("an expression")
                        ),
                    });
                    continue;
                }
                if field == "value" && orig_var.is_some_and(|v| v.get("secureValue").is_some()) {
                    continue;
                }
                let replacement = if !arm {
                    manual.push(ManualItem {
                        rule_id: rule_for(field),
                        container: Some(cname.to_string()),
                        span: node.span,
                        message: format!(
                            "env var {name}: the literal credential was replaced by secureValue {PLACEHOLDER}; supply the real value at deploy time (substitute it from your secret store when the file is deployed, never commit it) and rotate the credential, which is in the repository's history"
                        ),
                    });
                    NewVal::str(PLACEHOLDER)
                } else if site.root_scope {
                    let base_name = camel(name);
                    let mut param = base_name.clone();
                    if taken.contains(&param.to_ascii_lowercase()) {
                        param = format!("{}{}", camel(cname), capitalise(&base_name));
                    }
                    let mut n = 2;
                    while taken.contains(&param.to_ascii_lowercase()) {
                        param = format!("{base_name}{n}");
                        n += 1;
                    }
                    taken.push(param.to_ascii_lowercase());
                    params.push(param.clone());
                    manual.push(ManualItem {
                        rule_id: rule_for(field),
                        container: Some(cname.to_string()),
                        span: node.span,
                        message: format!(
                            "env var {name}: the literal credential was replaced by the new securestring parameter `{param}`; supply it at deploy time (a Key Vault reference in the parameters file) and rotate the credential, which is in the repository's history"
                        ),
                    });
                    NewVal::Str(format!("[parameters('{param}')]"))
                } else {
                    manual.push(ManualItem {
                        rule_id: rule_for(field),
                        container: Some(cname.to_string()),
                        span: node.span,
                        message: format!(
                            "env var {name}: a literal credential in a nested deployment with inner scope; add a securestring parameter to the nested template, pass it from the parent's parameters (a Key Vault reference), use it in secureValue, and rotate the credential"
                        ),
                    });
                    continue;
                };
                changes.push(GroupChange {
                    path: join(&vpath, &[key(field)]),
                    change: if field == "value" {
                        ChangeKind::ToSecure(Some(replacement))
                    } else {
                        ChangeKind::Set(replacement)
                    },
                    what: format!(
                        "replace env var {name}'s literal credential with secureValue {}",
                        if arm {
                            "from a securestring parameter"
                        } else {
                            PLACEHOLDER
                        }
                    ),
                });
            }
            // privileged: true -> false, where it is written as a literal.
            let ppath = join(&cpath, &[key("securityContext"), key("privileged")]);
            if let Some(p) = node_at(&group.node, &ppath) {
                if matches!(p.value, Value::Bool(true)) {
                    match node_at(orig_group, &ppath) {
                        Some(o) if matches!(o.value, Value::Bool(true)) && o.span == p.span => {
                            changes.push(GroupChange {
                                path: ppath,
                                change: ChangeKind::Set(NewVal::Bool(false)),
                                what: format!("set container {cname}'s privileged to false"),
                            });
                        }
                        _ => manual.push(ManualItem {
                            rule_id: "PAL-ACI-009",
                            container: Some(cname.to_string()),
                            span: p.span,
                            message: "privileged: true comes from a parameter or variable; set its value to false".into(),
                        }),
                    }
                }
            }
        }
    }
    let root_index = site.template.unwrap_or(i);
    {
        let root_changes = plan.root(root_index);
        for c in &changes {
            let path = join(&site.base, &c.path);
            root_changes.push(match &c.change {
                ChangeKind::ToSecure(v) => Change::Rename {
                    path,
                    to: "secureValue".into(),
                    value: v.clone(),
                },
                ChangeKind::Set(v) => Change::Set {
                    path,
                    value: v.clone(),
                },
            });
        }
        for p in &params {
            root_changes.push(Change::Set {
                path: vec![key("parameters"), key(p)],
                value: NewVal::Map(vec![("type".into(), NewVal::str("securestring"))]),
            });
        }
    }
    let mut group_touched = Vec::new();
    let mut template_touched = Vec::new();
    for c in &changes {
        let change = match &c.change {
            ChangeKind::ToSecure(_) => Change::Rename {
                path: c.path.clone(),
                to: "secureValue".into(),
                value: None,
            },
            ChangeKind::Set(v) => Change::Set {
                path: c.path.clone(),
                value: v.clone(),
            },
        };
        for t in change.touched() {
            template_touched.push(join(&site.base, &t));
            group_touched.push(t);
        }
    }
    let obj = plan.object(i);
    obj.1.extend(changes.iter().map(|c| c.what.clone()));
    obj.2.extend(group_touched);
    obj.3.extend(manual);
    if let Some(t) = site.template {
        let tobj = plan.object(t);
        tobj.1.extend(
            params
                .iter()
                .map(|p| format!("add securestring parameter {p} (no default)")),
        );
        tobj.2.extend(template_touched);
        tobj.2
            .extend(params.iter().map(|p| vec![key("parameters"), key(p)]));
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The rule a credential in `field` is reported by.
fn rule_for(field: &str) -> &'static str {
    if field == "secureValue" {
        "PAL-ACI-012"
    } else {
        "PAL-ACI-001"
    }
}

/// Rules whose findings are listed for a person, with what to do.
const MANUAL_HINTS: &[(&str, &str)] = &[
    (
        "PAL-ACI-002",
        "give the group a managed identity with AcrPull on the registry and set `identity` on this registry credential instead of `username`/`password`; then rotate the password",
    ),
    (
        "PAL-ACI-004",
        "secret volume contents are written in the file: in a template pass them from a secureObject/securestring parameter, in ACI YAML substitute them at deploy time; rotate them",
    ),
    (
        "PAL-ACI-006",
        "remove the defaultValue and supply the value at deploy time (a Key Vault reference in the parameters file); rotate it",
    ),
    (
        "PAL-ACI-007",
        "change the parameter's type to securestring (secureObject for an object) and check that no output returns it",
    ),
    (
        "PAL-ACI-008",
        "the group is reachable from the internet and is in no VNet: either set ipAddress.type to Private and add subnetIds with a subnet delegated to Microsoft.ContainerInstance/containerGroups (clients then reach it through the VNet, a gateway or a load balancer), or keep it public on purpose with TLS and authentication in the application",
    ),
    (
        "PAL-ACI-010",
        "gitRepo volumes are deprecated: clone the repository in an init container into an emptyDir volume, or build the content into the image",
    ),
    (
        "PAL-ACI-011",
        "set resources.requests.cpu and memoryInGB from what the container is measured to need",
    ),
    (
        "PAL-K8S-005",
        "remove the added capability unless the workload needs it; ACI grants the default set",
    ),
    (
        "PAL-K8S-002",
        "set runAsGroup to a non-zero group the image's files allow",
    ),
];

/// A hint for a literal key: the `listKeys()` expression that replaces it in
/// a template, or deploy-time substitution in ACI YAML.
fn key_hint(f: &Finding, group: &Resource, arm: bool) -> Option<String> {
    let props = group.node.get("properties")?;
    match f.rule_id {
        "PAL-ACI-003" => {
            let volumes = props.get("volumes").and_then(Node::as_seq)?;
            let account = volumes.iter().find_map(|v| {
                let af = v.get("azureFile")?;
                let key = af.get("storageAccountKey")?;
                (key.span == f.location.span)
                    .then(|| af.get("storageAccountName").and_then(Node::as_str))
                    .flatten()
            });
            let account = account.unwrap_or("<storageAccountName>");
            Some(if arm {
                format!("replace it with \"[listKeys(resourceId('Microsoft.Storage/storageAccounts', '{account}'), '2023-01-01').keys[0].value]\" (storageAccountKey is a secure property), or mount with a managed identity; then rotate the key of {account}")
            } else {
                format!("the key of storage account {account} is in the file: substitute it at deploy time from your secret store (or deploy from an ARM template with listKeys()), and rotate it")
            })
        }
        "PAL-ACI-005" => Some(if arm {
            "replace it with \"[listKeys(resourceId('Microsoft.OperationalInsights/workspaces', '<workspace>'), '2022-10-01').primarySharedKey]\" (workspaceKey is a secure property); then regenerate the workspace key".to_string()
        } else {
            "the workspace key is in the file: substitute it at deploy time from your secret store, and regenerate it".to_string()
        }),
        _ => None,
    }
}

/// Findings of the rules that are left for a person, as manual items.
fn manual_findings(plan: &mut FilePlan, resources: &[Resource], settings: &Settings) {
    let ctx = Context {
        resources,
        settings,
    };
    for (i, resource) in resources.iter().enumerate() {
        if resource.kind != CONTAINER_GROUP && resource.kind != ARM_TEMPLATE {
            continue;
        }
        let arm = resource.kind == ARM_TEMPLATE || template_of(resources, i).is_some();
        let mut found = Vec::new();
        for rule in palisade_rules::all_rules() {
            let id = rule.meta().id;
            let listed = MANUAL_HINTS.iter().any(|(r, _)| *r == id)
                || id == "PAL-ACI-003"
                || id == "PAL-ACI-005";
            if listed && rule.applies_to(&resource.kind) {
                rule.check(resource, &ctx, &mut found);
            }
        }
        for f in found {
            let hint = match MANUAL_HINTS.iter().find(|(r, _)| *r == f.rule_id) {
                Some((_, h)) => h.to_string(),
                None => key_hint(&f, resource, arm).unwrap_or_default(),
            };
            plan.object(i).3.push(ManualItem {
                rule_id: f.rule_id,
                container: f.container.clone(),
                span: f.location.span,
                message: format!("{}: {hint}", f.message),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::path_text;

    #[test]
    fn parameter_names() {
        assert_eq!(camel("DB_PASSWORD"), "dbPassword");
        assert_eq!(camel("WORDPRESS_DB_PASSWORD"), "wordpressDbPassword");
        assert_eq!(camel("api-key"), "apiKey");
        assert_eq!(camel("1X"), "secret1x");
        assert_eq!(camel("__"), "secret");
    }

    #[test]
    fn list_calls() {
        assert_eq!(list_call("listKeys(x).keys[0].value"), Some("listKeys"));
        assert_eq!(list_call("concat(playlist(x))"), None);
        assert_eq!(list_call("parameters('listKeys')"), None);
    }

    #[test]
    fn paths_of_spans() {
        let text = "{\"a\": [{\"b\": {\"type\": 1}}]}";
        let roots = palisade_load::parse_yaml("t.json", text, &Limits::default()).unwrap();
        let target = roots[0].path(&["a"]).unwrap().as_seq().unwrap()[0]
            .get("b")
            .unwrap()
            .span;
        let p = find_path(&roots[0], target, &mut Vec::new(), 0).unwrap();
        assert_eq!(path_text(&p), "a[0].b");
    }
}
