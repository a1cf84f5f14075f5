//! SPDX 2.2 and 2.3 (2.0 and 2.1 read with a note), JSON and tag-value.
//!
//! What is read: the packages (`name`, `versionInfo`, `primaryPackagePurpose`,
//! `description`/`summary`, `sourceInfo`, `licenseDeclared` or else
//! `licenseConcluded`, `purl` external references, and Trivy's
//! `Key: value` annotations), the `DESCRIBES` relationships (the subject)
//! and the extracted license texts that `LicenseRef-` identifiers name.

use std::collections::HashMap;

use serde::Deserialize;

use crate::model::{finish, json_error, Found, Raw};
use crate::{Limits, Sbom, SbomError, SbomFormat};

const SUPPORTED: &str = "SPDX-2.0 to SPDX-2.3 (2.2 and 2.3 tested)";

/// One SPDX package, format-neutral.
#[derive(Default)]
struct Pkg {
    id: String,
    name: String,
    version: Option<String>,
    purpose: Option<String>,
    description: Option<String>,
    source_info: Option<String>,
    declared: Option<String>,
    concluded: Option<String>,
    purls: Vec<String>,
    annotations: Vec<(String, String)>,
}

/// Everything both syntaxes give.
#[derive(Default)]
struct Doc {
    version: String,
    packages: Vec<Pkg>,
    describes: Vec<String>,
    extracted: HashMap<String, String>,
    /// File SPDX id -> file name.
    files: HashMap<String, String>,
    /// Package SPDX id -> the files it `CONTAINS`.
    contains: HashMap<String, Vec<String>>,
}

fn check_version(
    version: &str,
    format: SbomFormat,
    file: &str,
    notes: &mut Vec<String>,
) -> Result<(), SbomError> {
    match version {
        "SPDX-2.2" | "SPDX-2.3" => Ok(()),
        "SPDX-2.0" | "SPDX-2.1" => {
            notes.push(format!(
                "{version} is older than SPDX-2.2; read with the 2.2 rules"
            ));
            Ok(())
        }
        _ => Err(SbomError::UnsupportedVersion {
            file: file.to_string(),
            format,
            version: version.chars().take(40).collect(),
            supported: SUPPORTED,
        }),
    }
}

/// A license field's value, unless it says nothing.
fn license_value(s: Option<&str>) -> Option<&str> {
    s.map(str::trim)
        .filter(|s| !s.is_empty() && *s != "NOASSERTION" && *s != "NONE")
}

fn finish_doc(doc: Doc, format: SbomFormat, file: &str) -> Result<Sbom, SbomError> {
    let mut notes = Vec::new();
    check_version(&doc.version, format, file, &mut notes)?;
    let mut subject = None;
    let mut components = Vec::with_capacity(doc.packages.len());
    for (i, p) in doc.packages.into_iter().enumerate() {
        let licenses = license_value(p.declared.as_deref())
            .or_else(|| license_value(p.concluded.as_deref()))
            .map(|l| match doc.extracted.get(l) {
                Some(text) => text.clone(),
                None => l.to_string(),
            })
            .into_iter()
            .collect();
        let is_subject = subject.is_none() && doc.describes.contains(&p.id);
        // A package that contains exactly one file: Trivy relates each
        // language package to its metadata file (the place of last resort:
        // Syft relates OS packages to one owned file).
        let mut props = p.annotations;
        if let Some([file]) = doc.contains.get(&p.id).map(Vec::as_slice) {
            if let Some(name) = doc.files.get(file) {
                props.push(("spdx:contains:file".into(), name.clone()));
            }
        }
        let raw = Raw {
            place: if p.id.is_empty() {
                format!("packages[{i}]")
            } else {
                p.id.clone()
            },
            kind: p
                .purpose
                .as_deref()
                .unwrap_or("")
                .to_ascii_lowercase()
                .replace('_', "-"),
            name: p.name,
            group: None,
            version: p.version,
            purl: p.purls.into_iter().next(),
            description: p.description,
            licenses,
            props,
            source_info: p.source_info,
        };
        if is_subject {
            subject = Some(raw);
        } else {
            components.push(raw);
        }
    }
    Ok(finish(Found {
        format,
        spec_version: doc.version,
        subject,
        components,
        notes,
    }))
}

