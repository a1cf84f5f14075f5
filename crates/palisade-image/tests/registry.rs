//! The registry source against a real `docker-registry` on 127.0.0.1:
//! plain HTTP, TLS from a generated CA, htpasswd Basic auth, the Bearer
//! token flow with a local token server, multi-platform indexes pushed by
//! `skopeo copy --all`, the blob cache, and digest verification.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{
    add_image, add_index, build_image, os_release, skopeo_push, tar_of, Registry, RegistryAuth,
    TokenServer,
};
use palisade_image::{
    parse_input, scan_image, CacheSetting, ImageError, ImageInventory, Platform, ScanOptions,
    SourceOptions,
};

/// Options isolated from the machine: no environment, a `config.json`
/// path inside the test's directory, a private cache.
fn opts(dir: &Path) -> SourceOptions {
    SourceOptions {
        use_env: false,
        docker_config: Some(dir.join("docker-config.json")),
        cache: CacheSetting::Dir(dir.join("cache")),
        ..SourceOptions::default()
    }
}

fn scan(input: &str, o: &SourceOptions) -> Result<ImageInventory, ImageError> {
    scan_with(input, o, Platform::default())
}

fn scan_with(
    input: &str,
    o: &SourceOptions,
    platform: Platform,
) -> Result<ImageInventory, ImageError> {
    let input = parse_input(input, o)?;
    scan_image(
        &input,
        &ScanOptions {
            platform,
            ..ScanOptions::default()
        },
    )
}

/// Two layers: a base with os-release and a file, and one adding a file.
fn two_layers(id: &str) -> Vec<Vec<u8>> {
    let osr = os_release(id, "3.19.1");
    vec![
        tar_of(&[
            ("etc", None),
            ("etc/os-release", Some(&osr)),
            ("etc/base.txt", Some(b"base")),
        ]),
        tar_of(&[("app", None), ("app/run.sh", Some(b"#!/bin/sh\necho hi\n"))]),
    ]
}

fn paths(inv: &ImageInventory) -> Vec<String> {
    let mut p: Vec<String> = inv.tree.iter().map(|e| e.path.clone()).collect();
    p.sort();
    p
}

#[test]
fn plain_http_pull_then_cached_rescan_without_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("alpine"));
    let mut reg = Registry::start(dir.path(), None, RegistryAuth::None);
    let dest = format!("{}/test/app:v1", reg.host());
    skopeo_push(&layout, "v1", &dest, &[]);

    let o = SourceOptions {
        insecure: true,
        ..opts(dir.path())
    };
    let inv = scan(&dest, &o).unwrap();
    assert_eq!(inv.os.as_ref().unwrap().id, "alpine");
    assert_eq!(inv.os.as_ref().unwrap().version_id, "3.19.1");
    assert_eq!(inv.layers.len(), 2);
    assert_eq!(inv.config.architecture, "amd64");
    let p = paths(&inv);
    assert!(p.contains(&"app/run.sh".to_string()), "{p:?}");
    assert!(p.contains(&"etc/base.txt".to_string()), "{p:?}");
    assert_eq!(inv.source, dest);

    // The same image from the OCI layout has the same tree.
    let from_oci = scan(&format!("oci:{}:v1", layout.display()), &o).unwrap();
    assert_eq!(paths(&from_oci), p);

    // Everything is cached: with the registry gone, the image pulled by
    // digest still scans (manifest, config and layers from the cache).
    let digest = inv.manifest_digest.clone().unwrap();
    let cache = dir.path().join("cache/sha256");
    for l in &inv.layers {
        assert!(cache.join(l.digest.trim_start_matches("sha256:")).is_file());
    }
    reg.stop();
    let by_digest = format!("{}/test/app@{digest}", reg.host());
    let again = scan(&by_digest, &o).unwrap();
    assert_eq!(paths(&again), p);
    assert_eq!(again.manifest_digest.as_deref(), Some(digest.as_str()));

    // A tag must be asked for, so that fails clearly.
    let err = scan(&dest, &o).unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ImageError::Registry { .. }), "{err}");
    assert!(err.to_string().contains("127.0.0.1"), "{err}");
}

