//! CycloneDX XML. No tool at hand writes it (trivy writes JSON only), so
//! the test writes the XML form of real CycloneDX JSON documents (trivy's
//! and palisade's SBOMs of a root filesystem built from this machine)
//! following the official XSDs, validates each with `xmllint` against the
//! vendored schema of its version (1.4 to 1.7, `tests/schemas/`), and
//! checks that reading the XML gives exactly what reading the JSON gives.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use palisade_report::sbom::SbomFormat as OutFormat;
use palisade_sbom::{read, SbomFormat};
use serde_json::Value;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text_el(out: &mut String, name: &str, v: &Value) {
    if let Some(s) = v.as_str() {
        out.push_str(&format!("<{name}>{}</{name}>", esc(s)));
    }
}

/// One component, its children in the XSD's sequence order.
fn component(out: &mut String, c: &Value) {
    out.push_str(&format!(
        "<component type=\"{}\"",
        esc(c["type"].as_str().unwrap())
    ));
    if let Some(r) = c["bom-ref"].as_str() {
        out.push_str(&format!(" bom-ref=\"{}\"", esc(r)));
    }
    out.push('>');
    text_el(out, "group", &c["group"]);
    text_el(out, "name", &c["name"]);
    text_el(out, "version", &c["version"]);
    text_el(out, "description", &c["description"]);
    if let Some(ls) = c["licenses"].as_array().filter(|l| !l.is_empty()) {
        out.push_str("<licenses>");
        for l in ls {
            if let Some(e) = l["expression"].as_str() {
                out.push_str(&format!("<expression>{}</expression>", esc(e)));
            } else {
                out.push_str("<license>");
                text_el(out, "id", &l["license"]["id"]);
                text_el(out, "name", &l["license"]["name"]);
                out.push_str("</license>");
            }
        }
        out.push_str("</licenses>");
    }
    text_el(out, "purl", &c["purl"]);
    if let Some(ps) = c["properties"].as_array().filter(|p| !p.is_empty()) {
        out.push_str("<properties>");
        for p in ps {
            out.push_str(&format!(
                "<property name=\"{}\">{}</property>",
                esc(p["name"].as_str().unwrap()),
                esc(p["value"].as_str().unwrap_or(""))
            ));
        }
        out.push_str("</properties>");
    }
    if let Some(cs) = c["components"].as_array().filter(|c| !c.is_empty()) {
        out.push_str("<components>");
        for c in cs {
            component(out, c);
        }
        out.push_str("</components>");
    }
    out.push_str("</component>\n");
}

/// The XML form of a CycloneDX JSON document, as version `version`.
fn to_xml(doc: &Value, version: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<bom xmlns=\"http://cyclonedx.org/schema/bom/{version}\" version=\"1\""
    ));
    if let Some(s) = doc["serialNumber"].as_str() {
        out.push_str(&format!(" serialNumber=\"{}\"", esc(s)));
    }
    out.push_str(">\n<metadata>");
    if let Some(t) = doc["metadata"]["timestamp"].as_str() {
        // xs:dateTime; trivy writes +00:00, palisade Z: both valid.
        out.push_str(&format!("<timestamp>{}</timestamp>", esc(t)));
    }
    if doc["metadata"]["component"].is_object() {
        component(&mut out, &doc["metadata"]["component"]);
    }
    out.push_str("</metadata>\n<components>\n");
    for c in doc["components"].as_array().unwrap() {
        component(&mut out, c);
    }
    out.push_str("</components>\n</bom>\n");
    out
}

fn xmllint_validate(xml_path: &Path, version: &str) {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(schemas.join(format!("bom-{version}.xsd")))
        .arg(xml_path)
        .env("XML_CATALOG_FILES", schemas.join("catalog.xml"))
        .output()
        .expect("xmllint is needed (Debian package libxml2-utils; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{} is not valid CycloneDX {version}: {}",
        xml_path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check(doc_json: &str, label: &str, dir: &Path) {
    let doc: Value = serde_json::from_str(doc_json).unwrap();
    let from_json = read(doc_json.as_bytes(), "x.cdx.json").unwrap();
    assert!(!from_json.packages.is_empty());
    for version in ["1.4", "1.5", "1.6", "1.7"] {
        let xml = to_xml(&doc, version);
        let path = dir.join(format!("{label}-{version}.cdx.xml"));
        std::fs::write(&path, &xml).unwrap();
        xmllint_validate(&path, version);
        let from_xml = read(xml.as_bytes(), &path.display().to_string()).unwrap();
        assert_eq!(from_xml.format, SbomFormat::CycloneDxXml);
        assert_eq!(from_xml.spec_version, version);
        assert_eq!(from_xml.packages, from_json.packages, "{label} {version}");
        assert_eq!(from_xml.os, from_json.os, "{label} {version}");
        assert_eq!(from_xml.subject, from_json.subject, "{label} {version}");
        assert_eq!(from_xml.notes, from_json.notes, "{label} {version}");
    }
}

#[test]
fn xml_of_palisade_sbom_validates_and_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    build_rootfs(&root);
    let inv = palisade_inventory(&root);
    let json = palisade_sbom(
        &inv,
        OutFormat::CycloneDx,
        "registry.example/app:1",
        Some("sha256:4f1c0a5e9d2b7c3f8e6a1d0b9c8f7e6d5c4b3a29180f7e6d5c4b3a2918070605"),
    );
    check(&json, "palisade", dir.path());
}

#[test]
fn xml_of_trivy_sbom_validates_and_reads_the_same() {
    let Some(trivy) = trivy() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    build_rootfs(&root);
    let json = trivy_sbom(&trivy, &root, &dir.path().join("cache"), "cyclonedx");
    check(std::str::from_utf8(&json).unwrap(), "trivy", dir.path());
}

#[test]
fn xml_escapes_cdata_and_nesting() {
    let xml = r#"<?xml version="1.0"?>
<!-- a comment -->
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1">
  <metadata>
    <tools><components><component type="application"><name>some-tool</name></component></components></tools>
    <component type="container" bom-ref="img"><name>registry.example/a&amp;b:1</name>
      <version>sha256:abcd</version></component>
  </metadata>
  <components>
    <component type="application">
      <name>app</name>
      <components>
        <component type="library">
          <group>org.example</group><name>lib</name><version><![CDATA[1.0<beta>]]></version>
          <licenses><license><id>MIT</id></license><expression>MIT OR Apache-2.0</expression></licenses>
          <purl>pkg:maven/org.example/lib@1.0%3Cbeta%3E</purl>
          <properties><property name="palisade:path">app/lib&#47;x.jar</property></properties>
        </component>
      </components>
    </component>
    <component type="library"><name>empty-version</name><purl>pkg:npm/x</purl></component>
  </components>
</bom>"#;
    let s = read(xml.as_bytes(), "t.xml").unwrap();
    let subject = s.subject.unwrap();
    assert_eq!(subject.name, "registry.example/a&b:1");
    assert_eq!(subject.digest.as_deref(), Some("sha256:abcd"));
    assert_eq!(s.packages.len(), 1, "{:?}", s.packages);
    let p = &s.packages[0];
    assert_eq!(p.name, "org.example:lib");
    assert_eq!(p.version, "1.0<beta>");
    assert_eq!(p.path, "app/lib/x.jar");
    assert_eq!(p.licenses, ["MIT", "MIT OR Apache-2.0"]);
    // The application without a purl and the npm package without a
    // version are noted, not read; the tool is not a component.
    assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("no version") && n.contains("empty-version")));
    assert!(s
        .notes
        .iter()
        .any(|n| n.contains("no purl") && n.contains("app")));
}
