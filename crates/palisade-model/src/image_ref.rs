//! Container image references, parsed and normalised as Docker, containerd
//! and the kubelet do.
//!
//! The grammar is the one of the `distribution/reference` package that
//! container runtimes share:
//!
//! ```text
//! reference        := name [ ":" tag ] [ "@" digest ]
//! name             := [ registry "/" ] path
//! registry         := host [ ":" port ]
//! host             := domain-name | "[" IPv6 address "]"
//! domain-name      := label ( "." label )*       label: [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//! port             := [0-9]+
//! path             := component ( "/" component )*
//! component        := [a-z0-9]+ ( separator [a-z0-9]+ )*
//! separator        := "." | "_" | "__" | "-"+
//! tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest           := algorithm ":" hex          (sha256: 64, sha384: 96, sha512: 128 lower-case hex digits)
//! ```
//!
//! Normalisation follows Docker: the first component of the name is the
//! registry only if it contains `.` or `:`, is `localhost`, or contains an
//! upper-case letter (repository paths are lower-case, so it cannot be one);
//! otherwise the registry is `docker.io`. `index.docker.io` is the same
//! registry as `docker.io`, and a Docker Hub repository of one component
//! lives under `library/` (`nginx` is `docker.io/library/nginx`). The path,
//! after normalisation, is at most 255 characters. A 64-digit hexadecimal
//! string alone is an image id, not a name, and is rejected.

use std::fmt;
use std::str::FromStr;

/// Docker Hub's registry name after normalisation.
pub const DOCKER_HUB: &str = "docker.io";

/// The longest repository path (after normalisation) a registry accepts.
pub const MAX_PATH_LEN: usize = 255;

/// The longest tag.
pub const MAX_TAG_LEN: usize = 128;

/// Digest algorithms container runtimes verify, with their hex length.
const ALGORITHMS: &[(&str, usize)] = &[("sha256", 64), ("sha384", 96), ("sha512", 128)];

/// The longest piece of input an error message quotes.
const QUOTE_MAX: usize = 140;

/// A parsed, normalised image reference. Two references are equal when
/// they name the same image the same way after normalisation (`nginx` equals
/// `docker.io/library/nginx`).
#[derive(Debug, Clone)]
pub struct ImageRef {
    registry: String,
    registry_written: bool,
    path: String,
    tag: Option<String>,
    digest: Option<String>,
}

/// Why a string is not a valid image reference. The messages name the part
/// at fault and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageRefError {
    /// The reference is empty.
    Empty,
    /// The reference starts or ends with whitespace.
    Whitespace,
    /// Nothing precedes the `:tag` or `@digest`.
    MissingName,
    /// A 64-digit hexadecimal string, which is an image id, not a name.
    ImageId,
    /// The registry host or port is malformed.
    InvalidRegistry {
        /// The registry as written (clipped).
        registry: String,
        /// What is wrong.
        reason: String,
    },
    /// A path component is empty (`team//app`, a trailing `/`).
    EmptyComponent {
        /// The path as written (clipped).
        path: String,
    },
    /// The repository path holds upper-case letters.
    UppercaseRepository {
        /// The path as written (clipped).
        path: String,
    },
    /// A path component is malformed.
    InvalidComponent {
        /// The component (clipped).
        component: String,
        /// What is wrong.
        reason: String,
    },
    /// The repository path is longer than [`MAX_PATH_LEN`].
    NameTooLong {
        /// Its length after normalisation.
        length: usize,
    },
    /// The tag is malformed or too long.
    InvalidTag {
        /// The tag (clipped).
        tag: String,
        /// What is wrong.
        reason: String,
    },
    /// The digest is malformed.
    InvalidDigest {
        /// The digest (clipped).
        digest: String,
        /// What is wrong.
        reason: String,
    },
    /// The digest algorithm is well-formed but not one runtimes verify.
    UnsupportedDigestAlgorithm {
        /// The algorithm (clipped).
        algorithm: String,
    },
}

impl fmt::Display for ImageRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRefError::Empty => f.write_str("image reference is empty"),
            ImageRefError::Whitespace => {
                f.write_str("image reference has leading or trailing whitespace")
            }
            ImageRefError::MissingName => {
                f.write_str("image reference has no repository name before the tag or digest")
            }
            ImageRefError::ImageId => {
                f.write_str("a 64-digit hexadecimal string is an image id, not a repository name")
            }
            ImageRefError::InvalidRegistry { registry, reason } => {
                write!(f, "invalid registry \"{registry}\": {reason}")
            }
            ImageRefError::EmptyComponent { path } => {
                write!(f, "repository \"{path}\" has an empty path component")
            }
            ImageRefError::UppercaseRepository { path } => {
                write!(f, "repository \"{path}\" must be lower-case")
            }
            ImageRefError::InvalidComponent { component, reason } => {
                write!(
                    f,
                    "invalid repository path component \"{component}\": {reason}"
                )
            }
            ImageRefError::NameTooLong { length } => write!(
                f,
                "repository path is {length} characters long, more than the {MAX_PATH_LEN} allowed"
            ),
            ImageRefError::InvalidTag { tag, reason } => {
                write!(f, "invalid tag \"{tag}\": {reason}")
            }
            ImageRefError::InvalidDigest { digest, reason } => {
                write!(f, "invalid digest \"{digest}\": {reason}")
            }
            ImageRefError::UnsupportedDigestAlgorithm { algorithm } => write!(
                f,
                "unsupported digest algorithm \"{algorithm}\" (expected sha256, sha384 or sha512)"
            ),
        }
    }
}

