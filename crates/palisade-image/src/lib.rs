//! Container image inspection for palisade, without a container runtime.
//!
//! Data flows one way: a source ([`ImageInput`]) resolves to an image; the
//! pipeline ([`scan_image`]) streams each layer once through the bounded
//! reader ([`read_layer_with`]), hands wanted files to the [`analyzers`]
//! and [`FileCheck`]s, and merges the layers into a [`FileTree`]. See
//! `docs/images-layers.md`.
#![forbid(unsafe_code)]

pub mod analyzers;
pub mod checks;
pub mod dir;
pub mod facts;
pub mod layer;
pub mod oci;
pub mod scan;
pub mod source;
pub mod tree;

pub use analyzers::{AnalyzeError, Analyzer, FileRef, Found, ANALYZERS};
pub use layer::{
    read_layer, read_layer_with, Compression, Entry, EntryKind, Layer, LayerError, LayerLimits,
    RATIO_GRACE_BYTES,
};
pub use oci::{
    compression_for, image_tree, BlobDigest, Descriptor, HistoryEntry, ImageConfigSummary,
    ImageError, OciLayout, OciLimits, Platform, ResolvedImage, VerifiedBlob,
};
pub use scan::{
    os_package_purl, scan_image, FileCheck, FileHit, ImageInventory, InventoryError, LayerSummary,
    ScanOptions,
};
pub use source::{BlobSource, ImageInput, OciSource};
pub use tree::{FileTree, TreeError, MAX_SYMLINK_FOLLOWS};
