//! Azure Resource Manager templates: container groups and their expressions.
//!
//! A template is recognised by a `$schema` naming a `deploymentTemplate.json`
//! (any scope), or by `resources` together with `contentVersion`. Its
//! comments are blanked out before parsing ([`crate::jsonc`]), so spans stay
//! exact. Every `Microsoft.ContainerInstance/containerGroups` resource (type
//! compared case-insensitively) is found at the top level, among child
//! `resources`, and inside nested deployments with an inline `template`
//! (`expressionEvaluationOptions.scope: inner` gets its own parameters and
//! variables; the default outer scope uses the parent's).
//!
//! Template expressions are evaluated where the template itself gives the
//! value: `parameters()` (a `defaultValue`, or a value a nested deployment
//! passes), `variables()`, `concat`, `format`, `toLower`, `toUpper`,
//! `string`, `trim`, `true`, `false`, string and integer literals, property
//! access and indexing. Anything else stays symbolic, written as an
//! expression (`[parameters('adminPassword')]`), and a symbolic string is
//! never a literal ([`is_expression`]). Values of `secureString` and
//! `secureObject` parameters and Key Vault references are never resolved, so
//! no rule takes them for a literal secret. Evaluation is bounded in depth
//! and size, and a variable or parameter that refers to itself is an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_model::{InputError, Mapping, Node, ObjectMeta, Resource, Span, Value};

use crate::{aci, jsonc, read_input, yaml, Input, Limits, Loaded};

/// The model kind of a whole ARM template (read by the parameter rules).
pub(crate) const ARM_TEMPLATE: &str = "ArmTemplate";

/// The model kind of an ARM parameters file.
pub(crate) const ARM_PARAMETERS: &str = "ArmParameters";

/// The key under which an `ArmParameters` model holds the types its
/// template declares (`{"dbPassword": "securestring"}`), when the template
/// was found beside the file; the loader adds it (and drops any such key the
/// file writes itself). Each type is placed at the parameter's name in the
/// parameters file.
pub const TEMPLATE_TYPES: &str = "$templateTypes";

/// Deepest nesting of expression evaluation (calls, variables, values).
const MAX_DEPTH: usize = 200;
/// Deepest nesting of inline deployments.
const MAX_DEPLOYMENTS: usize = 16;

/// Whether `s` is an ARM template expression: `[...]`, but not the `[[`
/// escape of a literal bracket.
pub fn is_expression(s: &str) -> bool {
    s.starts_with('[') && s.ends_with(']') && !s.starts_with("[[") && s.len() >= 2
}

/// Whether a text is probably an ARM template or parameters file, so its
/// comments must go before parsing.
fn looks_like_arm(text: &str) -> bool {
    let start = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    (start.starts_with('{') || start.starts_with("//") || start.starts_with("/*"))
        && (text.contains("deploymentTemplate.json")
            || text.contains("deploymentParameters.json")
            || text.contains("contentVersion"))
}

/// The text to parse: ARM JSON without comments, or `None` to parse `text`.
pub(crate) fn prepare(file: &str, text: &str) -> Result<Option<String>, InputError> {
    if !looks_like_arm(text) {
        return Ok(None);
    }
    match jsonc::strip_comments(text) {
        Ok(s) if s == text => Ok(None),
        Ok(s) => Ok(Some(s)),
        Err(e) => Err(InputError {
            file: file.into(),
            span: Some(e.span),
            message: "unterminated `/*` comment".into(),
            help: Some("close the comment with `*/`".into()),
        }),
    }
}

/// Whether a document is an ARM deployment template.
pub(crate) fn is_template(map: &Mapping) -> bool {
    if let Some(schema) = map.get("$schema").and_then(Node::as_str) {
        return schema
            .to_ascii_lowercase()
            .contains("deploymenttemplate.json");
    }
    map.get("resources").is_some() && map.get("contentVersion").is_some()
}