#[test]
fn not_found_names_repository_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("alpine"));
    let reg = Registry::start(dir.path(), None, RegistryAuth::None);
    skopeo_push(&layout, "v1", &format!("{}/test/app:v1", reg.host()), &[]);
    let o = SourceOptions {
        insecure: true,
        cache: CacheSetting::Disabled,
        ..opts(dir.path())
    };
    let err = scan(&format!("{}/test/app:nope", reg.host()), &o).unwrap_err();
    assert!(matches!(err, ImageError::NotFound { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("test/app") && msg.contains("nope"), "{msg}");
    let err = scan(&format!("{}/test/other:v1", reg.host()), &o).unwrap_err();
    assert!(err.to_string().contains("test/other"), "{err}");
}

#[test]
fn tls_with_generated_ca() {
    let dir = tempfile::tempdir().unwrap();
    let tls = common::make_tls(dir.path());
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("debian"));
    let reg = Registry::start(dir.path(), Some(&tls), RegistryAuth::None);
    let dest = format!("{}/secure/app:v1", reg.host());
    skopeo_push(&layout, "v1", &dest, &[]);

    let o = SourceOptions {
        ca_file: Some(tls.ca.clone()),
        ..opts(dir.path())
    };
    let inv = scan(&dest, &o).unwrap();
    assert_eq!(inv.os.unwrap().id, "debian");

    // Without the CA: a TLS error that says how to fix it.
    let o = SourceOptions {
        cache: CacheSetting::Disabled,
        ..opts(dir.path())
    };
    let err = scan(&dest, &o).unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ImageError::Tls { .. }), "{err}");
    assert!(err.to_string().contains("--ca-file"), "{err}");

    // A CA file that is not PEM.
    std::fs::write(dir.path().join("junk.pem"), "not a certificate").unwrap();
    let o = SourceOptions {
        ca_file: Some(dir.path().join("junk.pem")),
        ..opts(dir.path())
    };
    let err = scan(&dest, &o).unwrap_err();
    assert!(err.to_string().contains("junk.pem"), "{err}");
}

#[test]
fn basic_auth_with_htpasswd() {
    let dir = tempfile::tempdir().unwrap();
    let pw = common::htpasswd(dir.path(), "alice", "wonder-land");
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("alpine"));
    let reg = Registry::start(dir.path(), None, RegistryAuth::Htpasswd(&pw));
    let dest = format!("{}/private/app:v1", reg.host());
    skopeo_push(&layout, "v1", &dest, &["--dest-creds", "alice:wonder-land"]);

    let base = SourceOptions {
        insecure: true,
        cache: CacheSetting::Disabled,
        ..opts(dir.path())
    };
    // Anonymous: refused, and the message says what was tried and how to
    // give credentials.
    let err = scan(&dest, &base).unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ImageError::Unauthorized { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("anonymous"), "{msg}");
    assert!(msg.contains("PALISADE_REGISTRY_USERNAME"), "{msg}");
    assert!(msg.contains("docker-config.json"), "{msg}");

    // From options.
    let o = SourceOptions {
        username: Some("alice".into()),
        password: Some("wonder-land".into()),
        ..base.clone()
    };
    assert_eq!(scan(&dest, &o).unwrap().os.unwrap().id, "alpine");

    // From config.json `auths` (base64 `auth`).
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:wonder-land");
    std::fs::write(
        dir.path().join("docker-config.json"),
        format!(
            r#"{{"auths":{{"http://{}":{{"auth":"{auth}"}}}}}}"#,
            reg.host()
        ),
    )
    .unwrap();
    assert_eq!(scan(&dest, &base).unwrap().os.unwrap().id, "alpine");

    // A wrong password names the user and where it came from.
    let o = SourceOptions {
        username: Some("alice".into()),
        password: Some("wrong".into()),
        ..base
    };
    let err = scan(&dest, &o).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, ImageError::Unauthorized { .. }), "{msg}");
    assert!(
        msg.contains("\"alice\"") && msg.contains("--username"),
        "{msg}"
    );
    assert!(!msg.contains("wrong"), "password leaked: {msg}");
}

