//! OCI image layout directories (`oci:DIR[:tag]`): `oci-layout`,
//! `index.json` and content-addressed blobs under `blobs/<alg>/<hex>`.
//!
//! Every blob is read through [`VerifiedBlob`], which hashes while streaming
//! and fails on a size or digest mismatch; nothing is trusted unverified.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::layer::{read_layer, Compression, LayerError, LayerLimits};
use crate::tree::{FileTree, TreeError};

pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// The annotation that names a tag in `index.json`.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Nested image indexes followed at most.
pub const MAX_INDEX_DEPTH: usize = 8;

/// Size limits for the JSON documents of a layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OciLimits {
    /// `oci-layout`, `index.json`, nested indexes and manifests.
    pub max_json_bytes: u64,
    /// The image config blob.
    pub max_config_bytes: u64,
}

impl Default for OciLimits {
    fn default() -> Self {
        Self {
            max_json_bytes: 4 << 20,
            max_config_bytes: 16 << 20,
        }
    }
}

/// Why an image could not be read from a layout.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} is not an OCI image layout: {detail}")]
    NotALayout { path: PathBuf, detail: String },
    #[error("unsupported imageLayoutVersion {version:?} (expected 1.x)")]
    LayoutVersion { version: String },
    #[error("invalid digest {digest:?}: {detail}")]
    BadDigest { digest: String, detail: String },
    #[error("blob {digest} is missing from the layout")]
    MissingBlob { digest: String },
    #[error("blob {digest} is not a regular file")]
    NotAFile { digest: String },
    #[error("blob {digest} has {actual} bytes, its descriptor says {expected}")]
    SizeMismatch {
        digest: String,
        expected: u64,
        actual: u64,
    },
    #[error("blob content does not match its digest: expected {expected}, got {actual}")]
    DigestMismatch { expected: String, actual: String },
    #[error("{what} is {size} bytes, more than {limit} (limit {limit_name})")]
    JsonTooLarge {
        what: String,
        size: u64,
        limit: u64,
        limit_name: &'static str,
    },
    #[error("{what} is not valid JSON for its type: {detail}")]
    BadJson { what: String, detail: String },
    #[error(
        "tag {tag:?} is not in the layout; available tags: {}",
        list(available)
    )]
    TagNotFound { tag: String, available: Vec<String> },
    #[error(
        "the layout holds {count} images and no tag was given; available tags: {}",
        list(available)
    )]
    Ambiguous {
        count: usize,
        available: Vec<String>,
    },
    #[error(
        "no image for platform {wanted}; platforms present: {}",
        list(available)
    )]
    NoMatchingPlatform {
        wanted: String,
        available: Vec<String>,
    },
    #[error("the layout's index is empty")]
    EmptyIndex,
    #[error("image indexes nested more than {limit} deep")]
    IndexTooDeep { limit: usize },
    #[error("unsupported media type {media_type:?} for {digest}")]
    UnsupportedMediaType { media_type: String, digest: String },
    #[error("invalid platform {0:?} (expected os/arch[/variant])")]
    BadPlatform(String),
    #[error("layer {digest}: {source}")]
    Layer { digest: String, source: LayerError },
    #[error("layer {digest}: {source}")]
    Tree { digest: String, source: TreeError },
    #[error("{input:?} is not an image reference: {detail}")]
    BadReference { input: String, detail: String },
    #[error("registry {registry}: {detail}")]
    Registry { registry: String, detail: String },
    #[error("{url}: access denied (HTTP {status}); credentials tried: {tried}. {hint}")]
    Unauthorized {
        url: String,
        status: u16,
        tried: String,
        hint: String,
    },
    #[error("{what} not found in registry {registry}, repository {repository}")]
    NotFound {
        registry: String,
        repository: String,
        what: String,
    },
    #[error(
        "TLS connection to {host} failed: {detail}; if the registry's certificate comes from a \
         private CA, pass that CA's PEM certificate with --ca-file"
    )]
    Tls { host: String, detail: String },
    #[error(
        "plain HTTP (--insecure) is allowed only for loopback registries (localhost, \
         127.0.0.0/8, ::1), not {host}"
    )]
    InsecureNotLoopback { host: String },
    #[error("cached blob {} was corrupt and has been removed; the next run fetches it again: {source}", path.display())]
    CorruptCache {
        path: PathBuf,
        source: Box<ImageError>,
    },
    #[error("{}: {detail}", path.display())]
    Archive { path: PathBuf, detail: String },
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}

