//! Hostile and broken SBOMs: every class of bad input gives an error that
//! names the file, the place and what was expected, quickly and within
//! bounded memory; nothing panics.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use palisade_sbom::{read, read_with, Limits, SbomError};

fn err(bytes: &[u8]) -> SbomError {
    read(bytes, "bad.sbom").unwrap_err()
}

fn msg(bytes: &[u8]) -> String {
    let e = err(bytes).to_string();
    assert!(
        e.starts_with("bad.sbom: "),
        "error does not name the file: {e}"
    );
    e
}

const TAG_VALUE: &str = "SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: app
DocumentNamespace: https://example.com/app
Creator: Tool: hand
Created: 2026-01-01T00:00:00Z

##### Package: app
PackageName: app
SPDXID: SPDXRef-app
PackageVersion: sha256:0123abcd
PrimaryPackagePurpose: CONTAINER
PackageDownloadLocation: NONE

PackageName: Jinja2
SPDXID: SPDXRef-jinja
PackageVersion: 3.1.2
PackageDownloadLocation: NONE
PackageLicenseDeclared: LicenseRef-bsd
PackageComment: <text>spans
two lines: with a colon</text>
ExternalRef: PACKAGE-MANAGER purl pkg:pypi/jinja2@3.1.2

LicenseID: LicenseRef-bsd
ExtractedText: <text>BSD
License</text>
LicenseName: BSD License

Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-app
Relationship: SPDXRef-app CONTAINS SPDXRef-jinja
";

#[test]
fn tag_value_reads_text_blocks_and_license_refs() {
    let s = read(TAG_VALUE.as_bytes(), "t.spdx").unwrap();
    assert_eq!(
        s.subject.as_ref().unwrap().digest.as_deref(),
        Some("sha256:0123abcd")
    );
    assert_eq!(s.packages.len(), 1);
    assert_eq!(s.packages[0].name, "Jinja2");
    assert_eq!(s.packages[0].licenses, ["BSD License"]);
}

#[test]
fn tag_value_errors_carry_line_numbers() {
    let bad = TAG_VALUE.replace("PackageVersion: 3.1.2", "PackageVersion 3.1.2");
    let e = msg(bad.as_bytes());
    assert!(
        e.contains("line 18") && e.contains("expected `Tag: value`"),
        "{e}"
    );
    let bad = TAG_VALUE.replace("License</text>", "License");
    let e = msg(bad.as_bytes());
    assert!(e.contains("line 26") && e.contains("never closed"), "{e}");
    let bad = TAG_VALUE.replace(
        "ExternalRef: PACKAGE-MANAGER purl pkg:pypi/jinja2@3.1.2",
        "ExternalRef: purl",
    );
    let e = msg(bad.as_bytes());
    assert!(
        e.contains("line 23") && e.contains("CATEGORY TYPE LOCATOR"),
        "{e}"
    );
    let bad = TAG_VALUE.replace("SPDXVersion: SPDX-2.3", "SPDXVersion: SPDX-3.0");
    assert!(msg(bad.as_bytes()).contains("version `SPDX-3.0` is not supported"));
    let mut bytes = TAG_VALUE.as_bytes().to_vec();
    bytes.extend_from_slice(b"PackageName: \xff\xfe\n");
    let e = msg(&bytes);
    assert!(e.contains("line 32") && e.contains("not UTF-8"), "{e}");
    let e = msg(b"DocumentName: x\nPackageName: y\n");
    assert!(e.contains("no `SPDXVersion:`"), "{e}");
}