/// Loads a template: one `ArmTemplate` resource, then one `ContainerGroup`
/// per container group found.
///
/// With `path` (the template is a file), the template is evaluated once per
/// parameters file beside it ([`parameters_files_of`]), each a deployment of
/// its own whose values override the `defaultValue`s; a group that comes out
/// the same under several parameters files is loaded once. Without
/// parameters files it is evaluated once with the defaults.
pub(crate) fn add_template(
    file: &Arc<str>,
    document: &mut usize,
    template: Node,
    limits: &Limits,
    path: Option<&Path>,
    loaded: &mut Loaded,
) {
    let mut ev = Eval {
        file: file.clone(),
        errors: Vec::new(),
        budget: limits.max_nodes,
        depth: 0,
        exhausted: false,
    };
    let mut sets = Vec::new();
    if let Some(path) = path {
        for p in parameters_files_of(path) {
            if let Some(given) = read_parameters(&p, &template, limits, &mut loaded.errors) {
                sets.push(given);
            }
        }
    }
    if sets.is_empty() {
        sets.push(Vec::new());
    }
    let mut groups: Vec<(String, Node)> = Vec::new();
    for given in sets {
        let mut found = Vec::new();
        let mut scope = Scope::new(&template, given);
        walk_template(&mut ev, &mut scope, &template, 0, &mut found);
        for g in found {
            if !groups.iter().any(|(_, seen)| *seen == g.1) {
                groups.push(g);
            }
        }
    }
    // The same problem found under several parameters files is one problem.
    for e in ev.errors {
        if !loaded.errors.contains(&e) {
            loaded.errors.push(e);
        }
    }
    let version = template
        .get("$schema")
        .and_then(Node::as_str)
        .and_then(schema_date)
        .map_or_else(String::new, |d| format!("@{d}"));
    loaded.stats.objects += 1;
    loaded.resources.push(Resource {
        file: file.clone(),
        document: *document,
        api_version: format!("Microsoft.Resources/deploymentTemplate{version}"),
        kind: ARM_TEMPLATE.to_string(),
        meta: ObjectMeta {
            span: template.span,
            ..ObjectMeta::default()
        },
        span: template.span,
        node: template,
        pod: None,
        helm_source: None,
        dockerfile: None,
    });
    for (version, group) in groups {
        *document += 1;
        aci::add_group(file, *document, &version, group, loaded);
    }
}

/// Whether a document is an ARM parameters file: a `$schema` naming
/// `deploymentParameters.json`.
pub(crate) fn is_parameters(map: &Mapping) -> bool {
    map.get("$schema")
        .and_then(Node::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("deploymentparameters.json"))
}

/// Loads a parameters file as one `ArmParameters` resource, the file as
/// written. With `path`, the template beside it ([`template_of`]) is read for
/// the declared types of its parameters, which the model holds under
/// [`TEMPLATE_TYPES`]; an unreadable or missing template leaves them
/// unknown (the template's own scan reports its problems).
pub(crate) fn add_parameters(
    file: &Arc<str>,
    document: usize,
    root: Node,
    limits: &Limits,
    path: Option<&Path>,
    loaded: &mut Loaded,
) {
    let mut errors = Vec::new();
    parameter_entries(file, &root, &mut errors);
    if !errors.is_empty() {
        loaded.errors.append(&mut errors);
        return;
    }
    let types = path
        .and_then(template_of)
        .and_then(|t| template_types(&t, &root, limits));
    let span = root.span;
    let mut node = root;
    if let Value::Map(m) = &mut node.value {
        // Only the loader says what the template declares.
        m.entries.retain(|e| e.key != TEMPLATE_TYPES);
        if let Some(types) = types {
            m.entries.push(palisade_model::Entry {
                key: TEMPLATE_TYPES.to_string(),
                key_span: span,
                value: types,
            });
        }
    }
    let version = node
        .get("$schema")
        .and_then(Node::as_str)
        .and_then(schema_date)
        .map_or_else(String::new, |d| format!("@{d}"));
    loaded.stats.objects += 1;
    loaded.resources.push(Resource {
        file: file.clone(),
        document,
        api_version: format!("Microsoft.Resources/deploymentParameters{version}"),
        kind: ARM_PARAMETERS.to_string(),
        meta: ObjectMeta {
            span,
            ..ObjectMeta::default()
        },
        span,
        node,
        pod: None,
        helm_source: None,
        dockerfile: None,
    });
}

