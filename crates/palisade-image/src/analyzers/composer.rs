//! PHP Composer packages: `vendor/composer/installed.json`, which Composer
//! writes when it installs (Composer 1: an array of packages; Composer 2:
//! `{"packages": [...], "dev": ..., "dev-package-names": [...]}`), and
//! `composer.lock` (`packages` and `packages-dev`).
//!
//! Development packages (`packages-dev` of a lock file, the
//! `dev-package-names` of installed.json) are left out, as for npm.

use std::collections::HashSet;

use palisade_model::{purl, Ecosystem, Package};
use serde_json::Value;

use super::npm::{json, kind};
use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest installed.json or composer.lock read.
pub const MAX_COMPOSER_JSON: u64 = 32 << 20;

/// Reads Composer's installed.json and composer.lock.
pub struct Composer;

impl Analyzer for Composer {
    fn id(&self) -> &'static str {
        "composer"
    }

    fn wants(&self, entry: &Entry) -> bool {
        let p = entry.path.as_str();
        entry.size <= MAX_COMPOSER_JSON
            && (p.ends_with("vendor/composer/installed.json")
                || ((p == "composer.lock" || p.ends_with("/composer.lock"))
                    && !p.contains("vendor/")))
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        let what = if file.path().ends_with("composer.lock") {
            "composer.lock"
        } else {
            "installed.json"
        };
        out.packages
            .extend(parse(file.contents, what, file.path())?);
        Ok(())
    }
}

/// Parses installed.json (either version) or composer.lock; `what` names
/// the file kind in errors.
pub fn parse(bytes: &[u8], what: &str, path: &str) -> Result<Vec<Package>, AnalyzeError> {
    let v = json(bytes, what)?;
    let (list, field, dev): (&Value, &str, HashSet<&str>) = match &v {
        Value::Array(_) => (&v, "", HashSet::new()),
        Value::Object(o) => match o.get("packages") {
            Some(p) => {
                let dev = o
                    .get("dev-package-names")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                (p, "packages", dev)
            }
            None => {
                return Err(AnalyzeError::new(format!(
                    "{what}: expected a `packages` field"
                )))
            }
        },
        other => {
            return Err(AnalyzeError::new(format!(
                "{what}: expected an array or an object, found {}",
                kind(other)
            )))
        }
    };
    let Some(list) = list.as_array() else {
        return Err(AnalyzeError::new(format!(
            "{what} field `{field}`: expected an array, found {}",
            kind(list)
        )));
    };
    let mut out = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let place = if field.is_empty() {
            format!("[{i}]")
        } else {
            format!("{field}[{i}]")
        };
        let (Some(name), Some(version)) = (
            p.get("name").and_then(Value::as_str),
            p.get("version").and_then(Value::as_str),
        ) else {
            return Err(AnalyzeError::new(format!(
                "{what} field `{place}`: expected an object with string `name` and `version`"
            )));
        };
        if dev.contains(name) {
            continue;
        }
        // The purl specification lower-cases composer names.
        let lower = name.to_lowercase();
        let (ns, short) = match lower.split_once('/') {
            Some((ns, short)) => (Some(ns), short),
            None => (None, lower.as_str()),
        };
        let licenses = p
            .get("license")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Package {
            name: name.to_string(),
            version: version.to_string(),
            ecosystem: Ecosystem::Packagist,
            purl: purl("composer", ns, short, version, &[]),
            source_name: None,
            source_version: None,
            arch: None,
            licenses,
            layer: String::new(),
            path: path.to_string(),
        });
    }
    Ok(out)
}
