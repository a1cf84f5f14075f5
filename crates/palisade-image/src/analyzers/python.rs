//! Python distributions installed by pip and setuptools: the core metadata
//! (<https://packaging.python.org/en/latest/specifications/core-metadata/>)
//! in `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` and single-file
//! `*.egg-info`, wherever they are (site-packages, dist-packages).
//!
//! The metadata is email-header text: `Name: value` fields, continuation
//! lines start with white space, and the first blank line ends the headers
//! (the body is the long description, never read).

use palisade_model::{purl, Ecosystem, Package};

use super::{AnalyzeError, Analyzer, FileRef, Found};
use crate::layer::Entry;

/// Largest metadata file read (the headers are small; the body, which can
/// be long, is skipped).
pub const MAX_METADATA_SIZE: u64 = 8 << 20;

/// Reads Python package metadata.
pub struct Python;

impl Analyzer for Python {
    fn id(&self) -> &'static str {
        "python"
    }

    fn wants(&self, entry: &Entry) -> bool {
        let p = entry.path.as_str();
        entry.size <= MAX_METADATA_SIZE
            && (p.ends_with(".dist-info/METADATA")
                || p.ends_with(".egg-info/PKG-INFO")
                || p.ends_with(".egg-info"))
    }

    fn analyze(&self, file: &FileRef<'_>, out: &mut Found) -> Result<(), AnalyzeError> {
        if let Some(pkg) = parse(file.contents, file.path())? {
            out.packages.push(pkg);
        }
        Ok(())
    }
}

/// Parses core metadata. `Name` and `Version` are required (an error names
/// the missing field); licenses come from `License-Expression`, else
/// `License` (when short enough to be a name, not the license text), else
/// the `License ::` trove classifiers.
pub fn parse(bytes: &[u8], path: &str) -> Result<Option<Package>, AnalyzeError> {
    // Only the headers: up to the first blank line. Non-UTF-8 bytes occur
    // in old metadata; headers are read lossily.
    let end = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(bytes.len(), |i| i + 1);
    let text = String::from_utf8_lossy(&bytes[..end]);
    let mut name = None;
    let mut version = None;
    let mut expression = None;
    let mut license = None;
    let mut classifiers = Vec::new();
    let mut current: Option<(&str, String)> = None;
    let mut flush = |field: Option<(&str, String)>| {
        let Some((key, value)) = field else { return };
        match key.to_ascii_lowercase().as_str() {
            "name" => name = Some(value),
            "version" => version = Some(value),
            "license-expression" => expression = Some(value),
            "license" => license = Some(value),
            "classifier" => {
                if let Some(l) = value.strip_prefix("License ::") {
                    let l = l.rsplit("::").next().unwrap_or(l).trim();
                    if !l.is_empty() && l != "OSI Approved" {
                        classifiers.push(l.to_string());
                    }
                }
            }
            _ => {}
        }
    };
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            match current.as_mut() {
                Some((_, v)) => {
                    if v.len() < 4096 {
                        v.push('\n');
                        v.push_str(line.trim());
                    }
                }
                None => {
                    return Err(AnalyzeError::new(format!(
                        "line {}: continuation line before any field",
                        n + 1
                    )))
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err(AnalyzeError::new(format!(
                "line {}: expected `Field: value`, found {:?}",
                n + 1,
                line.chars().take(80).collect::<String>()
            )));
        };
        flush(current.take());
        current = Some((key.trim(), value.trim().to_string()));
    }
    flush(current.take());
    let Some(name) = name.filter(|n| !n.is_empty()) else {
        return Err(AnalyzeError::new("no `Name` field in the metadata headers"));
    };
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return Err(AnalyzeError::new(format!(
            "no `Version` field in the metadata headers of {name}"
        )));
    };
    let licenses = if let Some(e) = expression.filter(|e| !e.is_empty()) {
        vec![e]
    } else if let Some(l) =
        license.filter(|l| !l.is_empty() && l.len() <= 100 && !l.contains('\n') && l != "UNKNOWN")
    {
        vec![l]
    } else {
        classifiers
    };
    Ok(Some(Package {
        purl: purl("pypi", None, &normalize(&name), &version, &[]),
        name,
        version,
        ecosystem: Ecosystem::PyPI,
        source_name: None,
        source_version: None,
        arch: None,
        licenses,
        layer: String::new(),
        path: path.to_string(),
    }))
}

/// A PyPI name as the purl specification writes it: lower case, `_` as
/// `-`.
pub fn normalize(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_stop_at_the_body() {
        let text = b"Metadata-Version: 2.1\nName: Typing_Extensions\nVersion: 4.9.0\nLicense: Python Software Foundation\n  License text continues\nClassifier: License :: OSI Approved :: Python Software Foundation License\n\nName: not-me\n";
        let p = parse(text, "x/METADATA").unwrap().unwrap();
        assert_eq!(p.name, "Typing_Extensions");
        assert_eq!(p.purl, "pkg:pypi/typing-extensions@4.9.0");
        assert_eq!(p.licenses, ["Python Software Foundation License"]);
    }

    #[test]
    fn missing_version_and_garbage_are_errors() {
        let err = parse(b"Name: x\n", "m").unwrap_err();
        assert!(err.message.contains("Version"), "{}", err.message);
        let err = parse(b"Name: x\nthis is not a header\n", "m").unwrap_err();
        assert!(err.message.starts_with("line 2"), "{}", err.message);
        let err = parse(b"  indented\n", "m").unwrap_err();
        assert!(err.message.starts_with("line 1"), "{}", err.message);
    }
}