/// The entries of a parameters file's `parameters`, each `{value: ...}` or
/// `{reference: ...}`; a shape ARM rejects is an error in `errors`.
fn parameter_entries<'n>(
    file: &Arc<str>,
    root: &'n Node,
    errors: &mut Vec<InputError>,
) -> Vec<&'n palisade_model::Entry> {
    let err = |span: Span, message: String, help: &str| InputError {
        file: file.clone(),
        span: Some(span),
        message,
        help: Some(help.to_string()),
    };
    let Some(params) = root.get("parameters") else {
        return Vec::new();
    };
    let Some(map) = params.as_map() else {
        if !params.is_null() {
            errors.push(err(
                params.span,
                format!(
                    "`parameters` of a parameters file must be a mapping, found {}",
                    params.type_name()
                ),
                "write `\"parameters\": {\"name\": {\"value\": ...}}`",
            ));
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in map.iter() {
        if e.value.as_map().is_none() {
            errors.push(err(
                e.value.span,
                format!(
                    "parameter `{}` must be a mapping with `value` or `reference`, found {}",
                    e.key,
                    e.value.type_name()
                ),
                "write `{\"value\": ...}`, or `{\"reference\": {\"keyVault\": {\"id\": ...}, \"secretName\": ...}}`",
            ));
            continue;
        }
        out.push(e);
    }
    out
}

/// Most parameters files one template is evaluated with.
pub(crate) const MAX_PARAMETER_FILES: usize = 8;
/// Most directory entries looked at to find a template's parameters files.
const MAX_DIR_ENTRIES: usize = 100_000;

/// The parameters files of the template at `template`, in the order they are
/// used: `x.parameters.json` for `x.json` (and `parameters.json` for
/// `template.json`, as the portal exports them), then the variants
/// `x.parameters.<env>.json` sorted by name; at most [`MAX_PARAMETER_FILES`].
pub(crate) fn parameters_files_of(template: &Path) -> Vec<PathBuf> {
    let Some(name) = template.file_name().and_then(|n| n.to_str()) else {
        return Vec::new();
    };
    let Some(stem) = name.strip_suffix(".json") else {
        return Vec::new();
    };
    if stem.is_empty() || template_stem(name).is_some() {
        return Vec::new();
    }
    let dir = match template.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut plain = Vec::new();
    let mut variants = Vec::new();
    for entry in entries.take(MAX_DIR_ENTRIES).flatten() {
        let Ok(candidate) = entry.file_name().into_string() else {
            continue;
        };
        if template_stem(&candidate).as_deref() != Some(stem) {
            continue;
        }
        let p = template.with_file_name(&candidate);
        if !p.is_file() {
            continue;
        }
        if candidate == format!("{stem}.parameters.json") || candidate == "parameters.json" {
            plain.push(p);
        } else {
            variants.push(p);
        }
    }
    plain.sort();
    variants.sort();
    plain.extend(variants);
    plain.truncate(MAX_PARAMETER_FILES);
    plain
}

/// The template stem a parameters file's name pairs with: `x` for
/// `x.parameters.json` and `x.parameters.<env>.json`, `template` for
/// `parameters.json` and `parameters.<env>.json`; `None` for other names.
fn template_stem(name: &str) -> Option<String> {
    let rest = name.strip_suffix(".json")?;
    let (stem, env) = if let Some(r) = rest.strip_prefix("parameters") {
        ("template", r)
    } else {
        let at = rest.find(".parameters")?;
        (&rest[..at], &rest[at + ".parameters".len()..])
    };
    let env_ok = env.is_empty() || (env.len() > 1 && env.starts_with('.'));
    (env_ok && !stem.is_empty()).then(|| stem.to_string())
}

/// The template a parameters file at `path` belongs to, when it is there.
pub(crate) fn template_of(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let stem = template_stem(name)?;
    let t = path.with_file_name(format!("{stem}.json"));
    t.is_file().then_some(t)
}

/// Reads and parses a sibling ARM file within the limits; its first
/// non-empty document. Errors name that file.
fn read_sibling(path: &Path, limits: &Limits) -> Result<Option<(Arc<str>, Node)>, InputError> {
    let input = Input::File(path.to_path_buf());
    let name: Arc<str> = Arc::from(input.display());
    let text = read_input(&input, limits)?;
    let stripped = prepare(&name, &text)?;
    let text = stripped.as_deref().unwrap_or(&text);
    let docs = yaml::parse_documents(&name, text, limits)?;
    Ok(docs
        .into_iter()
        .map(|d| d.root)
        .find(|r| !r.is_null())
        .map(|r| (name, r)))
}

/// The values one parameters file gives the top-level parameters of
/// `template`: `value`s (placed at the parameter's declaration in the
/// template, so findings point into the template), Key Vault `reference`s
/// as never literal. `None` when the file cannot be read or is not a
/// parameters file; a file that cannot be read or parsed, or a parameter of
/// the wrong shape, is an error naming the parameters file.
fn read_parameters(
    path: &Path,
    template: &Node,
    limits: &Limits,
    errors: &mut Vec<InputError>,
) -> Option<Vec<(String, Given)>> {
    let (name, root) = match read_sibling(path, limits) {
        Ok(found) => found?,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let map = root.as_map()?;
    if is_template(map) || map.get("parameters").is_none() {
        return None;
    }
    let mut shape = Vec::new();
    let entries = parameter_entries(&name, &root, &mut shape);
    if !shape.is_empty() {
        errors.append(&mut shape);
        return None;
    }
    let decls = template.get("parameters").and_then(Node::as_map);
    let mut given = Vec::new();
    for e in entries {
        let Some(decl) = decls.and_then(|d| d.iter().find(|d| d.key.eq_ignore_ascii_case(&e.key)))
        else {
            continue;
        };
        let value = if e.value.get("reference").is_some() {
            Given::NonLiteral
        } else if let Some(v) = e.value.get("value") {
            Given::Value(respan(v, decl.value.span))
        } else {
            continue;
        };
        given.push((e.key.to_ascii_lowercase(), value));
    }
    Some(given)
}

/// A copy of `node` with every span (keys too) set to `span`.
fn respan(node: &Node, span: Span) -> Node {
    let value = match &node.value {
        Value::Seq(items) => Value::Seq(items.iter().map(|i| respan(i, span)).collect()),
        Value::Map(m) => Value::Map(Mapping {
            entries: m
                .iter()
                .map(|e| palisade_model::Entry {
                    key: e.key.clone(),
                    key_span: span,
                    value: respan(&e.value, span),
                })
                .collect(),
        }),
        other => other.clone(),
    };
    Node::new(value, span)
}

/// The declared types of the parameters a parameters file (`params`) sets,
/// read from the template at `path`: a mapping from each parameter's name
/// (as the parameters file writes it) to the template's `type`, placed at
/// the parameter's name in the parameters file. `None` when the template
/// cannot be read or is no template.
fn template_types(path: &Path, params: &Node, limits: &Limits) -> Option<Node> {
    let (_, template) = read_sibling(path, limits).ok()??;
    if !is_template(template.as_map()?) {
        return None;
    }
    let decls = template.get("parameters").and_then(Node::as_map)?;
    let set = params.get("parameters").and_then(Node::as_map)?;
    let mut entries = Vec::new();
    for e in set.iter() {
        let ty = decls
            .iter()
            .find(|d| d.key.eq_ignore_ascii_case(&e.key))
            .and_then(|d| d.value.get("type"))
            .and_then(Node::as_str);
        if let Some(ty) = ty {
            entries.push(palisade_model::Entry {
                key: e.key.clone(),
                key_span: e.key_span,
                value: Node::new(Value::Str(ty.to_string()), e.key_span),
            });
        }
    }
    Some(Node::new(Value::Map(Mapping { entries }), params.span))
}

/// The `YYYY-MM-DD` of a schema URL.
fn schema_date(schema: &str) -> Option<&str> {
    schema
        .split('/')
        .find(|p| p.len() == 10 && p.as_bytes().get(4) == Some(&b'-'))
}

fn resources_of(template: &Node) -> Vec<&Node> {
    match template.get("resources").map(|r| &r.value) {
        Some(Value::Seq(items)) => items.iter().collect(),
        // languageVersion 2.0: symbolic names to resources.
        Some(Value::Map(m)) => m.iter().map(|e| &e.value).collect(),
        _ => Vec::new(),
    }
}

fn type_is(res: &Node, ty: &str) -> bool {
    res.get("type")
        .and_then(Node::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case(ty))
}

fn walk_template(
    ev: &mut Eval,
    scope: &mut Scope<'_>,
    template: &Node,
    deployments: usize,
    out: &mut Vec<(String, Node)>,
) {
    for res in resources_of(template) {
        visit_resource(ev, scope, res, deployments, out);
    }
}

fn visit_resource(
    ev: &mut Eval,
    scope: &mut Scope<'_>,
    res: &Node,
    deployments: usize,
    out: &mut Vec<(String, Node)>,
) {
    if type_is(res, aci::GROUP_TYPE) {
        let version = res
            .get("apiVersion")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        ev.depth = 0;
        let resolved = ev.resolve(scope, res);
        out.push((version, resolved));
    } else if type_is(res, "Microsoft.Resources/deployments") {
        let Some(props) = res.get("properties") else {
            return;
        };
        let Some(inner) = props.get("template").filter(|t| t.as_map().is_some()) else {
            return;
        };
        if deployments >= MAX_DEPLOYMENTS {
            ev.error(res.span, "inline deployments nested too deep", None);
            return;
        }
        let inner_scope = props
            .path(&["expressionEvaluationOptions", "scope"])
            .and_then(Node::as_str)
            .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
        if inner_scope {
            let mut given = Vec::new();
            if let Some(m) = props.get("parameters").and_then(Node::as_map) {
                for e in m.iter() {
                    let value = if e.value.get("reference").is_some() {
                        Given::NonLiteral
                    } else if let Some(v) = e.value.get("value") {
                        ev.depth = 0;
                        Given::Value(ev.resolve(scope, v))
                    } else {
                        continue;
                    };
                    given.push((e.key.to_ascii_lowercase(), value));
                }
            }
            let mut child = Scope::new(inner, given);
            walk_template(ev, &mut child, inner, deployments + 1, out);
        } else {
            walk_template(ev, scope, inner, deployments + 1, out);
        }
    }
    if let Some(children) = res.get("resources").and_then(Node::as_seq) {
        for child in children {
            visit_resource(ev, scope, child, deployments, out);
        }
    }
}

/// A parameter value a nested deployment passes.
enum Given {
    /// `value`, already resolved in the parent's scope.
    Value(Node),
    /// A Key Vault `reference`: never a literal.
    NonLiteral,
}

/// One template's parameters and variables, with evaluated values memoised.
struct Scope<'t> {
    template: &'t Node,
    given: Vec<(String, Given)>,
    memo: HashMap<(bool, String), Val>,
    active: Vec<(bool, String)>,
}

impl<'t> Scope<'t> {
    fn new(template: &'t Node, given: Vec<(String, Given)>) -> Self {
        Scope {
            template,
            given,
            memo: HashMap::new(),
            active: Vec::new(),
        }
    }

    /// The entry of `section` (`parameters`, `variables`) named `name`, case-insensitively.
    fn entry(&self, section: &str, name: &str) -> Option<&'t Node> {
        self.template
            .get(section)
            .and_then(Node::as_map)?
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(name))
            .map(|e| &e.value)
    }
}

