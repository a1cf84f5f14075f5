//! The `images:` policy: registry patterns, `require_digest` as a boolean
//! or a list, and the pattern mistakes validation catches.
#![allow(clippy::unwrap_used)] // tests may unwrap

use palisade_config::{parse, Config, ConfigFormat};
use palisade_model::InputError;

fn yaml(text: &str) -> Result<Config, Vec<InputError>> {
    parse("palisade.yaml", text, ConfigFormat::Yaml, &["PAL-K8S-001"])
}

#[test]
fn require_digest_takes_a_boolean_or_a_list() {
    let c = yaml("images:\n  require_digest: true\n").unwrap();
    assert!(c.images.require_digest);
    assert!(c.images.require_digest_for.is_empty());

    let c = yaml("images:\n  require_digest: false\n").unwrap();
    assert!(!c.images.require_digest);

    let c =
        yaml("images:\n  require_digest: [\"*.azurecr.io\", \"registry.example.com/prod/*\"]\n")
            .unwrap();
    assert!(!c.images.require_digest);
    assert_eq!(
        c.images.require_digest_for,
        ["*.azurecr.io", "registry.example.com/prod/*"]
    );

    let c = parse(
        "palisade.toml",
        "[images]\nrequire_digest = [\"*.azurecr.io\"]\n",
        ConfigFormat::Toml,
        &[],
    )
    .unwrap();
    assert_eq!(c.images.require_digest_for, ["*.azurecr.io"]);

    let errs = yaml("images:\n  require_digest: 1\n").unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(
        errs[0].message,
        "`images.require_digest` must be true, false or a list of registry patterns, found an integer"
    );
}

#[test]
fn registry_patterns_without_a_registry_or_with_a_scheme_are_errors() {
    let errs = yaml(
        "images:\n  allowed_registries: [\"https://myregistry.azurecr.io\", \"bitnami/*\", \"*.azurecr.io\"]\n  forbidden_registries: [\"library/*\"]\n  require_digest: [\"team/*\"]\n",
    )
    .unwrap_err();
    let got: Vec<(u32, &str, Option<&str>)> = errs
        .iter()
        .map(|e| {
            (
                e.span.unwrap().line(),
                e.message.as_str(),
                e.help.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                2,
                "`images.allowed_registries` entry `https://myregistry.azurecr.io` has a URL scheme",
                Some("write the registry without it: `myregistry.azurecr.io`")
            ),
            (
                2,
                "`images.allowed_registries` entry `bitnami/*` names no registry, so it never matches (image names are compared as registry/repository)",
                Some("for Docker Hub write `docker.io/bitnami/*`")
            ),
            (
                3,
                "`images.forbidden_registries` entry `library/*` names no registry, so it never matches (image names are compared as registry/repository)",
                Some("for Docker Hub write `docker.io/library/*`")
            ),
            (
                4,
                "`images.require_digest` entry `team/*` names no registry, so it never matches (image names are compared as registry/repository)",
                Some("for Docker Hub write `docker.io/team/*`")
            ),
        ]
    );
}

#[test]
fn registry_like_first_components_are_accepted() {
    let c = yaml(
        "images:\n  allowed_registries: [\"localhost/*\", \"registry:5000/x/*\", \"*/team/*\", \"docker.io/library/*\", \"quay.io\", \"{a,b}.example.com/*\"]\n",
    )
    .unwrap();
    assert_eq!(c.images.allowed_registries.unwrap().len(), 6);
    let errs = yaml("images:\n  forbidden_registries: [\"docker.io/[x\"]\n").unwrap_err();
    assert!(errs[0]
        .message
        .starts_with("invalid glob in `images.forbidden_registries`"));
}

#[test]
fn approved_base_images_are_parsed_and_validated() {
    let c = yaml("images:\n  approved_base_images: [\"mcr.microsoft.com/dotnet/*\", \"*.azurecr.io/base/*\"]\n")
        .unwrap();
    assert_eq!(
        c.images.approved_base_images.as_deref(),
        Some(
            &[
                "mcr.microsoft.com/dotnet/*".to_string(),
                "*.azurecr.io/base/*".to_string()
            ][..]
        )
    );
    assert_eq!(yaml("{}").unwrap().images.approved_base_images, None);
    let errs = yaml("images:\n  approved_base_images: [\"debian/*\", 3]\n").unwrap_err();
    let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`images.approved_base_images` entry `debian/*` names no registry, so it never matches (image names are compared as registry/repository)",
            "`images.approved_base_images[]` must be a string, found an integer",
        ]
    );
}
