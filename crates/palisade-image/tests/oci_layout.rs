//! OCI image layouts built here, blob by blob, with real digests.

use std::io::Write;
use std::path::Path;

use palisade_image::{image_tree, ImageError, LayerLimits, OciLayout, Platform};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tar::{EntryType, Header};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const GZIP_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const TAR_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";

fn digest(bytes: &[u8]) -> String {
    let sum = Sha256::digest(bytes);
    let hex: String = sum.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// Writes a blob and returns its descriptor.
fn blob(dir: &Path, media_type: &str, bytes: &[u8]) -> Value {
    let d = digest(bytes);
    let hex = d.trim_start_matches("sha256:");
    std::fs::create_dir_all(dir.join("blobs/sha256")).expect("mkdir");
    std::fs::write(dir.join("blobs/sha256").join(hex), bytes).expect("write blob");
    json!({"mediaType": media_type, "digest": d, "size": bytes.len()})
}

fn json_blob(dir: &Path, media_type: &str, v: &Value) -> Value {
    blob(dir, media_type, &serde_json::to_vec(v).expect("json"))
}

/// A tar of (path, contents); `None` contents is a directory.
fn tar_of(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        match data {
            Some(d) => {
                h.set_entry_type(EntryType::Regular);
                h.set_size(d.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                b.append_data(&mut h, path, *d).expect("append");
            }
            None => {
                h.set_entry_type(EntryType::Directory);
                h.set_size(0);
                h.set_mode(0o755);
                h.set_cksum();
                b.append_data(&mut h, path, &[][..]).expect("append dir");
            }
        }
    }
    b.into_inner().expect("tar")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gz");
    e.finish().expect("gz")
}

/// Writes config + manifest for `arch` with gzip layers; returns the
/// manifest descriptor (without platform).
fn image(dir: &Path, arch: &str, layers: &[Vec<u8>], manifest_type: &str) -> Value {
    let config = json!({
        "architecture": arch, "os": "linux",
        "config": {"User": "app", "Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"],
                   "ExposedPorts": {"8080/tcp": {}}, "Labels": {"arch": arch}},
        "rootfs": {"type": "layers", "diff_ids": []}
    });
    let config_desc = json_blob(dir, "application/vnd.oci.image.config.v1+json", &config);
    let layer_descs: Vec<Value> = layers
        .iter()
        .map(|l| blob(dir, GZIP_LAYER, &gzip(l)))
        .collect();
    let manifest = json!({
        "schemaVersion": 2, "mediaType": manifest_type,
        "config": config_desc, "layers": layer_descs
    });
    json_blob(dir, manifest_type, &manifest)
}

fn write_layout(dir: &Path, manifests: Vec<Value>) {
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).expect("w");
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests});
    std::fs::write(
        dir.join("index.json"),
        serde_json::to_vec(&index).expect("j"),
    )
    .expect("w");
}

fn tagged(mut desc: Value, tag: &str) -> Value {
    desc["annotations"] = json!({"org.opencontainers.image.ref.name": tag});
    desc
}

fn all(_: &str) -> bool {
    true
}

fn tree_of(
    dir: &Path,
    tag: Option<&str>,
    platform: &Platform,
) -> Result<(palisade_image::ImageConfigSummary, palisade_image::FileTree), ImageError> {
    let layout = OciLayout::open(dir)?;
    image_tree(&layout, tag, platform, &LayerLimits::default(), &all)
}

fn single(dir: &Path) -> Value {
    let l1 = tar_of(&[("etc", None), ("etc/os-release", Some(b"ID=test\n"))]);
    let m = image(dir, "amd64", &[l1], OCI_MANIFEST);
    write_layout(dir, vec![tagged(m.clone(), "latest")]);
    m
}

#[test]
fn single_platform_image() {
    let tmp = tempfile::tempdir().expect("tmp");
    single(tmp.path());
    let (cfg, tree) = tree_of(tmp.path(), None, &Platform::default()).expect("image");
    assert_eq!(cfg.architecture, "amd64");
    assert_eq!(cfg.user.as_deref(), Some("app"));
    assert_eq!(cfg.cmd, vec!["/bin/sh"]);
    assert_eq!(cfg.exposed_ports, vec!["8080/tcp"]);
    assert!(cfg.digest.starts_with("sha256:"));
    assert_eq!(tree.contents("etc/os-release"), Some(&b"ID=test\n"[..]));
    // Tag given explicitly works the same.
    let (_, tree) = tree_of(tmp.path(), Some("latest"), &Platform::default()).expect("tag");
    assert!(tree.get("etc/os-release").is_some());
}

#[test]
fn docker_v2_manifest_and_plain_tar() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let config = json!({"architecture": "amd64", "os": "linux"});
    let config_desc = json_blob(
        dir,
        "application/vnd.docker.container.image.v1+json",
        &config,
    );
    let layer = blob(dir, TAR_LAYER, &tar_of(&[("hello", Some(b"hi"))]));
    let manifest = json!({"schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
                          "config": config_desc, "layers": [layer]});
    let m = json_blob(dir, DOCKER_MANIFEST, &manifest);
    write_layout(dir, vec![m]);
    let (cfg, tree) = tree_of(dir, None, &Platform::default()).expect("docker image");
    assert_eq!(cfg.user, None);
    assert_eq!(tree.contents("hello"), Some(&b"hi"[..]));
}

