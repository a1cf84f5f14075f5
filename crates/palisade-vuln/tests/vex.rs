//! VEX documents: OpenVEX (v0.2.0 and the older v0.0.x shapes) and
//! CycloneDX VEX, the lookup by vulnerability and product, the rule that a
//! later statement overrides an earlier one, and broken input.

#![allow(clippy::unwrap_used)]

use palisade_vuln::vex::{parse_vex, product_matches, VexError, VexFormat, VexStatus};

const IMAGE: &str = "sha256:9f2a6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a";

fn openvex() -> String {
    format!(
        r#"{{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://example.com/vex/app-2024-0001",
  "author": "Example Security <security@example.com>",
  "role": "Document Creator",
  "timestamp": "2024-01-10T08:00:00Z",
  "last_updated": "2024-02-01T08:00:00Z",
  "version": 2,
  "statements": [
    {{
      "vulnerability": {{"@id": "https://nvd.nist.gov/vuln/detail/CVE-2023-44487",
                          "name": "CVE-2023-44487", "aliases": ["GHSA-qppj-fm5r-hxr3"]}},
      "products": [
        {{"@id": "pkg:oci/app@{IMAGE}?repository_url=registry.example/team/app",
          "subcomponents": [{{"@id": "pkg:golang/golang.org/x/net@v0.15.0"}}]}}
      ],
      "status": "under_investigation",
      "timestamp": "2024-01-10T08:00:00Z"
    }},
    {{
      "vulnerability": {{"name": "CVE-2023-44487"}},
      "products": [
        {{"@id": "pkg:oci/app@{IMAGE}",
          "subcomponents": [{{"@id": "pkg:golang/golang.org/x/net"}}]}}
      ],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path",
      "impact_statement": "the HTTP/2 server is never started",
      "timestamp": "2024-01-20T10:00:00+02:00"
    }},
    {{
      "vulnerability": {{"name": "CVE-2024-0727"}},
      "products": [{{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64",
                    "identifiers": {{"purl": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2"}},
                    "hashes": {{"sha-256": "0123abcd"}}}}],
      "status": "affected",
      "action_statement": "upgrade to 3.0.13-1~deb12u1"
    }},
    {{
      "vulnerability": {{"name": "CVE-2024-0727"}},
      "products": [{{"@id": "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64"}}],
      "status": "fixed",
      "status_notes": "rebuilt with the patch"
    }},
    {{
      "vulnerability": {{"name": "CVE-2022-0001"}},
      "products": [{{"@id": "registry.example/team/app@{IMAGE}"}}],
      "status": "not_affected",
      "justification": "component_not_present",
      "timestamp": "2023-12-01T00:00:00Z"
    }}
  ]
}}"#
    )
}

#[test]
fn openvex_statements_and_lookup() {
    let doc = parse_vex(openvex().as_bytes(), "app.openvex.json").unwrap();
    assert_eq!(doc.format, VexFormat::OpenVex);
    assert_eq!(
        doc.id.as_deref(),
        Some("https://example.com/vex/app-2024-0001")
    );
    assert_eq!(doc.statements.len(), 5);
    assert_eq!(doc.statements[0].aliases, ["GHSA-qppj-fm5r-hxr3"]);
    assert_eq!(
        doc.statements[2].products.len(),
        3,
        "@id, identifiers.purl and the hash"
    );

    // The later statement (by time: 2024-01-20 08:00 UTC) overrides the
    // first, for the package in the image; found by alias too, any case.
    let net = "pkg:golang/golang.org/x/net@v0.15.0";
    for id in ["CVE-2023-44487", "ghsa-qppj-fm5r-hxr3"] {
        let s = doc.status_for(id, net).unwrap();
        assert_eq!(s.status, VexStatus::NotAffected);
        assert_eq!(
            s.justification.as_deref(),
            Some("vulnerable_code_not_in_execute_path")
        );
        assert_eq!(
            s.impact_statement.as_deref(),
            Some("the HTTP/2 server is never started")
        );
    }
    let s = doc
        .status_for_package("CVE-2023-44487", net, Some(IMAGE))
        .unwrap();
    assert_eq!(s.index, 1);
    // The image's subcomponent statement does not speak for another
    // package in it.
    assert!(doc
        .status_for_package(
            "CVE-2023-44487",
            "pkg:golang/golang.org/x/crypto@v0.14.0",
            Some(IMAGE)
        )
        .is_none());
    // Nor for the same package in another image.
    let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    assert!(doc
        .status_for_package("CVE-2023-44487", net, Some(other))
        .is_none());

    // Without timestamps of their own, statements take the document's,
    // and the later in the document wins.
    let s = doc
        .status_for(
            "CVE-2024-0727",
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
        )
        .unwrap();
    assert_eq!(s.status, VexStatus::Fixed);
    assert_eq!(s.status_notes.as_deref(), Some("rebuilt with the patch"));
    assert_eq!(s.timestamp.as_deref(), Some("2024-01-10T08:00:00Z"));
    assert!(s.status.suppresses());
    // Another version is not covered.
    assert!(doc
        .status_for("CVE-2024-0727", "pkg:deb/debian/libssl3@3.0.13-1~deb12u1")
        .is_none());

    // A statement about the whole image, named by reference, covers
    // every package in it, and the image by digest or purl.
    for product in [IMAGE, "registry.example/team/app@sha256:9F2A6B8C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A"] {
        assert_eq!(doc.status_for("CVE-2022-0001", product).unwrap().status, VexStatus::NotAffected);
    }
    let s = doc
        .status_for_package(
            "CVE-2022-0001",
            "pkg:deb/debian/zlib1g@1:1.2.13",
            Some(IMAGE),
        )
        .unwrap();
    assert_eq!(s.justification.as_deref(), Some("component_not_present"));
    assert!(doc.status_for("CVE-2099-0001", IMAGE).is_none());
}

