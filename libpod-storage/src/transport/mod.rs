//! Where images come from and go to besides registries: OCI image layout directories
//! (`oci:DIR[:TAG]`), OCI archives (`oci-archive:FILE[:TAG]`) and docker archives (read only).

mod archive;
pub(crate) mod bounded;
mod docker_archive;
mod layout_writer;
mod oci_layout;

pub use archive::{OciArchive, unpack_archive, write_oci_archive};
pub use docker_archive::{DockerArchive, DockerArchiveImage, is_docker_archive};
pub use oci_layout::{IMAGE_LAYOUT_VERSION, MAX_INDEX_DEPTH, OciLayout, OciLayoutWriter};

use crate::digest::Digest;
use crate::error::Result;
use oci_spec::image::Descriptor;
use std::io::Read;

/// An image manifest resolved to one platform, with its raw bytes (kept so that saving the
/// image again gives identical digests).
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedManifest {
    /// The manifest's digest.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
    /// Its bytes as stored.
    pub bytes: Vec<u8>,
    /// The config descriptor.
    pub config: Descriptor,
    /// The layer descriptors, bottom first.
    pub layers: Vec<Descriptor>,
}

/// A source of one image's manifest and blobs. Blob readers may be opened from several threads
/// at once; the caller verifies digests.
pub trait ImageSource: Send + Sync {
    /// The image's manifest, resolved to one platform.
    fn manifest(&self) -> Result<ResolvedManifest>;
    /// A blob's content.
    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>>;
}

#[cfg(test)]
mod archive_tests;
#[cfg(test)]
mod docker_archive_tests;
#[cfg(test)]
mod layout_writer_tests;
#[cfg(test)]
mod oci_layout_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tools_tests;
