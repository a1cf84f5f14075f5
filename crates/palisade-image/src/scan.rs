//! The image pipeline: resolve, stream every layer once (in parallel),
//! hand wanted files to analyzers and file checks as they stream past,
//! merge the layers into a [`FileTree`], and keep only what the final image
//! still shows.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::mpsc;

use palisade_model::{purl, Ecosystem, OsInfo, Package};

use crate::analyzers::os_release::OS_RELEASE_PATHS;
use crate::analyzers::{Analyzer, FileRef, Found, ANALYZERS};
use crate::dir::read_dir_layer;
use crate::layer::{read_layer_pipelined, Entry, Layer, LayerLimits, VisitFn};
use crate::oci::{compression_for, Descriptor, ImageConfigSummary, ImageError, Platform};
use crate::source::{BlobSource, ImageInput};
use crate::tree::FileTree;

/// A check on individual files of any layer, such as the secret scan. Unlike
/// an analyzer's packages, a hit stays reported when a later layer deletes
/// the file: the bytes are still in the image.
pub trait FileCheck: Sync {
    /// A stable id, copied into each hit.
    fn id(&self) -> &'static str;
    /// Whether the check reads this file (cheap; contents unset).
    fn wants(&self, entry: &Entry) -> bool;
    /// Looks at one wanted file.
    fn check(&self, file: &FileRef<'_>, out: &mut Vec<FileHit>);
}

/// Something a [`FileCheck`] found in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHit {
    /// The check's id.
    pub check: &'static str,
    /// What the check found (a detector's name, redacted excerpt...).
    pub message: String,
    /// The file, relative to the image root.
    pub path: String,
    /// 1-based line, where the check knows one.
    pub line: Option<usize>,
    /// Index of the layer that holds the file (set by the pipeline).
    pub layer: u32,
    /// The file is not visible in the final image (a later layer deleted or
    /// replaced it), though its bytes remain in the layer (set by the
    /// pipeline).
    pub hidden: bool,
}

/// How to scan an image.
pub struct ScanOptions<'a> {
    /// Which image of a multi-platform index.
    pub platform: Platform,
    /// Bounds on each layer.
    pub limits: LayerLimits,
    /// The analyzers to run (default: all of [`ANALYZERS`]).
    pub analyzers: Vec<&'static dyn Analyzer>,
    /// File checks to run on every layer.
    pub checks: Vec<&'a dyn FileCheck>,
    /// Called once per layer read, with (layers done, layers in all).
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

impl Default for ScanOptions<'_> {
    fn default() -> Self {
        Self {
            platform: Platform::default(),
            limits: LayerLimits::default(),
            analyzers: ANALYZERS.to_vec(),
            checks: Vec::new(),
            progress: None,
        }
    }
}

/// One layer of the scanned image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSummary {
    /// The layer blob's digest (empty for a directory source).
    pub digest: String,
    /// Compressed size in bytes, as the manifest says.
    pub size: u64,
    /// Entries in the layer's tar stream.
    pub entries: usize,
}

/// A file an analyzer could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryError {
    /// The analyzer's id.
    pub analyzer: &'static str,
    /// Digest of the layer holding the file.
    pub layer: String,
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Everything the pipeline learnt about an image.
#[derive(Debug, Clone)]
pub struct ImageInventory {
    /// How the source was named (`oci:DIR:tag`, `registry/app:1`).
    pub source: String,
    /// Digest of the image manifest (`None` for a directory).
    pub manifest_digest: Option<String>,
    /// The image config (empty for a directory).
    pub config: ImageConfigSummary,
    /// The layers, bottom first.
    pub layers: Vec<LayerSummary>,
    /// The merged file tree: metadata of every visible entry; no contents.
    pub tree: FileTree,
    /// The operating system, from the surviving os-release file.
    pub os: Option<OsInfo>,
    /// Packages still recorded in the final image, sorted by ecosystem,
    /// name, version and path.
    pub packages: Vec<Package>,
    /// What the file checks found, in any layer.
    pub hits: Vec<FileHit>,
    /// Files analyzers could not read.
    pub errors: Vec<InventoryError>,
}

/// What one layer produced before merging.
type LayerOutput = Analyzed<Layer>;

/// Scans an image: every layer is read once, in parallel, verified against
/// its digest; analyzers and checks see the files they want as they stream.
pub fn scan_image(
    input: &ImageInput,
    opts: &ScanOptions<'_>,
) -> Result<ImageInventory, ImageError> {
    match input {
        ImageInput::Blobs(source) => scan_blobs(source.as_ref(), opts),
        ImageInput::Dir(root) => {
            let out = analyze_with(opts, |wanted, visit| {
                read_dir_layer(root, &opts.limits, wanted, visit)
            })?;
            let summaries = vec![LayerSummary {
                digest: String::new(),
                size: 0,
                entries: 0,
            }];
            finish(
                input.describe(),
                None,
                ImageConfigSummary::default(),
                summaries,
                std::iter::once(Ok(out)),
            )
        }
    }
}

