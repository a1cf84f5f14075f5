//! One validator over the [`Node`] tree, whatever the file's syntax: it
//! collects every problem with its place instead of stopping at the first.

use std::sync::Arc;

use globset::GlobBuilder;
use palisade_model::{
    InputError, Mapping, Node, PssLevel, PssVersion, Severity, Span, Spanned, Value,
};

use crate::suggest::closest;
use crate::{Config, Date, Exception, ImageChecks, ImagePolicy, Pattern, PssVersionSetting};

const ROOT_KEYS: &[&str] = &[
    "version",
    "pss",
    "rules",
    "capabilities",
    "images",
    "image",
    "exceptions",
];
const PSS_KEYS: &[&str] = &["level", "version"];
const RULES_KEYS: &[&str] = &["enable", "disable", "severity", "lock"];
const CAPABILITIES_KEYS: &[&str] = &["allowed"];
const IMAGES_KEYS: &[&str] = &[
    "allowed_registries",
    "forbidden_registries",
    "require_digest",
    "approved_base_images",
];
const IMAGE_KEYS: &[&str] = &["max_age_days", "approved_distros", "vulns"];
/// Largest `image.max_age_days` accepted (about 270 years).
const MAX_AGE_DAYS: i64 = 100_000;
const EXCEPTION_KEYS: &[&str] = &["rule", "namespace", "name", "kind", "reason", "expires"];

/// Parses YAML configuration text into its single document (`None` when empty).
pub(crate) fn parse_yaml(file: &Arc<str>, text: &str) -> Result<Option<Node>, Vec<InputError>> {
    let limits = palisade_load::Limits::default();
    let mut docs = palisade_load::parse_yaml(file, text, &limits).map_err(|e| vec![e])?;
    docs.retain(|d| !d.is_null());
    if docs.len() > 1 {
        let span = docs.get(1).map(|d| d.span);
        return Err(vec![InputError {
            file: file.clone(),
            span,
            message: "config has more than one YAML document".into(),
            help: Some("keep the whole configuration in one document (remove `---`)".into()),
        }]);
    }
    Ok(docs.pop())
}

/// Validates a configuration tree into a [`Config`].
pub(crate) fn validate(
    file: Arc<str>,
    root: Option<&Node>,
    known: &[String],
) -> Result<Config, Vec<InputError>> {
    let mut v = Validator {
        file: file.clone(),
        known,
        errors: Vec::new(),
    };
    let mut config = Config {
        source: Some(file),
        known_rule_ids: Some(known.to_vec()),
        ..Config::default()
    };
    if let Some(root) = root.filter(|r| !r.is_null()) {
        v.root(root, &mut config);
    }
    if v.errors.is_empty() {
        Ok(config)
    } else {
        let mut errors = v.errors;
        errors.sort_by_key(|e| e.span);
        Err(errors)
    }
}

struct Validator<'a> {
    file: Arc<str>,
    known: &'a [String],
    errors: Vec<InputError>,
}

/// A present, non-null value.
fn present(node: Option<&Node>) -> Option<&Node> {
    node.filter(|n| !n.is_null())
}

fn article(type_name: &str) -> &'static str {
    match type_name {
        "integer" => "an integer",
        "mapping" => "a mapping",
        "null" => "null",
        "boolean" => "a boolean",
        "number" => "a number",
        "string" => "a string",
        _ => "a list",
    }
}

