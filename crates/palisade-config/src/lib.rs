//! palisade configuration: discovery, rule selection, severities, rule
//! parameters, exceptions with expiry, inline suppression and locked rules.
//!
//! A configuration file (`palisade.yaml`, `palisade.yml`, `palisade.toml`, or
//! the same names with a leading dot) is found by [`discover`] or named by the
//! user, then [`load`]ed or [`parse`]d into a validated [`Config`]. Validation
//! collects every problem with its line and column instead of stopping at the
//! first one. This crate knows rule ids but nothing of what rules check.
#![warn(missing_docs)]

mod date;
mod discover;
mod rules;
mod suggest;
mod suppress;
mod toml_node;
mod validate;

use std::path::Path;
use std::sync::Arc;

use globset::GlobMatcher;
use palisade_model::{InputError, PssLevel, PssVersion, Severity, Span, Spanned};

pub use date::Date;
pub use discover::{discover, CONFIG_FILE_NAMES};
pub use rules::{
    config_rules, EXPIRED_EXCEPTION, INVALID_SUPPRESSION, LOCKED_RULE, SUPPRESSION_ANNOTATION,
};

/// The largest configuration file [`load`] reads.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// The syntax of a configuration file. Both describe the same schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigFormat {
    /// YAML (`.yaml`, `.yml`).
    Yaml,
    /// TOML (`.toml`).
    Toml,
}

impl ConfigFormat {
    /// The format a file name implies: TOML for `.toml`, YAML otherwise.
    pub fn from_path(path: &Path) -> ConfigFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("toml") => ConfigFormat::Toml,
            _ => ConfigFormat::Yaml,
        }
    }
}

/// The Pod Security Standards version the config asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PssVersionSetting {
    /// `latest`: the newest version palisade knows.
    Latest,
    /// A fixed version, `v1.N`.
    Version(PssVersion),
}

/// The image policy (`images:`), read by image rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImagePolicy {
    /// `allowed_registries`: glob patterns over the registry, or `registry/repository` for
    /// patterns with `/`; `None` when unset (everything allowed).
    pub allowed_registries: Option<Vec<String>>,
    /// `forbidden_registries`: glob patterns, as `allowed_registries`.
    pub forbidden_registries: Vec<String>,
    /// `require_digest: true`: every image must be pinned by digest.
    pub require_digest: bool,
    /// `require_digest` written as a list of glob patterns (over the registry,
    /// or `registry/repository` for patterns with `/`): the images that must
    /// be pinned by digest. Empty when `require_digest` is a boolean.
    pub require_digest_for: Vec<String>,
    /// `approved_base_images`: glob patterns, as `allowed_registries`, of the
    /// base images a Dockerfile's shipped image may be built on (a pattern
    /// whose last `/`-part holds a `:` also matches the tag); `None` when
    /// unset. Enforced by `PAL-DF-008`.
    pub approved_base_images: Option<Vec<String>>,
}

/// Settings of the image checks (`image:`), read by the `PAL-IMG` rules of
/// `palisade image`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageChecks {
    /// `max_age_days`: an image created longer ago is stale (`PAL-IMG-006`);
    /// `None` when unset (the rule's default applies).
    pub max_age_days: Option<u32>,
    /// `approved_distros`: `ID` or `ID-VERSION` entries (`debian-12`,
    /// `alpine-3.20`); `None` when unset (`PAL-IMG-012` is then silent).
    pub approved_distros: Option<Vec<String>>,
    /// `vulns`: match the image's packages against the vulnerability
    /// database by default, as `palisade image --vulns` does; `None` when
    /// unset (off).
    pub vulns: Option<bool>,
}

/// A glob over a name, as written and compiled.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    pub text: String,
    matcher: GlobMatcher,
}

impl Pattern {
    /// Whether `value` matches the pattern (`*`, `?`, `[abc]`, `{a,b}`; `*` also matches `/`).
    pub fn matches(&self, value: &str) -> bool {
        self.matcher.is_match(value)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// One entry of `exceptions:`: findings of matching rules on matching
/// objects are suppressed, with a reason, until the exception expires.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Exception {
    /// `rule`: a rule id or id prefix.
    pub rule: String,
    /// `namespace`: glob over `metadata.namespace` (an object without one has the namespace `""`).
    pub namespace: Option<Pattern>,
    /// `name`: glob over `metadata.name`.
    pub name: Option<Pattern>,
    /// `kind`: glob over `kind`.
    pub kind: Option<Pattern>,
    /// `reason`: why the exception exists.
    pub reason: String,
    /// `expires`: the last day the exception applies.
    pub expires: Option<Date>,
    /// Where the exception is written.
    pub span: Span,
}

impl Exception {
    /// Whether the exception has expired on `today` (it still applies on its `expires` day).
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|e| today > e)
    }
}

