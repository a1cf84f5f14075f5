//! CycloneDX 1.6 JSON: the image as `metadata.component` (type
//! `container`), the OS as an `operating-system` component, every package a
//! `library` component with its purl, and a flat dependency graph (the
//! image depends on the OS and on every package).

use palisade_model::Package;
use serde::Serialize;

use super::{
    and_all, document_uuid, finish_json, image_purl, licenses, split_group, License, SbomInput,
    UniqueIds,
};

/// The CycloneDX specification version written.
pub const CYCLONEDX_SPEC_VERSION: &str = "1.6";

/// The namespace of palisade's CycloneDX property names
/// (`palisade:layer:digest`, `palisade:path`, ...).
pub const PROPERTY_PREFIX: &str = "palisade:";

const SCHEMA: &str = "http://cyclonedx.org/schema/bom-1.6.schema.json";

#[derive(Serialize)]
struct Bom<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    #[serde(rename = "bomFormat")]
    bom_format: &'static str,
    #[serde(rename = "specVersion")]
    spec_version: &'static str,
    #[serde(rename = "serialNumber")]
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    timestamp: &'a str,
    tools: Tools<'a>,
    component: Component<'a>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<Component<'a>>,
}

#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
}

impl<'a> Component<'a> {
    fn new(kind: &'static str, name: &'a str) -> Self {
        Self {
            kind,
            bom_ref: None,
            group: None,
            name,
            version: None,
            description: None,
            licenses: Vec::new(),
            purl: None,
            properties: Vec::new(),
        }
    }
}

#[derive(Serialize)]
enum LicenseChoice {
    #[serde(rename = "license")]
    License(LicenseObject),
    #[serde(rename = "expression")]
    Expression(String),
}

#[derive(Serialize)]
enum LicenseObject {
    #[serde(rename = "id")]
    Id(String),
    #[serde(rename = "name")]
    Name(String),
}

// serde writes a newtype variant of an externally tagged enum as
// `{"variant": value}`, which is exactly CycloneDX's `{"license": {...}}`
// and `{"id": "MIT"}`.

#[derive(Serialize)]
struct Property {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct Dependency {
    #[serde(rename = "ref")]
    reference: String,
    #[serde(rename = "dependsOn")]
    depends_on: Vec<String>,
}

/// The CycloneDX 1.6 JSON document of an image, pretty-printed, ending in a
/// newline. Deterministic: the same input gives the same bytes.
pub fn cyclonedx_json(input: &SbomInput<'_>) -> String {
    let bom = build(input);
    // Serialising these plain structs cannot fail (string keys, no maps of
    // non-string keys, no fallible Serialize impls).
    finish_json(serde_json::to_string_pretty(&bom).unwrap_or_default())
}

fn build<'a>(input: &SbomInput<'a>) -> Bom<'a> {
    let mut ids = UniqueIds::default();
    let image_purl = image_purl(input);
    let image_ref = ids.claim(image_purl.as_deref().unwrap_or("palisade:image"), "#");
    let mut image = Component::new("container", input.name);
    image.bom_ref = Some(image_ref.clone());
    image.version = input.digest;
    image.purl = image_purl;

    let mut tool = Component::new("application", "palisade");
    tool.version = Some(input.tool_version).filter(|v| !v.is_empty());

    let mut components = Vec::with_capacity(input.packages.len() + 1);
    let mut depends_on = Vec::with_capacity(input.packages.len() + 1);
    if let Some(os) = input.os {
        let version = Some(os.version_id.as_str()).filter(|v| !v.is_empty());
        let base = match version {
            Some(v) => format!("palisade:os:{}@{v}", os.id),
            None => format!("palisade:os:{}", os.id),
        };
        let r = ids.claim(&base, "#");
        let mut c = Component::new("operating-system", &os.id);
        c.bom_ref = Some(r.clone());
        c.version = version;
        c.description = Some(os.pretty_name.as_str()).filter(|v| !v.is_empty());
        components.push(c);
        depends_on.push(r);
    }
    for pkg in input.packages {
        let c = package(pkg, &mut ids);
        if let Some(r) = &c.bom_ref {
            depends_on.push(r.clone());
        }
        components.push(c);
    }

    Bom {
        schema: SCHEMA,
        bom_format: "CycloneDX",
        spec_version: CYCLONEDX_SPEC_VERSION,
        serial_number: format!("urn:uuid:{}", document_uuid("cyclonedx", input)),
        version: 1,
        metadata: Metadata {
            timestamp: input.created,
            tools: Tools {
                components: vec![tool],
            },
            component: image,
        },
        components,
        dependencies: vec![Dependency {
            reference: image_ref,
            depends_on,
        }],
    }
}

fn package<'a>(pkg: &'a Package, ids: &mut UniqueIds) -> Component<'a> {
    let base = if pkg.purl.is_empty() {
        format!(
            "palisade:package:{}/{}@{}",
            pkg.ecosystem.as_str(),
            pkg.name,
            pkg.version
        )
    } else {
        pkg.purl.clone()
    };
    let (group, name) = split_group(pkg);
    let mut c = Component::new("library", name);
    c.bom_ref = Some(ids.claim(&base, "#"));
    c.group = group;
    c.version = Some(pkg.version.as_str()).filter(|v| !v.is_empty());
    c.licenses = license_choices(pkg);
    c.purl = Some(pkg.purl.clone()).filter(|p| !p.is_empty());
    let mut prop = |name: &str, value: &str| {
        c.properties.push(Property {
            name: format!("{PROPERTY_PREFIX}{name}"),
            value: value.to_string(),
        });
    };
    prop("ecosystem", pkg.ecosystem.as_str());
    if let Some(src) = &pkg.source_name {
        prop("source:name", src);
    }
    if let Some(v) = &pkg.source_version {
        prop("source:version", v);
    }
    if let Some(arch) = &pkg.arch {
        prop("arch", arch);
    }
    if !pkg.layer.is_empty() {
        prop("layer:digest", &pkg.layer);
    }
    if !pkg.path.is_empty() {
        prop("path", &pkg.path);
    }
    c
}

/// CycloneDX licenses: a list of `{"license": {"id"|"name"}}` when no
/// declaration is a compound expression; one `{"expression"}` when all are
/// valid SPDX and at least one is compound (several joined with `AND`);
/// otherwise the list, with compound expressions kept as names.
fn license_choices(pkg: &Package) -> Vec<LicenseChoice> {
    let ls = licenses(pkg);
    let any_expr = ls.iter().any(|l| matches!(l, License::Expression(_)));
    let all_valid = ls.iter().all(|l| !matches!(l, License::Name(_)));
    if any_expr && all_valid {
        let terms: Vec<String> = ls
            .into_iter()
            .map(|l| match l {
                License::Id(s) | License::Expression(s) | License::Name(s) => s,
            })
            .collect();
        return vec![LicenseChoice::Expression(and_all(&terms))];
    }
    ls.into_iter()
        .map(|l| {
            LicenseChoice::License(match l {
                License::Id(s) => LicenseObject::Id(s),
                License::Expression(s) | License::Name(s) => LicenseObject::Name(s),
            })
        })
        .collect()
}