/// A target platform: `os/architecture[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Self {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl Platform {
    /// Parses `linux/arm64` or `linux/arm/v7`.
    pub fn parse(s: &str) -> Result<Self, ImageError> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || ImageError::BadPlatform(s.to_string());
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Self {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: None,
            }),
            [os, arch, v] if !os.is_empty() && !arch.is_empty() && !v.is_empty() => Ok(Self {
                os: (*os).into(),
                architecture: (*arch).into(),
                variant: Some((*v).into()),
            }),
            _ => Err(bad()),
        }
    }

    /// A wanted variant of `None` matches any variant.
    pub fn matches(&self, p: &DescPlatform) -> bool {
        p.os == self.os
            && p.architecture == self.architecture
            && match &self.variant {
                None => true,
                Some(v) => p.variant.as_deref() == Some(v.as_str()),
            }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A validated `sha256:<64 lower-hex>` digest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobDigest(String);

impl BlobDigest {
    pub fn parse(s: &str) -> Result<Self, ImageError> {
        let bad = |detail: &str| ImageError::BadDigest {
            digest: s.chars().take(200).collect(),
            detail: detail.to_string(),
        };
        let (alg, hex) = s
            .split_once(':')
            .ok_or_else(|| bad("expected algorithm:hex"))?;
        if alg != "sha256" {
            return Err(bad("only sha256 is supported"));
        }
        if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad("expected 64 lower-case hex digits"));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The hexadecimal part, after `sha256:`.
    pub fn hex(&self) -> &str {
        self.0.get("sha256:".len()..).unwrap_or_default()
    }
}

impl fmt::Display for BlobDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A content descriptor from an index or manifest.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub platform: Option<DescPlatform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    fn tag(&self) -> Option<&str> {
        self.annotations.get(REF_NAME).map(String::as_str)
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct DescPlatform {
    pub os: String,
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl fmt::Display for DescPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LayoutFile {
    image_layout_version: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Index {
    #[serde(default)]
    pub(crate) manifests: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    config: Option<ConfigInner>,
    /// Kept as raw JSON: a malformed date or history is judged by the
    /// image checks, not a reason to refuse the image.
    #[serde(default)]
    created: Option<serde_json::Value>,
    #[serde(default)]
    author: Option<serde_json::Value>,
    #[serde(default)]
    history: Option<serde_json::Value>,
    #[serde(default)]
    rootfs: Option<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigInner {
    #[serde(default)]
    user: Option<String>,
    #[serde(default)]
    env: Option<Vec<String>>,
    #[serde(default)]
    entrypoint: Option<Vec<String>>,
    #[serde(default)]
    cmd: Option<Vec<String>>,
    #[serde(default)]
    working_dir: Option<String>,
    #[serde(default)]
    exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    /// Docker's `Healthcheck` extension (not in the OCI spec).
    #[serde(default)]
    healthcheck: Option<serde_json::Value>,
}

/// What the image config says about how the image runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageConfigSummary {
    /// Digest of the config blob (the image ID).
    pub digest: String,
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub user: Option<String>,
    pub env: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: Option<String>,
    pub exposed_ports: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// `created` exactly as written (RFC 3339 when well-formed); `None`
    /// when absent or not a string.
    pub created: Option<String>,
    /// `author`, when a string.
    pub author: Option<String>,
    /// `history`, in order; entries that are not objects are skipped.
    pub history: Vec<HistoryEntry>,
    /// `config.Healthcheck.Test` (Docker's extension): `None` when the
    /// image sets no healthcheck; `["NONE"]` when it disables one.
    pub healthcheck: Option<Vec<String>>,
    /// `rootfs.diff_ids`: digests of the uncompressed layers, bottom first.
    pub diff_ids: Vec<String>,
}

/// One step of the image config's `history`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryEntry {
    /// `created`, as written.
    pub created: Option<String>,
    /// `created_by`: the build step (`/bin/sh -c apt-get install ...`).
    pub created_by: Option<String>,
    /// `comment`.
    pub comment: Option<String>,
    /// `empty_layer`: the step made no layer (ENV, USER, ...).
    pub empty_layer: bool,
}

/// Most `history` entries kept from a config (a config is at most
/// `max_config_bytes`, but each entry is small; this bounds the copy).
pub const MAX_HISTORY_ENTRIES: usize = 10_000;

/// Longest `created_by` kept, in bytes (cut on a char boundary).
const MAX_CREATED_BY: usize = 4096;

fn json_str(v: Option<&serde_json::Value>) -> Option<String> {
    v.and_then(serde_json::Value::as_str).map(str::to_string)
}

fn cut(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

fn parse_history(v: Option<&serde_json::Value>) -> Vec<HistoryEntry> {
    let Some(items) = v.and_then(serde_json::Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .take(MAX_HISTORY_ENTRIES)
        .filter_map(serde_json::Value::as_object)
        .map(|o| HistoryEntry {
            created: json_str(o.get("created")),
            created_by: json_str(o.get("created_by")).map(|s| cut(s, MAX_CREATED_BY)),
            comment: json_str(o.get("comment")).map(|s| cut(s, MAX_CREATED_BY)),
            empty_layer: o
                .get("empty_layer")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        })
        .collect()
}

fn parse_healthcheck(v: Option<&serde_json::Value>) -> Option<Vec<String>> {
    let test = v?.as_object()?.get("Test")?.as_array()?;
    Some(
        test.iter()
            .filter_map(serde_json::Value::as_str)
            .map(str::to_string)
            .collect(),
    )
}

fn parse_diff_ids(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|r| r.get("diff_ids"))
        .and_then(serde_json::Value::as_array)
        .map(|ids| {
            ids.iter()
                .take(MAX_HISTORY_ENTRIES)
                .filter_map(serde_json::Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A resolved image: its manifest, config and layer descriptors.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    pub manifest_digest: BlobDigest,
    pub config: ImageConfigSummary,
    pub layers: Vec<Descriptor>,
}

/// An opened OCI image layout directory.
#[derive(Debug, Clone)]
pub struct OciLayout {
    dir: PathBuf,
    limits: OciLimits,
    index: Vec<Descriptor>,
}

impl OciLayout {
    /// Opens `dir` with default [`OciLimits`].
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, ImageError> {
        Self::open_with(dir, OciLimits::default())
    }

    /// Checks `oci-layout` and reads `index.json`.
    pub fn open_with(dir: impl AsRef<Path>, limits: OciLimits) -> Result<Self, ImageError> {
        let dir = dir.as_ref().to_path_buf();
        let layout_path = dir.join("oci-layout");
        let bytes = read_small_file(&layout_path, limits.max_json_bytes, "oci-layout").map_err(
            |e| match e {
                ImageError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                    ImageError::NotALayout {
                        path: dir.clone(),
                        detail: "no oci-layout file".into(),
                    }
                }
                other => other,
            },
        )?;
        let layout: LayoutFile = parse_json(&bytes, "oci-layout")?;
        if !layout.image_layout_version.starts_with("1.") {
            return Err(ImageError::LayoutVersion {
                version: layout.image_layout_version,
            });
        }
        let bytes = read_small_file(&dir.join("index.json"), limits.max_json_bytes, "index.json")?;
        let index: Index = parse_json(&bytes, "index.json")?;
        Ok(Self {
            dir,
            limits,
            index: index.manifests,
        })
    }

    /// The tags named in `index.json`, in index order.
    pub fn tags(&self) -> Vec<String> {
        self.index
            .iter()
            .filter_map(|d| d.tag().map(str::to_string))
            .collect()
    }

    /// Opens a blob for verified streaming. The digest and size come from
    /// `desc` and are checked while reading.
    pub fn open_blob(&self, desc: &Descriptor) -> Result<VerifiedBlob<File>, ImageError> {
        let digest = BlobDigest::parse(&desc.digest)?;
        let path = self.dir.join("blobs").join("sha256").join(digest.hex());
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(ImageError::MissingBlob {
                    digest: digest.0.clone(),
                })
            }
            Err(source) => return Err(ImageError::Io { path, source }),
        };
        if !meta.is_file() {
            return Err(ImageError::NotAFile { digest: digest.0 });
        }
        if meta.len() != desc.size {
            return Err(ImageError::SizeMismatch {
                digest: digest.0,
                expected: desc.size,
                actual: meta.len(),
            });
        }
        let file = File::open(&path).map_err(|source| ImageError::Io { path, source })?;
        Ok(VerifiedBlob::new(file, digest, desc.size))
    }

    /// Follows the index to one image manifest (by `tag`, then by
    /// `platform`) and reads its config.
    pub fn resolve(
        &self,
        tag: Option<&str>,
        platform: &Platform,
    ) -> Result<ResolvedImage, ImageError> {
        let candidates: Vec<Descriptor> = match tag {
            Some(t) => {
                let found: Vec<Descriptor> = self
                    .index
                    .iter()
                    .filter(|d| d.tag() == Some(t))
                    .cloned()
                    .collect();
                if found.is_empty() {
                    return Err(ImageError::TagNotFound {
                        tag: t.to_string(),
                        available: self.tags(),
                    });
                }
                found
            }
            None => self.index.clone(),
        };
        resolve_candidates(self, candidates, platform, &self.limits, &self.tags())
    }
}

impl DocFetch for OciLayout {
    fn fetch_doc(&self, desc: &Descriptor, _kind: DocKind) -> Result<Vec<u8>, ImageError> {
        let mut blob = self.open_blob(desc)?;
        let mut bytes = Vec::new();
        let read = blob.read_to_end(&mut bytes);
        blob.finish()?;
        read.map_err(|source| ImageError::Io {
            path: self.dir.join("blobs"),
            source,
        })?;
        Ok(bytes)
    }
}

/// Which JSON document a descriptor points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// An image index or Docker manifest list.
    Index,
    /// An image manifest.
    Manifest,
    /// An image config.
    Config,
}

impl DocKind {
    /// How the document is named in messages.
    pub fn what(self) -> &'static str {
        match self {
            DocKind::Index => "image index",
            DocKind::Manifest => "image manifest",
            DocKind::Config => "image config",
        }
    }
}

/// Reads the verified bytes of the JSON documents an image is made of
/// (indexes, manifests, configs): what a layout, a registry and an archive
/// share for [`resolve_candidates`].
pub trait DocFetch {
    /// Returns the whole document `desc` points at, verified against its
    /// size and digest. The caller has checked `desc.size` against the
    /// limits already.
    fn fetch_doc(&self, desc: &Descriptor, kind: DocKind) -> Result<Vec<u8>, ImageError>;
}

/// Checks a document's declared size against the limits, fetches and
/// parses it.
fn read_doc<T: for<'de> Deserialize<'de>>(
    fetch: &dyn DocFetch,
    desc: &Descriptor,
    kind: DocKind,
    limits: &OciLimits,
) -> Result<T, ImageError> {
    let (limit, limit_name) = match kind {
        DocKind::Config => (limits.max_config_bytes, "max_config_bytes"),
        _ => (limits.max_json_bytes, "max_json_bytes"),
    };
    if desc.size > limit {
        return Err(ImageError::JsonTooLarge {
            what: format!("{} {}", kind.what(), desc.digest),
            size: desc.size,
            limit,
            limit_name,
        });
    }
    BlobDigest::parse(&desc.digest)?;
    let bytes = fetch.fetch_doc(desc, kind)?;
    parse_json(&bytes, &format!("{} {}", kind.what(), desc.digest))
}

/// Follows indexes from `candidates` (the entries of a top-level index, or
/// one manifest descriptor) to the image manifest for `platform`, and reads
/// its config. `tags` names what the top level holds, for an ambiguity
/// message. Shared by every [`crate::BlobSource`] that has manifests.
pub fn resolve_candidates(
    fetch: &dyn DocFetch,
    candidates: Vec<Descriptor>,
    platform: &Platform,
    limits: &OciLimits,
    tags: &[String],
) -> Result<ResolvedImage, ImageError> {
    if candidates.is_empty() {
        return Err(ImageError::EmptyIndex);
    }
    let mut candidates = candidates;
    let mut top = true;
    for _ in 0..=MAX_INDEX_DEPTH {
        let chosen = choose(&candidates, platform, top, tags)?;
        top = false;
        match chosen.media_type.as_str() {
            MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST => {
                let index: Index = read_doc(fetch, &chosen, DocKind::Index, limits)?;
                if index.manifests.is_empty() {
                    return Err(ImageError::EmptyIndex);
                }
                candidates = index.manifests;
            }
            MEDIA_OCI_MANIFEST | MEDIA_DOCKER_MANIFEST => {
                return read_manifest(fetch, &chosen, limits)
            }
            other => {
                return Err(ImageError::UnsupportedMediaType {
                    media_type: other.to_string(),
                    digest: chosen.digest.clone(),
                })
            }
        }
    }
    Err(ImageError::IndexTooDeep {
        limit: MAX_INDEX_DEPTH,
    })
}

/// Picks one descriptor: the first whose platform matches; else the only
/// one without a platform; else an error naming what is present.
pub fn choose(
    candidates: &[Descriptor],
    platform: &Platform,
    top: bool,
    tags: &[String],
) -> Result<Descriptor, ImageError> {
    if let Some(d) = candidates
        .iter()
        .find(|d| d.platform.as_ref().is_some_and(|p| platform.matches(p)))
    {
        return Ok(d.clone());
    }
    let unplatformed: Vec<&Descriptor> =
        candidates.iter().filter(|d| d.platform.is_none()).collect();
    match unplatformed.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ImageError::NoMatchingPlatform {
            wanted: platform.to_string(),
            available: candidates
                .iter()
                .filter_map(|d| d.platform.as_ref().map(|p| p.to_string()))
                .collect(),
        }),
        many if top => Err(ImageError::Ambiguous {
            count: many.len(),
            available: tags.to_vec(),
        }),
        many => Err(ImageError::NoMatchingPlatform {
            wanted: format!("{platform} ({} entries without a platform)", many.len()),
            available: Vec::new(),
        }),
    }
}

