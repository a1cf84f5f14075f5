//! Real Syft output (see `tests/fixtures/syft/README.md`): the CycloneDX
//! 1.6 XML and SPDX 2.3 JSON SBOMs Syft made of one Alpine image read to
//! the same packages.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use palisade_model::Ecosystem;
use palisade_sbom::{read, SbomFormat};

const IMAGE_DIGEST: &str =
    "sha256:36a03c95c2f0c83775d500101869054b927143a8320728f0e135dc151cb8ae61";
const LAYER: &str = "sha256:af57c4b7f0528a43b8203bc339c656496635b7ce67b94c3f034b00a62e6fdf82";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/syft")
            .join(name),
    )
    .unwrap()
}

#[test]
fn syft_cyclonedx_xml_and_spdx_json_agree() {
    let xml = read(&fixture("alpine.cdx.xml"), "alpine.cdx.xml").unwrap();
    let spdx = read(&fixture("alpine.spdx.json"), "alpine.spdx.json").unwrap();
    assert_eq!(xml.format, SbomFormat::CycloneDxXml);
    assert_eq!(spdx.format, SbomFormat::SpdxJson);
    for s in [&xml, &spdx] {
        assert_eq!(s.packages.len(), 15, "{:?}", s.notes);
        assert!(s.packages.iter().all(|p| p.ecosystem == Ecosystem::Apk));
        assert!(s.packages.iter().all(|p| p.path == "lib/apk/db/installed"));
        let subject = s.subject.as_ref().unwrap();
        assert_eq!(subject.name, "alpine");
        assert_eq!(subject.digest.as_deref(), Some(IMAGE_DIGEST));
        let os = s.os.as_ref().unwrap();
        assert_eq!(
            (os.id.as_str(), os.version_id.as_str()),
            ("alpine", "3.17.0_rc1")
        );
        let binsh = s
            .packages
            .iter()
            .find(|p| p.name == "busybox-binsh")
            .unwrap();
        assert_eq!(binsh.version, "1.35.0-r27");
        assert_eq!(binsh.source_name.as_deref(), Some("busybox"));
        assert_eq!(binsh.arch.as_deref(), Some("x86_64"));
        assert_eq!(binsh.licenses, ["GPL-2.0-only"]);
    }
    let key = |s: &palisade_sbom::Sbom| {
        let mut v: Vec<_> = s
            .packages
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.version.clone(),
                    p.purl.clone(),
                    p.source_name.clone(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&xml), key(&spdx));
    // The XML names the layer of each package; the SPDX JSON does not.
    assert!(xml.packages.iter().all(|p| p.layer == LAYER));
    // Syft's file components are not packages.
    assert_eq!(
        xml.notes,
        ["78 file components ignored (files, not packages)"]
    );
    // The OS: a CycloneDX operating-system component; in SPDX, the purls'
    // distro qualifier.
    assert_eq!(xml.os.as_ref().unwrap().pretty_name, "Alpine Linux v3.17");
    assert!(spdx.notes.iter().any(|n| n.contains("distro")));
}