fn scan_blobs(
    source: &dyn BlobSource,
    opts: &ScanOptions<'_>,
) -> Result<ImageInventory, ImageError> {
    let image = source.resolve(&opts.platform)?;
    let total = image.layers.len();
    let done = AtomicUsize::new(0);
    // Layers are handed out in order to a few workers; each result is
    // merged into the tree as soon as every layer below it is merged, so at
    // most a few layers' entries are held besides the tree.
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZeroUsize::get)
        .clamp(1, total.max(1));
    let read_one = |desc: &Descriptor| -> Result<LayerOutput, ImageError> {
        let compression = compression_for(&desc.media_type);
        let mut blob = source.open_blob(desc)?;
        // Each layer inflates on a thread of its own while this worker
        // parses its tar stream, so one big layer still uses two cores.
        let result = analyze_with(opts, |wanted, visit| {
            Ok(read_layer_pipelined(
                &mut blob,
                compression,
                &opts.limits,
                wanted,
                visit,
            ))
        });
        // `analyze_with` fails only when `read` does, and it never does here.
        let out = result?;
        let layer = blob.finish_layer(&desc.digest, out.layer)?;
        if let Some(progress) = opts.progress {
            let n = done.fetch_add(1, AtomicOrdering::Relaxed) + 1;
            progress(n, total);
        }
        Ok(Analyzed {
            layer,
            found: out.found,
            hits: out.hits,
            errors: out.errors,
        })
    };
    let summaries = image
        .layers
        .iter()
        .map(|d| LayerSummary {
            digest: d.digest.clone(),
            size: d.size,
            entries: 0,
        })
        .collect();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, layers, read_one) = (&next, &image.layers, &read_one);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                let Some(desc) = layers.get(i) else { break };
                let result = read_one(desc);
                let failed = result.is_err();
                if tx.send((i, result)).is_err() || failed {
                    // The merger stopped (an earlier error) or this layer
                    // failed: hand out no more layers.
                    next.store(usize::MAX / 2, AtomicOrdering::Relaxed);
                    break;
                }
            });
        }
        drop(tx);
        let ordered = InOrder {
            rx,
            waiting: BTreeMap::new(),
            next: 0,
        };
        finish(
            source.describe(),
            Some(image.manifest_digest.to_string()),
            image.config.clone(),
            summaries,
            ordered,
        )
        // `finish` returning early drops the receiver: workers stop after
        // the layer they are reading.
    })
}

/// Layer results in layer order, from workers that finish in any order.
struct InOrder {
    rx: mpsc::Receiver<(usize, Result<LayerOutput, ImageError>)>,
    waiting: BTreeMap<usize, Result<LayerOutput, ImageError>>,
    next: usize,
}

impl Iterator for InOrder {
    type Item = Result<LayerOutput, ImageError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(out) = self.waiting.remove(&self.next) {
                self.next += 1;
                return Some(out);
            }
            let (i, out) = self.rx.recv().ok()?;
            self.waiting.insert(i, out);
        }
    }
}

