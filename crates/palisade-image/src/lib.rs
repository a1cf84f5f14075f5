//! Container image inspection for palisade, without a container runtime.
//!
//! This crate currently holds the foundation: a streaming, bounded layer
//! reader ([`read_layer`]) and the virtual file tree that layers are merged
//! into ([`FileTree`]). See `docs/images-layers.md`.
#![forbid(unsafe_code)]

pub mod layer;
pub mod oci;
pub mod tree;

pub use layer::{
    read_layer, Compression, Entry, EntryKind, Layer, LayerError, LayerLimits, RATIO_GRACE_BYTES,
};
pub use oci::{
    image_tree, BlobDigest, Descriptor, ImageConfigSummary, ImageError, OciLayout, OciLimits,
    Platform, ResolvedImage, VerifiedBlob,
};
pub use tree::{FileTree, TreeError, MAX_SYMLINK_FOLLOWS};