/// The value of an expression: known, or symbolic (its text, without brackets).
#[derive(Debug, Clone)]
enum Val {
    Known(Value),
    Unknown(String),
}

struct Eval {
    file: Arc<str>,
    errors: Vec<InputError>,
    budget: usize,
    depth: usize,
    exhausted: bool,
}

impl Eval {
    fn error(&mut self, span: Span, message: &str, help: Option<&str>) {
        self.errors.push(InputError {
            file: self.file.clone(),
            span: Some(span),
            message: message.to_string(),
            help: help.map(str::to_string),
        });
    }

    /// A memoised value, when the node budget allows another copy of it.
    fn charge_memo(&mut self, v: &Val, span: Span, name: &str) -> Val {
        if let Val::Known(k) = v {
            let n = count(k, self.budget);
            if n > self.budget {
                if !self.exhausted {
                    self.exhausted = true;
                    self.error(
                        span,
                        "template expressions expand to too many nodes",
                        Some("raise --max-nodes, or simplify the variables"),
                    );
                }
                return Val::Unknown(name.to_string());
            }
            self.budget -= n;
        }
        v.clone()
    }

    /// A copy of `node` with every expression string evaluated.
    fn resolve(&mut self, scope: &mut Scope<'_>, node: &Node) -> Node {
        if self.budget == 0 {
            if !self.exhausted {
                self.exhausted = true;
                self.error(
                    node.span,
                    "template expressions expand to too many nodes",
                    Some("raise --max-nodes, or simplify the variables"),
                );
            }
            return Node::new(Value::Null, node.span);
        }
        self.budget -= 1;
        if self.depth >= MAX_DEPTH {
            return node.clone();
        }
        self.depth += 1;
        let out = match &node.value {
            Value::Str(s) if s.starts_with("[[") => {
                Node::new(Value::Str(s[1..].to_string()), node.span)
            }
            Value::Str(s) if is_expression(s) => {
                let val = self.expression(scope, s, node.span);
                match val {
                    Val::Known(v) => Node::new(v, node.span),
                    Val::Unknown(text) => Node::new(Value::Str(format!("[{text}]")), node.span),
                }
            }
            Value::Seq(items) => Node::new(
                Value::Seq(items.iter().map(|i| self.resolve(scope, i)).collect()),
                node.span,
            ),
            Value::Map(m) => {
                let entries = m
                    .iter()
                    .map(|e| palisade_model::Entry {
                        key: e.key.clone(),
                        key_span: e.key_span,
                        value: self.resolve(scope, &e.value),
                    })
                    .collect();
                Node::new(Value::Map(Mapping { entries }), node.span)
            }
            _ => node.clone(),
        };
        self.depth -= 1;
        out
    }