/// A validated configuration. [`Config::default`] is the empty configuration
/// (every rule at its defaults, nothing suppressed but by annotations).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The file the configuration came from; `None` for the default.
    pub source: Option<Arc<str>>,
    /// `pss.level`: default for `--level`.
    pub pss_level: Option<PssLevel>,
    /// `pss.version`: default for `--pss-version`.
    pub pss_version: Option<PssVersionSetting>,
    /// `rules.enable`: rule ids or id prefixes switched on (opt-in and preview rules).
    pub enable: Vec<Spanned<String>>,
    /// `rules.disable`: rule ids or id prefixes switched off.
    pub disable: Vec<Spanned<String>>,
    /// `rules.severity`: severity overrides by rule id or id prefix.
    pub severity: Vec<(Spanned<String>, Severity)>,
    /// `rules.lock`: rule ids or id prefixes that annotations cannot suppress (and that stay enabled).
    pub locked: Vec<Spanned<String>>,
    /// `capabilities.allowed`: capabilities containers may add, without `CAP_`; `None` when unset.
    pub allowed_capabilities: Option<Vec<String>>,
    /// `images`: the image policy.
    pub images: ImagePolicy,
    /// `image`: settings of the image checks.
    pub image: ImageChecks,
    /// `exceptions`.
    pub exceptions: Vec<Exception>,
    /// Rule ids the configuration was checked against; `None` for the default,
    /// in which case annotations are not checked for unknown ids.
    pub known_rule_ids: Option<Vec<String>>,
}

impl Config {
    /// The empty configuration, knowing the rule ids annotations may name.
    pub fn new(known_rule_ids: &[&str]) -> Config {
        Config {
            known_rule_ids: Some(all_known(known_rule_ids)),
            ..Config::default()
        }
    }

    /// Whether rule `id` runs. The most specific matching selector of
    /// `rules.enable`, `rules.disable` and `rules.lock` decides (a full id
    /// beats a prefix, a longer prefix beats a shorter one; a locked rule
    /// counts as enabled); with no match, `enabled_by_default` decides.
    pub fn rule_enabled(&self, id: &str, enabled_by_default: bool) -> bool {
        let best = |list: &[Spanned<String>]| {
            list.iter()
                .filter(|s| selects(&s.value, id))
                .map(|s| s.value.len())
                .max()
        };
        let on = best(&self.enable).max(best(&self.locked));
        let off = best(&self.disable);
        match (on, off) {
            (None, None) => enabled_by_default,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            // Validation rejects a disable as specific as an enable, so ties mean "on".
            (Some(on), Some(off)) => on >= off,
        }
    }

    /// The severity of rule `id`: the most specific `rules.severity` entry, else `default`.
    pub fn severity(&self, id: &str, default: Severity) -> Severity {
        self.severity
            .iter()
            .filter(|(s, _)| selects(&s.value, id))
            .max_by_key(|(s, _)| s.value.len())
            .map_or(default, |(_, sev)| *sev)
    }

    /// Whether annotations are forbidden to suppress rule `id`.
    pub fn is_locked(&self, id: &str) -> bool {
        self.locked.iter().any(|s| selects(&s.value, id))
    }
}

/// Whether a selector (a rule id or an id prefix) selects rule `id`.
pub fn selects(selector: &str, id: &str) -> bool {
    !selector.is_empty() && id.starts_with(selector)
}

/// Reads and validates the configuration file at `path`, checking rule ids
/// against `known_rule_ids` (the ids of [`config_rules`] are always known).
pub fn load(path: &Path, known_rule_ids: &[&str]) -> Result<Config, Vec<InputError>> {
    let file: Arc<str> = Arc::from(path.display().to_string());
    let fail = |message: String| {
        vec![InputError {
            file: file.clone(),
            span: None,
            message,
            help: None,
        }]
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read config: {e}")))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(fail(format!(
            "config file is {} bytes, more than the limit of {MAX_CONFIG_BYTES}",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read config: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| fail("config is not valid UTF-8".into()))?;
    parse(&file, &text, ConfigFormat::from_path(path), known_rule_ids)
}

/// Parses and validates configuration `text` (named `file` in errors).
/// Returns every problem found, each with its line and column when known.
pub fn parse(
    file: &str,
    text: &str,
    format: ConfigFormat,
    known_rule_ids: &[&str],
) -> Result<Config, Vec<InputError>> {
    let file: Arc<str> = Arc::from(file);
    let root = match format {
        ConfigFormat::Toml => Some(toml_node::parse_toml(&file, text).map_err(|e| vec![e])?),
        ConfigFormat::Yaml => validate::parse_yaml(&file, text)?,
    };
    validate::validate(file, root.as_ref(), &all_known(known_rule_ids))
}

fn all_known(known_rule_ids: &[&str]) -> Vec<String> {
    let mut ids: Vec<String> = known_rule_ids
        .iter()
        .map(|s| s.to_string())
        .chain(config_rules().iter().map(|r| r.id.to_string()))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}
