//! npm packages: the `package.json` of each package installed under a
//! `node_modules` directory, and `package-lock.json` lock files (format 1's
//! nested `dependencies`, formats 2 and 3's flat `packages`).
//!
//! Only a `package.json` directly inside a package directory counts
//! (`node_modules/NAME/package.json`, `node_modules/@SCOPE/NAME/package.json`),
//! so test fixtures and examples deeper inside a package are not reported.
//! Lock-file entries flagged `"dev": true` are left out: they are not
//! installed by `npm ci --omit=dev` and trivy omits them by default too.
//! npm's hidden lock file `node_modules/.package-lock.json` is not read:
//! the installed `package.json` files say the same.

use palisade_model::{purl, Ecosystem, Package};
use serde_json::Value;

use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest installed `package.json` read.
pub const MAX_PACKAGE_JSON: u64 = 4 << 20;
/// Largest `package-lock.json` read.
pub const MAX_LOCK_SIZE: u64 = 64 << 20;
/// Deepest nesting of format-1 `dependencies` followed.
pub const MAX_LOCK_DEPTH: usize = 64;

/// Reads installed packages (`node_modules/**/package.json`).
pub struct NpmPackages;

/// Reads `package-lock.json`.
pub struct NpmLock;

impl Analyzer for NpmPackages {
    fn id(&self) -> &'static str {
        "npm"
    }

    fn wants(&self, entry: &Entry) -> bool {
        entry.size <= MAX_PACKAGE_JSON && is_installed_manifest(&entry.path)
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        let v = json(file.contents, "package.json")?;
        let Some(obj) = v.as_object() else {
            return Err(AnalyzeError::new(format!(
                "package.json: expected an object, found {}",
                kind(&v)
            )));
        };
        // A package.json without a name or version (a private workspace
        // placeholder) records no installable package.
        let (Some(name), Some(version)) = (
            obj.get("name").and_then(Value::as_str),
            obj.get("version").and_then(Value::as_str),
        ) else {
            return Ok(());
        };
        if name.is_empty() || version.is_empty() {
            return Ok(());
        }
        out.packages
            .push(npm_package(name, version, licenses(&v), file.path()));
        Ok(())
    }
}

/// Whether a path is `.../node_modules/NAME/package.json` or
/// `.../node_modules/@SCOPE/NAME/package.json`.
pub fn is_installed_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let mut parts = dir.rsplit('/');
    let (Some(name), Some(parent)) = (parts.next(), parts.next()) else {
        return false;
    };
    if parent == "node_modules" {
        return !name.starts_with(['.', '@']);
    }
    parent.starts_with('@') && parts.next() == Some("node_modules")
}

impl Analyzer for NpmLock {
    fn id(&self) -> &'static str {
        "npm-lock"
    }

    fn wants(&self, entry: &Entry) -> bool {
        let p = entry.path.as_str();
        entry.size <= MAX_LOCK_SIZE
            && (p == "package-lock.json" || p.ends_with("/package-lock.json"))
            && !p.contains("node_modules/")
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        out.packages.extend(parse_lock(file.contents, file.path())?);
        Ok(())
    }
}

/// Parses a `package-lock.json` (or `npm-shrinkwrap.json`) of any format.
pub fn parse_lock(bytes: &[u8], path: &str) -> Result<Vec<Package>, AnalyzeError> {
    let v = json(bytes, "package-lock.json")?;
    let Some(obj) = v.as_object() else {
        return Err(AnalyzeError::new(format!(
            "package-lock.json: expected an object, found {}",
            kind(&v)
        )));
    };
    let mut out = Vec::new();
    if let Some(packages) = obj.get("packages") {
        let Some(packages) = packages.as_object() else {
            return Err(AnalyzeError::new(format!(
                "package-lock.json field `packages`: expected an object, found {}",
                kind(packages)
            )));
        };
        for (key, entry) in packages {
            // "" is the project itself; other keys are install locations.
            let Some(at) = key.rfind("node_modules/") else {
                continue;
            };
            let Some(e) = entry.as_object() else {
                return Err(AnalyzeError::new(format!(
                    "package-lock.json field `packages.{key}`: expected an object, found {}",
                    kind(entry)
                )));
            };
            if flag(e.get("dev")) || flag(e.get("link")) {
                continue;
            }
            let name = e
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&key[at + "node_modules/".len()..]);
            let Some(version) = e.get("version").and_then(Value::as_str) else {
                continue;
            };
            if !name.is_empty() && !version.is_empty() {
                out.push(npm_package(name, version, licenses(entry), path));
            }
        }
        return Ok(out);
    }
    if let Some(deps) = obj.get("dependencies") {
        walk_v1(deps, "dependencies", 0, path, &mut out)?;
    }
    Ok(out)
}