impl std::error::Error for ImageRefError {}

impl ImageRef {
    /// Parses and normalises an image reference (`nginx`,
    /// `registry.example.com:5000/team/app:1.2@sha256:...`).
    pub fn parse(s: &str) -> Result<ImageRef, ImageRefError> {
        if s.is_empty() {
            return Err(ImageRefError::Empty);
        }
        if s.trim() != s {
            return Err(ImageRefError::Whitespace);
        }
        if s.len() == 64
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(ImageRefError::ImageId);
        }
        // Neither name nor tag may hold `@`, so the first one starts the digest.
        let (rest, digest) = match s.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (s, None),
        };
        // The name holds `:` only in the registry, before the first `/`;
        // a `:` after the last `/` starts the tag.
        let after_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest.get(after_slash..).and_then(|t| t.find(':')) {
            Some(i) => {
                let at = after_slash + i;
                (
                    rest.get(..at).unwrap_or_default(),
                    Some(rest.get(at + 1..).unwrap_or_default()),
                )
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(ImageRefError::MissingName);
        }
        let (registry, registry_written, path) = split_registry(name);
        if registry_written {
            check_registry(registry)?;
        }
        check_path(path)?;
        let path = if registry == DOCKER_HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        if path.len() > MAX_PATH_LEN {
            return Err(ImageRefError::NameTooLong { length: path.len() });
        }
        if let Some(tag) = tag {
            check_tag(tag)?;
        }
        if let Some(digest) = digest {
            check_digest(digest)?;
        }
        Ok(ImageRef {
            registry: registry.to_string(),
            registry_written,
            path,
            tag: tag.map(str::to_string),
            digest: digest.map(str::to_string),
        })
    }

    /// The registry (`docker.io`, `myregistry.azurecr.io`,
    /// `localhost:5000`), as written, or `docker.io` when none is written.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// Whether the reference names its registry (`nginx` does not).
    pub fn registry_written(&self) -> bool {
        self.registry_written
    }

    /// The registry host without the port, lower-case.
    pub fn host(&self) -> String {
        let host = match self.registry.strip_prefix('[') {
            Some(v6) => v6.split_once(']').map_or(v6, |(h, _)| h),
            None => self.registry.split(':').next().unwrap_or_default(),
        };
        host.to_ascii_lowercase()
    }

    /// Whether the image comes from Docker Hub.
    pub fn is_docker_hub(&self) -> bool {
        self.registry == DOCKER_HUB
    }

    /// The repository path within the registry (`library/nginx`, `team/app`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The fully-qualified repository name, `registry/path`
    /// (`docker.io/library/nginx`).
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.path)
    }

    /// The tag, when one is written.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:...`), when one is written.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The repository name as Docker shows it: Docker Hub's registry and
    /// `library/` left out (`nginx`, `bitnami/redis`), other names in full.
    /// A Docker Hub path whose first component would read as a registry
    /// (`docker.io/foo.com/bar`, `docker.io/localhost/app`) keeps
    /// `docker.io/`, so that the name parses back to the same repository
    /// (Docker itself shows the ambiguous `foo.com/bar`).
    pub fn familiar_name(&self) -> String {
        if !self.is_docker_hub() {
            return self.name();
        }
        match self.path.strip_prefix("library/") {
            // A bare 64-digit hex name would read as an image id.
            Some(short) if !short.contains('/') && !is_image_id(short) => short.to_string(),
            _ => match self.path.split_once('/') {
                Some((first, _)) if first == "localhost" || first.contains(['.', ':']) => {
                    self.name()
                }
                _ => self.path.clone(),
            },
        }
    }

    /// The whole reference as Docker shows it (`nginx:1.27`).
    pub fn familiar(&self) -> String {
        let mut out = self.familiar_name();
        self.push_suffix(&mut out);
        out
    }

    /// The whole reference, fully qualified
    /// (`docker.io/library/nginx:1.27@sha256:...`); also what
    /// [`Display`](fmt::Display) prints.
    pub fn qualified(&self) -> String {
        let mut out = self.name();
        self.push_suffix(&mut out);
        out
    }

    fn push_suffix(&self, out: &mut String) {
        if let Some(tag) = &self.tag {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
    }
}

impl PartialEq for ImageRef {
    fn eq(&self, other: &Self) -> bool {
        self.registry == other.registry
            && self.path == other.path
            && self.tag == other.tag
            && self.digest == other.digest
    }
}

impl Eq for ImageRef {}

impl std::hash::Hash for ImageRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.registry.hash(state);
        self.path.hash(state);
        self.tag.hash(state);
        self.digest.hash(state);
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.qualified())
    }
}

impl FromStr for ImageRef {
    type Err = ImageRefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// Whether `s` is 64 lower-case hex digits, the form of an image id.
fn is_image_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `s`, cut to [`QUOTE_MAX`] characters with `…` when longer.
fn clip(s: &str) -> String {
    match s.char_indices().nth(QUOTE_MAX) {
        Some((i, _)) => format!("{}…", s.get(..i).unwrap_or_default()),
        None => s.to_string(),
    }
}

/// `c` for a message: printable characters quoted, others as `U+XXXX`.
fn show(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("'{c}'")
    }
}

