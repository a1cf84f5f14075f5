//! SPDX 2.3 JSON: the document describes the image (a `CONTAINER`
//! package), which contains the OS (an `OPERATING_SYSTEM` package) and every
//! package found. Licenses that are not valid SPDX expressions become
//! `LicenseRef-` identifiers with their text under
//! `hasExtractedLicensingInfos`.

use std::collections::BTreeMap;

use palisade_model::Package;
use serde::Serialize;

use super::{
    and_all, document_uuid, finish_json, image_purl, licenses, source_package, License, SbomInput,
    UniqueIds,
};

/// The SPDX specification version written.
pub const SPDX_VERSION: &str = "SPDX-2.3";

const NOASSERTION: &str = "NOASSERTION";
const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";
const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";
/// Identifier characters beyond the prefix are cut to this many.
const MAX_ID_LEN: usize = 120;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo<'a>,
    packages: Vec<SpdxPackage<'a>>,
    relationships: Vec<Relationship>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreationInfo<'a> {
    creators: Vec<String>,
    created: &'a str,
    license_list_version: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage<'a> {
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    download_location: &'static str,
    files_analyzed: bool,
    license_concluded: &'static str,
    license_declared: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef>,
    primary_package_purpose: &'static str,
}

impl<'a> SpdxPackage<'a> {
    fn new(spdx_id: String, name: &'a str, purpose: &'static str) -> Self {
        Self {
            spdx_id,
            name,
            version_info: None,
            download_location: NOASSERTION,
            files_analyzed: false,
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_string(),
            description: None,
            source_info: None,
            external_refs: Vec::new(),
            primary_package_purpose: purpose,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: String,
}

impl ExternalRef {
    fn purl(purl: String) -> Self {
        Self {
            reference_category: "PACKAGE-MANAGER",
            reference_type: "purl",
            reference_locator: purl,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense {
    license_id: String,
    extracted_text: String,
    name: String,
}

/// The SPDX 2.3 JSON document of an image, pretty-printed, ending in a
/// newline. Deterministic: the same input gives the same bytes.
pub fn spdx_json(input: &SbomInput<'_>) -> String {
    let doc = build(input);
    // Serialising these plain structs cannot fail.
    finish_json(serde_json::to_string_pretty(&doc).unwrap_or_default())
}

fn build<'a>(input: &SbomInput<'a>) -> Document<'a> {
    let uuid = document_uuid("spdx", input);
    let namespace = format!(
        "https://spdx.org/spdxdocs/palisade/image/{}-{uuid}",
        id_string(input.name)
    );
    let creators = vec![if input.tool_version.is_empty() {
        "Tool: palisade".to_string()
    } else {
        format!("Tool: palisade-{}", input.tool_version)
    }];

    let mut packages = Vec::with_capacity(input.packages.len() + 2);
    let mut relationships = Vec::with_capacity(input.packages.len() + 2);
    let mut rel = |a: &str, kind: &'static str, b: &str| {
        relationships.push(Relationship {
            spdx_element_id: a.to_string(),
            relationship_type: kind,
            related_spdx_element: b.to_string(),
        });
    };

    let mut image = SpdxPackage::new(IMAGE_ID.to_string(), input.name, "CONTAINER");
    image.version_info = input.digest;
    if let Some(p) = image_purl(input) {
        image.external_refs.push(ExternalRef::purl(p));
    }
    packages.push(image);
    rel(DOCUMENT_ID, "DESCRIBES", IMAGE_ID);

    if let Some(os) = input.os {
        let mut p = SpdxPackage::new(OS_ID.to_string(), &os.id, "OPERATING_SYSTEM");
        p.version_info = Some(os.version_id.as_str()).filter(|v| !v.is_empty());
        p.description = Some(os.pretty_name.as_str()).filter(|v| !v.is_empty());
        packages.push(p);
        rel(IMAGE_ID, "CONTAINS", OS_ID);
    }

    let mut ids = UniqueIds::default();
    let mut refs = LicenseRefs::default();
    for pkg in input.packages {
        let base = format!(
            "SPDXRef-Package-{}",
            id_string(&format!(
                "{}-{}-{}",
                pkg.ecosystem.as_str(),
                pkg.name,
                pkg.version
            ))
        );
        let id = ids.claim(&base, "-");
        let mut p = SpdxPackage::new(id.clone(), &pkg.name, "LIBRARY");
        p.version_info = Some(pkg.version.as_str()).filter(|v| !v.is_empty());
        p.license_declared = declared(pkg, &mut refs);
        p.source_info = source_info(pkg);
        if !pkg.purl.is_empty() {
            p.external_refs.push(ExternalRef::purl(pkg.purl.clone()));
        }
        packages.push(p);
        rel(IMAGE_ID, "CONTAINS", &id);
    }

    Document {
        spdx_version: SPDX_VERSION,
        data_license: "CC0-1.0",
        spdx_id: DOCUMENT_ID,
        name: input.name,
        document_namespace: namespace,
        creation_info: CreationInfo {
            creators,
            created: input.created,
            license_list_version: list_version(::spdx::license_version()),
        },
        packages,
        relationships,
        has_extracted_licensing_infos: refs.into_infos(),
    }
}

/// The license list version as SPDX 2.3 writes it, `M.N` (`3.29.0` ->
/// `3.29`).
fn list_version(full: &str) -> String {
    full.split('.').take(2).collect::<Vec<_>>().join(".")
}

/// `licenseDeclared`: the package's valid declarations joined with `AND`,
/// other text as `LicenseRef-` identifiers; `NOASSERTION` when none.
fn declared(pkg: &Package, refs: &mut LicenseRefs) -> String {
    let terms: Vec<String> = licenses(pkg)
        .into_iter()
        .map(|l| match l {
            License::Id(s) | License::Expression(s) => s,
            License::Name(text) => refs.id_for(&text),
        })
        .collect();
    if terms.is_empty() {
        NOASSERTION.to_string()
    } else {
        and_all(&terms)
    }
}

/// Where the package was found and what it was built from.
fn source_info(pkg: &Package) -> Option<String> {
    let mut parts = Vec::new();
    if !pkg.path.is_empty() {
        let mut s = format!("recorded in {}", pkg.path);
        if !pkg.layer.is_empty() {
            s.push_str(&format!(" of layer {}", pkg.layer));
        }
        parts.push(s);
    }
    if let Some(src) = source_package(pkg) {
        parts.push(format!("built from source package {src}"));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("; "))
    }
}

/// `LicenseRef-` identifiers for license text that is not a valid SPDX
/// expression, one per distinct text.
#[derive(Default)]
struct LicenseRefs {
    by_text: BTreeMap<String, String>,
    ids: UniqueIds,
    order: Vec<ExtractedLicense>,
}

impl LicenseRefs {
    fn id_for(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let id = self
            .ids
            .claim(&format!("LicenseRef-{}", id_string(text)), "-");
        self.by_text.insert(text.to_string(), id.clone());
        self.order.push(ExtractedLicense {
            license_id: id.clone(),
            extracted_text: text.to_string(),
            name: text.to_string(),
        });
        id
    }

