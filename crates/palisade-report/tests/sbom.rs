//! SBOMs: CycloneDX 1.6 and SPDX 2.3 documents of a realistic package set
//! validate against the official schemas (vendored under `tests/schemas/`,
//! their `$ref`s resolved locally), carry every purl, survive hostile text,
//! keep their identifiers unique and consistent, and are byte-for-byte
//! deterministic.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use palisade_model::{purl, Ecosystem, OsInfo, Package};
use palisade_report::sbom::{
    cyclonedx_json, render_sbom, spdx_json, timestamp, SbomFormat, SbomInput,
};
use serde_json::Value;

fn schemas_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

fn load(rel: &str) -> Value {
    let text = std::fs::read_to_string(schemas_dir().join(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Compiles `main` with every other schema registered under its `$id`, so
/// no reference leaves the machine, and validates `doc`.
fn validate(doc: &Value, main: &str, others: &[&str]) {
    if let Err(e) = check(doc, main, others) {
        panic!("document is not valid against {main}:\n{e}\n{doc:#}");
    }
}

fn check(doc: &Value, main: &str, others: &[&str]) -> Result<(), String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    for rel in others.iter().chain([&main]) {
        let schema = load(rel);
        let id = schema["$id"].as_str().unwrap().to_string();
        compiler.add_resource(&id, schema).unwrap();
    }
    let main_id = load(main)["$id"].as_str().unwrap().to_string();
    let index = compiler
        .compile(&main_id, &mut schemas)
        .unwrap_or_else(|e| panic!("schema {main} does not compile: {e:#}"));
    schemas.validate(doc, index).map_err(|e| format!("{e:#}"))
}

fn validate_cyclonedx(doc: &Value) {
    validate(
        doc,
        "cyclonedx/bom-1.6.schema.json",
        &[
            "cyclonedx/spdx.schema.json",
            "cyclonedx/jsf-0.82.schema.json",
        ],
    );
}

fn validate_spdx(doc: &Value) {
    validate(doc, "spdx/spdx-schema-2.3.json", &[]);
}

#[allow(clippy::too_many_arguments)]
fn pkg(
    eco: Ecosystem,
    name: &str,
    version: &str,
    purl: String,
    licenses: &[&str],
    source: Option<(&str, Option<&str>)>,
    layer: &str,
    path: &str,
) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        ecosystem: eco,
        purl,
        source_name: source.map(|(n, _)| n.to_string()),
        source_version: source.and_then(|(_, v)| v.map(str::to_string)),
        arch: None,
        licenses: licenses.iter().map(|s| s.to_string()).collect(),
        layer: layer.into(),
        path: path.into(),
    }
}

const L1: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const L2: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
const DIGEST: &str = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn debian() -> OsInfo {
    OsInfo {
        id: "debian".into(),
        version_id: "12".into(),
        pretty_name: "Debian GNU/Linux 12 (bookworm)".into(),
        codename: Some("bookworm".into()),
        id_like: vec![],
    }
}