    fn expression(&mut self, scope: &mut Scope<'_>, s: &str, span: Span) -> Val {
        let body = s.get(1..s.len() - 1).unwrap_or_default();
        match parse(body) {
            Some(expr) => self.eval(scope, &expr, body, span),
            None => Val::Unknown(body.trim().to_string()),
        }
    }

    fn eval(&mut self, scope: &mut Scope<'_>, expr: &Expr, src: &str, span: Span) -> Val {
        if self.depth >= MAX_DEPTH {
            if !self.exhausted {
                self.exhausted = true;
                self.error(span, "template expressions nested too deep", None);
            }
            return Val::Unknown(expr.text(src).to_string());
        }
        self.depth += 1;
        let out = self.eval_inner(scope, expr, src, span);
        self.depth -= 1;
        out
    }

    fn eval_inner(&mut self, scope: &mut Scope<'_>, expr: &Expr, src: &str, span: Span) -> Val {
        match &expr.kind {
            Kind::Str(s) => Val::Known(Value::Str(s.clone())),
            Kind::Int(i) => Val::Known(Value::Int(*i)),
            Kind::Call(name, args) => {
                let vals: Vec<Val> = args
                    .iter()
                    .map(|a| self.eval(scope, a, src, span))
                    .collect();
                let known: Option<Vec<&Value>> = vals
                    .iter()
                    .map(|v| match v {
                        Val::Known(k) => Some(k),
                        Val::Unknown(_) => None,
                    })
                    .collect();
                let lower = name.to_ascii_lowercase();
                let result = match (lower.as_str(), known) {
                    ("parameters", Some(k)) => match k.as_slice() {
                        [Value::Str(p)] => Some(self.parameter(scope, p, span)),
                        _ => None,
                    },
                    ("variables", Some(k)) => match k.as_slice() {
                        [Value::Str(v)] => Some(self.variable(scope, v, span)),
                        _ => None,
                    },
                    (f, Some(k)) => pure(f, &k).map(Val::Known),
                    _ => None,
                };
                match result {
                    Some(v) => v,
                    None => Val::Unknown(render_call(expr, name, args, &vals, src)),
                }
            }
            Kind::Prop(base, prop) => match self.eval(scope, base, src, span) {
                Val::Known(Value::Map(m)) => {
                    match m.iter().find(|e| e.key.eq_ignore_ascii_case(prop)) {
                        Some(e) => Val::Known(e.value.value.clone()),
                        None => Val::Unknown(expr.text(src).to_string()),
                    }
                }
                Val::Unknown(t) => Val::Unknown(format!("{t}.{prop}")),
                Val::Known(_) => Val::Unknown(expr.text(src).to_string()),
            },
            Kind::Index(base, index) => {
                let b = self.eval(scope, base, src, span);
                let i = self.eval(scope, index, src, span);
                match (&b, &i) {
                    (Val::Known(Value::Seq(items)), Val::Known(Value::Int(n))) => {
                        match usize::try_from(*n).ok().and_then(|n| items.get(n)) {
                            Some(item) => Val::Known(item.value.clone()),
                            None => Val::Unknown(expr.text(src).to_string()),
                        }
                    }
                    (Val::Known(Value::Map(m)), Val::Known(Value::Str(k))) => {
                        match m.iter().find(|e| e.key.eq_ignore_ascii_case(k)) {
                            Some(e) => Val::Known(e.value.value.clone()),
                            None => Val::Unknown(expr.text(src).to_string()),
                        }
                    }
                    _ => Val::Unknown(format!(
                        "{}[{}]",
                        render(&b, base, src),
                        render(&i, index, src)
                    )),
                }
            }
        }
    }