/// Trivy's annotations are `Key: value` comments; they become the
/// properties Trivy writes in CycloneDX (`aquasecurity:trivy:Key`).
fn annotation(annotator: &str, comment: &str) -> Option<(String, String)> {
    if !annotator.contains("trivy") {
        return None;
    }
    let (k, v) = comment.split_once(':')?;
    let k = k.trim();
    if k.is_empty() || k.contains(' ') {
        return None;
    }
    Some((format!("aquasecurity:trivy:{k}"), v.trim().to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonDoc {
    spdx_version: String,
    #[serde(default)]
    packages: Vec<JsonPkg>,
    #[serde(default)]
    relationships: Vec<JsonRel>,
    #[serde(default)]
    document_describes: Vec<String>,
    #[serde(default)]
    has_extracted_licensing_infos: Vec<JsonExtracted>,
    #[serde(default)]
    files: Vec<JsonFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonFile {
    #[serde(rename = "SPDXID", default)]
    id: String,
    #[serde(default)]
    file_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonPkg {
    #[serde(rename = "SPDXID", default)]
    id: String,
    #[serde(default)]
    name: String,
    version_info: Option<String>,
    primary_package_purpose: Option<String>,
    description: Option<String>,
    summary: Option<String>,
    source_info: Option<String>,
    license_declared: Option<String>,
    license_concluded: Option<String>,
    #[serde(default)]
    external_refs: Vec<JsonRef>,
    #[serde(default)]
    annotations: Vec<JsonAnnotation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonRef {
    #[serde(default)]
    reference_type: String,
    #[serde(default)]
    reference_locator: String,
}

#[derive(Deserialize)]
struct JsonAnnotation {
    #[serde(default)]
    annotator: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonRel {
    #[serde(default)]
    spdx_element_id: String,
    #[serde(default)]
    relationship_type: String,
    #[serde(default)]
    related_spdx_element: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsonExtracted {
    #[serde(default)]
    license_id: String,
    name: Option<String>,
    extracted_text: Option<String>,
}

/// Reads SPDX JSON.
pub(crate) fn read_json(bytes: &[u8], file: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    let d: JsonDoc = serde_json::from_slice(bytes).map_err(|e| json_error(file, &e))?;
    if d.packages.len() > limits.max_components {
        return Err(SbomError::Invalid {
            file: file.to_string(),
            place: "packages".into(),
            message: format!("more than {} packages", limits.max_components),
        });
    }
    let mut doc = Doc {
        version: d.spdx_version,
        ..Doc::default()
    };
    doc.describes = d.document_describes;
    for r in d.relationships {
        if r.relationship_type == "DESCRIBES" && r.spdx_element_id == "SPDXRef-DOCUMENT" {
            doc.describes.push(r.related_spdx_element);
        } else if r.relationship_type == "DESCRIBED_BY"
            && r.related_spdx_element == "SPDXRef-DOCUMENT"
        {
            doc.describes.push(r.spdx_element_id);
        } else if r.relationship_type == "CONTAINS" {
            doc.contains
                .entry(r.spdx_element_id)
                .or_default()
                .push(r.related_spdx_element);
        }
    }
    for f in d.files {
        if !f.file_name.is_empty() {
            doc.files
                .insert(f.id, f.file_name.trim_start_matches("./").to_string());
        }
    }
    for e in d.has_extracted_licensing_infos {
        if let Some(t) = e.name.filter(|n| !n.is_empty()).or(e.extracted_text) {
            doc.extracted.insert(e.license_id, t);
        }
    }
    for p in d.packages {
        doc.packages.push(Pkg {
            id: p.id,
            name: p.name,
            version: p.version_info,
            purpose: p.primary_package_purpose,
            description: p.description.or(p.summary),
            source_info: p.source_info,
            declared: p.license_declared,
            concluded: p.license_concluded,
            purls: p
                .external_refs
                .into_iter()
                .filter(|r| r.reference_type == "purl")
                .map(|r| r.reference_locator)
                .collect(),
            annotations: p
                .annotations
                .iter()
                .filter_map(|a| annotation(&a.annotator, &a.comment))
                .collect(),
        });
    }
    finish_doc(doc, SbomFormat::SpdxJson, file)
}

/// Which element the tag-value lines now describe.
enum Current {
    None,
    Package,
    File,
    License,
    Other,
}

/// Reads SPDX tag-value: `Tag: value` lines, values in
/// `<text>...</text>` may span lines, `#` starts a comment line.
pub(crate) fn read_tag_value(bytes: &[u8], file: &str, limits: &Limits) -> Result<Sbom, SbomError> {
    let err = |line: usize, message: String| SbomError::TagValue {
        file: file.to_string(),
        line,
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        err(line, "not UTF-8: SPDX tag-value is UTF-8 text".into())
    })?;
    let mut doc = Doc::default();
    let mut current = Current::None;
    let mut license_id = String::new();
    let mut file_name = String::new();
    // Annotations: (annotator, target, comment), the last one open.
    let mut annotations: Vec<(String, String, String)> = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        let n = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(err(
                n,
                format!(
                    "expected `Tag: value`, found `{}`",
                    trimmed.chars().take(60).collect::<String>()
                ),
            ));
        };
        let tag = tag.trim();
        if tag.is_empty() || tag.contains(char::is_whitespace) {
            return Err(err(
                n,
                format!(
                    "expected a tag before `:`, found `{}`",
                    tag.chars().take(60).collect::<String>()
                ),
            ));
        }
        let mut value = value.trim().to_string();
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut body = String::new();
            match rest.find("</text>") {
                Some(end) => body.push_str(&rest[..end]),
                None => {
                    body.push_str(rest);
                    let mut closed = false;
                    for (_, more) in lines.by_ref() {
                        if let Some(end) = more.find("</text>") {
                            body.push('\n');
                            body.push_str(&more[..end]);
                            closed = true;
                            break;
                        }
                        body.push('\n');
                        body.push_str(more);
                    }
                    if !closed {
                        return Err(err(
                            n,
                            format!("`{tag}`: <text> opened here is never closed with </text>"),
                        ));
                    }
                }
            }
            value = body.trim().to_string();
        }
        match tag {
            "SPDXVersion" => doc.version = value,
            "PackageName" => {
                if doc.packages.len() >= limits.max_components {
                    return Err(err(
                        n,
                        format!("more than {} packages", limits.max_components),
                    ));
                }
                doc.packages.push(Pkg {
                    name: value,
                    ..Pkg::default()
                });
                current = Current::Package;
            }
            "FileName" => {
                file_name = value;
                current = Current::File;
            }
            "SnippetSPDXID" => current = Current::Other,
            "LicenseID" => {
                license_id = value;
                current = Current::License;
            }
            "ExtractedText" | "LicenseName" => {
                if matches!(current, Current::License) {
                    // The name wins over the text when both are given.
                    if tag == "LicenseName" || !doc.extracted.contains_key(&license_id) {
                        doc.extracted.insert(license_id.clone(), value);
                    }
                }
            }
            "Relationship" => {
                let words: Vec<&str> = value.split_whitespace().collect();
                match words.as_slice() {
                    ["SPDXRef-DOCUMENT", "DESCRIBES", b, ..] => {
                        doc.describes.push((*b).to_string())
                    }
                    [a, "DESCRIBED_BY", "SPDXRef-DOCUMENT", ..] => {
                        doc.describes.push((*a).to_string())
                    }
                    [a, "CONTAINS", b, ..] => doc
                        .contains
                        .entry((*a).to_string())
                        .or_default()
                        .push((*b).to_string()),
                    [_, _, _, ..] => {}
                    _ => {
                        return Err(err(
                            n,
                            "`Relationship` expects `ELEMENT TYPE ELEMENT`".into(),
                        ))
                    }
                }
            }
            "Annotator" => annotations.push((value, String::new(), String::new())),
            "SPDXREF" => {
                if let Some(a) = annotations.last_mut() {
                    a.1 = value;
                }
            }
            "AnnotationComment" => {
                if let Some(a) = annotations.last_mut() {
                    a.2 = value;
                }
            }
            "SPDXID" if matches!(current, Current::File) => {
                doc.files
                    .insert(value, file_name.trim_start_matches("./").to_string());
            }
            _ => {
                if let (Current::Package, Some(p)) = (&current, doc.packages.last_mut()) {
                    match tag {
                        "SPDXID" => p.id = value,
                        "PackageVersion" => p.version = Some(value),
                        "PrimaryPackagePurpose" => p.purpose = Some(value),
                        "PackageDescription" => p.description = Some(value),
                        "PackageSummary" if p.description.is_none() => {
                            p.description = Some(value);
                        }
                        "PackageSourceInfo" => p.source_info = Some(value),
                        "PackageLicenseDeclared" => p.declared = Some(value),
                        "PackageLicenseConcluded" => p.concluded = Some(value),
                        "ExternalRef" => {
                            let words: Vec<&str> = value.split_whitespace().collect();
                            match words.as_slice() {
                                [_, "purl", locator] => p.purls.push((*locator).to_string()),
                                [_, _, _] => {}
                                _ => {
                                    return Err(err(
                                        n,
                                        "`ExternalRef` expects `CATEGORY TYPE LOCATOR`".into(),
                                    ))
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    if doc.version.is_empty() {
        return Err(err(
            1,
            "no `SPDXVersion:` line: not an SPDX tag-value document".into(),
        ));
    }
    let index: HashMap<String, usize> = doc
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.clone(), i))
        .collect();
    for (annotator, target, comment) in annotations {
        if let (Some(&i), Some(kv)) = (index.get(&target), annotation(&annotator, &comment)) {
            if let Some(p) = doc.packages.get_mut(i) {
                p.annotations.push(kv);
            }
        }
    }
    finish_doc(doc, SbomFormat::SpdxTagValue, file)
}