/// One package of every ecosystem, with the awkward cases: a dpkg epoch and
/// a source package, valid, deprecated, invalid and compound licenses, a
/// duplicate (same purl, two paths), a scoped npm name, Maven group:artifact.
fn packages() -> Vec<Package> {
    let deb = |name: &str, version: &str| {
        purl(
            "deb",
            Some("debian"),
            name,
            version,
            &[("arch", "amd64"), ("distro", "debian-12")],
        )
    };
    let mut p = vec![
        pkg(
            Ecosystem::Deb,
            "libc6",
            "2.36-9+deb12u4",
            deb("libc6", "2.36-9+deb12u4"),
            &["LGPL-2.1-or-later", "GPL-2+"],
            Some(("glibc", None)),
            L1,
            "var/lib/dpkg/status",
        ),
        pkg(
            Ecosystem::Deb,
            "perl-base",
            "5.36.0-7+deb12u1",
            deb("perl-base", "5.36.0-7+deb12u1"),
            &["GPL-1.0-or-later OR Artistic-1.0-Perl"],
            Some(("perl", None)),
            L1,
            "var/lib/dpkg/status",
        ),
        pkg(
            Ecosystem::Deb,
            "libgcrypt20",
            "1:1.10.1-3",
            deb("libgcrypt20", "1:1.10.1-3"),
            &[],
            Some(("libgcrypt20", Some("1.10.1-3"))),
            L1,
            "var/lib/dpkg/status",
        ),
        pkg(
            Ecosystem::Rpm,
            "openssl-libs",
            "1:3.0.7-27.el9",
            purl(
                "rpm",
                Some("redhat"),
                "openssl-libs",
                "3.0.7-27.el9",
                &[("arch", "x86_64"), ("epoch", "1"), ("distro", "rhel-9.4")],
            ),
            &["ASL 2.0"],
            Some(("openssl", Some("3.0.7-27.el9"))),
            L2,
            "var/lib/rpm/rpmdb.sqlite",
        ),
        pkg(
            Ecosystem::Apk,
            "musl",
            "1.2.4_git20230717-r4",
            purl(
                "apk",
                Some("alpine"),
                "musl",
                "1.2.4_git20230717-r4",
                &[("arch", "x86_64"), ("distro", "3.19.1")],
            ),
            &["MIT"],
            Some(("musl", None)),
            L2,
            "lib/apk/db/installed",
        ),
        pkg(
            Ecosystem::PyPI,
            "requests",
            "2.31.0",
            purl("pypi", None, "requests", "2.31.0", &[]),
            &["Apache-2.0"],
            None,
            L2,
            "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
        ),
        pkg(
            Ecosystem::PyPI,
            "six",
            "1.16.0",
            purl("pypi", None, "six", "1.16.0", &[]),
            &["MIT License", "MIT"],
            None,
            L1,
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
        ),
        // The same distribution installed twice: same purl.
        pkg(
            Ecosystem::PyPI,
            "six",
            "1.16.0",
            purl("pypi", None, "six", "1.16.0", &[]),
            &["MIT"],
            None,
            L2,
            "opt/venv/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA",
        ),
        pkg(
            Ecosystem::Npm,
            "@babel/core",
            "7.23.2",
            purl("npm", Some("@babel"), "core", "7.23.2", &[]),
            &["MIT"],
            None,
            L2,
            "app/node_modules/@babel/core/package.json",
        ),
        pkg(
            Ecosystem::Maven,
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            purl(
                "maven",
                Some("org.apache.logging.log4j"),
                "log4j-core",
                "2.14.1",
                &[],
            ),
            &["Apache License, Version 2.0"],
            None,
            L2,
            "app/lib/log4j-core-2.14.1.jar",
        ),
        pkg(
            Ecosystem::Go,
            "github.com/sirupsen/logrus",
            "v1.9.3",
            purl(
                "golang",
                Some("github.com/sirupsen"),
                "logrus",
                "v1.9.3",
                &[],
            ),
            &[],
            None,
            L2,
            "usr/local/bin/app",
        ),
        pkg(
            Ecosystem::Cargo,
            "serde",
            "1.0.195",
            purl("cargo", None, "serde", "1.0.195", &[]),
            &["MIT OR Apache-2.0"],
            None,
            L2,
            "usr/local/bin/rust-app",
        ),
        pkg(
            Ecosystem::NuGet,
            "Newtonsoft.Json",
            "13.0.3",
            purl("nuget", None, "Newtonsoft.Json", "13.0.3", &[]),
            &["MIT", "GPL-2.0-or-later WITH Classpath-exception-2.0"],
            None,
            L2,
            "app/app.deps.json",
        ),
        pkg(
            Ecosystem::RubyGems,
            "rack",
            "3.0.8",
            purl("gem", None, "rack", "3.0.8", &[]),
            &["MIT", "Ruby's own (see COPYING)"],
            None,
            L2,
            "usr/local/bundle/specifications/rack-3.0.8.gemspec",
        ),
        pkg(
            Ecosystem::Packagist,
            "symfony/console",
            "v6.4.1",
            purl("composer", Some("symfony"), "console", "v6.4.1", &[]),
            &["GPL-2.0"],
            None,
            L2,
            "var/www/vendor/composer/installed.json",
        ),
    ];
    // Hostile text from a package database: quotes, backslashes, control
    // characters, a NUL, non-ASCII, an overlong license.
    let weird_name = "evil\"pkg\\\n\t\u{0}\u{1b}[31m✓ </script>";
    p.push(pkg(
        Ecosystem::PyPI,
        weird_name,
        "1.0\"\n",
        purl("pypi", None, weird_name, "1.0\"\n", &[]),
        &["\"quoted\"\n\u{0}", &"MIT AND ".repeat(500)],
        Some(("src\u{7f}", Some("v\"1"))),
        L2,
        "opt/\u{202e}weird path/METADATA",
    ));
    // No purl at all (an analyzer that could not build one).
    p.push(pkg(
        Ecosystem::Go,
        "stdlib",
        "",
        String::new(),
        &[],
        None,
        L2,
        "usr/local/bin/app",
    ));
    p
}

