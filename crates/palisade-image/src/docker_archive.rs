//! `docker save` tarballs (and `skopeo copy ... docker-archive:`): the
//! `docker-archive:FILE[:ref]` source.
//!
//! The outer tar is indexed once (entry name → data offset and size, with
//! the archive's symlinks resolved inside it); blobs are then read as
//! sections of the file, so layers stream in parallel without unpacking.
//!
//! Two layouts are read:
//! - `manifest.json` (`Config`, `RepoTags`, `Layers`), as every `docker
//!   save` writes. Layers are plain tars; each is verified against the
//!   config's `rootfs.diff_ids` entry (a layer stored as
//!   `blobs/sha256/<hex>`, as Docker 25+ writes, against that digest when it
//!   is compressed). The image's "manifest digest" is then the config
//!   digest (the image ID), since such an archive holds no manifest.
//! - An OCI image layout (`oci-layout`, `index.json`, `blobs/`) without
//!   `manifest.json`: resolved like an `oci:` directory.
//!
//! Hostile archives are bounded by [`ArchiveLimits`]: entry count, bytes of
//! tar headers and long names read, size of `manifest.json`; entry names
//! and symlinks that climb out of the archive are errors.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use palisade_model::ImageRef;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::oci::{
    choose, parse_config, parse_json, resolve_candidates, to_hex, BlobDigest, Descriptor, DocFetch,
    DocKind, ImageError, Index, OciLimits, Platform, ResolvedImage, VerifiedBlob, REF_NAME,
};
use crate::source::BlobSource;

/// Media type given to the plain-tar layers of a `manifest.json` archive.
pub const MEDIA_DOCKER_DIFF_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";

/// Symlinks followed at most to find an entry.
const MAX_LINK_HOPS: usize = 8;

/// Bounds on the outer tar of an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Most entries in the outer tar. Default 100,000.
    pub max_entries: usize,
    /// Most bytes of tar headers, long names and PAX records read while
    /// indexing. Default 64 MiB.
    pub max_header_bytes: u64,
    /// Largest `manifest.json`, `index.json` or `oci-layout`. Default 4 MiB.
    pub max_manifest_bytes: u64,
    /// Longest entry name. Default 4096.
    pub max_name_len: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            max_header_bytes: 64 << 20,
            max_manifest_bytes: 4 << 20,
            max_name_len: 4096,
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    File { offset: u64, size: u64 },
    Link(String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    #[serde(default)]
    layers: Vec<String>,
}

#[derive(Debug, Clone)]
enum Chosen {
    /// `manifest.json`: the config entry and the layer descriptors.
    Legacy {
        config_name: String,
        layers: Vec<String>,
    },
    /// An OCI layout: the candidate descriptors from `index.json`.
    Oci {
        candidates: Vec<Descriptor>,
        tags: Vec<String>,
    },
}

/// An opened, indexed `docker save` archive.
#[derive(Debug)]
pub struct DockerArchive {
    path: PathBuf,
    reference: Option<String>,
    nodes: HashMap<String, Node>,
    chosen: Chosen,
    /// Digest → entry name, for the layers of the chosen image.
    blobs: std::sync::Mutex<HashMap<String, String>>,
    limits: OciLimits,
}

impl DockerArchive {
    /// Opens and indexes `path` with default limits; `reference` picks an
    /// image by one of its `RepoTags` (or OCI ref name) when the archive
    /// holds several.
    pub fn open(path: impl Into<PathBuf>, reference: Option<&str>) -> Result<Self, ImageError> {
        Self::open_with(
            path,
            reference,
            ArchiveLimits::default(),
            OciLimits::default(),
        )
    }

    /// Opens with explicit limits.
    pub fn open_with(
        path: impl Into<PathBuf>,
        reference: Option<&str>,
        limits: ArchiveLimits,
        oci_limits: OciLimits,
    ) -> Result<Self, ImageError> {
        let path = path.into();
        let nodes = index_tar(&path, &limits)?;
        let mut archive = Self {
            path,
            reference: reference.map(str::to_string),
            nodes,
            chosen: Chosen::Legacy {
                config_name: String::new(),
                layers: Vec::new(),
            },
            blobs: std::sync::Mutex::new(HashMap::new()),
            limits: oci_limits,
        };
        archive.chosen = archive.choose_image(reference, &limits)?;
        Ok(archive)
    }