fn walk_v1(
    deps: &Value,
    field: &str,
    depth: usize,
    path: &str,
    out: &mut Vec<Package>,
) -> Result<(), AnalyzeError> {
    if depth > MAX_LOCK_DEPTH {
        return Err(AnalyzeError::new(format!(
            "package-lock.json field `{field}`: nested more than {MAX_LOCK_DEPTH} levels"
        )));
    }
    let Some(deps) = deps.as_object() else {
        return Err(AnalyzeError::new(format!(
            "package-lock.json field `{field}`: expected an object, found {}",
            kind(deps)
        )));
    };
    for (name, dep) in deps {
        let here = format!("{field}.{name}");
        let Some(d) = dep.as_object() else {
            return Err(AnalyzeError::new(format!(
                "package-lock.json field `{here}`: expected an object, found {}",
                kind(dep)
            )));
        };
        if flag(d.get("dev")) {
            continue;
        }
        if let Some(version) = d.get("version").and_then(Value::as_str) {
            out.push(npm_package(name, version, Vec::new(), path));
        }
        if let Some(nested) = d.get("dependencies") {
            walk_v1(
                nested,
                &format!("{here}.dependencies"),
                depth + 1,
                path,
                out,
            )?;
        }
    }
    Ok(())
}

fn flag(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

/// `license` as a string or `{type}`, or the old `licenses` array.
fn licenses(v: &Value) -> Vec<String> {
    let one = |l: &Value| match l {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("type").and_then(Value::as_str).map(str::to_string),
        _ => None,
    };
    if let Some(l) = v.get("license").and_then(one) {
        return vec![l];
    }
    v.get("licenses")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(one).collect())
        .unwrap_or_default()
}

fn npm_package(name: &str, version: &str, licenses: Vec<String>, path: &str) -> Package {
    let (ns, short) = match name.split_once('/') {
        Some((scope, short)) if scope.starts_with('@') => (Some(scope), short),
        _ => (None, name),
    };
    Package {
        name: name.to_string(),
        version: version.to_string(),
        ecosystem: Ecosystem::Npm,
        purl: purl("npm", ns, short, version, &[]),
        source_name: None,
        source_version: None,
        arch: None,
        licenses,
        layer: String::new(),
        path: path.to_string(),
    }
}

/// Parses JSON, with errors that give the line and column.
pub(crate) fn json(bytes: &[u8], what: &str) -> Result<Value, AnalyzeError> {
    serde_json::from_slice(bytes).map_err(|e| {
        AnalyzeError::new(format!(
            "{what} line {} column {}: invalid JSON: {e}",
            e.line(),
            e.column()
        ))
    })
}

/// The JSON type of a value, for messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_manifest_paths() {
        assert!(is_installed_manifest(
            "app/node_modules/lodash/package.json"
        ));
        assert!(is_installed_manifest(
            "node_modules/@babel/core/package.json"
        ));
        assert!(is_installed_manifest(
            "a/node_modules/x/node_modules/@s/y/package.json"
        ));
        assert!(!is_installed_manifest("app/package.json"));
        assert!(!is_installed_manifest(
            "node_modules/x/test/fixtures/package.json"
        ));
        assert!(!is_installed_manifest("node_modules/@babel/package.json"));
        assert!(!is_installed_manifest("node_modules/.bin/package.json"));
        assert!(!is_installed_manifest("x/@s/y/package.json"));
    }

    #[test]
    fn lock_v1_nested_and_dev() {
        let lock = br#"{"lockfileVersion":1,"dependencies":{"a":{"version":"1.0.0","dependencies":{"b":{"version":"2.0.0"}}},"jest":{"version":"29.0.0","dev":true}}}"#;
        let pkgs = parse_lock(lock, "package-lock.json").unwrap();
        let names: Vec<_> = pkgs.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn lock_v3_scoped_dev_link() {
        let lock = br#"{"lockfileVersion":3,"packages":{"":{"name":"app"},"node_modules/@types/node":{"version":"20.1.0","license":"MIT"},"node_modules/x/node_modules/y":{"version":"1.2.3"},"node_modules/t":{"version":"1.0.0","dev":true},"node_modules/w":{"resolved":"packages/w","link":true}}}"#;
        let pkgs = parse_lock(lock, "package-lock.json").unwrap();
        assert_eq!(pkgs.len(), 2);
        assert_eq!(pkgs[0].purl, "pkg:npm/%40types/node@20.1.0");
        assert_eq!(pkgs[0].licenses, ["MIT"]);
        assert_eq!(pkgs[1].name, "y");
    }

    #[test]
    fn wrong_types_name_the_field() {
        let err = parse_lock(br#"{"packages":{"node_modules/a":5}}"#, "p").unwrap_err();
        assert!(
            err.message.contains("packages.node_modules/a"),
            "{}",
            err.message
        );
        let err = parse_lock(br#"{"dependencies":{"a":{"dependencies":[]}}}"#, "p").unwrap_err();
        assert!(
            err.message.contains("dependencies.a.dependencies"),
            "{}",
            err.message
        );
        let err = parse_lock(b"{\n\"packages\": {,}", "p").unwrap_err();
        assert!(err.message.contains("line 2"), "{}", err.message);
    }
}