    fn parameter(&mut self, scope: &mut Scope<'_>, name: &str, span: Span) -> Val {
        let symbolic = || Val::Unknown(format!("parameters('{}')", name.replace('\'', "''")));
        let key = (false, name.to_ascii_lowercase());
        if let Some(v) = scope.memo.get(&key) {
            return self.charge_memo(v, span, name);
        }
        let Some(decl) = scope.entry("parameters", name) else {
            return symbolic();
        };
        let secure = decl.get("type").and_then(Node::as_str).is_some_and(|t| {
            t.eq_ignore_ascii_case("securestring") || t.eq_ignore_ascii_case("secureobject")
        });
        if secure {
            return symbolic();
        }
        let given = scope
            .given
            .iter()
            .find(|(n, _)| *n == key.1)
            .map(|(_, g)| match g {
                Given::Value(v) => Some(v.clone()),
                Given::NonLiteral => None,
            });
        let value = match given {
            Some(Some(v)) => v,
            Some(None) => return symbolic(),
            None => {
                let Some(default) = decl.get("defaultValue") else {
                    return symbolic();
                };
                if scope.active.contains(&key) {
                    self.error(
                        span,
                        &format!("parameter `{name}` refers to itself"),
                        Some("break the cycle between the parameter defaults"),
                    );
                    return symbolic();
                }
                scope.active.push(key.clone());
                let v = self.resolve(scope, default);
                scope.active.pop();
                v
            }
        };
        let val = match value.value {
            Value::Str(s) if is_expression(&s) => Val::Unknown(s[1..s.len() - 1].to_string()),
            v => Val::Known(v),
        };
        scope.memo.insert(key, val.clone());
        val
    }

    fn variable(&mut self, scope: &mut Scope<'_>, name: &str, span: Span) -> Val {
        let key = (true, name.to_ascii_lowercase());
        if let Some(v) = scope.memo.get(&key) {
            return self.charge_memo(v, span, name);
        }
        let symbolic = || Val::Unknown(format!("variables('{}')", name.replace('\'', "''")));
        let Some(decl) = scope.entry("variables", name) else {
            return symbolic();
        };
        if scope.active.contains(&key) {
            let chain: Vec<&str> = scope
                .active
                .iter()
                .filter(|(v, _)| *v)
                .map(|(_, n)| n.as_str())
                .collect();
            self.error(
                span,
                &format!(
                    "variable `{name}` refers to itself (through {})",
                    chain.join(" -> ")
                ),
                Some("break the cycle between the variables"),
            );
            return symbolic();
        }
        scope.active.push(key.clone());
        let node = self.resolve(scope, decl);
        scope.active.pop();
        let val = match node.value {
            Value::Str(s) if is_expression(&s) => Val::Unknown(s[1..s.len() - 1].to_string()),
            v => Val::Known(v),
        };
        scope.memo.insert(key, val.clone());
        val
    }
}

/// How many nodes `v` holds, counting no further than `cap + 1`.
fn count(v: &Value, cap: usize) -> usize {
    let mut n = 1;
    let children: Box<dyn Iterator<Item = &Node>> = match v {
        Value::Seq(items) => Box::new(items.iter()),
        Value::Map(m) => Box::new(m.iter().map(|e| &e.value)),
        _ => return 1,
    };
    for c in children {
        if n > cap {
            break;
        }
        n += count(&c.value, cap - n.min(cap));
    }
    n
}

