//! Real SBOMs read back: palisade's own CycloneDX and SPDX output of a
//! scanned root filesystem (round trip), and trivy's CycloneDX JSON, SPDX
//! JSON and SPDX tag-value of the same root filesystem, compared with
//! palisade's inventory of it.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use common::*;
use palisade_model::{Ecosystem, Package};
use palisade_report::sbom::SbomFormat as OutFormat;
use palisade_sbom::{read, SbomFormat};

const DIGEST: &str = "sha256:4f1c0a5e9d2b7c3f8e6a1d0b9c8f7e6d5c4b3a29180f7e6d5c4b3a2918070605";

fn without_licenses(p: &Package) -> Package {
    Package {
        licenses: Vec::new(),
        ..p.clone()
    }
}

#[test]
fn palisade_sboms_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    build_rootfs(&root);
    let inv = palisade_inventory(&root);
    assert!(
        inv.packages.len() > 50,
        "few packages: {}",
        inv.packages.len()
    );
    let os = inv.os.clone().unwrap();

    for (format, name, digest) in [
        (
            OutFormat::CycloneDx,
            "registry.example/team/app:1",
            Some(DIGEST),
        ),
        (
            OutFormat::SpdxJson,
            "registry.example/team/app:1",
            Some(DIGEST),
        ),
        (OutFormat::CycloneDx, "dir:/rootfs", None),
        (OutFormat::SpdxJson, "dir:/rootfs", None),
    ] {
        let text = palisade_sbom(&inv, format, name, digest);
        let sbom = read(text.as_bytes(), "palisade.json").unwrap();
        assert_eq!(
            sbom.format,
            match format {
                OutFormat::CycloneDx => SbomFormat::CycloneDxJson,
                OutFormat::SpdxJson => SbomFormat::SpdxJson,
            }
        );
        assert!(sbom.notes.is_empty(), "{format}: notes {:?}", sbom.notes);
        assert_eq!(keys(&sbom.packages), keys(&inv.packages), "{format} {name}");
        // Everything palisade writes comes back (licenses are normalised
        // on the way out, so compared apart).
        let got: Vec<Package> = sbom.packages.iter().map(without_licenses).collect();
        let want: Vec<Package> = inv.packages.iter().map(without_licenses).collect();
        if format == OutFormat::CycloneDx {
            assert_eq!(got, want, "{format} {name}");
        } else {
            // SPDX records the arch only inside the purl.
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(
                    (&g.source_name, &g.source_version, &g.path, &g.layer),
                    (&w.source_name, &w.source_version, &w.path, &w.layer),
                    "{format}: {}",
                    w.name
                );
            }
        }
        for (g, w) in sbom.packages.iter().zip(&inv.packages) {
            if let [one] = w.licenses.as_slice() {
                if !one.contains(' ') && one != "NOASSERTION" && spdx_like(one) {
                    assert_eq!(&g.licenses, &w.licenses, "{format}: {}", w.name);
                }
            }
        }
        let got_os = sbom.os.unwrap();
        assert_eq!(
            (&got_os.id, &got_os.version_id, &got_os.pretty_name),
            (&os.id, &os.version_id, &os.pretty_name)
        );
        let subject = sbom.subject.unwrap();
        assert_eq!(subject.name, name);
        assert_eq!(subject.digest.as_deref(), digest);
    }
}

/// A license palisade writes back as the same SPDX identifier.
fn spdx_like(s: &str) -> bool {
    [
        "MIT",
        "Apache-2.0",
        "BSD-3-Clause",
        "BSD-2-Clause",
        "PSF-2.0",
        "ISC",
    ]
    .contains(&s)
}

fn normalised(pkgs: &[Package], eco: Ecosystem) -> BTreeMap<(String, String), Package> {
    pkgs.iter()
        .filter(|p| p.ecosystem == eco)
        .map(|p| {
            let name = if eco == Ecosystem::PyPI {
                p.name.to_lowercase().replace(['_', '.'], "-")
            } else {
                p.name.clone()
            };
            ((name, p.version.clone()), p.clone())
        })
        .collect()
}

#[test]
fn trivy_sboms_in_three_formats() {
    let Some(trivy) = trivy() else { return };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rootfs");
    build_rootfs(&root);
    let cache = dir.path().join("trivy-cache");
    let inv = palisade_inventory(&root);
    let debian_version = std::fs::read_to_string("/etc/debian_version").unwrap();

    let mut read_back = Vec::new();
    for (format, want) in [
        ("cyclonedx", SbomFormat::CycloneDxJson),
        ("spdx-json", SbomFormat::SpdxJson),
        ("spdx", SbomFormat::SpdxTagValue),
    ] {
        let bytes = trivy_sbom(&trivy, &root, &cache, format);
        let sbom = read(&bytes, &format!("trivy.{format}")).unwrap();
        assert_eq!(sbom.format, want);
        eprintln!(
            "trivy {format}: {} packages, os {:?}, notes {:?}",
            sbom.packages.len(),
            sbom.os,
            sbom.notes
        );
        let os = sbom.os.clone().unwrap();
        assert_eq!(os.id, "debian");
        assert_eq!(
            os.version_id,
            debian_version.trim(),
            "trivy names the point release"
        );
        let subject = sbom.subject.as_ref().unwrap();
        assert!(subject.name.ends_with("rootfs"), "subject {subject:?}");

        // Every OS and Python package palisade finds, trivy's SBOM has,
        // with the same version, source package and (Python) file.
        for eco in [Ecosystem::Deb, Ecosystem::PyPI] {
            let ours = normalised(&inv.packages, eco);
            let theirs = normalised(&sbom.packages, eco);
            assert!(!ours.is_empty());
            let missing: Vec<_> = ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
            let extra: Vec<_> = theirs.keys().filter(|k| !ours.contains_key(*k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{format} {eco}: missing {missing:?}, extra {extra:?}"
            );
            for (k, o) in &ours {
                let t = &theirs[k];
                if eco == Ecosystem::Deb {
                    // CycloneDX: trivy's SrcName/SrcEpoch/SrcVersion/
                    // SrcRelease; SPDX: `built package from: NAME VERSION`.
                    assert_eq!(
                        (&t.source_name, &t.source_version),
                        (&o.source_name, &o.source_version),
                        "{format}: source of {}",
                        o.name
                    );
                }
                if eco == Ecosystem::Deb {
                    assert_eq!(t.arch, o.arch, "{format}: arch of {}", o.name);
                }
                if eco == Ecosystem::PyPI {
                    assert_eq!(t.path, o.path, "{format}: path of {}", o.name);
                }
            }
        }
        read_back.push(keys(&sbom.packages));
    }
    assert_eq!(
        read_back[0], read_back[1],
        "CycloneDX and SPDX JSON disagree"
    );
    assert_eq!(
        read_back[1], read_back[2],
        "SPDX JSON and tag-value disagree"
    );
}