fn input<'a>(os: Option<&'a OsInfo>, pkgs: &'a [Package]) -> SbomInput<'a> {
    SbomInput {
        name: "registry.example:5000/team/app:1.2",
        digest: Some(DIGEST),
        os,
        packages: pkgs,
        tool_version: "0.1.0",
        created: "2026-01-02T03:04:05Z",
        seed: "",
    }
}

fn parse(text: &str) -> Value {
    assert!(text.ends_with('\n'));
    serde_json::from_str(text).unwrap()
}

#[test]
fn cyclonedx_is_valid_and_complete() {
    let os = debian();
    let pkgs = packages();
    let doc = parse(&cyclonedx_json(&input(Some(&os), &pkgs)));
    validate_cyclonedx(&doc);

    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["version"], 1);
    let meta = &doc["metadata"];
    assert_eq!(meta["timestamp"], "2026-01-02T03:04:05Z");
    assert_eq!(meta["tools"]["components"][0]["name"], "palisade");
    assert_eq!(meta["tools"]["components"][0]["version"], "0.1.0");
    let image = &meta["component"];
    assert_eq!(image["type"], "container");
    assert_eq!(image["name"], "registry.example:5000/team/app:1.2");
    assert_eq!(image["version"], DIGEST);
    assert_eq!(
        image["purl"],
        format!("pkg:oci/app@{DIGEST}?repository_url=registry.example:5000%2Fteam%2Fapp&tag=1.2")
    );

    let comps = doc["components"].as_array().unwrap();
    assert_eq!(comps.len(), pkgs.len() + 1);
    assert_eq!(comps[0]["type"], "operating-system");
    assert_eq!(comps[0]["name"], "debian");
    assert_eq!(comps[0]["version"], "12");
    assert_eq!(comps[0]["description"], "Debian GNU/Linux 12 (bookworm)");

    // Every package, in order, with its purl, as a library.
    for (c, p) in comps[1..].iter().zip(&pkgs) {
        assert_eq!(c["type"], "library");
        if p.purl.is_empty() {
            assert!(c.get("purl").is_none());
        } else {
            assert_eq!(c["purl"], p.purl.as_str());
        }
        let props: BTreeMap<&str, &str> = c["properties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
            .collect();
        assert_eq!(props["palisade:ecosystem"], p.ecosystem.as_str());
        assert_eq!(props["palisade:layer:digest"], p.layer);
        assert_eq!(props["palisade:path"], p.path);
    }
    let by_name = |n: &str| comps.iter().find(|c| c["name"] == n).unwrap();
    // Epoch kept in the version; source package as properties.
    let gcrypt = by_name("libgcrypt20");
    assert_eq!(gcrypt["version"], "1:1.10.1-3");
    assert!(gcrypt["purl"].as_str().unwrap().contains("@1:1.10.1-3?"));
    assert!(gcrypt.get("licenses").is_none());
    let props = gcrypt["properties"].to_string();
    assert!(props.contains("palisade:source:name") && props.contains("palisade:source:version"));
    // Namespaces as CycloneDX groups.
    assert_eq!(by_name("core")["group"], "@babel");
    assert_eq!(by_name("log4j-core")["group"], "org.apache.logging.log4j");
    assert_eq!(by_name("console")["group"], "symfony");
    assert_eq!(by_name("serde").get("group"), None);

    // Licenses: ids, names, single expressions, expressions joined.
    assert_eq!(
        by_name("libc6")["licenses"],
        serde_json::json!([{"license": {"id": "LGPL-2.1-or-later"}}, {"license": {"name": "GPL-2+"}}])
    );
    assert_eq!(
        by_name("perl-base")["licenses"],
        serde_json::json!([{"expression": "GPL-1.0-or-later OR Artistic-1.0-Perl"}])
    );
    assert_eq!(
        by_name("Newtonsoft.Json")["licenses"],
        serde_json::json!([{"expression": "MIT AND GPL-2.0-or-later WITH Classpath-exception-2.0"}])
    );
    assert_eq!(
        by_name("console")["licenses"],
        serde_json::json!([{"license": {"id": "GPL-2.0"}}])
    );
    assert_eq!(
        by_name("musl")["licenses"],
        serde_json::json!([{"license": {"id": "MIT"}}])
    );

    // bom-refs: unique, the purl where there is one, `#2` for the duplicate.
    let refs: Vec<&str> = comps
        .iter()
        .chain([image])
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = refs.iter().copied().collect();
    assert_eq!(unique.len(), refs.len(), "{refs:?}");
    assert!(refs.contains(&"pkg:pypi/six@1.16.0"));
    assert!(refs.contains(&"pkg:pypi/six@1.16.0#2"));
    assert!(refs.contains(&"palisade:package:Go/stdlib@"));

    // One flat dependency entry: the image on the OS and every package.
    let deps = doc["dependencies"].as_array().unwrap();
    assert_eq!(deps.len(), 1);
    assert_eq!(deps[0]["ref"], image["bom-ref"]);
    let on: BTreeSet<&str> = deps[0]["dependsOn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let comp_refs: BTreeSet<&str> = comps
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(on, comp_refs);
}

#[test]
fn spdx_is_valid_and_complete() {
    let os = debian();
    let pkgs = packages();
    let text = spdx_json(&input(Some(&os), &pkgs));
    let doc = parse(&text);
    validate_spdx(&doc);

    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert_eq!(doc["dataLicense"], "CC0-1.0");
    assert_eq!(doc["SPDXID"], "SPDXRef-DOCUMENT");
    assert_eq!(doc["name"], "registry.example:5000/team/app:1.2");
    let ns = doc["documentNamespace"].as_str().unwrap();
    assert!(
        ns.starts_with(
            "https://spdx.org/spdxdocs/palisade/image/registry.example-5000-team-app-1.2-"
        ),
        "{ns}"
    );
    assert!(!ns.contains('#'));
    assert_eq!(doc["creationInfo"]["creators"][0], "Tool: palisade-0.1.0");
    assert_eq!(doc["creationInfo"]["created"], "2026-01-02T03:04:05Z");
    // `M.N`, as SPDX 2.3 section 6.7 asks.
    let list = doc["creationInfo"]["licenseListVersion"].as_str().unwrap();
    assert_eq!(list.split('.').count(), 2, "{list}");

    let spdx_pkgs = doc["packages"].as_array().unwrap();
    assert_eq!(spdx_pkgs.len(), pkgs.len() + 2);
    let image = &spdx_pkgs[0];
    assert_eq!(image["SPDXID"], "SPDXRef-Image");
    assert_eq!(image["primaryPackagePurpose"], "CONTAINER");
    assert_eq!(image["versionInfo"], DIGEST);
    let osp = &spdx_pkgs[1];
    assert_eq!(osp["SPDXID"], "SPDXRef-OperatingSystem");
    assert_eq!(osp["primaryPackagePurpose"], "OPERATING_SYSTEM");
    assert_eq!(osp["name"], "debian");
    assert_eq!(osp["versionInfo"], "12");

    // SPDX identifiers: the specification's character set, unique.
    let ids: Vec<&str> = spdx_pkgs
        .iter()
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    for id in &ids {
        let rest = id.strip_prefix("SPDXRef-").unwrap();
        assert!(
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
            "{id}"
        );
    }
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");

    // Licenses: valid SPDX expressions throughout, every LicenseRef declared.
    let extracted: BTreeMap<&str, &str> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["licenseId"].as_str().unwrap(),
                e["extractedText"].as_str().unwrap(),
            )
        })
        .collect();
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        ..spdx::ParseMode::STRICT
    };
    for (p, pkg) in spdx_pkgs[2..].iter().zip(&pkgs) {
        assert_eq!(p["name"], pkg.name.as_str());
        assert_eq!(p["downloadLocation"], "NOASSERTION");
        assert_eq!(p["filesAnalyzed"], false);
        assert_eq!(p["licenseConcluded"], "NOASSERTION");
        assert_eq!(p["primaryPackagePurpose"], "LIBRARY");
        let declared = p["licenseDeclared"].as_str().unwrap();
        if declared != "NOASSERTION" {
            let expr = spdx::Expression::parse_mode(declared, mode)
                .unwrap_or_else(|e| panic!("{declared}: {e}"));
            for req in expr.requirements() {
                if let spdx::LicenseItem::Other(r) = &req.req.license {
                    let id = format!("LicenseRef-{}", r.lic_ref);
                    assert!(extracted.contains_key(id.as_str()), "{id} undeclared");
                }
            }
        }
        let source = p["sourceInfo"].as_str().unwrap();
        assert!(
            source.contains(&pkg.path) && source.contains(&pkg.layer),
            "{source}"
        );
        if pkg.purl.is_empty() {
            assert!(p.get("externalRefs").is_none());
        } else {
            assert_eq!(
                p["externalRefs"],
                serde_json::json!([{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": pkg.purl,
                }])
            );
        }
    }
    let decl = |name: &str| {
        spdx_pkgs.iter().find(|p| p["name"] == name).unwrap()["licenseDeclared"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(decl("libc6"), "LGPL-2.1-or-later AND LicenseRef-GPL-2");
    assert_eq!(extracted["LicenseRef-GPL-2"], "GPL-2+");
    assert_eq!(decl("serde"), "MIT OR Apache-2.0");
    assert_eq!(decl("libgcrypt20"), "NOASSERTION");
    assert_eq!(decl("rack"), "MIT AND LicenseRef-Ruby-s-own-see-COPYING");
    assert!(text.contains("built from source package libgcrypt20 1.10.1-3"));

    // Relationships: the document describes the image, which contains the
    // OS and every package; every element named exists.
    let rels = doc["relationships"].as_array().unwrap();
    assert_eq!(rels[0]["spdxElementId"], "SPDXRef-DOCUMENT");
    assert_eq!(rels[0]["relationshipType"], "DESCRIBES");
    assert_eq!(rels[0]["relatedSpdxElement"], "SPDXRef-Image");
    let contained: BTreeSet<&str> = rels[1..]
        .iter()
        .map(|r| {
            assert_eq!(r["spdxElementId"], "SPDXRef-Image");
            assert_eq!(r["relationshipType"], "CONTAINS");
            r["relatedSpdxElement"].as_str().unwrap()
        })
        .collect();
    let expected: BTreeSet<&str> = ids[1..].iter().copied().collect();
    assert_eq!(contained, expected);
}

#[test]
fn hostile_text_round_trips() {
    let pkgs = packages();
    let weird = pkgs.iter().find(|p| p.name.starts_with("evil")).unwrap();
    for format in SbomFormat::ALL {
        let text = format.render(&input(None, &pkgs));
        // Control characters (C0, DEL, C1) and bidirectional overrides
        // never appear raw in the JSON text.
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c)),
            "{format}: raw control character"
        );
        assert!(
            text.contains("\\u202e") && text.contains("\\u007f"),
            "{format}"
        );
        let doc = parse(&text);
        let list = match format {
            SbomFormat::CycloneDx => &doc["components"],
            SbomFormat::SpdxJson => &doc["packages"],
        };
        let found = list
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == weird.name.as_str())
            .unwrap_or_else(|| panic!("{format}: hostile name lost"));
        let version_key = match format {
            SbomFormat::CycloneDx => "version",
            SbomFormat::SpdxJson => "versionInfo",
        };
        assert_eq!(found[version_key], weird.version.as_str());
    }
}