/// Functions of known arguments that need no deployment.
fn pure(name: &str, args: &[&Value]) -> Option<Value> {
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    Some(match (name, args) {
        ("concat", _) if args.iter().all(|a| matches!(a, Value::Seq(_))) && !args.is_empty() => {
            let mut items = Vec::new();
            for a in args {
                if let Value::Seq(s) = a {
                    items.extend(s.iter().cloned());
                }
            }
            Value::Seq(items)
        }
        ("concat", _) => {
            let mut out = String::new();
            for a in args {
                out.push_str(&text(a)?);
            }
            Value::Str(out)
        }
        ("format", [fmt, rest @ ..]) => Value::Str(format(&text(fmt)?, rest)?),
        ("tolower", [Value::Str(s)]) => Value::Str(s.to_lowercase()),
        ("toupper", [Value::Str(s)]) => Value::Str(s.to_uppercase()),
        ("trim", [Value::Str(s)]) => Value::Str(s.trim().to_string()),
        ("string", [v]) => Value::Str(text(v)?),
        ("true", []) => Value::Bool(true),
        ("false", []) => Value::Bool(false),
        _ => return None,
    })
}

/// .NET composite formatting, as `format()` does: `{0}`, `{1:N2}` (the
/// format part is ignored), `{{` and `}}`.
fn format(fmt: &str, args: &[&Value]) -> Option<String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for n in chars.by_ref() {
                    if n == '}' {
                        break;
                    }
                    spec.push(n);
                }
                let index: usize = spec.split([':', ',']).next()?.trim().parse().ok()?;
                match args.get(index)? {
                    Value::Str(s) => out.push_str(s),
                    Value::Int(i) => out.push_str(&i.to_string()),
                    Value::Bool(b) => out.push_str(&b.to_string()),
                    _ => return None,
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// A value as expression text: literals for known scalars, else as written.
fn render(val: &Val, expr: &Expr, src: &str) -> String {
    match val {
        Val::Known(Value::Str(s)) => format!("'{}'", s.replace('\'', "''")),
        Val::Known(Value::Int(i)) => i.to_string(),
        Val::Known(Value::Bool(b)) => format!("{b}()"),
        Val::Known(_) => expr.text(src).to_string(),
        Val::Unknown(t) => t.clone(),
    }
}

/// An unevaluated call: as written when its arguments are literals, else
/// rebuilt from what its arguments evaluated to, so a `listKeys()` hidden in
/// a variable shows.
fn render_call(expr: &Expr, name: &str, args: &[Expr], vals: &[Val], src: &str) -> String {
    if args
        .iter()
        .all(|a| matches!(a.kind, Kind::Str(_) | Kind::Int(_)))
    {
        return expr.text(src).to_string();
    }
    let parts: Vec<String> = args
        .iter()
        .zip(vals)
        .map(|(a, v)| render(v, a, src))
        .collect();
    format!("{name}({})", parts.join(", "))
}

/// A parsed expression with its byte range in the source.
#[derive(Debug)]
struct Expr {
    kind: Kind,
    start: usize,
    end: usize,
}

#[derive(Debug)]
enum Kind {
    Str(String),
    Int(i64),
    Call(String, Vec<Expr>),
    Prop(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn text<'s>(&self, src: &'s str) -> &'s str {
        src.get(self.start..self.end).unwrap_or_default().trim()
    }
}

/// Deepest nesting the expression parser accepts.
const MAX_PARSE_DEPTH: usize = 64;

/// Parses an expression body; `None` when it is not well formed.
fn parse(src: &str) -> Option<Expr> {
    let mut p = ExprParser { src, pos: 0 };
    let e = p.expr(0)?;
    p.ws();
    (p.pos == src.len()).then_some(e)
}

struct ExprParser<'s> {
    src: &'s str,
    pos: usize,
}