    fn into_infos(self) -> Vec<ExtractedLicense> {
        self.order
    }
}

/// Text reduced to what SPDX identifiers allow after their prefix
/// (letters, digits, `.` and `-`): other characters become `-`, runs of
/// `-` collapse, and the result is cut to [`MAX_ID_LEN`] characters.
fn id_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_ID_LEN));
    for c in text.chars() {
        if out.len() >= MAX_ID_LEN {
            break;
        }
        let c = if c.is_ascii_alphanumeric() || c == '.' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let trimmed = out.trim_matches('-');
    if trimmed.is_empty() {
        "unnamed".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn license_list_version_is_major_minor() {
        assert_eq!(list_version("3.29.0"), "3.29");
        assert_eq!(list_version("3.30"), "3.30");
    }

    #[test]
    fn id_strings_keep_only_allowed_characters() {
        assert_eq!(
            id_string("deb-libc6-2.36-9+deb12u4"),
            "deb-libc6-2.36-9-deb12u4"
        );
        assert_eq!(id_string("npm-@types/node-20.1.0"), "npm-types-node-20.1.0");
        assert_eq!(id_string("\u{0}\u{7f}✓"), "unnamed");
        assert_eq!(id_string(&"x".repeat(500)).len(), MAX_ID_LEN);
    }
}