#[test]
fn output_is_deterministic() {
    let os = debian();
    let pkgs = packages();
    let a = input(Some(&os), &pkgs);
    for format in SbomFormat::ALL {
        let first = format.render(&a);
        assert_eq!(first, format.render(&a), "{format}");
        let mut written = Vec::new();
        render_sbom(&a, format, &mut written).unwrap();
        assert_eq!(written, first.as_bytes());

        // The identifiers follow the input: another time, seed, package set
        // or image gives another identifier.
        let id = |i: &SbomInput| {
            let doc = parse(&format.render(i));
            match format {
                SbomFormat::CycloneDx => doc["serialNumber"].as_str().unwrap().to_string(),
                SbomFormat::SpdxJson => doc["documentNamespace"].as_str().unwrap().to_string(),
            }
        };
        let base = id(&a);
        let later = SbomInput {
            created: "2026-01-02T03:04:06Z",
            ..a
        };
        let seeded = SbomInput { seed: "run-2", ..a };
        let fewer = SbomInput {
            packages: &pkgs[1..],
            ..a
        };
        let other = SbomInput {
            digest: Some("sha256:00"),
            ..a
        };
        let all = [
            base.clone(),
            id(&later),
            id(&seeded),
            id(&fewer),
            id(&other),
        ];
        let distinct: BTreeSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "{format}: {all:?}");
    }
    // The serial number is an RFC 9562 version 8 UUID.
    let doc = parse(&cyclonedx_json(&a));
    let serial = doc["serialNumber"].as_str().unwrap();
    let uuid = serial.strip_prefix("urn:uuid:").unwrap();
    assert_eq!(&uuid[14..15], "8", "{uuid}");
    assert!(matches!(&uuid[19..20], "8" | "9" | "a" | "b"), "{uuid}");
}