impl ExprParser<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expr(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_PARSE_DEPTH {
            return None;
        }
        self.ws();
        let start = self.pos;
        let mut e = match self.peek()? {
            '\'' => {
                self.bump();
                let mut s = String::new();
                loop {
                    let c = self.peek()?;
                    self.bump();
                    if c == '\'' {
                        if self.peek() == Some('\'') {
                            self.bump();
                            s.push('\'');
                        } else {
                            break;
                        }
                    } else {
                        s.push(c);
                    }
                }
                Expr {
                    kind: Kind::Str(s),
                    start,
                    end: self.pos,
                }
            }
            c if c.is_ascii_digit() || c == '-' => {
                self.bump();
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
                let n = self.src.get(start..self.pos)?.parse().ok()?;
                Expr {
                    kind: Kind::Int(n),
                    start,
                    end: self.pos,
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let name = self.ident()?;
                if !self.eat('(') {
                    return None;
                }
                let mut args = Vec::new();
                if !self.eat(')') {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        if self.eat(')') {
                            break;
                        }
                        if !self.eat(',') {
                            return None;
                        }
                    }
                }
                Expr {
                    kind: Kind::Call(name, args),
                    start,
                    end: self.pos,
                }
            }
            _ => return None,
        };
        // Accessors: `.name`, `[expr]`; `?` safe dereference is skipped.
        let mut chain = 0;
        loop {
            self.ws();
            if self.peek() == Some('?') {
                self.bump();
            }
            match self.peek() {
                Some('.') => {
                    self.bump();
                    let name = self.ident()?;
                    e = Expr {
                        kind: Kind::Prop(Box::new(e), name),
                        start,
                        end: self.pos,
                    };
                }
                Some('[') => {
                    self.bump();
                    let index = self.expr(depth + 1)?;
                    if !self.eat(']') {
                        return None;
                    }
                    e = Expr {
                        kind: Kind::Index(Box::new(e), Box::new(index)),
                        start,
                        end: self.pos,
                    };
                }
                _ => break,
            }
            chain += 1;
            if chain > MAX_PARSE_DEPTH {
                return None;
            }
        }
        Some(e)
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.bump();
        }
        (self.pos > start).then(|| self.src.get(start..self.pos).map(str::to_string))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval_str(template: &str, expr: &str) -> (String, Vec<InputError>) {
        let doc = crate::yaml::parse_documents("t.json", template, &Limits::default())
            .unwrap()
            .remove(0)
            .root;
        let mut ev = Eval {
            file: Arc::from("t.json"),
            errors: Vec::new(),
            budget: 100_000,
            depth: 0,
            exhausted: false,
        };
        let mut scope = Scope::new(&doc, Vec::new());
        let node = Node::new(Value::Str(expr.to_string()), Span::default());
        let out = ev.resolve(&mut scope, &node);
        let text = match out.value {
            Value::Str(s) => s,
            other => format!("{other:?}"),
        };
        (text, ev.errors)
    }

    const T: &str = r#"{
      "parameters": {
        "prefix": {"type": "string", "defaultValue": "web"},
        "pw": {"type": "secureString"},
        "pwd": {"type": "securestring", "defaultValue": "Hunter2Hunter2"},
        "region": {"type": "string"},
        "n": {"type": "int", "defaultValue": 3}
      },
      "variables": {
        "name": "[concat(parameters('prefix'), '-', variables('suffix'))]",
        "suffix": "[toLower('API')]",
        "key": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'sa'), '2023-01-01').keys[0].value]",
        "viaKey": "[variables('key')]",
        "a": "[variables('b')]",
        "b": "[variables('a')]",
        "obj": {"inner": ["x", "[parameters('prefix')]"]},
        "esc": "[[not an expression]"
      }
    }"#;

    #[test]
    fn resolves_what_the_template_gives() {
        assert_eq!(eval_str(T, "[variables('name')]").0, "web-api");
        assert_eq!(
            eval_str(
                T,
                "[format('{0}-{1}:{{x}}', parameters('prefix'), parameters('n'))]"
            )
            .0,
            "web-3:{x}"
        );
        assert_eq!(eval_str(T, "[variables('obj').inner[1]]").0, "web");
        assert_eq!(eval_str(T, "[variables('esc')]").0, "[not an expression]");
        assert_eq!(eval_str(T, "[[literal]").0, "[literal]");
        assert_eq!(eval_str(T, "plain").0, "plain");
    }

    #[test]
    fn keeps_symbolic_what_it_cannot_know() {
        assert_eq!(eval_str(T, "[parameters('pw')]").0, "[parameters('pw')]");
        // A secure parameter is never resolved, even with a default.
        assert_eq!(eval_str(T, "[parameters('pwd')]").0, "[parameters('pwd')]");
        assert_eq!(
            eval_str(T, "[parameters('region')]").0,
            "[parameters('region')]"
        );
        assert_eq!(
            eval_str(T, "[concat('x', parameters('pw'))]").0,
            "[concat('x', parameters('pw'))]"
        );
        let (via, _) = eval_str(T, "[variables('viaKey')]");
        assert!(via.starts_with("[listKeys("), "{via}");
        assert_eq!(
            eval_str(T, "[resourceGroup().location]").0,
            "[resourceGroup().location]"
        );
        assert_eq!(eval_str(T, "[not closed(]").0, "[not closed(]");
    }

    #[test]
    fn cycles_are_errors_not_hangs() {
        let (text, errors) = eval_str(T, "[variables('a')]");
        assert!(text.starts_with("[variables("), "{text}");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("refers to itself"));
    }

    #[test]
    fn exponential_variables_are_bounded() {
        let mut vars = String::from("\"v0\": \"x\"");
        for i in 1..40 {
            vars.push_str(&format!(
                ", \"v{i}\": [\"[variables('v{p}')]\", \"[variables('v{p}')]\"]",
                p = i - 1
            ));
        }
        let t = format!("{{\"variables\": {{{vars}}}}}");
        let (_, errors) = eval_str(&t, "[variables('v39')]");
        assert!(
            errors.iter().any(|e| e.message.contains("too many")),
            "{errors:?}"
        );
    }

    #[test]
    fn deep_expressions_are_bounded() {
        let deep = format!("[{}'x'{}]", "concat(".repeat(500), ")".repeat(500));
        let (text, _) = eval_str(T, &deep);
        assert!(text.starts_with('['));
        assert!(parse(&"a(".repeat(100)).is_none());
    }
}
