//! Where an image comes from. Every source that holds blobs (an OCI layout,
//! a registry, a `docker save` archive) implements [`BlobSource`]; a plain
//! root filesystem directory is read directly (see [`ImageInput::Dir`]).

use std::io::Read;
use std::path::PathBuf;

use crate::oci::{Descriptor, ImageError, OciLayout, Platform, ResolvedImage, VerifiedBlob};

/// A source of content-addressed blobs that resolves to one image.
///
/// Implementations verify every blob: [`BlobSource::open_blob`] returns a
/// [`VerifiedBlob`] whose `finish` fails on a size or digest mismatch.
pub trait BlobSource: Send + Sync {
    /// How the source is named to the user (`oci:DIR:tag`,
    /// `registry.example/app:1.2`), for messages and reports.
    fn describe(&self) -> String;

    /// Follows indexes to the image manifest for `platform` and reads the
    /// image config.
    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage, ImageError>;

    /// Opens one blob (a layer) for streaming, verified as it is read.
    fn open_blob(
        &self,
        desc: &Descriptor,
    ) -> Result<VerifiedBlob<Box<dyn Read + Send + '_>>, ImageError>;
}

/// An OCI image layout with an optional tag: the `oci:DIR[:tag]` source.
#[derive(Debug, Clone)]
pub struct OciSource {
    layout: OciLayout,
    dir: PathBuf,
    tag: Option<String>,
}

impl OciSource {
    /// Opens the layout at `dir`; `tag` selects an image by its
    /// `org.opencontainers.image.ref.name` annotation.
    pub fn open(dir: impl Into<PathBuf>, tag: Option<String>) -> Result<Self, ImageError> {
        let dir = dir.into();
        let layout = OciLayout::open(&dir)?;
        Ok(Self { layout, dir, tag })
    }
}

impl BlobSource for OciSource {
    fn describe(&self) -> String {
        match &self.tag {
            Some(t) => format!("oci:{}:{t}", self.dir.display()),
            None => format!("oci:{}", self.dir.display()),
        }
    }

    fn resolve(&self, platform: &Platform) -> Result<ResolvedImage, ImageError> {
        self.layout.resolve(self.tag.as_deref(), platform)
    }

    fn open_blob(
        &self,
        desc: &Descriptor,
    ) -> Result<VerifiedBlob<Box<dyn Read + Send + '_>>, ImageError> {
        let blob = self.layout.open_blob(desc)?;
        Ok(blob.boxed())
    }
}

/// What `palisade image` reads.
pub enum ImageInput {
    /// A source of verified blobs.
    Blobs(Box<dyn BlobSource>),
    /// A root filesystem directory (`dir:PATH`), read as one layer.
    Dir(PathBuf),
}

impl ImageInput {
    /// How the input is named to the user.
    pub fn describe(&self) -> String {
        match self {
            ImageInput::Blobs(b) => b.describe(),
            ImageInput::Dir(p) => format!("dir:{}", p.display()),
        }
    }
}