#[test]
fn minimal_images_are_valid() {
    // A directory with nothing recognised: no digest, no OS, no packages.
    let empty = SbomInput {
        name: "dir:/tmp/rootfs",
        digest: None,
        os: None,
        packages: &[],
        tool_version: "",
        created: &timestamp(0),
        seed: "",
    };
    let cdx = parse(&cyclonedx_json(&empty));
    validate_cyclonedx(&cdx);
    assert!(cdx["metadata"]["component"].get("purl").is_none());
    assert!(cdx["metadata"]["component"].get("version").is_none());
    assert_eq!(cdx["components"], serde_json::json!([]));
    let spdx = parse(&spdx_json(&empty));
    validate_spdx(&spdx);
    assert_eq!(spdx["creationInfo"]["creators"][0], "Tool: palisade");
    assert_eq!(spdx["packages"].as_array().unwrap().len(), 1);

    // An OCI layout: no image purl (it has no registry name).
    let pkgs = packages();
    let oci = SbomInput {
        name: "oci:/tmp/layout:latest",
        ..input(None, &pkgs)
    };
    let cdx = parse(&cyclonedx_json(&oci));
    validate_cyclonedx(&cdx);
    assert!(cdx["metadata"]["component"].get("purl").is_none());
    assert_eq!(cdx["metadata"]["component"]["bom-ref"], "palisade:image");
    validate_spdx(&parse(&spdx_json(&oci)));
}