fn read_manifest(
    fetch: &dyn DocFetch,
    desc: &Descriptor,
    limits: &OciLimits,
) -> Result<ResolvedImage, ImageError> {
    let manifest_digest = BlobDigest::parse(&desc.digest)?;
    let manifest: Manifest = read_doc(fetch, desc, DocKind::Manifest, limits)?;
    let cfg: ConfigFile = read_doc(fetch, &manifest.config, DocKind::Config, limits)?;
    for layer in &manifest.layers {
        BlobDigest::parse(&layer.digest)?;
    }
    Ok(ResolvedImage {
        manifest_digest,
        config: summarize_config(&manifest.config.digest, cfg),
        layers: manifest.layers,
    })
}

/// Parses an image config: the summary and the `rootfs.diff_ids` (the
/// digests of the uncompressed layers, bottom first).
pub fn parse_config(
    digest: &str,
    bytes: &[u8],
) -> Result<(ImageConfigSummary, Vec<String>), ImageError> {
    let cfg: ConfigFile = parse_json(bytes, &format!("image config {digest}"))?;
    let summary = summarize_config(digest, cfg);
    let diff_ids = summary.diff_ids.clone();
    Ok((summary, diff_ids))
}

fn summarize_config(digest: &str, cfg: ConfigFile) -> ImageConfigSummary {
    let inner = cfg.config.unwrap_or_default();
    ImageConfigSummary {
        digest: digest.to_string(),
        os: cfg.os,
        architecture: cfg.architecture,
        variant: cfg.variant,
        user: inner.user.filter(|u| !u.is_empty()),
        env: inner.env.unwrap_or_default(),
        entrypoint: inner.entrypoint.unwrap_or_default(),
        cmd: inner.cmd.unwrap_or_default(),
        working_dir: inner.working_dir.filter(|w| !w.is_empty()),
        exposed_ports: inner
            .exposed_ports
            .map(|m| m.into_keys().collect())
            .unwrap_or_default(),
        labels: inner.labels.unwrap_or_default(),
        created: json_str(cfg.created.as_ref()),
        author: json_str(cfg.author.as_ref()),
        history: parse_history(cfg.history.as_ref()),
        healthcheck: parse_healthcheck(inner.healthcheck.as_ref()),
        diff_ids: parse_diff_ids(cfg.rootfs.as_ref()),
    }
}