/// Splits a name into registry, whether it was written, and path.
fn split_registry(name: &str) -> (&str, bool, &str) {
    let Some((first, rest)) = name.split_once('/') else {
        return (DOCKER_HUB, false, name);
    };
    let is_registry = first == "localhost"
        || first.contains(['.', ':'])
        || first.bytes().any(|b| b.is_ascii_uppercase());
    match (is_registry, first) {
        (true, "index.docker.io") => (DOCKER_HUB, true, rest),
        (true, _) => (first, true, rest),
        (false, _) => (DOCKER_HUB, false, name),
    }
}

fn registry_error(registry: &str, reason: String) -> ImageRefError {
    ImageRefError::InvalidRegistry {
        registry: clip(registry),
        reason,
    }
}

fn check_registry(registry: &str) -> Result<(), ImageRefError> {
    let (host, port) = if let Some(inner) = registry.strip_prefix('[') {
        let Some((address, after)) = inner.split_once(']') else {
            return Err(registry_error(
                registry,
                "IPv6 address has no closing ']'".into(),
            ));
        };
        if address.is_empty() {
            return Err(registry_error(registry, "IPv6 address is empty".into()));
        }
        if let Some(c) = address
            .chars()
            .find(|c| !(c.is_ascii_hexdigit() || *c == ':'))
        {
            return Err(registry_error(
                registry,
                format!(
                    "IPv6 address holds {} (only hexadecimal digits and ':' are allowed; no zone or embedded IPv4)",
                    show(c)
                ),
            ));
        }
        match after {
            "" => (None, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (None, Some(port)),
                None => {
                    return Err(registry_error(
                        registry,
                        "only a ':port' may follow the IPv6 address".into(),
                    ))
                }
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        if host.is_empty() {
            return Err(registry_error(registry, "host name is empty".into()));
        }
        for label in host.split('.') {
            if label.is_empty() {
                return Err(registry_error(
                    registry,
                    "host name has an empty label (leading, trailing or doubled '.')".into(),
                ));
            }
            if let Some(c) = label
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(registry_error(
                    registry,
                    format!(
                        "host name holds {} (only letters, digits, '-' and '.' are allowed)",
                        show(c)
                    ),
                ));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(registry_error(
                    registry,
                    format!(
                        "host name label \"{}\" starts or ends with '-'",
                        clip(label)
                    ),
                ));
            }
        }
    }
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err(registry_error(
                registry,
                format!("port \"{}\" is not a number", clip(port)),
            ));
        }
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), ImageRefError> {
    let mut upper = false;
    for component in path.split('/') {
        if component.is_empty() {
            return Err(ImageRefError::EmptyComponent { path: clip(path) });
        }
        let lower = component.to_ascii_lowercase();
        if let Err(reason) = check_component(&lower) {
            return Err(ImageRefError::InvalidComponent {
                component: clip(component),
                reason,
            });
        }
        upper |= lower != component;
    }
    if upper {
        return Err(ImageRefError::UppercaseRepository { path: clip(path) });
    }
    Ok(())
}

/// Checks one lower-case path component against
/// `[a-z0-9]+ ( ("." | "_" | "__" | "-"+) [a-z0-9]+ )*`.
fn check_component(component: &str) -> Result<(), String> {
    if let Some(c) = component
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "holds {} (only lower-case letters, digits, '.', '_' and '-' are allowed)",
            show(c)
        ));
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    if bytes.first().is_some_and(|b| !alnum(*b)) || bytes.last().is_some_and(|b| !alnum(*b)) {
        return Err("must start and end with a letter or digit".into());
    }
    for run in component.split(|c: char| c.is_ascii_alphanumeric()) {
        let ok = run.is_empty()
            || run == "."
            || run == "_"
            || run == "__"
            || run.bytes().all(|b| b == b'-');
        if !ok {
            return Err(format!(
                "separator \"{}\" is not allowed (use one '.', one or two '_', or '-'s)",
                clip(run)
            ));
        }
    }
    Ok(())
}

fn tag_error(tag: &str, reason: String) -> ImageRefError {
    ImageRefError::InvalidTag {
        tag: clip(tag),
        reason,
    }
}

fn check_tag(tag: &str) -> Result<(), ImageRefError> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let Some(first) = tag.chars().next() else {
        return Err(tag_error(tag, "tag is empty".into()));
    };
    if let Some(c) = tag.chars().find(|c| !(word(*c) || matches!(c, '.' | '-'))) {
        return Err(tag_error(
            tag,
            format!(
                "holds {} (only letters, digits, '_', '.' and '-' are allowed)",
                show(c)
            ),
        ));
    }
    if !word(first) {
        return Err(tag_error(
            tag,
            "must start with a letter, digit or '_'".into(),
        ));
    }
    if tag.len() > MAX_TAG_LEN {
        return Err(tag_error(
            tag,
            format!(
                "is {} characters long, more than the {MAX_TAG_LEN} allowed",
                tag.len()
            ),
        ));
    }
    Ok(())
}

fn digest_error(digest: &str, reason: String) -> ImageRefError {
    ImageRefError::InvalidDigest {
        digest: clip(digest),
        reason,
    }
}