#[test]
fn bearer_token_flow() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = TokenServer::start(dir.path(), "bob", "b0b-secret");
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("alpine"));
    let reg = Registry::start(dir.path(), None, RegistryAuth::Token(&tokens));
    let dest = format!("{}/team/app:v1", reg.host());
    skopeo_push(&layout, "v1", &dest, &["--dest-creds", "bob:b0b-secret"]);

    let o = SourceOptions {
        insecure: true,
        cache: CacheSetting::Disabled,
        username: Some("bob".into()),
        password: Some("b0b-secret".into()),
        ..opts(dir.path())
    };
    let before = tokens.requests.load(std::sync::atomic::Ordering::SeqCst);
    let inv = scan(&dest, &o).unwrap();
    assert_eq!(inv.os.unwrap().id, "alpine");
    let used = tokens.requests.load(std::sync::atomic::Ordering::SeqCst) - before;
    // One token for the scope, reused for the manifest, config and layers.
    assert_eq!(used, 1, "token requests");

    // Wrong password: the token endpoint refuses; the error names it.
    let bad = SourceOptions {
        password: Some("nope".into()),
        ..o.clone()
    };
    let err = scan(&dest, &bad).unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ImageError::Unauthorized { .. }), "{err}");
    assert!(err.to_string().contains(&tokens.realm()), "{err}");

    // Anonymous: also refused.
    let anon = SourceOptions {
        username: None,
        password: None,
        ..o
    };
    let err = scan(&dest, &anon).unwrap_err();
    assert!(err.to_string().contains("anonymous"), "{err}");
}

