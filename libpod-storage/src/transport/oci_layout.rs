//! OCI image layout directories: `oci-layout`, `index.json`, `blobs/sha256/...`.

use super::{ImageSource, ResolvedManifest};
use crate::digest::Digest;
use crate::error::Result;
use crate::manifest::Platform;
use oci_spec::image::Descriptor;
use std::io::Read;
use std::path::Path;

/// An OCI image layout opened for reading one image.
#[derive(Debug)]
pub struct OciLayout {
    // helper S3: fields
}

impl OciLayout {
    /// Opens `dir` and selects the image named `tag` (the `org.opencontainers.image.ref.name`
    /// annotation), or the only image when `tag` is `None`; an index entry is resolved to
    /// `platform`.
    pub fn open(dir: &Path, tag: Option<&str>, platform: &Platform) -> Result<Self> {
        let _ = (dir, tag, platform);
        todo!("helper S3")
    }
}

impl ImageSource for OciLayout {
    fn manifest(&self) -> Result<ResolvedManifest> {
        todo!("helper S3")
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        let _ = digest;
        todo!("helper S3")
    }
}

/// Writes images into an OCI image layout directory (creating it, or adding to it).
#[derive(Debug)]
pub struct OciLayoutWriter {
    // helper S3: fields
}

impl OciLayoutWriter {
    /// Creates `dir` as a layout, or opens an existing one to add images to it.
    pub fn create(dir: &Path) -> Result<Self> {
        let _ = dir;
        todo!("helper S3")
    }

    /// Stores a blob, verifying that its content has `digest`; a blob already present is kept.
    pub fn put_blob(&mut self, digest: &Digest, content: impl Read) -> Result<()> {
        let _ = (digest, content);
        todo!("helper S3")
    }

    /// Adds a manifest (already stored as a blob) to index.json under `tag`, replacing an entry
    /// with the same tag, and writes index.json atomically.
    pub fn add_manifest(&mut self, manifest: Descriptor, tag: Option<&str>) -> Result<()> {
        let _ = (manifest, tag);
        todo!("helper S3")
    }
}