    fn err(&self, detail: impl Into<String>) -> ImageError {
        ImageError::Archive {
            path: self.path.clone(),
            detail: detail.into(),
        }
    }

    /// Finds `name` (following the archive's symlinks): offset and size.
    fn locate(&self, name: &str) -> Result<(u64, u64), ImageError> {
        let mut current = normalize(name)
            .ok_or_else(|| self.err(format!("{name:?} climbs out of the archive")))?;
        for _ in 0..=MAX_LINK_HOPS {
            match self.nodes.get(&current) {
                Some(Node::File { offset, size }) => return Ok((*offset, *size)),
                Some(Node::Link(target)) => {
                    let base = current.rsplit_once('/').map_or("", |(d, _)| d);
                    let joined = if target.starts_with('/') {
                        target.clone()
                    } else {
                        format!("{base}/{target}")
                    };
                    current = normalize(&joined).ok_or_else(|| {
                        self.err(format!("symlink {current:?} points out of the archive"))
                    })?;
                }
                None => return Err(self.err(format!("no entry {name:?} in the archive"))),
            }
        }
        Err(self.err(format!(
            "more than {MAX_LINK_HOPS} symlinks followed looking for {name:?}"
        )))
    }

    fn section(&self, name: &str) -> Result<(io::Take<File>, u64), ImageError> {
        let (offset, size) = self.locate(name)?;
        let io_err = |source| ImageError::Io {
            path: self.path.clone(),
            source,
        };
        let mut file = File::open(&self.path).map_err(io_err)?;
        file.seek(SeekFrom::Start(offset)).map_err(io_err)?;
        Ok((file.take(size), size))
    }

    /// Reads a whole small entry, at most `limit` bytes.
    fn read_small(&self, name: &str, limit: u64) -> Result<Vec<u8>, ImageError> {
        let (mut r, size) = self.section(name)?;
        if size > limit {
            return Err(ImageError::JsonTooLarge {
                what: format!("{} in {}", name, self.path.display()),
                size,
                limit,
                limit_name: "max_manifest_bytes",
            });
        }
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes).map_err(|source| ImageError::Io {
            path: self.path.clone(),
            source,
        })?;
        if bytes.len() as u64 != size {
            return Err(self.err(format!("{name} is truncated")));
        }
        Ok(bytes)
    }

    fn has(&self, name: &str) -> bool {
        self.nodes.contains_key(name)
    }

    fn choose_image(
        &self,
        reference: Option<&str>,
        limits: &ArchiveLimits,
    ) -> Result<Chosen, ImageError> {
        if self.has("manifest.json") {
            let bytes = self.read_small("manifest.json", limits.max_manifest_bytes)?;
            let what = format!("{}: manifest.json", self.path.display());
            let entries: Vec<ManifestEntry> = parse_json(&bytes, &what)?;
            let tags: Vec<String> = entries
                .iter()
                .flat_map(|e| e.repo_tags.clone().unwrap_or_default())
                .collect();
            let picked = match reference {
                Some(r) => entries
                    .iter()
                    .find(|e| {
                        e.repo_tags
                            .as_ref()
                            .is_some_and(|t| t.iter().any(|t| same_ref(t, r)))
                    })
                    .ok_or_else(|| ImageError::TagNotFound {
                        tag: r.to_string(),
                        available: tags.clone(),
                    })?,
                None => match entries.as_slice() {
                    [one] => one,
                    [] => return Err(self.err("manifest.json lists no image")),
                    many => {
                        return Err(ImageError::Ambiguous {
                            count: many.len(),
                            available: tags,
                        })
                    }
                },
            };
            return Ok(Chosen::Legacy {
                config_name: picked.config.clone(),
                layers: picked.layers.clone(),
            });
        }
        if self.has("index.json") && self.has("oci-layout") {
            let bytes = self.read_small("index.json", limits.max_manifest_bytes)?;
            let index: Index = parse_json(&bytes, &format!("{}: index.json", self.path.display()))?;
            let tags: Vec<String> = index
                .manifests
                .iter()
                .filter_map(|d| d.annotations.get(REF_NAME).cloned())
                .collect();
            let candidates = match reference {
                Some(r) => {
                    let found: Vec<Descriptor> = index
                        .manifests
                        .iter()
                        .filter(|d| {
                            d.annotations.get(REF_NAME).is_some_and(|t| t == r)
                                || d.annotations
                                    .get("io.containerd.image.name")
                                    .is_some_and(|n| same_ref(n, r))
                        })
                        .cloned()
                        .collect();
                    if found.is_empty() {
                        return Err(ImageError::TagNotFound {
                            tag: r.to_string(),
                            available: tags,
                        });
                    }
                    found
                }
                None => index.manifests,
            };
            return Ok(Chosen::Oci { candidates, tags });
        }
        Err(self.err(
            "not a docker archive: it holds neither manifest.json nor an OCI layout \
             (oci-layout and index.json)",
        ))
    }

    fn resolve_legacy(
        &self,
        config_name: &str,
        layers: &[String],
    ) -> Result<ResolvedImage, ImageError> {
        let bytes = self.read_small(config_name, self.limits.max_config_bytes)?;
        let actual = format!("sha256:{}", to_hex(&Sha256::digest(&bytes)));
        if let Some(named) = digest_in_name(config_name) {
            if named != actual {
                return Err(ImageError::DigestMismatch {
                    expected: named,
                    actual,
                });
            }
        }
        let (config, diff_ids) = parse_config(&actual, &bytes)?;
        if diff_ids.len() != layers.len() {
            return Err(self.err(format!(
                "manifest.json lists {} layers but the config's rootfs.diff_ids has {}",
                layers.len(),
                diff_ids.len()
            )));
        }
        let mut descs = Vec::with_capacity(layers.len());
        let mut blobs = HashMap::new();
        for (name, diff_id) in layers.iter().zip(&diff_ids) {
            let (mut r, size) = self.section(name)?;
            let mut magic = [0u8; 4];
            let got = read_up_to(&mut r, &mut magic).map_err(|source| ImageError::Io {
                path: self.path.clone(),
                source,
            })?;
            let compressed = magic.get(..got).is_some_and(|m| {
                m.starts_with(&[0x1f, 0x8b]) || m.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
            });
            let digest = if compressed {
                digest_in_name(name).ok_or_else(|| {
                    self.err(format!(
                        "layer {name} is compressed, so it cannot be verified against its \
                         diff_id {diff_id}, and its name carries no digest"
                    ))
                })?
            } else {
                diff_id.clone()
            };
            BlobDigest::parse(&digest)?;
            blobs.insert(digest.clone(), name.clone());
            descs.push(Descriptor {
                media_type: MEDIA_DOCKER_DIFF_TAR.to_string(),
                digest,
                size,
                platform: None,
                annotations: Default::default(),
            });
        }
        if let Ok(mut b) = self.blobs.lock() {
            *b = blobs;
        }
        Ok(ResolvedImage {
            manifest_digest: BlobDigest::parse(&actual)?,
            config,
            layers: descs,
        })
    }
}

