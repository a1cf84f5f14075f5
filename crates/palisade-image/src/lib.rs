//! Container image inspection for palisade, without a container runtime.
//!
//! Data flows one way: a source ([`ImageInput`]) resolves to an image; the
//! pipeline ([`scan_image`]) streams each layer once through the bounded
//! reader ([`read_layer_with`]), hands wanted files to the [`analyzers`]
//! and [`FileCheck`]s, and merges the layers into a [`FileTree`]. See
//! `docs/images-layers.md`.
#![forbid(unsafe_code)]

pub mod analyzers;
pub mod cache;
pub mod checks;
pub mod dir;
pub mod docker_archive;
pub mod facts;
pub mod layer;
pub mod oci;
pub mod reference;
pub mod registry;
pub mod scan;
pub mod source;
pub mod tree;

pub use analyzers::{AnalyzeError, Analyzer, FileRef, Found, ANALYZERS};
pub use cache::{BlobCache, CacheSetting};
pub use docker_archive::{ArchiveLimits, DockerArchive};
pub use layer::{
    read_layer, read_layer_with, Compression, Entry, EntryKind, Layer, LayerError, LayerLimits,
    RATIO_GRACE_BYTES,
};
pub use oci::{
    compression_for, image_tree, BlobDigest, Descriptor, HistoryEntry, ImageConfigSummary,
    ImageError, OciLayout, OciLimits, Platform, ResolvedImage, VerifiedBlob,
};
pub use reference::{parse_input, SourceOptions};
pub use registry::RegistrySource;
pub use scan::{
    os_package_purl, scan_image, FileCheck, FileHit, ImageInventory, InventoryError, LayerSummary,
    ScanOptions,
};
pub use source::{BlobSource, ImageInput, OciSource};
pub use tree::{FileTree, TreeError, MAX_SYMLINK_FOLLOWS};
