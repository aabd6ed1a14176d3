//! Manifests and indexes: OCI image manifest and index, Docker schema 2 manifest and manifest
//! list (schema 1 is refused), parsed defensively, and platform selection.

use crate::digest::Digest;
use crate::error::Result;
use oci_spec::image::Descriptor;

/// OCI image manifest media type.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// OCI image index media type.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image config media type.
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
/// OCI layer media types.
pub const OCI_LAYER_TAR: &str = "application/vnd.oci.image.layer.v1.tar";
/// OCI gzip layer.
pub const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// OCI zstd layer.
pub const OCI_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
/// Docker schema 2 manifest.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image config.
pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
/// Docker gzip layer.
pub const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// The largest manifest or index we read (Podman's limit is 4 MiB).
pub const MAX_MANIFEST_SIZE: usize = 4 << 20;

/// A parsed manifest document.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Manifest {
    /// A single-platform image: its config and layers (Docker schema 2 is converted).
    Image {
        /// The config descriptor.
        config: Descriptor,
        /// The layer descriptors, bottom first.
        layers: Vec<Descriptor>,
    },
    /// A multi-platform index (OCI index or Docker manifest list).
    Index {
        /// The per-platform manifest descriptors.
        manifests: Vec<Descriptor>,
    },
}

/// Parses a manifest or index. `media_type` is the one the transport reported, if any; the
/// document's own `mediaType` (and shape) decide otherwise.
pub fn parse_manifest(bytes: &[u8], media_type: Option<&str>) -> Result<Manifest> {
    let _ = (bytes, media_type);
    todo!("helper S3")
}

/// A platform to select from an index: `os/arch[/variant]`, normalised as containerd does
/// (`x86_64` is `amd64`, `aarch64` is `arm64` with variant `v8`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// Architecture, e.g. `amd64`.
    pub architecture: String,
    /// Variant, e.g. `v8`; `None` matches any.
    pub variant: Option<String>,
}

impl Platform {
    /// The platform of this machine.
    pub fn host() -> Self {
        todo!("helper S3")
    }

    /// Parses `os/arch[/variant]`.
    pub fn parse(s: &str) -> Result<Self> {
        let _ = s;
        todo!("helper S3")
    }
}

/// Picks the manifest for `platform` from an index's descriptors.
pub fn select_platform<'a>(
    manifests: &'a [Descriptor],
    platform: &Platform,
) -> Result<&'a Descriptor> {
    let _ = (manifests, platform);
    todo!("helper S3")
}

/// The digest of a descriptor, validated as sha256.
pub fn descriptor_digest(descriptor: &Descriptor) -> Result<Digest> {
    Digest::try_from(descriptor.digest())
}