impl DocFetch for DockerArchive {
    fn fetch_doc(&self, desc: &Descriptor, _kind: DocKind) -> Result<Vec<u8>, ImageError> {
        let mut blob = self.open_blob(desc)?;
        let mut bytes = Vec::new();
        let read = blob.read_to_end(&mut bytes);
        blob.finish()?;
        read.map_err(|source| ImageError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(bytes)
    }
}

impl BlobSource for DockerArchive {
    fn describe(&self) -> String {
        match &self.reference {
            Some(r) => format!("docker-archive:{}:{r}", self.path.display()),
            None => format!("docker-archive:{}", self.path.display()),
        }
    }

    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage, ImageError> {
        match &self.chosen {
            Chosen::Legacy {
                config_name,
                layers,
            } => self.resolve_legacy(config_name, layers),
            Chosen::Oci { candidates, tags } => {
                // One entry per tag is the norm; pick early so an ambiguity
                // names the tags.
                let first = choose(candidates, platform, true, tags)?;
                resolve_candidates(self, vec![first], platform, &self.limits, tags)
            }
        }
    }

    fn open_blob(
        &self,
        desc: &Descriptor,
    ) -> Result<VerifiedBlob<Box<dyn Read + Send + '_>>, ImageError> {
        let digest = BlobDigest::parse(&desc.digest)?;
        let name = self
            .blobs
            .lock()
            .ok()
            .and_then(|b| b.get(digest.as_str()).cloned())
            .unwrap_or_else(|| format!("blobs/sha256/{}", digest.hex()));
        let (r, size) = self.section(&name).map_err(|e| match e {
            ImageError::Archive { .. } => ImageError::MissingBlob {
                digest: digest.to_string(),
            },
            other => other,
        })?;
        if size != desc.size {
            return Err(ImageError::SizeMismatch {
                digest: digest.to_string(),
                expected: desc.size,
                actual: size,
            });
        }
        Ok(VerifiedBlob::new(r, digest, desc.size).boxed())
    }
}

