//! What the user types to name an image, turned into an [`ImageInput`]:
//!
//! | input | source |
//! |---|---|
//! | `oci:DIR[:tag]` | an OCI image layout directory ([`crate::OciSource`]) |
//! | `docker-archive:FILE[:ref]` | a `docker save` tarball ([`crate::DockerArchive`]) |
//! | `dir:PATH` | a root filesystem directory |
//! | `docker://REF` or anything else | a registry reference ([`crate::RegistrySource`]) |
//!
//! Registry references follow the distribution grammar of
//! [`palisade_model::ImageRef`]: `registry/repo:tag`, `repo@sha256:...`;
//! a name without a registry is on Docker Hub (`nginx` is
//! `docker.io/library/nginx`, fetched from `registry-1.docker.io`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use palisade_model::ImageRef;

use crate::cache::CacheSetting;
use crate::docker_archive::{ArchiveLimits, DockerArchive};
use crate::oci::{ImageError, OciLimits};
use crate::registry::RegistrySource;
use crate::source::{ImageInput, OciSource};

/// How sources are opened: registry access, credentials, TLS, cache and
/// limits. `Default` is anonymous HTTPS with the built-in roots, the
/// default cache directory, and the environment consulted for
/// credentials.
#[derive(Clone)]
pub struct SourceOptions {
    /// Plain HTTP to the registry. Allowed only for loopback hosts
    /// (`localhost`, 127.0.0.0/8, `::1`); any other host is an error.
    pub insecure: bool,
    /// A PEM file of CA certificates trusted for the registry (in addition
    /// to the system bundle).
    pub ca_file: Option<PathBuf>,
    /// Registry user name (wins over the environment and `config.json`).
    pub username: Option<String>,
    /// Registry password or token.
    pub password: Option<String>,
    /// Docker's `config.json` to read credentials from; default
    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    pub docker_config: Option<PathBuf>,
    /// Read `PALISADE_REGISTRY_USERNAME`/`PALISADE_REGISTRY_PASSWORD`,
    /// `DOCKER_CONFIG` and `HOME` from the environment.
    pub use_env: bool,
    /// Where registry blobs are cached.
    pub cache: CacheSetting,
    /// Size limits on manifests, indexes and configs.
    pub limits: OciLimits,
    /// Bounds on a `docker save` archive.
    pub archive_limits: ArchiveLimits,
    /// Time to resolve and connect.
    pub connect_timeout: Duration,
    /// Time to wait for a response, and for each read of its body.
    pub read_timeout: Duration,
    /// Redirects followed per request (registries redirect blobs to
    /// storage).
    pub max_redirects: u32,
}

impl Default for SourceOptions {
    fn default() -> Self {
        Self {
            insecure: false,
            ca_file: None,
            username: None,
            password: None,
            docker_config: None,
            use_env: true,
            cache: CacheSetting::Default,
            limits: OciLimits::default(),
            archive_limits: ArchiveLimits::default(),
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(120),
            max_redirects: 5,
        }
    }
}

impl std::fmt::Debug for SourceOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceOptions")
            .field("insecure", &self.insecure)
            .field("ca_file", &self.ca_file)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("docker_config", &self.docker_config)
            .field("use_env", &self.use_env)
            .field("cache", &self.cache)
            .field("limits", &self.limits)
            .field("archive_limits", &self.archive_limits)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("max_redirects", &self.max_redirects)
            .finish()
    }
}

/// Parses an image input (see the module docs) and opens its source.
/// Local sources are opened (an OCI layout's `index.json` read, an
/// archive indexed); a registry is not contacted until the scan resolves
/// the image.
pub fn parse_input(s: &str, opts: &SourceOptions) -> Result<ImageInput, ImageError> {
    let bad = |detail: String| ImageError::BadReference {
        input: s.chars().take(300).collect(),
        detail,
    };
    if let Some(rest) = s.strip_prefix("oci:") {
        if rest.is_empty() {
            return Err(bad("expected oci:DIR[:tag]".into()));
        }
        let (dir, tag) = split_oci(rest);
        return Ok(ImageInput::Blobs(Box::new(OciSource::open(
            dir,
            tag.map(str::to_string),
        )?)));
    }
    if let Some(rest) = s.strip_prefix("docker-archive:") {
        if rest.is_empty() {
            return Err(bad("expected docker-archive:FILE[:ref]".into()));
        }
        let (file, reference) = split_archive(rest);
        let archive = DockerArchive::open_with(file, reference, opts.archive_limits, opts.limits)?;
        return Ok(ImageInput::Blobs(Box::new(archive)));
    }
    if let Some(rest) = s.strip_prefix("dir:") {
        if rest.is_empty() {
            return Err(bad("expected dir:PATH".into()));
        }
        return Ok(ImageInput::Dir(PathBuf::from(rest)));
    }
    let name = s.strip_prefix("docker://").unwrap_or(s);
    let reference = ImageRef::parse(name).map_err(|e| {
        let hint = if Path::new(s).exists() {
            "; to read a local path, write oci:PATH, docker-archive:PATH or dir:PATH"
        } else {
            ""
        };
        bad(format!("{e}{hint}"))
    })?;
    Ok(ImageInput::Blobs(Box::new(RegistrySource::new(
        reference, opts,
    )?)))
}