/// Resolves an image in `layout` and applies every layer, verified, in
/// order to a fresh [`FileTree`].
pub fn image_tree(
    layout: &OciLayout,
    tag: Option<&str>,
    platform: &Platform,
    limits: &LayerLimits,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<(ImageConfigSummary, FileTree), ImageError> {
    let image = layout.resolve(tag, platform)?;
    let mut tree = FileTree::new();
    for desc in &image.layers {
        let compression = compression_for(&desc.media_type);
        let mut blob = layout.open_blob(desc)?;
        let parsed = read_layer(&mut blob, compression, limits, wanted);
        let layer = blob.finish_layer(&desc.digest, parsed)?;
        tree.apply(layer).map_err(|source| ImageError::Tree {
            digest: desc.digest.clone(),
            source,
        })?;
    }
    Ok((image.config, tree))
}

/// How a layer blob is compressed, from its media type.
pub fn compression_for(media_type: &str) -> Compression {
    if media_type.ends_with("+gzip") || media_type.ends_with(".tar.gzip") {
        Compression::Gzip
    } else if media_type.ends_with("+zstd") {
        Compression::Zstd
    } else {
        Compression::Detect
    }
}

fn read_small_file(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, ImageError> {
    let io_err = |source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_err)?;
    if bytes.len() as u64 > limit {
        return Err(ImageError::JsonTooLarge {
            what: what.to_string(),
            size: bytes.len() as u64,
            limit,
            limit_name: "max_json_bytes",
        });
    }
    Ok(bytes)
}

pub(crate) fn parse_json<T: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    what: &str,
) -> Result<T, ImageError> {
    serde_json::from_slice(bytes).map_err(|e| ImageError::BadJson {
        what: what.to_string(),
        detail: e.to_string(),
    })
}