fn check_digest(digest: &str) -> Result<(), ImageRefError> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(digest_error(
            digest,
            "expected algorithm:hex, e.g. sha256:<64 hex digits>".into(),
        ));
    };
    // algorithm := component ( [-_+.] component )*, component := [A-Za-z][A-Za-z0-9]*
    let well_formed_algorithm = !algorithm.is_empty()
        && algorithm.split(['-', '_', '+', '.']).all(|c| {
            c.chars().next().is_some_and(|f| f.is_ascii_alphabetic())
                && c.chars().all(|ch| ch.is_ascii_alphanumeric())
        });
    if !well_formed_algorithm {
        return Err(digest_error(
            digest,
            format!("algorithm \"{}\" is malformed", clip(algorithm)),
        ));
    }
    if hex.is_empty() {
        return Err(digest_error(digest, "has no hex digits after ':'".into()));
    }
    if let Some(c) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(digest_error(
            digest,
            format!("holds {} where hexadecimal digits belong", show(c)),
        ));
    }
    let Some((_, expected)) = ALGORITHMS.iter().find(|(name, _)| *name == algorithm) else {
        return Err(ImageRefError::UnsupportedDigestAlgorithm {
            algorithm: clip(algorithm),
        });
    };
    if hex.len() != *expected {
        return Err(digest_error(
            digest,
            format!(
                "{algorithm} needs {expected} hex digits, found {}",
                hex.len()
            ),
        ));
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(digest_error(digest, "hex digits must be lower-case".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    const F64: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    const BUSYBOX: &str = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    const REDIS: &str = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

    /// `(input, registry, path, tag, digest)`; an empty registry is not checked.
    type Valid = (String, &'static str, String, Option<String>, Option<String>);

    /// References that parse.
    fn valid_cases() -> Vec<Valid> {
        let d = |hex: &str| Some(format!("sha256:{hex}"));
        let t = |s: &str| Some(s.to_string());
        let mut cases = vec![
            // distribution/reference TestReferenceParse, re-read the way
            // ParseNormalizedNamed (and so the kubelet) reads them.
            (
                "test_com".into(),
                "docker.io",
                "library/test_com".into(),
                None,
                None,
            ),
            (
                "test.com:tag".into(),
                "docker.io",
                "library/test.com".into(),
                t("tag"),
                None,
            ),
            (
                "test.com:5000".into(),
                "docker.io",
                "library/test.com".into(),
                t("5000"),
                None,
            ),
            (
                "test.com/repo:tag".into(),
                "test.com",
                "repo".into(),
                t("tag"),
                None,
            ),
            (
                "test:5000/repo".into(),
                "test:5000",
                "repo".into(),
                None,
                None,
            ),
            (
                "test:5000/repo:tag".into(),
                "test:5000",
                "repo".into(),
                t("tag"),
                None,
            ),
            (
                format!("test:5000/repo@sha256:{F64}"),
                "test:5000",
                "repo".into(),
                None,
                d(F64),
            ),
            (
                format!("test:5000/repo:tag@sha256:{F64}"),
                "test:5000",
                "repo".into(),
                t("tag"),
                d(F64),
            ),
            (
                "lowercase:Uppercase".into(),
                "docker.io",
                "library/lowercase".into(),
                t("Uppercase"),
                None,
            ),
            (
                format!("{}a:tag-puts-this-over-max", "a/".repeat(127)),
                "docker.io",
                format!("{}a", "a/".repeat(127)),
                t("tag-puts-this-over-max"),
                None,
            ),
            (
                "sub-dom1.foo.com/bar/baz/quux".into(),
                "sub-dom1.foo.com",
                "bar/baz/quux".into(),
                None,
                None,
            ),
            (
                "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
                "sub-dom1.foo.com",
                "bar/baz/quux".into(),
                t("some-long-tag"),
                None,
            ),
            (
                "b.gcr.io/test.example.com/my-app:test.example.com".into(),
                "b.gcr.io",
                "test.example.com/my-app".into(),
                t("test.example.com"),
                None,
            ),
            (
                "xn--n3h.com/myimage:xn--n3h.com".into(),
                "xn--n3h.com",
                "myimage".into(),
                t("xn--n3h.com"),
                None,
            ),
            (
                format!("xn--7o8h.com/myimage:xn--7o8h.com@sha256:{F64}"),
                "xn--7o8h.com",
                "myimage".into(),
                t("xn--7o8h.com"),
                d(F64),
            ),
            (
                "foo_bar.com:8080".into(),
                "docker.io",
                "library/foo_bar.com".into(),
                t("8080"),
                None,
            ),
            (
                "foo/foo_bar.com:8080".into(),
                "docker.io",
                "foo/foo_bar.com".into(),
                t("8080"),
                None,
            ),
            (
                "192.168.1.1".into(),
                "docker.io",
                "library/192.168.1.1".into(),
                None,
                None,
            ),
            (
                "192.168.1.1:tag".into(),
                "docker.io",
                "library/192.168.1.1".into(),
                t("tag"),
                None,
            ),
            (
                "192.168.1.1:5000".into(),
                "docker.io",
                "library/192.168.1.1".into(),
                t("5000"),
                None,
            ),
            (
                "192.168.1.1/repo".into(),
                "192.168.1.1",
                "repo".into(),
                None,
                None,
            ),
            (
                "192.168.1.1:5000/repo".into(),
                "192.168.1.1:5000",
                "repo".into(),
                None,
                None,
            ),
            (
                "192.168.1.1:5000/repo:5050".into(),
                "192.168.1.1:5000",
                "repo".into(),
                t("5050"),
                None,
            ),
            (
                "[2001:db8::1]/repo".into(),
                "[2001:db8::1]",
                "repo".into(),
                None,
                None,
            ),
            (
                "[2001:db8:1:2:3:4:5:6]/repo:tag".into(),
                "[2001:db8:1:2:3:4:5:6]",
                "repo".into(),
                t("tag"),
                None,
            ),
            (
                "[2001:db8::1]:5000/repo".into(),
                "[2001:db8::1]:5000",
                "repo".into(),
                None,
                None,
            ),
            (
                "[2001:db8::1]:5000/repo:tag".into(),
                "[2001:db8::1]:5000",
                "repo".into(),
                t("tag"),
                None,
            ),
            (
                format!("[2001:db8::1]:5000/repo@sha256:{F64}"),
                "[2001:db8::1]:5000",
                "repo".into(),
                None,
                d(F64),
            ),
            (
                format!("[2001:db8::1]:5000/repo:tag@sha256:{F64}"),
                "[2001:db8::1]:5000",
                "repo".into(),
                t("tag"),
                d(F64),
            ),
            (
                "[2001:db8::]:5000/repo".into(),
                "[2001:db8::]:5000",
                "repo".into(),
                None,
                None,
            ),
            (
                "[::1]:5000/repo".into(),
                "[::1]:5000",
                "repo".into(),
                None,
                None,
            ),
            (
                format!("example.com/{}:tag", "a".repeat(255)),
                "example.com",
                "a".repeat(255),
                t("tag"),
                None,
            ),
            // TestParseReferenceWithTagAndDigest.
            (
                format!("busybox:latest@sha256:{BUSYBOX}"),
                "docker.io",
                "library/busybox".into(),
                t("latest"),
                d(BUSYBOX),
            ),
            // TestParseAnyReference, named cases.
            (
                "redis".into(),
                "docker.io",
                "library/redis".into(),
                None,
                None,
            ),
            (
                "docker.io/library/redis:latest".into(),
                "docker.io",
                "library/redis".into(),
                t("latest"),
                None,
            ),
            (
                format!("redis@sha256:{REDIS}"),
                "docker.io",
                "library/redis".into(),
                None,
                d(REDIS),
            ),
            (
                "dmcgowan/myapp:latest".into(),
                "docker.io",
                "dmcgowan/myapp".into(),
                t("latest"),
                None,
            ),
            (
                format!("docker.io/dmcgowan/myapp@sha256:{REDIS}"),
                "docker.io",
                "dmcgowan/myapp".into(),
                None,
                d(REDIS),
            ),
            // Only the whole string is checked for being an image id: this is
            // repository "sha256" with a 64-character tag.
            (
                format!("sha256:{REDIS}"),
                "docker.io",
                "library/sha256".into(),
                Some(REDIS.to_string()),
                None,
            ),
            (
                REDIS[..63].to_string(),
                "docker.io",
                format!("library/{}", &REDIS[..63]),
                None,
                None,
            ),
            (
                "dbcc1".into(),
                "docker.io",
                "library/dbcc1".into(),
                None,
                None,
            ),
            // TestNormalizedSplitHostname.
            ("test.com/foo".into(), "test.com", "foo".into(), None, None),
            (
                "test_com/foo".into(),
                "docker.io",
                "test_com/foo".into(),
                None,
                None,
            ),
            (
                "docker/migrator".into(),
                "docker.io",
                "docker/migrator".into(),
                None,
                None,
            ),
            (
                "test.com:8080/foo".into(),
                "test.com:8080",
                "foo".into(),
                None,
                None,
            ),
            (
                "test-com:8080/foo".into(),
                "test-com:8080",
                "foo".into(),
                None,
                None,
            ),
            ("foo".into(), "docker.io", "library/foo".into(), None, None),
            (
                "xn--n3h.com:18080/foo".into(),
                "xn--n3h.com:18080",
                "foo".into(),
                None,
                None,
            ),
            (
                "docker.io/foo".into(),
                "docker.io",
                "library/foo".into(),
                None,
                None,
            ),
            (
                "docker.io/library/foo/bar".into(),
                "docker.io",
                "library/foo/bar".into(),
                None,
                None,
            ),
            // Both registries of Docker Hub are one.
            (
                "index.docker.io/library/debian".into(),
                "docker.io",
                "library/debian".into(),
                None,
                None,
            ),
            (
                "index.docker.io/debian".into(),
                "docker.io",
                "library/debian".into(),
                None,
                None,
            ),
            // Upper case makes the first component a registry.
            (
                "LOCALDOMAIN/debian".into(),
                "LOCALDOMAIN",
                "debian".into(),
                None,
                None,
            ),
            (
                "Docker/docker".into(),
                "Docker",
                "docker".into(),
                None,
                None,
            ),
            (
                "localhost/debian".into(),
                "localhost",
                "debian".into(),
                None,
                None,
            ),
            // Algorithms runtimes link besides sha256.
            (
                format!("app@sha384:{}", "a".repeat(96)),
                "docker.io",
                "library/app".into(),
                None,
                Some(format!("sha384:{}", "a".repeat(96))),
            ),
            (
                format!("app@sha512:{}", "f".repeat(128)),
                "docker.io",
                "library/app".into(),
                None,
                Some(format!("sha512:{}", "f".repeat(128))),
            ),
            // Separators.
            (
                "dock__er/docker".into(),
                "docker.io",
                "dock__er/docker".into(),
                None,
                None,
            ),
            (
                "docker---rules/docker".into(),
                "docker.io",
                "docker---rules/docker".into(),
                None,
                None,
            ),
            (
                "myregistry.azurecr.io/shop/api:1.4.2".into(),
                "myregistry.azurecr.io",
                "shop/api".into(),
                t("1.4.2"),
                None,
            ),
        ];
        // TestValidateReferenceName and TestValidateRemoteName valid names.
        for name in [
            "docker/docker",
            "library/debian",
            "debian",
            "localhost/library/debian",
            "docker.io/docker/docker",
            "docker.io/debian",
            "127.0.0.1:5000/docker/docker",
            "127.0.0.1:5000/debian",
            "192.168.0.1",
            "192.168.0.1:80",
            "192.168.0.1:8/debian",
            "192.168.0.2:25000/debian",
            "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
            "[fc00::1]:5000/docker",
            "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
            "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
            "DOCKER/docker",
            "docker-rules/docker",
            "doc/docker",
            "d/docker",
            "jess/t",
        ] {
            let r = ImageRef::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            cases.push((name.to_string(), "", r.path, r.tag, r.digest));
        }
        cases
    }

    #[test]
    fn valid_references_parse_and_normalise() {
        for (input, registry, path, tag, digest) in valid_cases() {
            let r = ImageRef::parse(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
            if !registry.is_empty() {
                assert_eq!(r.registry(), registry, "{input}");
            }
            assert_eq!(r.path(), path, "{input}");
            assert_eq!(r.tag(), tag.as_deref(), "{input}");
            assert_eq!(r.digest(), digest.as_deref(), "{input}");
            // Both renderings parse back to the same reference.
            assert_eq!(ImageRef::parse(&r.qualified()).as_ref(), Ok(&r), "{input}");
            assert_eq!(ImageRef::parse(&r.familiar()).as_ref(), Ok(&r), "{input}");
        }
    }

    /// `(input, expected error)`; `None` means any error.
    fn invalid_cases() -> Vec<(String, Option<ImageRefError>)> {
        let component = |c: &str, reason: &str| {
            Some(ImageRefError::InvalidComponent {
                component: c.into(),
                reason: reason.into(),
            })
        };
        let chars = "(only lower-case letters, digits, '.', '_' and '-' are allowed)";
        let ends = "must start and end with a letter or digit";
        let upper = |p: &str| Some(ImageRefError::UppercaseRepository { path: p.into() });
        let mut cases: Vec<(String, Option<ImageRefError>)> = vec![
            ("".into(), Some(ImageRefError::Empty)),
            (":justtag".into(), Some(ImageRefError::MissingName)),
            (format!("@sha256:{F64}"), Some(ImageRefError::MissingName)),
            (
                "repo@sha256:ffffffffffffffffffffffffffffffffff".into(),
                Some(ImageRefError::InvalidDigest {
                    digest: "sha256:ffffffffffffffffffffffffffffffffff".into(),
                    reason: "sha256 needs 64 hex digits, found 34".into(),
                }),
            ),
            (
                format!("validname@invaliddigest:{F64}"),
                Some(ImageRefError::UnsupportedDigestAlgorithm {
                    algorithm: "invaliddigest".into(),
                }),
            ),
            ("Uppercase:tag".into(), upper("Uppercase")),
            ("test:5000/Uppercase/lowercase:tag".into(), upper("Uppercase/lowercase")),
            ("docker/Docker".into(), upper("docker/Docker")),
            ("docker.io/docker/Docker".into(), upper("docker/Docker")),
            (
                format!("domain/{}:tag", "a".repeat(256)),
                Some(ImageRefError::NameTooLong { length: 263 }),
            ),
            (
                format!("docker.io/{}", "a".repeat(250)),
                Some(ImageRefError::NameTooLong { length: 258 }),
            ),
            (
                "aa/asdf$$^/aa".into(),
                component("asdf$$^", &format!("holds '$' {chars}")),
            ),
            ("[2001:db8::1]".into(), None),
            ("[2001:db8::1]:5000".into(), None),
            ("[2001:db8::1]:tag".into(), None),
            (
                "[fe80::1%eth0]:5000/repo".into(),
                Some(ImageRefError::InvalidRegistry {
                    registry: "[fe80::1%eth0]:5000".into(),
                    reason: "IPv6 address holds '%' (only hexadecimal digits and ':' are allowed; no zone or embedded IPv4)".into(),
                }),
            ),
            ("[fe80::1%@invalidzone]:5000/repo".into(), None),
            (
                "https://github.com/docker/docker".into(),
                Some(ImageRefError::InvalidRegistry {
                    registry: "https:".into(),
                    reason: "port \"\" is not a number".into(),
                }),
            ),
            ("-docker".into(), component("-docker", ends)),
            ("-docker/docker".into(), component("-docker", ends)),
            (
                "-docker.io/docker/docker".into(),
                Some(ImageRefError::InvalidRegistry {
                    registry: "-docker.io".into(),
                    reason: "host name label \"-docker\" starts or ends with '-'".into(),
                }),
            ),
            (
                "docker///docker".into(),
                Some(ImageRefError::EmptyComponent {
                    path: "docker///docker".into(),
                }),
            ),
            (
                "docker.io/docker///docker".into(),
                Some(ImageRefError::EmptyComponent {
                    path: "docker///docker".into(),
                }),
            ),
            ("[fc00::1]".into(), None),
            ("[fc00::1]:5000".into(), None),
            (
                "fc00::1:5000/debian".into(),
                Some(ImageRefError::InvalidRegistry {
                    registry: "fc00::1:5000".into(),
                    reason: "port \":1:5000\" is not a number".into(),
                }),
            ),
            ("[2001:db8:3:4::192.0.2.33]:5000/debian".into(), None),
            (
                "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a".into(),
                Some(ImageRefError::ImageId),
            ),
            (REDIS.into(), Some(ImageRefError::ImageId)),
            ("docker-/docker".into(), component("docker-", ends)),
            ("-docker-/docker".into(), component("-docker-", ends)),
            ("____/____".into(), component("____", ends)),
            ("_docker/_docker".into(), component("_docker", ends)),
            // A '.' makes the first component a registry host.
            (
                "dock..er/docker".into(),
                Some(ImageRefError::InvalidRegistry {
                    registry: "dock..er".into(),
                    reason: "host name has an empty label (leading, trailing or doubled '.')".into(),
                }),
            ),
            (
                "team/dock..er".into(),
                component("dock..er", "separator \"..\" is not allowed (use one '.', one or two '_', or '-'s)"),
            ),
            ("dock_.er/docker".into(), None),
            ("dock-.er/docker".into(), None),
            ("dock___er/docker".into(), None),
            (
                "docker/".into(),
                Some(ImageRefError::EmptyComponent {
                    path: "docker/".into(),
                }),
            ),
            (format!("{}/docker", "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_".repeat(4)), None),
            // Digests and tags.
            (
                format!("app@sha256:{}", F64.to_uppercase()),
                Some(ImageRefError::InvalidDigest {
                    digest: format!("sha256:{}", F64.to_uppercase()),
                    reason: "hex digits must be lower-case".into(),
                }),
            ),
            (
                "app@sha256".into(),
                Some(ImageRefError::InvalidDigest {
                    digest: "sha256".into(),
                    reason: "expected algorithm:hex, e.g. sha256:<64 hex digits>".into(),
                }),
            ),
            ("app@".into(), None),
            ("app@sha256:".into(), None),
            ("app@1sha:ffff".into(), None),
            (format!("app@sha256:{}g", &F64[1..]), None),
            (format!("app@sha256:{F64}@sha256:{F64}"), None),
            (
                "app:".into(),
                Some(ImageRefError::InvalidTag {
                    tag: "".into(),
                    reason: "tag is empty".into(),
                }),
            ),
            (
                "app:-1".into(),
                Some(ImageRefError::InvalidTag {
                    tag: "-1".into(),
                    reason: "must start with a letter, digit or '_'".into(),
                }),
            ),
            (
                format!("app:{}", "t".repeat(129)),
                Some(ImageRefError::InvalidTag {
                    tag: "t".repeat(129),
                    reason: "is 129 characters long, more than the 128 allowed".into(),
                }),
            ),
            ("app:1:2".into(), None),
            (" nginx".into(), Some(ImageRefError::Whitespace)),
            ("nginx\n".into(), Some(ImageRefError::Whitespace)),
            ("ng inx".into(), None),
            ("example.com./app".into(), None),
            ("exa_mple.com/app".into(), None),
            ("example.com:/app".into(), None),
            ("[]/app".into(), None),
            ("[::1/app".into(), None),
            ("[::1]x/app".into(), None),
            // Unicode anywhere.
            ("ngïnx:1.0".into(), component("ngïnx", &format!("holds 'ï' {chars}"))),
            ("nginx:1.0é".into(), None),
            ("registry.例え.jp/app".into(), None),
            ("🐳.com/app".into(), None),
            ("app\u{202e}x".into(), None),
            ("app\u{0}".into(), None),
            (format!("app@sha256:{}é", &F64[2..]), None),
        ];
        assert!(!cases.is_empty());
        cases.shrink_to_fit();
        cases
    }

    #[test]
    fn invalid_references_say_what_is_wrong() {
        for (input, expected) in invalid_cases() {
            let err = match ImageRef::parse(&input) {
                Ok(r) => panic!("{input:?} parsed as {r:?}"),
                Err(e) => e,
            };
            if let Some(expected) = expected {
                assert_eq!(err, expected, "{input:?}");
            }
            let message = err.to_string();
            assert!(!message.ends_with('.'), "{message}");
            assert!(message.chars().count() < 400, "{input:?}: {message}");
        }
    }

    #[test]
    fn long_parts_are_clipped_in_messages() {
        let err = ImageRef::parse(&format!("app:{}", "t".repeat(300))).unwrap_err();
        assert_eq!(
            err,
            ImageRefError::InvalidTag {
                tag: format!("{}…", "t".repeat(140)),
                reason: "is 300 characters long, more than the 128 allowed".into(),
            }
        );
    }

    #[test]
    fn messages_name_the_part() {
        let msg = |s: &str| ImageRef::parse(s).unwrap_err().to_string();
        assert_eq!(
            msg("MyRegistry.azurecr.io/Shop/api:1"),
            "repository \"Shop/api\" must be lower-case"
        );
        assert_eq!(
            msg("app@md5:ffffffffffffffffffffffffffffffff"),
            "unsupported digest algorithm \"md5\" (expected sha256, sha384 or sha512)"
        );
        assert_eq!(
            msg("registry.example.com:5000a/app"),
            "invalid registry \"registry.example.com:5000a\": port \"5000a\" is not a number"
        );
        assert_eq!(
            msg("app:1.0 "),
            "image reference has leading or trailing whitespace"
        );
        assert_eq!(
            msg("team/app\tx"),
            "invalid repository path component \"app\tx\": holds U+0009 (only lower-case letters, digits, '.', '_' and '-' are allowed)"
        );
    }

    #[test]
    fn renderings() {
        let cases = [
            // (input, familiar, qualified, name)
            (
                "nginx",
                "nginx",
                "docker.io/library/nginx",
                "docker.io/library/nginx",
            ),
            (
                "docker.io/library/nginx:1.27",
                "nginx:1.27",
                "docker.io/library/nginx:1.27",
                "docker.io/library/nginx",
            ),
            (
                "index.docker.io/bitnami/redis:7",
                "bitnami/redis:7",
                "docker.io/bitnami/redis:7",
                "docker.io/bitnami/redis",
            ),
            (
                "docker.io/library/foo/bar",
                "library/foo/bar",
                "docker.io/library/foo/bar",
                "docker.io/library/foo/bar",
            ),
            (
                "localhost/fooo",
                "localhost/fooo",
                "localhost/fooo",
                "localhost/fooo",
            ),
            (
                "127.0.0.1:8000/private/moonbase",
                "127.0.0.1:8000/private/moonbase",
                "127.0.0.1:8000/private/moonbase",
                "127.0.0.1:8000/private/moonbase",
            ),
            ("FOO/bar", "FOO/bar", "FOO/bar", "FOO/bar"),
        ];
        for (input, familiar, qualified, name) in cases {
            let r = ImageRef::parse(input).unwrap();
            assert_eq!(r.familiar(), familiar, "{input}");
            assert_eq!(r.qualified(), qualified, "{input}");
            assert_eq!(r.to_string(), qualified, "{input}");
            assert_eq!(r.name(), name, "{input}");
        }
        let busybox = format!("busybox:latest@sha256:{BUSYBOX}");
        let r: ImageRef = busybox.parse().unwrap();
        assert_eq!(r.familiar(), busybox);
        assert_eq!(r.qualified(), format!("docker.io/library/{busybox}"));
        assert!(!r.registry_written());
        assert!(r.is_docker_hub());
        assert_eq!(r.host(), "docker.io");
        let r = ImageRef::parse("Registry.Example.com:5000/app").unwrap();
        assert_eq!(r.host(), "registry.example.com");
        assert!(r.registry_written());
        assert_eq!(ImageRef::parse("[::1]:5000/app").unwrap().host(), "::1");
    }

    #[test]
    fn hostile_input_is_rejected_quickly_with_short_messages() {
        let long = [
            "a".repeat(1 << 20),
            "a/".repeat(1 << 19),
            format!("app:{}", "1".repeat(1 << 20)),
            format!("app@sha256:{}", "f".repeat(1 << 20)),
            format!("{}/app", "a.".repeat(1 << 19)),
            format!("[{}x]/app", ":".repeat(1 << 20)),
            "é".repeat(1 << 18),
            "@".repeat(1 << 18),
            ":".repeat(1 << 18),
        ];
        for input in long {
            let err = ImageRef::parse(&input).map(|_| ()).unwrap_err();
            assert!(err.to_string().len() < 400, "{err}");
        }
        // The grammar sets no bound on the registry: a huge one is valid.
        let huge = format!("[{}]/app", ":".repeat(1 << 20));
        assert_eq!(
            ImageRef::parse(&huge).map(|r| r.path().to_string()),
            Ok("app".into())
        );
    }

    #[test]
    fn docker_hub_paths_that_read_as_registries_stay_qualified() {
        // Docker would show `foo.com/bar`, which names the registry foo.com.
        for (input, familiar) in [
            ("docker.io/foo.com/bar", "docker.io/foo.com/bar"),
            ("docker.io/localhost/app:1", "docker.io/localhost/app:1"),
            ("index.docker.io/a.b/c", "docker.io/a.b/c"),
            ("docker.io/library/foo.com", "foo.com"),
            ("docker.io/library/localhost", "localhost"),
            ("docker.io/team/app", "team/app"),
        ] {
            let r = ImageRef::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.familiar(), familiar, "{input}");
            assert_eq!(ImageRef::parse(&r.familiar()).as_ref(), Ok(&r), "{input}");
        }
    }

    #[test]
    fn arbitrary_input_never_panics_and_valid_results_round_trip() {
        // A fixed xorshift stream over an alphabet of the grammar's
        // characters plus multi-byte and control characters.
        let alphabet: Vec<char> = "aZ09._-/:@[]%sha256fé🐳\u{0} ".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let input: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if let Ok(r) = ImageRef::parse(&input) {
                assert_eq!(
                    ImageRef::parse(&r.qualified()).as_ref(),
                    Ok(&r),
                    "{input:?}"
                );
                assert_eq!(ImageRef::parse(&r.familiar()).as_ref(), Ok(&r), "{input:?}");
            }
        }
    }
}