/// `DIR[:tag]`: the whole string when it is an existing directory, else
/// split at the last `:` when what follows reads as a tag.
fn split_oci(rest: &str) -> (&str, Option<&str>) {
    if Path::new(rest).is_dir() {
        return (rest, None);
    }
    match rest.rsplit_once(':') {
        Some((dir, tag)) if !dir.is_empty() && !tag.is_empty() && !tag.contains('/') => {
            (dir, Some(tag))
        }
        _ => (rest, None),
    }
}

/// `FILE[:ref]`: the shortest prefix ending before a `:` that is an
/// existing file, else the part before the first `:`.
fn split_archive(rest: &str) -> (&str, Option<&str>) {
    if Path::new(rest).is_file() {
        return (rest, None);
    }
    let colons = rest.match_indices(':').map(|(i, _)| i);
    let mut first = None;
    for i in colons {
        let (file, after) = (rest.get(..i).unwrap_or_default(), rest.get(i + 1..));
        first.get_or_insert((file, after));
        if Path::new(file).is_file() {
            return (file, after.filter(|a| !a.is_empty()));
        }
    }
    match first {
        Some((file, after)) => (file, after.filter(|a| !a.is_empty())),
        None => (rest, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_local_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("lay:out");
        std::fs::create_dir(&d).unwrap();
        let ds = d.to_str().unwrap();
        assert_eq!(split_oci(ds), (ds, None));
        let with_tag = format!("{ds}:v1");
        assert_eq!(split_oci(&with_tag), (ds, Some("v1")));
        assert_eq!(split_oci("/no/such:x/y"), ("/no/such:x/y", None));

        let f = dir.path().join("img.tar");
        std::fs::write(&f, b"").unwrap();
        let fs_ = f.to_str().unwrap();
        assert_eq!(split_archive(fs_), (fs_, None));
        let r = format!("{fs_}:app:1.0");
        assert_eq!(split_archive(&r), (fs_, Some("app:1.0")));
        assert_eq!(
            split_archive("missing.tar:a:b"),
            ("missing.tar", Some("a:b"))
        );
    }

    #[test]
    fn registry_references() {
        let opts = SourceOptions {
            use_env: false,
            cache: CacheSetting::Disabled,
            ..SourceOptions::default()
        };
        let ImageInput::Blobs(src) = parse_input("nginx:1.27", &opts).unwrap() else {
            panic!("not blobs")
        };
        assert_eq!(src.describe(), "nginx:1.27");
        let ImageInput::Blobs(src) = parse_input("docker://127.0.0.1:5000/a/b:t", &opts).unwrap()
        else {
            panic!("not blobs")
        };
        assert_eq!(src.describe(), "127.0.0.1:5000/a/b:t");
        for bad in [
            "",
            "UPPER/Case",
            "a:b:c",
            "oci:",
            "dir:",
            "docker-archive:",
            "x@sha256:1",
        ] {
            let err = parse_input(bad, &opts).err().unwrap();
            assert!(
                matches!(err, ImageError::BadReference { .. }),
                "{bad}: {err}"
            );
        }
        let insecure = SourceOptions {
            insecure: true,
            ..opts.clone()
        };
        assert!(parse_input("localhost:5000/a", &insecure).is_ok());
        assert!(parse_input("[::1]:5000/a", &insecure).is_ok());
        let err = parse_input("registry.example.com/a:1", &insecure)
            .err()
            .unwrap();
        assert!(
            matches!(err, ImageError::InsecureNotLoopback { .. }),
            "{err}"
        );
        assert!(err.to_string().contains("registry.example.com"), "{err}");
    }

    #[test]
    fn password_is_not_debug_printed() {
        let opts = SourceOptions {
            password: Some("hunter2".into()),
            ..SourceOptions::default()
        };
        assert!(!format!("{opts:?}").contains("hunter2"));
    }
}
