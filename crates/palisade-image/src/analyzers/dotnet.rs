//! .NET applications: the `*.deps.json` file the .NET SDK writes beside a
//! published application. Its `libraries` object maps `NAME/VERSION` to a
//! description whose `type` is `package` (a NuGet package), `project` (the
//! application or a project it references) or `reference`; only packages
//! are recorded.

use palisade_model::{purl, Ecosystem, Package};
use serde_json::Value;

use super::npm::{json, kind};
use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest `*.deps.json` read.
pub const MAX_DEPS_JSON: u64 = 16 << 20;

/// Reads `*.deps.json`.
pub struct DotnetDeps;

impl Analyzer for DotnetDeps {
    fn id(&self) -> &'static str {
        "dotnet-deps"
    }

    fn wants(&self, entry: &Entry) -> bool {
        entry.size <= MAX_DEPS_JSON && entry.path.ends_with(".deps.json")
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        out.packages.extend(parse(file.contents, file.path())?);
        Ok(())
    }
}

/// Parses a `*.deps.json`.
pub fn parse(bytes: &[u8], path: &str) -> Result<Vec<Package>, AnalyzeError> {
    let v = json(bytes, "deps.json")?;
    let Some(libraries) = v.get("libraries") else {
        return Err(AnalyzeError::new(format!(
            "deps.json: expected an object with a `libraries` field, found {}",
            if v.is_object() {
                "an object without it"
            } else {
                kind(&v)
            }
        )));
    };
    let Some(libraries) = libraries.as_object() else {
        return Err(AnalyzeError::new(format!(
            "deps.json field `libraries`: expected an object, found {}",
            kind(libraries)
        )));
    };
    let mut out = Vec::new();
    for (key, lib) in libraries {
        if lib.get("type").and_then(Value::as_str) != Some("package") {
            continue;
        }
        let Some((name, version)) = key.split_once('/') else {
            return Err(AnalyzeError::new(format!(
                "deps.json field `libraries.{key}`: expected a key of the form NAME/VERSION"
            )));
        };
        if name.is_empty() || version.is_empty() {
            return Err(AnalyzeError::new(format!(
                "deps.json field `libraries.{key}`: empty name or version"
            )));
        }
        out.push(Package {
            name: name.to_string(),
            version: version.to_string(),
            ecosystem: Ecosystem::NuGet,
            purl: purl("nuget", None, name, version, &[]),
            source_name: None,
            source_version: None,
            arch: None,
            licenses: Vec::new(),
            layer: String::new(),
            path: path.to_string(),
        });
    }
    Ok(out)
}