#[test]
fn openvex_v0_0_x_shapes() {
    let doc = parse_vex(
        br#"{"@context": "https://openvex.dev/ns", "@id": "x", "author": "a",
             "timestamp": "2023-01-01T00:00:00Z", "version": "1",
             "statements": [{"vulnerability": "CVE-2023-1111",
                             "products": ["pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"],
                             "subcomponents": ["pkg:apk/wolfi/curl"],
                             "status": "not_affected",
                             "justification": "inline_mitigations_already_exist"}]}"#,
        "old.json",
    )
    .unwrap();
    let s = doc
        .status_for("CVE-2023-1111", "pkg:apk/wolfi/curl@8.0.1-r0")
        .unwrap();
    assert_eq!(s.status, VexStatus::NotAffected);
    assert!(doc
        .status_for("CVE-2023-1111", "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64")
        .is_some());
}

fn cyclonedx_vex() -> String {
    format!(
        r#"{{
  "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
  "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
  "metadata": {{"timestamp": "2024-03-01T00:00:00Z",
                "component": {{"type": "container", "bom-ref": "image", "name": "app",
                              "purl": "pkg:oci/app@{IMAGE}"}}}},
  "components": [
    {{"type": "library", "bom-ref": "jackson", "name": "jackson-databind",
      "group": "com.fasterxml.jackson.core", "version": "2.15.2",
      "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2",
      "components": [{{"type": "library", "bom-ref": "inner", "name": "inner",
                       "purl": "pkg:maven/org.example/inner@1.0"}}]}}
  ],
  "vulnerabilities": [
    {{"id": "CVE-2023-35116", "source": {{"name": "NVD"}},
      "references": [{{"id": "GHSA-xxxx-yyyy-zzzz", "source": {{"name": "GitHub"}}}}],
      "analysis": {{"state": "false_positive", "justification": "code_not_reachable",
                   "response": ["will_not_fix", "update"], "detail": "disputed upstream",
                   "lastUpdated": "2024-03-02T00:00:00Z"}},
      "affects": [{{"ref": "jackson"}}]}},
    {{"id": "CVE-2024-1000",
      "analysis": {{"state": "resolved"}},
      "affects": [{{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#inner"}},
                  {{"ref": "pkg:npm/left-pad@1.3.0"}}]}},
    {{"id": "CVE-2024-2000",
      "analysis": {{"state": "exploitable"}},
      "affects": [{{"ref": "image"}}]}},
    {{"id": "CVE-2024-3000", "affects": [{{"ref": "jackson"}}]}},
    {{"id": "CVE-2024-4000", "analysis": {{"state": "in_triage"}}, "affects": [{{"ref": "jackson"}}]}},
    {{"id": "CVE-2024-5000", "analysis": {{"state": "not_affected"}}, "affects": [{{"ref": "jackson"}}]}}
  ]
}}"#
    )
}