/// The result of reading one layer with the analyzers attached; `layer` is
/// the reader's own verdict, kept apart so the caller can check the blob's
/// digest first.
struct Analyzed<L> {
    layer: L,
    found: Vec<(String, Found)>,
    hits: Vec<FileHit>,
    errors: Vec<(&'static str, String, String)>,
}

fn analyze_with<L>(
    opts: &ScanOptions<'_>,
    read: impl FnOnce(&dyn Fn(&Entry) -> bool, VisitFn<'_>) -> Result<L, ImageError>,
) -> Result<Analyzed<L>, ImageError> {
    let mut found: Vec<(String, Found)> = Vec::new();
    let mut hits = Vec::new();
    let mut errors = Vec::new();
    let wanted = |e: &Entry| {
        opts.analyzers.iter().any(|a| a.wants(e)) || opts.checks.iter().any(|c| c.wants(e))
    };
    let mut visit = |entry: &Entry, contents: &[u8]| {
        let file = FileRef { entry, contents };
        for a in &opts.analyzers {
            if !a.wants(entry) {
                continue;
            }
            let mut out = Found::default();
            match a.analyze(&file, &mut out) {
                Ok(()) => {
                    if !out.packages.is_empty() || out.os.is_some() {
                        found.push((entry.path.clone(), out));
                    }
                }
                Err(e) => errors.push((a.id(), entry.path.clone(), e.message)),
            }
        }
        for c in &opts.checks {
            if c.wants(entry) {
                c.check(&file, &mut hits);
            }
        }
    };
    let layer = read(&wanted, &mut visit)?;
    Ok(Analyzed {
        layer,
        found,
        hits,
        errors,
    })
}

fn finish(
    source: String,
    manifest_digest: Option<String>,
    config: ImageConfigSummary,
    mut summaries: Vec<LayerSummary>,
    outputs: impl Iterator<Item = Result<LayerOutput, ImageError>>,
) -> Result<ImageInventory, ImageError> {
    let mut tree = FileTree::new();
    let mut pending_found = Vec::new();
    let mut hits = Vec::new();
    let mut errors = Vec::new();
    for (index, out) in outputs.enumerate() {
        let out = out?;
        let digest = match summaries.get_mut(index) {
            Some(summary) => {
                summary.entries = out.layer.entries.len();
                summary.digest.clone()
            }
            None => String::new(),
        };
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        for (path, size) in &out.layer.oversized {
            errors.push(InventoryError {
                analyzer: "layer-reader",
                layer: digest.clone(),
                path: path.clone(),
                message: format!(
                    "file of {size} bytes is larger than the limit max_file_size, so no \
                     analyzer read it; raise the limit (--limit-file-size) to analyze it"
                ),
            });
        }
        tree.apply(out.layer).map_err(|source| ImageError::Tree {
            digest: digest.clone(),
            source,
        })?;
        for (path, found) in out.found {
            pending_found.push((index, digest.clone(), path, found));
        }
        for mut hit in out.hits {
            hit.layer = index;
            hits.push(hit);
        }
        for (analyzer, path, message) in out.errors {
            errors.push(InventoryError {
                analyzer,
                layer: digest.clone(),
                path,
                message,
            });
        }
    }
    // Keep what the final image still shows: the recording file must be
    // visible at its path, written by the same layer.
    let visible = |path: &str, layer: u32| tree.locate(path).is_some_and(|e| e.layer == layer);
    let mut os: Option<(usize, OsInfo)> = None;
    let mut packages = Vec::new();
    for (layer, digest, path, found) in pending_found {
        if !visible(&path, layer) {
            continue;
        }
        if let Some(info) = found.os {
            let rank = OS_RELEASE_PATHS
                .iter()
                .position(|p| *p == path)
                .unwrap_or(usize::MAX);
            if os.as_ref().is_none_or(|(r, _)| rank < *r) {
                os = Some((rank, info));
            }
        }
        for mut pkg in found.packages {
            pkg.layer.clone_from(&digest);
            packages.push(pkg);
        }
    }
    let os = os.map(|(_, info)| info);
    if let Some(info) = &os {
        for pkg in &mut packages {
            if pkg.ecosystem.is_os() {
                pkg.purl = os_package_purl(pkg, info);
            }
        }
    }
    packages.sort_by(|a, b| {
        (a.ecosystem, &a.name, &a.version, &a.path).cmp(&(
            b.ecosystem,
            &b.name,
            &b.version,
            &b.path,
        ))
    });
    for hit in &mut hits {
        hit.hidden = !visible(&hit.path, hit.layer);
    }
    Ok(ImageInventory {
        source,
        manifest_digest,
        config,
        layers: summaries,
        tree,
        os,
        packages,
        hits,
        errors,
    })
}

/// The purl of an operating-system package, once the distribution is known:
/// `pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12`; an rpm
/// epoch goes to the `epoch` qualifier, as the purl rpm type asks
/// (`pkg:rpm/rocky/bash@5.1.8-9.el9?arch=x86_64&distro=rocky-9.4&epoch=1`).
pub fn os_package_purl(pkg: &Package, os: &OsInfo) -> String {
    let kind = match pkg.ecosystem {
        Ecosystem::Deb => "deb",
        Ecosystem::Apk => "apk",
        Ecosystem::Rpm => "rpm",
        _ => return pkg.purl.clone(),
    };
    let distro = if os.version_id.is_empty() {
        os.id.clone()
    } else {
        format!("{}-{}", os.id, os.version_id)
    };
    let mut quals: Vec<(&str, &str)> = vec![("distro", distro.as_str())];
    if let Some(arch) = &pkg.arch {
        quals.push(("arch", arch));
    }
    if let Some(src) = &pkg.source_name {
        if src != &pkg.name {
            quals.push(("upstream", src));
        }
    }
    // The purl rpm type keeps the epoch out of the version, in an `epoch`
    // qualifier; deb keeps it in the version (`attr@1:2.4.47-2`).
    let mut version = pkg.version.as_str();
    if pkg.ecosystem == Ecosystem::Rpm {
        if let Some((epoch, rest)) = version.split_once(':') {
            if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) {
                quals.push(("epoch", epoch));
                version = rest;
            }
        }
    }
    purl(kind, Some(&os.id), &pkg.name, version, &quals)
}