fn multi(dir: &Path) {
    let amd = image(
        dir,
        "amd64",
        &[tar_of(&[("arch", Some(b"amd64"))])],
        OCI_MANIFEST,
    );
    let arm = image(
        dir,
        "arm64",
        &[tar_of(&[("arch", Some(b"arm64"))])],
        OCI_MANIFEST,
    );
    let mut amd = amd;
    amd["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let mut arm = arm;
    arm["platform"] = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let attestation = {
        let mut a = json_blob(dir, OCI_MANIFEST, &json!({"config": amd["digest"].clone()}));
        a["platform"] = json!({"os": "unknown", "architecture": "unknown"});
        a
    };
    let index = json!({"schemaVersion": 2, "mediaType": OCI_INDEX,
                       "manifests": [attestation, arm, amd]});
    let idx = json_blob(dir, OCI_INDEX, &index);
    write_layout(dir, vec![tagged(idx, "v1")]);
}

#[test]
fn multi_platform_index_picks_platform() {
    let tmp = tempfile::tempdir().expect("tmp");
    multi(tmp.path());
    let (cfg, tree) = tree_of(tmp.path(), None, &Platform::default()).expect("amd64");
    assert_eq!(cfg.architecture, "amd64");
    assert_eq!(tree.contents("arch"), Some(&b"amd64"[..]));

    let arm = Platform::parse("linux/arm64").expect("platform");
    let (cfg, tree) = tree_of(tmp.path(), Some("v1"), &arm).expect("arm64");
    assert_eq!(cfg.architecture, "arm64");
    assert_eq!(tree.contents("arch"), Some(&b"arm64"[..]));

    let arm_v8 = Platform::parse("linux/arm64/v8").expect("platform");
    let (_, tree) = tree_of(tmp.path(), None, &arm_v8).expect("arm64/v8");
    assert_eq!(tree.contents("arch"), Some(&b"arm64"[..]));

    let s390 = Platform::parse("linux/s390x").expect("platform");
    let err = tree_of(tmp.path(), None, &s390).expect_err("no s390x");
    let msg = err.to_string();
    assert!(
        matches!(err, ImageError::NoMatchingPlatform { .. }),
        "{msg}"
    );
    assert!(msg.contains("linux/s390x"), "{msg}");
    assert!(msg.contains("linux/amd64"), "{msg}");
    assert!(msg.contains("linux/arm64/v8"), "{msg}");

    assert!(Platform::parse("linux").is_err());
    assert!(Platform::parse("linux//v7").is_err());
}

#[test]
fn tag_selection_and_missing_tag() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let a = image(dir, "amd64", &[tar_of(&[("v", Some(b"1"))])], OCI_MANIFEST);
    let b = image(dir, "amd64", &[tar_of(&[("v", Some(b"2"))])], OCI_MANIFEST);
    write_layout(dir, vec![tagged(a, "1.0"), tagged(b, "2.0")]);
    let (_, tree) = tree_of(dir, Some("2.0"), &Platform::default()).expect("2.0");
    assert_eq!(tree.contents("v"), Some(&b"2"[..]));
    let (_, tree) = tree_of(dir, Some("1.0"), &Platform::default()).expect("1.0");
    assert_eq!(tree.contents("v"), Some(&b"1"[..]));

    let err = tree_of(dir, Some("3.0"), &Platform::default()).expect_err("missing");
    let msg = err.to_string();
    assert!(matches!(err, ImageError::TagNotFound { .. }), "{msg}");
    assert!(msg.contains("\"3.0\"") && msg.contains("1.0, 2.0"), "{msg}");

    let err = tree_of(dir, None, &Platform::default()).expect_err("ambiguous");
    assert!(
        matches!(err, ImageError::Ambiguous { count: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("1.0, 2.0"), "{err}");
}

fn first_layer_path(dir: &Path, m: &Value) -> std::path::PathBuf {
    let hex = |d: &Value| {
        d["digest"]
            .as_str()
            .expect("digest")
            .trim_start_matches("sha256:")
            .to_string()
    };
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(dir.join("blobs/sha256").join(hex(m))).expect("manifest"),
    )
    .expect("json");
    dir.join("blobs/sha256").join(hex(&manifest["layers"][0]))
}

#[test]
fn corrupted_blob_is_a_digest_mismatch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let m = single(tmp.path());
    let path = first_layer_path(tmp.path(), &m);
    // Same size, one flipped byte in the gzip trailer: the tar parses fine,
    // only the digest can tell.
    let mut bytes = std::fs::read(&path).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&path, &bytes).expect("write");
    let err = tree_of(tmp.path(), None, &Platform::default()).expect_err("mismatch");
    match &err {
        ImageError::DigestMismatch { expected, actual } => {
            assert_ne!(expected, actual);
            assert!(err.to_string().contains(expected.as_str()));
        }
        other => panic!("expected DigestMismatch, got {other}"),
    }

    // A corrupted manifest is caught too.
    let mpath = tmp.path().join("blobs/sha256").join(
        m["digest"]
            .as_str()
            .expect("d")
            .trim_start_matches("sha256:"),
    );
    let mut mb = std::fs::read(&mpath).expect("read");
    mb[0] = b' ';
    std::fs::write(&mpath, &mb).expect("write");
    let err = tree_of(tmp.path(), None, &Platform::default()).expect_err("mismatch");
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
}