#[test]
fn cyclonedx_vex_resolves_refs() {
    let doc = parse_vex(cyclonedx_vex().as_bytes(), "app.vex.cdx.json").unwrap();
    assert_eq!(doc.format, VexFormat::CycloneDx);
    // The entry without an analysis states nothing.
    assert_eq!(doc.statements.len(), 5);
    let jackson = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2";
    let s = doc.status_for("GHSA-xxxx-yyyy-zzzz", jackson).unwrap();
    assert_eq!(s.vulnerability, "CVE-2023-35116");
    assert_eq!(s.status, VexStatus::NotAffected);
    assert_eq!(s.justification.as_deref(), Some("code_not_reachable"));
    assert_eq!(s.impact_statement.as_deref(), Some("disputed upstream"));
    assert_eq!(s.action_statement.as_deref(), Some("will_not_fix, update"));
    assert_eq!(s.timestamp.as_deref(), Some("2024-03-02T00:00:00Z"));
    let s = doc
        .status_for("CVE-2024-1000", "pkg:maven/org.example/inner@1.0")
        .unwrap();
    assert_eq!(s.status, VexStatus::Fixed);
    assert_eq!(
        doc.status_for("CVE-2024-1000", "pkg:npm/left-pad@1.3.0")
            .unwrap()
            .status,
        VexStatus::Fixed
    );
    assert_eq!(
        doc.status_for("CVE-2024-2000", IMAGE).unwrap().status,
        VexStatus::Affected
    );
    assert!(!VexStatus::Affected.suppresses());
    assert!(doc.status_for("CVE-2024-3000", jackson).is_none());
    assert_eq!(
        doc.status_for("CVE-2024-4000", jackson).unwrap().status,
        VexStatus::UnderInvestigation
    );
    assert_eq!(
        doc.status_for("CVE-2024-5000", jackson).unwrap().status,
        VexStatus::NotAffected
    );
}

#[test]
fn purl_product_patterns() {
    assert!(product_matches(
        "pkg:maven/org.example/inner",
        "pkg:maven/org.example/inner@2.0"
    ));
    assert!(!product_matches(
        "pkg:maven/org.example/inner@1.0",
        "pkg:maven/org.example/inner@2.0"
    ));
    assert!(!product_matches(
        "pkg:maven/org.example/inner",
        "pkg:maven/org.other/inner@1.0"
    ));
    assert!(!product_matches("not a purl", "pkg:npm/x@1"));
}

fn err(bytes: &[u8]) -> String {
    let e: VexError = parse_vex(bytes, "bad.vex.json").unwrap_err();
    let s = e.to_string();
    assert!(s.starts_with("bad.vex.json: "), "{s}");
    s
}

#[test]
fn broken_documents() {
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"#);
    assert!(e.contains("line 1, column"), "{e}");
    let e = err(b"[]");
    assert!(e.contains("expected a JSON object, found an array"), "{e}");
    let e = err(br#"{"statements": []}"#);
    assert!(e.contains("neither OpenVEX"), "{e}");
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0"}"#);
    assert!(e.contains("statements: missing"), "{e}");
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": {}}"#);
    assert!(
        e.contains("statements: expected an array, found an object"),
        "{e}"
    );
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "maybe"}]}"#);
    assert!(
        e.contains("statements[0].status") && e.contains("`maybe` is not"),
        "{e}"
    );
    let e = err(
        br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "fixed"}]}"#,
    );
    assert!(e.contains("statements[0].vulnerability: missing"), "{e}");
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1", "aliases": [1]}, "status": "fixed"}]}"#);
    assert!(
        e.contains("statements[0].vulnerability.aliases[0]: expected a string, found a number"),
        "{e}"
    );
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "products": [7]}]}"#);
    assert!(e.contains("statements[0].products[0]"), "{e}");
    let e = err(br#"{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"vulnerability": {"name": "CVE-1"}, "status": "fixed", "justification": false}]}"#);
    assert!(
        e.contains("statements[0].justification: expected a string, found a boolean"),
        "{e}"
    );
    let e = err(br#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "ok"}}]}"#);
    assert!(e.contains("vulnerabilities[0].analysis.state"), "{e}");
    let e = err(
        br#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"analysis": {"state": "resolved"}}]}"#,
    );
    assert!(e.contains("vulnerabilities[0].id: missing"), "{e}");
    let e = err(br#"{"bomFormat": "CycloneDX", "vulnerabilities": [{"id": "CVE-1", "analysis": {"state": "resolved"}, "affects": [{}]}]}"#);
    assert!(
        e.contains("vulnerabilities[0].affects[0].ref: missing"),
        "{e}"
    );
    let deep = format!("{}{}", "[".repeat(50_000), "]".repeat(50_000));
    assert!(err(deep.as_bytes()).contains("recursion limit"));
    let huge = vec![b' '; palisade_vuln::vex::MAX_VEX_BYTES + 1];
    assert!(err(&huge).contains("limit for a VEX document"));
}

#[test]
fn flipped_bytes_never_panic() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for base in [openvex(), cyclonedx_vex()] {
        let base = base.into_bytes();
        for _ in 0..3000 {
            let mut b = base.clone();
            for _ in 0..1 + next() % 4 {
                let i = (next() % b.len() as u64) as usize;
                b[i] = (next() & 0xff) as u8;
            }
            if let Ok(doc) = parse_vex(&b, "flipped") {
                for s in &doc.statements {
                    let _ = doc.status_for(&s.vulnerability, IMAGE);
                }
            }
        }
    }
}
