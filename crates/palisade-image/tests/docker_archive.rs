//! The `docker-archive:` source: archives written by `skopeo copy`, OCI
//! layouts inside an archive (as Docker 25+ writes), and hostile archives.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{build_image, os_release, require, run, sha256_hex, tar_of};
use palisade_image::{
    parse_input, scan_image, ArchiveLimits, CacheSetting, DockerArchive, ImageError, ImageInput,
    ImageInventory, ScanOptions, SourceOptions,
};

fn opts() -> SourceOptions {
    SourceOptions {
        use_env: false,
        cache: CacheSetting::Disabled,
        ..SourceOptions::default()
    }
}

fn scan(input: &str) -> Result<ImageInventory, ImageError> {
    let input = parse_input(input, &opts())?;
    scan_image(&input, &ScanOptions::default())
}

fn scan_archive(a: DockerArchive) -> Result<ImageInventory, ImageError> {
    scan_image(&ImageInput::Blobs(Box::new(a)), &ScanOptions::default())
}

/// (path, kind, mode, size, link) of every entry, sorted.
fn tree(inv: &ImageInventory) -> Vec<String> {
    let mut v: Vec<String> = inv
        .tree
        .iter()
        .map(|e| {
            format!(
                "{} {:?} {:o} {} {:?}",
                e.path, e.kind, e.mode, e.size, e.link_target
            )
        })
        .collect();
    v.sort();
    v
}

fn image(dir: &Path) -> PathBuf {
    let osr = os_release("debian", "12");
    build_image(
        dir,
        "v1",
        "amd64",
        &[
            tar_of(&[
                ("etc", None),
                ("etc/os-release", Some(&osr)),
                ("etc/motd", Some(b"hello")),
            ]),
            tar_of(&[("srv", None), ("srv/data.txt", Some(b"data"))]),
        ],
    )
}

fn skopeo_archive(layout: &Path, out: &Path, name: &str) {
    require("skopeo");
    run(Command::new("skopeo")
        .args(["copy", "--quiet"])
        .arg(format!("oci:{}:v1", layout.display()))
        .arg(format!("docker-archive:{}:{name}", out.display())));
}

#[test]
fn skopeo_archive_scans_like_the_oci_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = image(dir.path());
    let archive = dir.path().join("img.tar");
    skopeo_archive(&layout, &archive, "test/app:v1");

    let from_oci = scan(&format!("oci:{}:v1", layout.display())).unwrap();
    let from_archive = scan(&format!("docker-archive:{}", archive.display())).unwrap();
    assert_eq!(tree(&from_archive), tree(&from_oci));
    assert_eq!(from_archive.os.as_ref().unwrap().id, "debian");
    assert_eq!(from_archive.layers.len(), 2);
    // The archive's layers are the uncompressed tars, named by diff_id.
    assert_eq!(
        from_archive
            .layers
            .iter()
            .map(|l| l.digest.clone())
            .collect::<Vec<_>>(),
        from_oci.config.diff_ids
    );
    assert_eq!(from_archive.config.digest, from_oci.config.digest);

    // By reference, short or qualified.
    for r in ["test/app:v1", "docker.io/test/app:v1"] {
        let inv = scan(&format!("docker-archive:{}:{r}", archive.display())).unwrap();
        assert_eq!(tree(&inv), tree(&from_oci));
    }
    let err = scan(&format!("docker-archive:{}:test/app:v2", archive.display())).unwrap_err();
    assert!(matches!(err, ImageError::TagNotFound { .. }), "{err}");
    assert!(err.to_string().contains("test/app:v1"), "{err}");
}

#[test]
fn tampered_layer_fails_its_diff_id() {
    let dir = tempfile::tempdir().unwrap();
    let layout = image(dir.path());
    let archive = dir.path().join("img.tar");
    skopeo_archive(&layout, &archive, "test/app:v1");
    let mut bytes = std::fs::read(&archive).unwrap();
    let at = bytes
        .windows(5)
        .position(|w| w == b"hello")
        .expect("motd in the archive");
    bytes[at] = b'J';
    std::fs::write(&archive, &bytes).unwrap();
    let err = scan(&format!("docker-archive:{}", archive.display())).unwrap_err();
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
}