/// A reader that hashes what passes through and checks the size and digest.
/// Reading more than the expected size is an I/O error; [`Self::finish`]
/// reports the verdict (call it after reading to the end).
pub struct VerifiedBlob<R> {
    inner: R,
    digest: BlobDigest,
    expected_size: u64,
    read: u64,
    hasher: Sha256,
    over: bool,
    hook: Option<FinishHook>,
}

/// Called by [`VerifiedBlob::finish`] with its verdict, which it may
/// replace: the blob cache commits a downloaded blob on success and drops
/// a corrupt cached one on failure.
pub type FinishHook = Box<dyn FnOnce(Result<(), ImageError>) -> Result<(), ImageError> + Send>;

impl<R: Read> VerifiedBlob<R> {
    /// Ends the reading of a layer blob: drains what the tar reader left
    /// (padding after the end-of-archive blocks, bounded by the
    /// descriptor's size) so the digest covers the whole blob, then checks
    /// it. A size or digest failure explains a parse failure, so it is
    /// reported first; then the reader's verdict `parsed`; then a failure
    /// while draining.
    pub fn finish_layer<T>(
        mut self,
        digest: &str,
        parsed: Result<T, LayerError>,
    ) -> Result<T, ImageError> {
        let drained = io::copy(&mut self, &mut io::sink());
        self.finish()?;
        let layer_err = |source| ImageError::Layer {
            digest: digest.to_string(),
            source,
        };
        let value = parsed.map_err(layer_err)?;
        drained.map_err(|e| layer_err(LayerError::Io(e)))?;
        Ok(value)
    }