#[test]
fn malformed_and_mistyped_json() {
    let e = msg(
        br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library","#,
    );
    assert!(e.contains("line 1") && e.contains("truncated"), "{e}");
    let e = msg(br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": "many"}"#);
    assert!(
        e.contains("invalid type: string") && e.contains("expected a sequence"),
        "{e}"
    );
    let e = msg(b"{\"bomFormat\": \"CycloneDX\",\n \"specVersion\": \"1.6\",\n \"components\": [{\"name\": \"x\", \"purl\": 5}]}");
    assert!(
        e.contains("line 3") && e.contains("invalid type: integer"),
        "{e}"
    );
    let e = msg(br#"{"bomFormat": "SWID", "specVersion": "1.6"}"#);
    assert!(
        e.contains("bomFormat") && e.contains("expected `CycloneDX`"),
        "{e}"
    );
    let e = msg(br#"{"bomFormat": "CycloneDX"}"#);
    assert!(e.contains("specVersion") && e.contains("missing"), "{e}");
    let e = msg(br#"{"bomFormat": "CycloneDX", "specVersion": "2.0"}"#);
    assert!(e.contains("version `2.0` is not supported"), "{e}");
    let e = msg(br#"{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": 7}]}"#);
    assert!(e.contains("invalid type: integer"), "{e}");
    let e = msg(br#"{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}"#);
    assert!(e.contains("SPDX 3"), "{e}");
    let e = msg(br#"{"name": "not an sbom"}"#);
    assert!(e.contains("not an SBOM"), "{e}");
    for unknown in [
        &b""[..],
        b"   \n",
        b"[1, 2]",
        b"\x00\x01binary",
        b"hello world",
    ] {
        assert!(
            matches!(err(unknown), SbomError::UnknownFormat { .. }),
            "{unknown:?}"
        );
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let start = Instant::now();
    // JSON: serde_json's recursion limit.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = msg(deep.as_bytes());
    assert!(
        matches!(err(deep.as_bytes()), SbomError::UnknownFormat { .. }),
        "{e}"
    );
    let mut nested = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
    for _ in 0..10_000 {
        nested.push_str(r#"{"type":"library","name":"x","components":["#);
    }
    for _ in 0..10_000 {
        nested.push_str("]}");
    }
    nested.push_str("]}");
    let e = msg(nested.as_bytes());
    assert!(e.contains("recursion limit"), "{e}");
    // Nesting within the parser's limit is flattened iteratively.
    let mut ok = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
    for i in 0..40 {
        ok.push_str(&format!(r#"{{"type":"library","name":"p{i}","version":"1","purl":"pkg:npm/p{i}@1","components":["#));
    }
    for _ in 0..40 {
        ok.push_str("]}");
    }
    ok.push_str("]}");
    assert_eq!(read(ok.as_bytes(), "ok.json").unwrap().packages.len(), 40);
    // XML: palisade's depth limit.
    let mut xml = String::from(r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6">"#);
    xml.push_str(&"<a>".repeat(200_000));
    xml.push_str(&"</a>".repeat(200_000));
    xml.push_str("</bom>");
    let e = msg(xml.as_bytes());
    assert!(e.contains("nested deeper than 64"), "{e}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn xml_entities_and_doctypes_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE bom [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&lol9;</name></component></components></bom>"#;
    let e = msg(laughs.as_bytes());
    assert!(
        e.contains("DOCTYPE is not allowed") && e.contains("byte 22"),
        "{e}"
    );
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]><bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata><component type="container"><name>&x;</name></component></metadata></bom>"#;
    assert!(msg(xxe.as_bytes()).contains("DOCTYPE is not allowed"));
    let undeclared = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>&x;</name></component></components></bom>"#;
    let e = msg(undeclared.as_bytes());
    assert!(e.contains("unknown entity `&x;`"), "{e}");
}

#[test]
fn malformed_xml() {
    for (xml, needle) in [
        (
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components></bom>"#,
            "malformed XML",
        ),
        (
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>"#,
            "truncated",
        ),
        (r#"<bom><components/></bom>"#, "no CycloneDX namespace"),
        (
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/9.9"/>"#,
            "version `9.9` is not supported",
        ),
        (
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"#,
            "SPDX RDF/XML is not supported",
        ),
        (
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"/><bom/>"#,
            "more than one root",
        ),
        (
            r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><x a="1" a="2"/></bom>"#,
            "attribute",
        ),
    ] {
        let e = msg(xml.as_bytes());
        assert!(e.contains(needle), "{xml}: {e}");
    }
    let e = msg(b"<bom>\xff</bom>");
    assert!(e.contains("byte 5") && e.contains("not UTF-8"), "{e}");
}

#[test]
fn size_and_count_limits() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
      {"type":"library","name":"a","version":"1","purl":"pkg:npm/a@1"},
      {"type":"library","name":"b","version":"1","purl":"pkg:npm/b@1"}]}"#;
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let e = read_with(doc, "big.json", &small).unwrap_err().to_string();
    assert!(e.contains("more than the 100-byte limit"), "{e}");
    let few = Limits {
        max_components: 1,
        ..Limits::default()
    };
    let e = read_with(doc, "many.json", &few).unwrap_err().to_string();
    assert!(
        e.contains("components[1]") && e.contains("more than 1 components"),
        "{e}"
    );
    let xml = r#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>a</name></component><component type="library"><name>b</name></component></components></bom>"#;
    let e = read_with(xml.as_bytes(), "many.xml", &few)
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than 1 components"), "{e}");
}

#[test]
fn bad_purls_and_unknown_types_are_noted() {
    let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[
      {"type":"library","name":"ok","version":"1","purl":"pkg:npm/ok@1"},
      {"type":"library","name":"bad","version":"1","purl":"npm/bad@1"},
      {"type":"library","name":"gh","version":"1","purl":"pkg:github/a/gh@1"},
      {"type":"library","name":"ruby","version":"2.0","properties":[{"name":"aquasecurity:trivy:PkgType","value":"gemspec"}]},
      {"type":"file","name":"README"},
      {"type":"application","name":"Pipfile.lock"}]}"#;
    let s = read(doc, "n.json").unwrap();
    let names: Vec<&str> = s.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ok", "ruby"]);
    assert_eq!(s.packages[1].purl, "pkg:gem/ruby@2.0");
    let notes = s.notes.join("\n");
    assert!(
        notes.contains("invalid purl") && notes.contains("components[1]"),
        "{notes}"
    );
    assert!(notes.contains("purl type `github`"), "{notes}");
    assert!(notes.contains("1 file components ignored"), "{notes}");
    assert!(
        notes.contains("no purl and no known ecosystem: Pipfile.lock"),
        "{notes}"
    );
}

/// A small xorshift generator: the same bytes flipped on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","metadata":{"component":{"type":"container","name":"img","version":"sha256:00"}},"components":[{"type":"operating-system","name":"debian","version":"12"},{"type":"library","name":"curl","version":"7.88.1-10","purl":"pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12&epoch=1","licenses":[{"license":{"id":"curl"}}],"properties":[{"name":"aquasecurity:trivy:SrcName","value":"curl"},{"name":"aquasecurity:trivy:SrcVersion","value":"7.88.1"},{"name":"aquasecurity:trivy:SrcRelease","value":"10"}],"components":[{"type":"library","name":"x","version":"1","purl":"pkg:npm/%40s/x@1"}]}]}"#;
    let xml = br#"<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"><metadata><component type="container"><name>img</name></component></metadata><components><component type="library"><group>g</group><name>a</name><version>1</version><licenses><license><id>MIT</id></license></licenses><purl>pkg:maven/g/a@1</purl><properties><property name="palisade:path">a.jar</property></properties></component></components></bom>"#;
    let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"SPDXRef-a","name":"a","versionInfo":"1","externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl","referenceLocator":"pkg:pypi/a@1"}],"sourceInfo":"built package from: a 1","annotations":[{"annotator":"Tool: trivy","comment":"FilePath: x"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"SPDXRef-a"}]}"#;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = Instant::now();
    let mut read_ok = 0;
    for base in [&cdx[..], &xml[..], &spdx[..], TAG_VALUE.as_bytes()] {
        for _ in 0..3000 {
            let mut b = base.to_vec();
            for _ in 0..1 + rng.next() % 4 {
                let i = (rng.next() % b.len() as u64) as usize;
                b[i] = (rng.next() & 0xff) as u8;
            }
            if read(&b, "flipped").is_ok() {
                read_ok += 1;
            }
        }
    }
    eprintln!(
        "flipped: {read_ok} of 12000 still read, in {:?}",
        start.elapsed()
    );
    assert!(read_ok > 0);
}

#[test]
fn large_documents_read_in_bounded_time() {
    // 200,000 components, about 30 MB of CycloneDX JSON.
    let mut doc = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
    for i in 0..200_000 {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!(
            r#"{{"type":"library","name":"pkg{i}","version":"1.{i}","purl":"pkg:npm/pkg{i}@1.{i}","properties":[{{"name":"palisade:path","value":"node_modules/pkg{i}/package.json"}}]}}"#
        ));
    }
    doc.push_str("]}");
    let start = Instant::now();
    let s = read(doc.as_bytes(), "large.json").unwrap();
    let took = start.elapsed();
    eprintln!(
        "{} bytes, {} packages in {took:?}",
        doc.len(),
        s.packages.len()
    );
    assert_eq!(s.packages.len(), 200_000);
    assert!(took < Duration::from_secs(30), "took {took:?}");
}