impl Validator<'_> {
    fn error(&mut self, span: Span, message: String, help: Option<String>) {
        self.errors.push(InputError {
            file: self.file.clone(),
            span: Some(span),
            message,
            help,
        });
    }

    fn wrong_type(&mut self, node: &Node, path: &str, expected: &str) {
        let found = article(node.type_name());
        let what = if path.is_empty() {
            "the configuration".to_string()
        } else {
            format!("`{path}`")
        };
        self.error(
            node.span,
            format!("{what} must be {expected}, found {found}"),
            None,
        );
    }

    /// The mapping at `path`, reporting unknown and repeated keys.
    fn map<'n>(&mut self, node: &'n Node, path: &str, allowed: &[&str]) -> Option<&'n Mapping> {
        let map = self.mapping(node, path)?;
        for entry in map.iter() {
            if !allowed.contains(&entry.key.as_str()) {
                let shown = if path.is_empty() {
                    entry.key.clone()
                } else {
                    format!("{path}.{}", entry.key)
                };
                let help = match closest(&entry.key, allowed.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected one of: {}", allowed.join(", ")),
                };
                self.error(entry.key_span, format!("unknown key `{shown}`"), Some(help));
            }
        }
        Some(map)
    }

    /// The mapping at `path`, reporting repeated keys.
    fn mapping<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n Mapping> {
        let Some(map) = node.as_map() else {
            self.wrong_type(node, path, "a mapping");
            return None;
        };
        for (i, entry) in map.iter().enumerate() {
            if let Some(first) = map.entries[..i].iter().find(|e| e.key == entry.key) {
                let line = first.key_span.line();
                self.error(
                    entry.key_span,
                    format!("key `{}` is repeated (first on line {line})", entry.key),
                    None,
                );
            }
        }
        Some(map)
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<Spanned<String>> {
        match node.as_str() {
            Some(s) => Some(Spanned::new(s.to_string(), node.span)),
            None => {
                self.wrong_type(node, path, "a string");
                None
            }
        }
    }

    fn strings(&mut self, node: &Node, path: &str) -> Vec<Spanned<String>> {
        let Some(items) = node.as_seq() else {
            self.wrong_type(node, path, "a list of strings");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.string(item, &format!("{path}[]")))
            .collect()
    }

    /// Checks that a rule selector names a known rule id or prefixes one.
    fn selector(&mut self, s: &Spanned<String>, path: &str) -> bool {
        let text = s.value.as_str();
        if text.is_empty() {
            self.error(s.span, format!("empty rule id in `{path}`"), None);
            return false;
        }
        if self.known.iter().any(|id| id.starts_with(text)) {
            return true;
        }
        let help = match closest(text, self.known.iter().map(String::as_str)) {
            Some(id) => format!("did you mean `{id}`?"),
            None => "run `palisade rules` for the list of rule ids".to_string(),
        };
        self.error(
            s.span,
            format!("unknown rule id or prefix `{text}` in `{path}`"),
            Some(help),
        );
        false
    }

    fn selectors(&mut self, node: &Node, path: &str) -> Vec<Spanned<String>> {
        let list = self.strings(node, path);
        list.into_iter()
            .filter(|s| self.selector(s, path))
            .collect()
    }

    fn pattern(&mut self, s: Spanned<String>, path: &str) -> Option<Pattern> {
        if s.value.is_empty() {
            self.error(
                s.span,
                format!("`{path}` is empty"),
                Some("leave the key out to match everything".into()),
            );
            return None;
        }
        match GlobBuilder::new(&s.value).backslash_escape(true).build() {
            Ok(glob) => Some(Pattern {
                text: s.value,
                matcher: glob.compile_matcher(),
            }),
            Err(e) => {
                self.error(
                    s.span,
                    format!("invalid glob in `{path}`: {}", e.kind()),
                    None,
                );
                None
            }
        }
    }

    fn root(&mut self, root: &Node, config: &mut Config) {
        let Some(map) = self.map(root, "", ROOT_KEYS) else {
            return;
        };
        if let Some(node) = present(map.get("version")) {
            match node.value {
                Value::Int(1) => {}
                Value::Int(n) => self.error(
                    node.span,
                    format!("unsupported config version {n}"),
                    Some("this palisade reads `version: 1`".into()),
                ),
                _ => self.wrong_type(node, "version", "an integer"),
            }
        }
        if let Some(node) = present(map.get("pss")) {
            self.pss(node, config);
        }
        if let Some(node) = present(map.get("rules")) {
            self.rules(node, config);
        }
        if let Some(node) = present(map.get("capabilities")) {
            self.capabilities(node, config);
        }
        if let Some(node) = present(map.get("images")) {
            config.images = self.images(node);
        }
        if let Some(node) = present(map.get("image")) {
            config.image = self.image_checks(node);
        }
        if let Some(node) = present(map.get("exceptions")) {
            match node.as_seq() {
                Some(items) => {
                    config.exceptions = items.iter().filter_map(|i| self.exception(i)).collect();
                }
                None => self.wrong_type(node, "exceptions", "a list of exceptions"),
            }
        }
    }

    fn pss(&mut self, node: &Node, config: &mut Config) {
        let Some(map) = self.map(node, "pss", PSS_KEYS) else {
            return;
        };
        if let Some(node) = present(map.get("level")) {
            if let Some(s) = self.string(node, "pss.level") {
                match s.value.parse::<PssLevel>() {
                    Ok(level) => config.pss_level = Some(level),
                    Err(e) => self.error(s.span, e, None),
                }
            }
        }
        if let Some(node) = present(map.get("version")) {
            let Some(text) = node.as_str() else {
                let help = node
                    .scalar_text()
                    .map(|t| format!("write it as a string, e.g. `\"v{t}\"`"));
                self.error(
                    node.span,
                    format!(
                        "`pss.version` must be a string such as \"v1.33\" or \"latest\", found {}",
                        article(node.type_name())
                    ),
                    help,
                );
                return;
            };
            match parse_pss_version(text) {
                Some(v) => config.pss_version = Some(v),
                None => self.error(
                    node.span,
                    format!("invalid Pod Security Standards version `{text}`"),
                    Some("expected `latest` or `v1.N`, e.g. `v1.33`".into()),
                ),
            }
        }
    }

    fn rules(&mut self, node: &Node, config: &mut Config) {
        let Some(map) = self.map(node, "rules", RULES_KEYS) else {
            return;
        };
        if let Some(node) = present(map.get("enable")) {
            config.enable = self.selectors(node, "rules.enable");
        }
        if let Some(node) = present(map.get("disable")) {
            config.disable = self.selectors(node, "rules.disable");
        }
        if let Some(node) = present(map.get("lock")) {
            config.locked = self.selectors(node, "rules.lock");
        }
        if let Some(node) = present(map.get("severity")) {
            if let Some(sev) = self.mapping(node, "rules.severity") {
                for entry in sev.iter() {
                    let sel = Spanned::new(entry.key.clone(), entry.key_span);
                    let ok = self.selector(&sel, "rules.severity");
                    let Some(text) =
                        self.string(&entry.value, &format!("rules.severity.{}", entry.key))
                    else {
                        continue;
                    };
                    match text.value.parse::<Severity>() {
                        Ok(s) if ok => config.severity.push((sel, s)),
                        Ok(_) => {}
                        Err(e) => self.error(text.span, e, None),
                    }
                }
            }
        }
        // A disable as specific as an enable or lock of the same rules contradicts it.
        for off in &config.disable {
            if let Some(on) = config.enable.iter().find(|on| on.value == off.value) {
                let line = on.span.line();
                self.error(
                    off.span,
                    format!("`{}` is both enabled (line {line}) and disabled", off.value),
                    Some("keep it in only one of `rules.enable` and `rules.disable`".into()),
                );
            }
            if let Some(lock) = config
                .locked
                .iter()
                .find(|l| off.value.starts_with(&l.value))
            {
                self.error(
                    off.span,
                    format!("`{}` is disabled but locked by `{}`", off.value, lock.value),
                    Some("a locked rule always runs: remove it from `rules.disable` or from `rules.lock`".into()),
                );
            }
        }
    }

    fn image_checks(&mut self, node: &Node) -> ImageChecks {
        let mut out = ImageChecks::default();
        let Some(map) = self.map(node, "image", IMAGE_KEYS) else {
            return out;
        };
        if let Some(node) = present(map.get("max_age_days")) {
            match node.value {
                Value::Int(n) if (1..=MAX_AGE_DAYS).contains(&n) => {
                    out.max_age_days = u32::try_from(n).ok();
                }
                Value::Int(n) => self.error(
                    node.span,
                    format!("`image.max_age_days` must be between 1 and {MAX_AGE_DAYS}, found {n}"),
                    Some("disable PAL-IMG-006 in `rules.disable` to turn the check off".into()),
                ),
                _ => self.wrong_type(node, "image.max_age_days", "an integer"),
            }
        }
        if let Some(node) = present(map.get("approved_distros")) {
            let mut list = Vec::new();
            for entry in self.strings(node, "image.approved_distros") {
                let text = entry.value.trim();
                let valid = !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
                if valid {
                    list.push(text.to_string());
                } else {
                    self.error(
                        entry.span,
                        format!("invalid distribution `{}` in `image.approved_distros`", entry.value),
                        Some("write the os-release ID, optionally with a version: `debian-12`, `alpine-3.20`, `ubuntu`".into()),
                    );
                }
            }
            out.approved_distros = Some(list);
        }
        if let Some(node) = present(map.get("vulns")) {
            match node.value {
                Value::Bool(b) => out.vulns = Some(b),
                _ => self.wrong_type(node, "image.vulns", "true or false"),
            }
        }
        out
    }

    fn capabilities(&mut self, node: &Node, config: &mut Config) {
        let Some(map) = self.map(node, "capabilities", CAPABILITIES_KEYS) else {
            return;
        };
        let Some(node) = present(map.get("allowed")) else {
            return;
        };
        let mut allowed = Vec::new();
        for cap in self.strings(node, "capabilities.allowed") {
            let name = cap.value.strip_prefix("CAP_").unwrap_or(&cap.value);
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if valid {
                allowed.push(name.to_string());
            } else {
                let upper = name.to_ascii_uppercase();
                let help = (!upper.is_empty() && upper != name)
                    .then(|| format!("did you mean `{upper}`?"));
                self.error(
                    cap.span,
                    format!("invalid capability name `{}`", cap.value),
                    help,
                );
            }
        }
        config.allowed_capabilities = Some(allowed);
    }

    fn images(&mut self, node: &Node) -> ImagePolicy {
        let mut policy = ImagePolicy::default();
        let Some(map) = self.map(node, "images", IMAGES_KEYS) else {
            return policy;
        };
        let globs = |v: &mut Self, key: &str| -> Option<Vec<String>> {
            let node = present(map.get(key))?;
            let path = format!("images.{key}");
            let list = v.strings(node, &path);
            let mut patterns = Vec::new();
            for s in list {
                if v.registry_pattern(&s, &path) {
                    if let Some(p) = v.pattern(s, &path) {
                        patterns.push(p.text);
                    }
                }
            }
            Some(patterns)
        };
        policy.allowed_registries = globs(self, "allowed_registries");
        policy.forbidden_registries = globs(self, "forbidden_registries").unwrap_or_default();
        policy.approved_base_images = globs(self, "approved_base_images");
        match present(map.get("require_digest")) {
            Some(node) if node.as_seq().is_some() => {
                policy.require_digest_for = globs(self, "require_digest").unwrap_or_default();
            }
            Some(node) if node.as_bool().is_none() => {
                self.wrong_type(
                    node,
                    "images.require_digest",
                    "true, false or a list of registry patterns",
                );
            }
            Some(node) => policy.require_digest = node.as_bool().unwrap_or(false),
            None => {}
        }
        policy
    }

    /// Checks the mistakes a glob cannot catch in an image registry pattern:
    /// a URL scheme, and a repository pattern without a registry (which
    /// could never match, as names are compared fully qualified).
    fn registry_pattern(&mut self, s: &Spanned<String>, path: &str) -> bool {
        let text = s.value.as_str();
        if let Some((_, rest)) = text.split_once("://") {
            self.error(
                s.span,
                format!("`{path}` entry `{text}` has a URL scheme"),
                Some(format!("write the registry without it: `{rest}`")),
            );
            return false;
        }
        if let Some((first, _)) = text.split_once('/') {
            let registry_like = first == "localhost"
                || first.contains(['.', ':'])
                || first.contains(['*', '?', '[', '{'])
                || first.bytes().any(|b| b.is_ascii_uppercase());
            if !registry_like {
                self.error(
                    s.span,
                    format!(
                        "`{path}` entry `{text}` names no registry, so it never matches (image names are compared as registry/repository)"
                    ),
                    Some(format!("for Docker Hub write `docker.io/{text}`")),
                );
                return false;
            }
        }
        true
    }

    fn exception(&mut self, node: &Node) -> Option<Exception> {
        let map = self.map(node, "exceptions[]", EXCEPTION_KEYS)?;
        let before = self.errors.len();
        let rule = match present(map.get("rule")) {
            Some(n) => self
                .string(n, "exceptions[].rule")
                .filter(|s| self.selector(s, "exceptions[].rule")),
            None => {
                self.error(
                    node.span,
                    "exception is missing `rule`".into(),
                    Some("name the rule id (or id prefix) the exception is for".into()),
                );
                None
            }
        };
        let glob = |v: &mut Self, key: &str| -> Option<Pattern> {
            let n = present(map.get(key))?;
            let path = format!("exceptions[].{key}");
            let s = v.string(n, &path)?;
            v.pattern(s, &path)
        };
        let namespace = glob(self, "namespace");
        let name = glob(self, "name");
        let kind = glob(self, "kind");
        let reason = match present(map.get("reason")) {
            Some(n) => match self.string(n, "exceptions[].reason") {
                Some(r) if r.value.trim().is_empty() => {
                    self.error(
                        r.span,
                        "exception `reason` is empty".into(),
                        Some("say why the exception is needed".into()),
                    );
                    None
                }
                other => other,
            },
            None => {
                self.error(
                    node.span,
                    "exception is missing `reason`".into(),
                    Some("say why the exception is needed, e.g. `reason: \"needs the host network\"`".into()),
                );
                None
            }
        };
        let expires = match present(map.get("expires")) {
            Some(n) => {
                let date = n.scalar_text().and_then(|t| Date::parse(t.trim()));
                if date.is_none() {
                    let shown = n.scalar_text().unwrap_or_else(|| n.type_name().to_string());
                    self.error(
                        n.span,
                        format!("invalid date `{shown}` in `exceptions[].expires`"),
                        Some("write a calendar date as YYYY-MM-DD, e.g. 2027-03-31".into()),
                    );
                }
                date
            }
            None => None,
        };
        if self.errors.len() != before {
            return None;
        }
        Some(Exception {
            rule: rule?.value,
            namespace,
            name,
            kind,
            reason: reason?.value.trim().to_string(),
            expires,
            span: node.span,
        })
    }
}

fn parse_pss_version(text: &str) -> Option<PssVersionSetting> {
    if text == "latest" {
        return Some(PssVersionSetting::Latest);
    }
    let minor = text.strip_prefix("v1.")?;
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    minor
        .parse()
        .ok()
        .map(|m| PssVersionSetting::Version(PssVersion::v1(m)))
}
