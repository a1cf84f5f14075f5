//! Discovery upward from the scanned path, and loading from disk.
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::fs;

use palisade_config::{discover, load, ConfigFormat};

#[test]
fn finds_the_nearest_config_upward() {
    let root = tempfile::tempdir().unwrap();
    let deep = root.path().join("a/b/c");
    fs::create_dir_all(&deep).unwrap();
    let manifest = deep.join("deploy.yaml");
    fs::write(&manifest, "kind: Pod\n").unwrap();

    // Nothing in the tree (a config above the temp dir would be found, so
    // only assert it is not inside our tree).
    if let Some(found) = discover(&deep) {
        assert!(!found.starts_with(root.path()), "{found:?}");
    }

    fs::write(root.path().join(".palisade.toml"), "version = 1\n").unwrap();
    assert_eq!(discover(&deep), Some(root.path().join(".palisade.toml")));
    assert_eq!(
        discover(&manifest),
        Some(root.path().join(".palisade.toml")),
        "from a file"
    );

    fs::write(root.path().join("a/palisade.yml"), "version: 1\n").unwrap();
    assert_eq!(
        discover(&deep),
        Some(root.path().join("a/palisade.yml")),
        "nearest wins"
    );
    assert_eq!(
        discover(root.path()),
        Some(root.path().join(".palisade.toml"))
    );

    // In one directory, the order of CONFIG_FILE_NAMES decides.
    fs::write(root.path().join("a/palisade.toml"), "version = 1\n").unwrap();
    fs::write(root.path().join("a/palisade.yaml"), "version: 1\n").unwrap();
    assert_eq!(discover(&deep), Some(root.path().join("a/palisade.yaml")));

    // A directory named like a config file is not one.
    fs::create_dir(deep.join("palisade.yaml")).unwrap();
    assert_eq!(discover(&deep), Some(root.path().join("a/palisade.yaml")));
}

#[test]
fn load_reads_yaml_and_toml_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let known = ["PSS-PRIVILEGED"];
    let yaml = dir.path().join("palisade.yaml");
    fs::write(&yaml, "rules:\n  lock: [PSS-PRIVILEGED]\n").unwrap();
    let config = load(&yaml, &known).unwrap();
    assert!(config.is_locked("PSS-PRIVILEGED"));
    assert_eq!(
        config.source.as_deref(),
        Some(yaml.display().to_string().as_str())
    );

    let toml = dir.path().join("palisade.toml");
    fs::write(&toml, "[rules]\nlock = [\"PSS-PRIVILEGED\"]\n").unwrap();
    assert!(load(&toml, &known).unwrap().is_locked("PSS-PRIVILEGED"));
    assert_eq!(ConfigFormat::from_path(&toml), ConfigFormat::Toml);
    assert_eq!(ConfigFormat::from_path(&yaml), ConfigFormat::Yaml);

    // Errors name the file.
    fs::write(&toml, "[rules]\nlock = [\"PSS-PRIVILEGD\"]\n").unwrap();
    let errs = load(&toml, &known).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(&*errs[0].file, toml.display().to_string());
    assert_eq!(errs[0].span.map(|s| (s.line(), s.column())), Some((2, 9)));
}

#[test]
fn unreadable_files_are_errors_without_a_place() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    let errs = load(&missing, &[]).unwrap_err();
    assert!(
        errs[0].message.starts_with("cannot read config"),
        "{}",
        errs[0].message
    );
    assert_eq!(errs[0].span, None);

    let binary = dir.path().join("palisade.yaml");
    fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(
        load(&binary, &[]).unwrap_err()[0].message,
        "config is not valid UTF-8"
    );

    let big = dir.path().join("big.toml");
    fs::write(
        &big,
        "#".repeat(palisade_config::MAX_CONFIG_BYTES as usize + 1),
    )
    .unwrap();
    assert!(load(&big, &[]).unwrap_err()[0]
        .message
        .contains("more than the limit"));
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("repo");
    let deep = repo.join("k8s/app");
    fs::create_dir_all(&deep).unwrap();
    fs::create_dir_all(repo.join(".git")).unwrap();
    // A config above the repository is not the repository's.
    fs::write(root.path().join("palisade.yaml"), "version: 1\n").unwrap();
    assert_eq!(discover(&deep), None);
    // One at the repository root is.
    fs::write(repo.join("palisade.yaml"), "version: 1\n").unwrap();
    assert_eq!(discover(&deep), Some(repo.join("palisade.yaml")));
}