#[test]
fn many_duplicates_stay_unique() {
    let one = packages().remove(0);
    let pkgs = vec![one; 50];
    let doc = parse(&cyclonedx_json(&input(None, &pkgs)));
    validate_cyclonedx(&doc);
    let refs: BTreeSet<&str> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), 50);
    let doc = parse(&spdx_json(&input(None, &pkgs)));
    validate_spdx(&doc);
    let ids: BTreeSet<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 51);
}

#[test]
fn schemas_reject_broken_documents() {
    // The validation is real: the referenced SPDX id list and the formats
    // are enforced.
    let pkgs = packages();
    let cdx_schema = "cyclonedx/bom-1.6.schema.json";
    let cdx_refs = [
        "cyclonedx/spdx.schema.json",
        "cyclonedx/jsf-0.82.schema.json",
    ];
    let good = parse(&cyclonedx_json(&input(None, &pkgs)));
    assert!(check(&good, cdx_schema, &cdx_refs).is_ok());
    let mut bad = good.clone();
    bad["components"][0]["licenses"] = serde_json::json!([{"license": {"id": "Not-A-License"}}]);
    assert!(check(&bad, cdx_schema, &cdx_refs).is_err());
    let mut bad = good.clone();
    bad["serialNumber"] = "urn:uuid:not-a-uuid".into();
    assert!(check(&bad, cdx_schema, &cdx_refs).is_err());
    let mut bad = good;
    bad["metadata"]["timestamp"] = "yesterday".into();
    assert!(check(&bad, cdx_schema, &cdx_refs).is_err());

    let good = parse(&spdx_json(&input(None, &pkgs)));
    let mut bad = good.clone();
    bad["packages"][1]["primaryPackagePurpose"] = "OPERATING-SYSTEM".into();
    assert!(check(&bad, "spdx/spdx-schema-2.3.json", &[]).is_err());
    let mut bad = good;
    bad.as_object_mut().unwrap().remove("creationInfo");
    assert!(check(&bad, "spdx/spdx-schema-2.3.json", &[]).is_err());
}