#[test]
fn wrong_size_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let m = single(tmp.path());
    let path = first_layer_path(tmp.path(), &m);
    let mut bytes = std::fs::read(&path).expect("read");
    bytes.extend_from_slice(b"extra");
    std::fs::write(&path, &bytes).expect("write");
    let err = tree_of(tmp.path(), None, &Platform::default()).expect_err("size");
    assert!(matches!(err, ImageError::SizeMismatch { .. }), "{err}");

    // Descriptor size lies (index.json says fewer bytes than the manifest).
    let tmp = tempfile::tempdir().expect("tmp");
    let mut m = single(tmp.path());
    m["size"] = json!(m["size"].as_u64().expect("size") - 1);
    write_layout(tmp.path(), vec![m]);
    let err = tree_of(tmp.path(), None, &Platform::default()).expect_err("size");
    assert!(matches!(err, ImageError::SizeMismatch { .. }), "{err}");
}

#[test]
fn bad_digest_strings_are_rejected() {
    for bad in [
        "sha256:../../etc/passwd",
        "sha256:../../x",
        "sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        "sha256:abc",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "nocolon",
        "sha256:/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let mut m = single(tmp.path());
        m["digest"] = json!(bad);
        write_layout(tmp.path(), vec![m]);
        let err = tree_of(tmp.path(), None, &Platform::default()).expect_err(bad);
        assert!(matches!(err, ImageError::BadDigest { .. }), "{bad}: {err}");
    }
}

#[test]
fn missing_blob_is_an_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let m = single(tmp.path());
    let path = first_layer_path(tmp.path(), &m);
    std::fs::remove_file(&path).expect("rm");
    let err = tree_of(tmp.path(), None, &Platform::default()).expect_err("missing");
    assert!(matches!(err, ImageError::MissingBlob { .. }), "{err}");
}

#[test]
fn layout_file_checks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let err = OciLayout::open(tmp.path()).expect_err("empty dir");
    assert!(matches!(err, ImageError::NotALayout { .. }), "{err}");
    single(tmp.path());
    std::fs::write(
        tmp.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"2.0.0"}"#,
    )
    .expect("w");
    let err = OciLayout::open(tmp.path()).expect_err("version");
    assert!(matches!(err, ImageError::LayoutVersion { .. }), "{err}");
    std::fs::write(
        tmp.path().join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .expect("w");
    let huge = vec![b' '; 5 << 20];
    std::fs::write(tmp.path().join("index.json"), huge).expect("w");
    let err = OciLayout::open(tmp.path()).expect_err("too large");
    assert!(matches!(err, ImageError::JsonTooLarge { .. }), "{err}");
}

#[test]
fn whiteouts_across_layers() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let l1 = tar_of(&[
        ("etc", None),
        ("etc/keep", Some(b"k")),
        ("etc/secret", Some(b"s")),
        ("var", None),
        ("var/cache", None),
        ("var/cache/a", Some(b"a")),
    ]);
    let l2 = tar_of(&[
        ("etc/.wh.secret", Some(b"")),
        ("var/cache/.wh..wh..opq", Some(b"")),
        ("var/cache/b", Some(b"b")),
    ]);
    let m = image(dir, "amd64", &[l1, l2], OCI_MANIFEST);
    write_layout(dir, vec![m]);
    let (_, tree) = tree_of(dir, None, &Platform::default()).expect("image");
    assert!(tree.get("etc/keep").is_some());
    assert!(tree.get("etc/secret").is_none());
    assert!(tree.get("etc/.wh.secret").is_none());
    assert!(tree.get("var/cache/a").is_none());
    assert_eq!(tree.contents("var/cache/b"), Some(&b"b"[..]));
}

#[test]
fn corruption_that_breaks_the_tar_is_still_a_digest_mismatch() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let config_desc = json_blob(dir, "application/vnd.oci.image.config.v1+json", &json!({}));
    let layer = blob(dir, TAR_LAYER, &tar_of(&[("hello", Some(b"hi"))]));
    let manifest = json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                          "config": config_desc, "layers": [layer.clone()]});
    let m = json_blob(dir, OCI_MANIFEST, &manifest);
    write_layout(dir, vec![m]);
    let path = dir.join("blobs/sha256").join(
        layer["digest"]
            .as_str()
            .expect("d")
            .trim_start_matches("sha256:"),
    );
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[148] ^= 0x55; // header checksum field
    std::fs::write(&path, &bytes).expect("write");
    let err = tree_of(dir, None, &Platform::default()).expect_err("mismatch");
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
}