/// A tar of a directory tree, made with `tar` (real tool).
fn tar_dir(src: &Path, out: &Path) {
    run(Command::new("tar")
        .arg("-cf")
        .arg(out)
        .arg("-C")
        .arg(src)
        .arg("."));
}

#[test]
fn archive_holding_an_oci_layout() {
    let dir = tempfile::tempdir().unwrap();
    let layout = image(dir.path());
    let reference = scan(&format!("oci:{}:v1", layout.display())).unwrap();

    // OCI layout only (index.json, oci-layout, blobs).
    let plain = dir.path().join("oci-only.tar");
    tar_dir(&layout, &plain);
    let inv = scan(&format!("docker-archive:{}:v1", plain.display())).unwrap();
    assert_eq!(tree(&inv), tree(&reference));
    assert_eq!(inv.manifest_digest, reference.manifest_digest);

    // As Docker 25+ writes: manifest.json naming blobs/sha256/... beside
    // the layout. The layers here are gzip (as umoci made them), so they
    // are verified against the digests in their names.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let mdigest = index["manifests"][0]["digest"].as_str().unwrap();
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            layout
                .join("blobs/sha256")
                .join(mdigest.trim_start_matches("sha256:")),
        )
        .unwrap(),
    )
    .unwrap();
    let blob = |d: &serde_json::Value| {
        format!(
            "blobs/sha256/{}",
            d["digest"].as_str().unwrap().trim_start_matches("sha256:")
        )
    };
    let mj = serde_json::json!([{
        "Config": blob(&manifest["config"]),
        "RepoTags": ["test/app:v1"],
        "Layers": manifest["layers"].as_array().unwrap().iter().map(blob).collect::<Vec<_>>(),
    }]);
    std::fs::write(layout.join("manifest.json"), mj.to_string()).unwrap();
    let docker25 = dir.path().join("docker25.tar");
    tar_dir(&layout, &docker25);
    let inv = scan(&format!("docker-archive:{}", docker25.display())).unwrap();
    assert_eq!(tree(&inv), tree(&reference));
}

/// Writes a tar from raw (name, type, data, link) entries.
fn raw_tar(path: &Path, entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) {
    let mut b = tar::Builder::new(Vec::new());
    for (name, kind, data, link) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        // Write the name bytes directly so that hostile names survive.
        let raw = h.as_old_mut();
        raw.name[..name.len()].copy_from_slice(name.as_bytes());
        if let Some(l) = link {
            raw.linkname[..l.len()].copy_from_slice(l.as_bytes());
        }
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    std::fs::write(path, b.into_inner().unwrap()).unwrap();
}