#[test]
fn multi_platform_index_picks_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let amd = os_release("alpine", "3.19.1");
    let layout = build_image(
        dir.path(),
        "amd",
        "amd64",
        &[tar_of(&[
            ("etc", None),
            ("etc/os-release", Some(&amd)),
            ("amd64.txt", Some(b"x")),
        ])],
    );
    let arm = os_release("alpine", "3.19.1");
    add_image(
        &layout,
        "arm",
        "arm64",
        &[tar_of(&[
            ("etc", None),
            ("etc/os-release", Some(&arm)),
            ("arm64.txt", Some(b"y")),
        ])],
    );
    add_index(&layout, "multi", &[("amd", "amd64"), ("arm", "arm64")]);
    let reg = Registry::start(dir.path(), None, RegistryAuth::None);
    let dest = format!("{}/multi/app:1", reg.host());
    skopeo_push(&layout, "multi", &dest, &["--all"]);

    let o = SourceOptions {
        insecure: true,
        ..opts(dir.path())
    };
    let inv = scan(&dest, &o).unwrap();
    assert_eq!(inv.config.architecture, "amd64");
    assert!(paths(&inv).contains(&"amd64.txt".to_string()));
    let inv = scan_with(&dest, &o, Platform::parse("linux/arm64").unwrap()).unwrap();
    assert_eq!(inv.config.architecture, "arm64");
    assert!(paths(&inv).contains(&"arm64.txt".to_string()));
    let err = scan_with(&dest, &o, Platform::parse("linux/s390x").unwrap()).unwrap_err();
    assert!(
        matches!(err, ImageError::NoMatchingPlatform { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("linux/arm64"), "{err}");
}

#[test]
fn corrupt_cache_and_tampered_registry_blobs_fail_verification() {
    let dir = tempfile::tempdir().unwrap();
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("alpine"));
    let reg = Registry::start(dir.path(), None, RegistryAuth::None);
    let dest = format!("{}/test/app:v1", reg.host());
    skopeo_push(&layout, "v1", &dest, &[]);
    let o = SourceOptions {
        insecure: true,
        ..opts(dir.path())
    };
    let inv = scan(&dest, &o).unwrap();
    let layer = inv.layers[1].digest.clone();
    let hex = layer.trim_start_matches("sha256:").to_string();

    // Flip one byte of a cached layer (same size).
    let cached = dir.path().join("cache/sha256").join(&hex);
    let mut bytes = std::fs::read(&cached).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&cached, &bytes).unwrap();
    let err = scan(&dest, &o).unwrap_err();
    eprintln!("{err}");
    match &err {
        ImageError::CorruptCache { source, .. } => {
            assert!(
                matches!(**source, ImageError::DigestMismatch { .. }),
                "{err}"
            )
        }
        other => panic!("expected CorruptCache, got {other}"),
    }
    assert!(!cached.exists(), "corrupt entry not removed");
    // The next run fetches it again and succeeds.
    assert_eq!(paths(&scan(&dest, &o).unwrap()), paths(&inv));

    // Tamper with the registry's own copy: the download fails its digest,
    // and nothing lands in the cache.
    let stored = dir
        .path()
        .join("storage/docker/registry/v2/blobs/sha256")
        .join(&hex[..2])
        .join(&hex)
        .join("data");
    let mut bytes = std::fs::read(&stored).unwrap();
    bytes[mid] ^= 0xff;
    std::fs::write(&stored, &bytes).unwrap();
    let fresh = SourceOptions {
        cache: CacheSetting::Dir(dir.path().join("cache2")),
        ..o
    };
    let err = scan(&dest, &fresh).unwrap_err();
    eprintln!("{err}");
    assert!(matches!(err, ImageError::DigestMismatch { .. }), "{err}");
    assert!(!dir.path().join("cache2/sha256").join(&hex).exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("cache2/sha256"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn insecure_is_refused_for_non_loopback_hosts_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let o = SourceOptions {
        insecure: true,
        ..opts(dir.path())
    };
    // These hosts do not resolve or route here; the refusal comes first.
    for r in [
        "registry.example.com/app:1",
        "10.1.2.3:5000/app:1",
        "[2001:db8::1]:5000/app",
        "nginx",
    ] {
        let err = parse_input(r, &o).err().unwrap();
        assert!(
            matches!(err, ImageError::InsecureNotLoopback { .. }),
            "{r}: {err}"
        );
    }
    for r in [
        "localhost:5000/app",
        "127.0.0.1:5000/app",
        "127.1.2.3:80/app",
        "[::1]:5000/a",
    ] {
        assert!(parse_input(r, &o).is_ok(), "{r}");
    }
}

/// A server that answers every request with `307` to `target` + the
/// request path (or to itself, when `target` is `None`).
fn redirector(target: Option<String>) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let target = target.unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
            let mut out = stream;
            let _ = write!(
                out,
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    port
}

#[test]
fn redirects_are_followed_with_a_hop_limit() {
    let dir = tempfile::tempdir().unwrap();
    let layout = build_image(dir.path(), "v1", "amd64", &two_layers("alpine"));
    let reg = Registry::start(dir.path(), None, RegistryAuth::None);
    skopeo_push(&layout, "v1", &format!("{}/test/app:v1", reg.host()), &[]);
    let o = SourceOptions {
        insecure: true,
        cache: CacheSetting::Disabled,
        ..opts(dir.path())
    };
    let front = redirector(Some(format!("http://{}", reg.host())));
    let inv = scan(&format!("127.0.0.1:{front}/test/app:v1"), &o).unwrap();
    assert_eq!(inv.os.unwrap().id, "alpine");

    let looping = redirector(None);
    let err = scan(&format!("127.0.0.1:{looping}/test/app:v1"), &o).unwrap_err();
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");

    // A redirect to plain HTTP on a non-loopback host is refused.
    let away = redirector(Some("http://registry.example.com".into()));
    let err = scan(&format!("127.0.0.1:{away}/test/app:v1"), &o).unwrap_err();
    assert!(
        matches!(err, ImageError::InsecureNotLoopback { .. }),
        "{err}"
    );
}