    pub fn new(inner: R, digest: BlobDigest, expected_size: u64) -> Self {
        Self {
            inner,
            digest,
            expected_size,
            read: 0,
            hasher: Sha256::new(),
            over: false,
            hook: None,
        }
    }

    /// Runs `hook` with the verdict of [`Self::finish`] (replacing any
    /// hook set before).
    pub fn with_finish_hook(mut self, hook: FinishHook) -> Self {
        self.hook = Some(hook);
        self
    }

    /// The digest the content must have.
    pub fn digest(&self) -> &BlobDigest {
        &self.digest
    }

    /// The same blob behind a boxed reader (what [`crate::BlobSource`]
    /// returns), keeping what was hashed so far.
    pub fn boxed<'a>(self) -> VerifiedBlob<Box<dyn Read + Send + 'a>>
    where
        R: Send + 'a,
    {
        VerifiedBlob {
            inner: Box::new(self.inner),
            digest: self.digest,
            expected_size: self.expected_size,
            read: self.read,
            hasher: self.hasher,
            over: self.over,
            hook: self.hook,
        }
    }

    /// Drains nothing; checks what was read. A blob not read to the end is
    /// a size mismatch.
    pub fn finish(mut self) -> Result<(), ImageError> {
        let hook = self.hook.take();
        let verdict = self.verdict();
        match hook {
            Some(hook) => hook(verdict),
            None => verdict,
        }
    }