/// With `PALISADE_SBOM_DUMP=DIR`, writes both documents of the realistic
/// package set to `DIR/palisade.cdx.json` and `DIR/palisade.spdx.json`, for
/// external validators (`pyspdxtools -i`, `cyclonedx validate`).
#[test]
fn dump_for_external_validators() {
    let Some(dir) = std::env::var_os("PALISADE_SBOM_DUMP") else {
        return;
    };
    let os = debian();
    let pkgs = packages();
    let i = input(Some(&os), &pkgs);
    let dir = Path::new(&dir);
    std::fs::write(dir.join("palisade.cdx.json"), cyclonedx_json(&i)).unwrap();
    std::fs::write(dir.join("palisade.spdx.json"), spdx_json(&i)).unwrap();
}

/// The SPDX tools' own validator (`pyspdxtools`, from the `spdx-tools` Python
/// package) accepts the document, when it is installed: it checks what the
/// JSON schema cannot (license expressions against the list, SPDXID
/// references, uniqueness, the namespace URI).
#[test]
fn spdx_tools_validator_accepts_the_document() {
    let Some(tool) = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("pyspdxtools"))
            .find(|p| p.is_file())
    }) else {
        eprintln!("pyspdxtools is not installed; SPDX semantic validation not run");
        return;
    };
    let os = debian();
    let pkgs = packages();
    let path = std::env::temp_dir().join(format!("palisade-sbom-{}.spdx.json", std::process::id()));
    std::fs::write(&path, spdx_json(&input(Some(&os), &pkgs))).unwrap();
    let out = std::process::Command::new(tool)
        .arg("-i")
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success() && !said.contains("ERROR"), "{said}");
}