/// Reads into `buf` until full or end of stream.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let Some(rest) = buf.get_mut(n..) else { break };
        match r.read(rest)? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// `sha256:<hex>` from `blobs/sha256/<hex>` or `<hex>.json`/`<hex>.tar`.
fn digest_in_name(name: &str) -> Option<String> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let hex = file
        .strip_suffix(".json")
        .or_else(|| file.strip_suffix(".tar"))
        .unwrap_or(file);
    let candidate = format!("sha256:{hex}");
    BlobDigest::parse(&candidate).ok().map(|_| candidate)
}

/// Two references to the same image (`app:1` and `docker.io/library/app:1`).
fn same_ref(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (ImageRef::parse(a), ImageRef::parse(b)) {
        (Ok(x), Ok(y)) => {
            let tag = |r: &ImageRef| r.tag().unwrap_or("latest").to_string();
            x.name() == y.name() && tag(&x) == tag(&y)
        }
        _ => false,
    }
}

/// An archive-relative name without `.`, empty components or a leading
/// `/`; `None` when `..` climbs above the root.
fn normalize(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A reader that counts the bytes read (not seeked over) and fails past a
/// budget: indexing reads only headers and long names.
struct Budget<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read = self.read.saturating_add(n as u64);
        if self.read > self.limit {
            return Err(io::Error::other(format!(
                "more than {} bytes of tar headers and long names (limit max_header_bytes)",
                self.limit
            )));
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for Budget<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

fn index_tar(path: &Path, limits: &ArchiveLimits) -> Result<HashMap<String, Node>, ImageError> {
    let archive_err = |detail: String| ImageError::Archive {
        path: path.to_path_buf(),
        detail,
    };
    let file = File::open(path).map_err(|source| ImageError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let budget = Budget {
        inner: BufReader::with_capacity(16 << 10, file),
        read: 0,
        limit: limits.max_header_bytes,
    };
    let mut archive = tar::Archive::new(budget);
    let entries = archive
        .entries_with_seek()
        .map_err(|e| archive_err(format!("not a tar archive: {e}")))?;
    let mut nodes = HashMap::new();
    for (count, entry) in entries.enumerate() {
        if count >= limits.max_entries {
            return Err(archive_err(format!(
                "more than {} entries (limit max_entries)",
                limits.max_entries
            )));
        }
        let entry = entry
            .map_err(|e| archive_err(format!("entry {}: unreadable tar header: {e}", count + 1)))?;
        let raw = entry.path_bytes();
        if raw.len() > limits.max_name_len {
            return Err(archive_err(format!(
                "entry {} has a name of {} bytes (limit max_name_len {})",
                count + 1,
                raw.len(),
                limits.max_name_len
            )));
        }
        let name = String::from_utf8_lossy(&raw).into_owned();
        if name.starts_with('/') {
            return Err(archive_err(format!("entry {name:?} has an absolute name")));
        }
        let norm = normalize(&name)
            .ok_or_else(|| archive_err(format!("entry {name:?} climbs out of the archive")))?;
        let node = match entry.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => Node::File {
                offset: entry.raw_file_position(),
                size: entry.size(),
            },
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                Node::Link(target)
            }
            tar::EntryType::Link => {
                // Hard link targets are archive-relative.
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                Node::Link(format!("/{target}"))
            }
            _ => continue,
        };
        nodes.insert(norm, node);
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(normalize("./a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(normalize("a/../b").as_deref(), Some("b"));
        assert_eq!(normalize("../x"), None);
        assert_eq!(
            digest_in_name(&format!("blobs/sha256/{}", "a".repeat(64))),
            Some(format!("sha256:{}", "a".repeat(64)))
        );
        assert_eq!(
            digest_in_name(&format!("{}.json", "b".repeat(64))),
            Some(format!("sha256:{}", "b".repeat(64)))
        );
        assert_eq!(digest_in_name("abc/layer.tar"), None);
        assert!(same_ref("app:1", "docker.io/library/app:1"));
        assert!(same_ref("app", "app:latest"));
        assert!(!same_ref("app:1", "app:2"));
    }
}