#[test]
fn hostile_archives_are_refused_clearly() {
    use tar::EntryType::{Regular, Symlink};
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    let open = |path: &Path| DockerArchive::open(path, None);

    raw_tar(&p("climb.tar"), &[("../evil", Regular, b"x", None)]);
    let err = open(&p("climb.tar")).unwrap_err();
    assert!(err.to_string().contains("climbs out"), "{err}");

    raw_tar(&p("abs.tar"), &[("/etc/passwd", Regular, b"x", None)]);
    let err = open(&p("abs.tar")).unwrap_err();
    assert!(err.to_string().contains("absolute"), "{err}");

    raw_tar(&p("none.tar"), &[("hello.txt", Regular, b"x", None)]);
    let err = open(&p("none.tar")).unwrap_err();
    assert!(err.to_string().contains("neither manifest.json"), "{err}");

    std::fs::write(p("junk.tar"), vec![7u8; 3000]).unwrap();
    let err = open(&p("junk.tar")).unwrap_err();
    assert!(matches!(err, ImageError::Archive { .. }), "{err}");

    // Too many entries, and a manifest.json over the limit.
    let many: Vec<(String, Vec<u8>)> = (0..20).map(|i| (format!("f{i}"), vec![])).collect();
    let entries: Vec<(&str, tar::EntryType, &[u8], Option<&str>)> = many
        .iter()
        .map(|(n, d)| (n.as_str(), Regular, d.as_slice(), None))
        .collect();
    raw_tar(&p("many.tar"), &entries);
    let limits = ArchiveLimits {
        max_entries: 10,
        ..ArchiveLimits::default()
    };
    let err =
        DockerArchive::open_with(p("many.tar"), None, limits, Default::default()).unwrap_err();
    assert!(err.to_string().contains("max_entries"), "{err}");
    let big = format!("[{}]", " ".repeat(5000));
    raw_tar(
        &p("big.tar"),
        &[("manifest.json", Regular, big.as_bytes(), None)],
    );
    let limits = ArchiveLimits {
        max_manifest_bytes: 1000,
        ..ArchiveLimits::default()
    };
    let err = DockerArchive::open_with(p("big.tar"), None, limits, Default::default()).unwrap_err();
    assert!(matches!(err, ImageError::JsonTooLarge { .. }), "{err}");

    // Bad manifest.json, a missing config, a symlink loop, a symlink out.
    raw_tar(
        &p("badjson.tar"),
        &[("manifest.json", Regular, b"[{]", None)],
    );
    let err = open(&p("badjson.tar")).unwrap_err();
    assert!(matches!(err, ImageError::BadJson { .. }), "{err}");
    let mj = br#"[{"Config":"cfg.json","RepoTags":["a:1"],"Layers":["l/layer.tar"]}]"#;
    raw_tar(&p("missing.tar"), &[("manifest.json", Regular, mj, None)]);
    let err = scan_archive(open(&p("missing.tar")).unwrap()).unwrap_err();
    assert!(err.to_string().contains("cfg.json"), "{err}");
    raw_tar(
        &p("loop.tar"),
        &[
            ("manifest.json", Regular, mj, None),
            ("cfg.json", Symlink, b"", Some("other.json")),
            ("other.json", Symlink, b"", Some("cfg.json")),
        ],
    );
    let err = scan_archive(open(&p("loop.tar")).unwrap()).unwrap_err();
    assert!(err.to_string().contains("symlinks"), "{err}");
    raw_tar(
        &p("out.tar"),
        &[
            ("manifest.json", Regular, mj, None),
            ("cfg.json", Symlink, b"", Some("../../etc/passwd")),
        ],
    );
    let err = scan_archive(open(&p("out.tar")).unwrap()).unwrap_err();
    assert!(err.to_string().contains("out of the archive"), "{err}");

    // Two images and no reference: ambiguous, naming the tags.
    let two = br#"[{"Config":"a.json","RepoTags":["a:1"],"Layers":[]},
                   {"Config":"b.json","RepoTags":["b:2"],"Layers":[]}]"#;
    raw_tar(&p("two.tar"), &[("manifest.json", Regular, two, None)]);
    let err = open(&p("two.tar")).unwrap_err();
    assert!(
        matches!(err, ImageError::Ambiguous { count: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("b:2"), "{err}");

    // Layer count disagreeing with diff_ids.
    let cfg = br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let cfg_name = format!("{}.json", sha256_hex(cfg));
    let mj = format!(r#"[{{"Config":"{cfg_name}","Layers":["l.tar"]}}]"#);
    raw_tar(
        &p("count.tar"),
        &[
            ("manifest.json", Regular, mj.as_bytes(), None),
            (&cfg_name, Regular, cfg, None),
            ("l.tar", Regular, &[0u8; 1024], None),
        ],
    );
    let err = scan_archive(open(&p("count.tar")).unwrap()).unwrap_err();
    assert!(err.to_string().contains("diff_ids"), "{err}");
    // A config whose name disagrees with its content.
    let wrong = format!("{}.json", "0".repeat(64));
    let mj = format!(r#"[{{"Config":"{wrong}","Layers":[]}}]"#);
    raw_tar(
        &p("cfgdigest.tar"),
        &[
            ("manifest.json", Regular, mj.as_bytes(), None),
            (&wrong, Regular, cfg, None),
        ],
    );
    let err = scan_archive(open(&p("cfgdigest.tar")).unwrap()).unwrap_err();
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
}