    fn verdict(self) -> Result<(), ImageError> {
        if self.over || self.read != self.expected_size {
            return Err(ImageError::SizeMismatch {
                digest: self.digest.0,
                expected: self.expected_size,
                actual: self.read,
            });
        }
        let actual = format!("sha256:{}", to_hex(&self.hasher.finalize()));
        if actual != self.digest.0 {
            return Err(ImageError::DigestMismatch {
                expected: self.digest.0,
                actual,
            });
        }
        Ok(())
    }
}

impl<R: Read> Read for VerifiedBlob<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.over {
            return Err(io::Error::other("blob is larger than its descriptor says"));
        }
        let n = self.inner.read(buf)?;
        let chunk = buf.get(..n).unwrap_or_default();
        self.hasher.update(chunk);
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.expected_size {
            self.over = true;
            return Err(io::Error::other("blob is larger than its descriptor says"));
        }
        Ok(n)
    }
}

pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

#[cfg(test)]
mod config_tests {
    use super::*;

    fn parse(json: &str) -> ConfigFile {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn history_healthcheck_created_and_diff_ids_are_read() {
        let cfg = parse(
            r#"{"created":"2024-05-01T10:00:00Z","author":"me",
            "config":{"Healthcheck":{"Test":["CMD","curl","-f","http://localhost/"]}},
            "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"]},
            "history":[{"created_by":"/bin/sh -c #(nop) ADD file","empty_layer":false},
                       {"created_by":"ENV A=b","empty_layer":true}, 7]}"#,
        );
        assert_eq!(
            json_str(cfg.created.as_ref()).as_deref(),
            Some("2024-05-01T10:00:00Z")
        );
        let h = parse_history(cfg.history.as_ref());
        assert_eq!(h.len(), 2);
        assert!(h[1].empty_layer && !h[0].empty_layer);
        assert_eq!(
            h[0].created_by.as_deref(),
            Some("/bin/sh -c #(nop) ADD file")
        );
        let inner = cfg.config.unwrap_or_default();
        assert_eq!(
            parse_healthcheck(inner.healthcheck.as_ref()),
            Some(vec![
                "CMD".into(),
                "curl".into(),
                "-f".into(),
                "http://localhost/".into()
            ])
        );
        assert_eq!(
            parse_diff_ids(cfg.rootfs.as_ref()),
            vec!["sha256:aa", "sha256:bb"]
        );
    }

    #[test]
    fn malformed_optional_fields_do_not_refuse_the_config() {
        let cfg =
            parse(r#"{"created":12,"history":"nope","rootfs":[1],"config":{"Healthcheck":"x"}}"#);
        assert_eq!(json_str(cfg.created.as_ref()), None);
        assert!(parse_history(cfg.history.as_ref()).is_empty());
        assert!(parse_diff_ids(cfg.rootfs.as_ref()).is_empty());
        let inner = cfg.config.unwrap_or_default();
        assert_eq!(parse_healthcheck(inner.healthcheck.as_ref()), None);
        let long = "é".repeat(5000);
        let h = parse_history(Some(&serde_json::json!([{ "created_by": long }])));
        let kept = h[0].created_by.as_deref().unwrap_or_default();
        assert!(kept.len() <= MAX_CREATED_BY && kept.chars().all(|c| c == 'é'));
    }
}
