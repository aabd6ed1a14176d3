//! Manifests and indexes: OCI image manifest and index, Docker schema 2 manifest and manifest
//! list (schema 1 is refused), parsed defensively, and platform selection.
//!
//! The kind of a document is decided as containers/image does: by the media type the transport
//! reported, else by the document's own `mediaType`, else by its shape (`schemaVersion`, the
//! config's media type, `manifests` against `config`/`layers`). A document that could be read as
//! both a manifest and an index is refused, as is any descriptor whose digest is not sha256.
//!
//! ```
//! use libpod_storage::manifest::{parse_manifest, Manifest, OCI_MANIFEST};
//! let doc = br#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json",
//!   "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
//!   "layers":[]}"#;
//! let Manifest::Image { config, layers } = parse_manifest(doc, Some(OCI_MANIFEST))? else {
//!     panic!("expected an image manifest")
//! };
//! assert_eq!(config.size(), 2);
//! assert!(layers.is_empty());
//! # Ok::<(), libpod_storage::StorageError>(())
//! ```

#[path = "manifest_platform.rs"]
mod platform;

pub use platform::{Platform, select_platform};

use crate::digest::Digest;
use crate::error::{Result, StorageError};
use oci_spec::image::Descriptor;
use serde::Deserialize;
use serde::de::IgnoredAny;

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
/// Docker uncompressed layer.
pub const DOCKER_LAYER_TAR: &str = "application/vnd.docker.image.rootfs.diff.tar";
/// Docker zstd layer.
pub const DOCKER_LAYER_ZSTD: &str = "application/vnd.docker.image.rootfs.diff.tar.zstd";
/// Docker schema 1 manifest (refused).
pub const DOCKER_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
/// Signed Docker schema 1 manifest (refused).
pub const DOCKER_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";
/// The largest manifest or index we read (Podman's limit is 4 MiB).
pub const MAX_MANIFEST_SIZE: usize = 4 << 20;
/// The annotation naming an image in an OCI layout's `index.json`.
pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";

/// A parsed manifest document.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
// Short-lived parse results: boxing the config descriptor would only complicate matching.
#[allow(clippy::large_enum_variant)]
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

/// Whether `media_type` is one of the single-image manifest types we read.
pub fn is_image_manifest_type(media_type: &str) -> bool {
    matches!(media_type, OCI_MANIFEST | DOCKER_MANIFEST)
}

/// Whether `media_type` is one of the multi-platform index types we read.
pub fn is_index_type(media_type: &str) -> bool {
    matches!(media_type, OCI_INDEX | DOCKER_LIST)
}

/// Whether a layer with this media type can be applied: tar, gzip'd tar or zstd tar, OCI or
/// Docker. Foreign and non-distributable layers are not.
pub fn is_supported_layer_type(media_type: &str) -> bool {
    matches!(
        media_type,
        OCI_LAYER_TAR
            | OCI_LAYER_GZIP
            | OCI_LAYER_ZSTD
            | DOCKER_LAYER_TAR
            | DOCKER_LAYER_GZIP
            | DOCKER_LAYER_ZSTD
    )
}

/// Parses a manifest or index. `media_type` is the one the transport reported, if any; the
/// document's own `mediaType` (and shape) decide otherwise.
pub fn parse_manifest(bytes: &[u8], media_type: Option<&str>) -> Result<Manifest> {
    parse_manifest_typed(bytes, media_type).map(|(manifest, _)| manifest)
}

/// Like [`parse_manifest`], and also gives the media type the document was read as.
pub fn parse_manifest_typed(
    bytes: &[u8],
    media_type: Option<&str>,
) -> Result<(Manifest, &'static str)> {
    if bytes.len() > MAX_MANIFEST_SIZE {
        return Err(StorageError::invalid(
            "manifest",
            format!("{} bytes", bytes.len()),
            format!("larger than the {MAX_MANIFEST_SIZE} byte limit"),
        ));
    }
    let probe: Probe = serde_json::from_slice(bytes).map_err(|err| malformed(media_type, &err))?;
    let kind = decide_media_type(media_type, &probe)?;
    check_consistent(kind, &probe)?;
    if is_index_type(kind) {
        let doc: IndexDocument =
            serde_json::from_slice(bytes).map_err(|err| malformed(Some(kind), &err))?;
        for (i, manifest) in doc.manifests.iter().enumerate() {
            checked_digest(manifest, || format!("manifest {i} of the index"))?;
        }
        Ok((
            Manifest::Index {
                manifests: doc.manifests,
            },
            kind,
        ))
    } else {
        let doc: ImageDocument =
            serde_json::from_slice(bytes).map_err(|err| malformed(Some(kind), &err))?;
        check_config(&doc.config)?;
        for (i, layer) in doc.layers.iter().enumerate() {
            check_layer(i, layer)?;
        }
        Ok((
            Manifest::Image {
                config: doc.config,
                layers: doc.layers,
            },
            kind,
        ))
    }
}

/// The digest of a descriptor, validated as sha256.
pub fn descriptor_digest(descriptor: &Descriptor) -> Result<Digest> {
    Digest::try_from(descriptor.digest())
}

/// The fields that decide a document's kind; everything else is ignored at this stage.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    schema_version: Option<i64>,
    media_type: Option<String>,
    signatures: Option<IgnoredAny>,
    config: Option<ProbeConfig>,
    layers: Option<IgnoredAny>,
    manifests: Option<Vec<IgnoredAny>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProbeConfig {
    media_type: Option<String>,
}

#[derive(Deserialize)]
struct ImageDocument {
    config: Descriptor,
    layers: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct IndexDocument {
    manifests: Vec<Descriptor>,
}

fn malformed(media_type: Option<&str>, err: &serde_json::Error) -> StorageError {
    StorageError::invalid(
        "manifest",
        media_type.unwrap_or("without media type"),
        format!("malformed document: {err}"),
    )
}

fn schema1() -> StorageError {
    StorageError::Unsupported {
        what: "manifest schema",
        reason: "schema 1 manifests are not supported".into(),
    }
}

/// A media type without parameters (`; charset=...`), as registries may add them.
fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or("").trim()
}

fn known_type(media_type: &str) -> Option<&'static str> {
    [OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST]
        .into_iter()
        .find(|known| *known == media_type)
}

fn is_schema1_type(media_type: &str) -> bool {
    matches!(media_type, DOCKER_SCHEMA1 | DOCKER_SCHEMA1_SIGNED)
}

/// Which of the four supported media types the document is, or why none.
fn decide_media_type(transport: Option<&str>, probe: &Probe) -> Result<&'static str> {
    let transport = transport.map(essence).filter(|t| !t.is_empty());
    let declared = probe.media_type.as_deref().filter(|t| !t.is_empty());
    if transport.is_some_and(is_schema1_type)
        || declared.is_some_and(is_schema1_type)
        || probe.schema_version == Some(1)
    {
        return Err(schema1());
    }
    if let Some(kind) = transport.and_then(known_type) {
        return Ok(kind);
    }
    if let Some(other) = transport {
        // Registries behind CDNs report odd types (text/plain...): the document decides.
        tracing::debug!(media_type = other, "ignoring unknown transport media type");
    }
    if let Some(kind) = declared.and_then(known_type) {
        return Ok(kind);
    }
    if probe.schema_version != Some(2) {
        return Err(StorageError::Unsupported {
            what: "manifest schema",
            reason: format!(
                "unrecognised document (media type {:?}, schemaVersion {})",
                declared.unwrap_or(""),
                probe
                    .schema_version
                    .map_or_else(|| "missing".to_string(), |v| v.to_string())
            ),
        });
    }
    // Older OCI documents carry no mediaType: guess from the shape.
    let config_type = probe.config.as_ref().and_then(|c| c.media_type.as_deref());
    if probe.config.is_some() || probe.layers.is_some() {
        if config_type == Some(DOCKER_CONFIG) {
            return Ok(DOCKER_MANIFEST);
        }
        return Ok(OCI_MANIFEST);
    }
    if probe.manifests.is_some() {
        return Ok(OCI_INDEX);
    }
    Err(StorageError::Unsupported {
        what: "manifest schema",
        reason: "document has neither config and layers nor manifests".into(),
    })
}

/// The document must say what it was taken for: schema version 2, no other declared media type,
/// and no fields of the other kind (a document valid as both could be read two ways).
fn check_consistent(kind: &'static str, probe: &Probe) -> Result<()> {
    let invalid = |reason: String| StorageError::invalid("manifest", kind, reason);
    if probe.schema_version != Some(2) {
        return Err(invalid(format!(
            "schemaVersion must be 2, got {}",
            probe
                .schema_version
                .map_or_else(|| "none".to_string(), |v| v.to_string())
        )));
    }
    if let Some(declared) = probe.media_type.as_deref().filter(|t| !t.is_empty())
        && declared != kind
    {
        return Err(invalid(format!(
            "document declares media type {declared:?}"
        )));
    }
    if is_index_type(kind) {
        if probe.config.is_some() || probe.layers.is_some() {
            return Err(invalid("an index must not have config or layers".into()));
        }
        if probe.manifests.is_none() {
            return Err(invalid("an index needs a manifests list".into()));
        }
    } else if probe.manifests.is_some() {
        return Err(invalid("an image manifest must not have manifests".into()));
    }
    if probe.signatures.is_some() {
        tracing::debug!(
            media_type = kind,
            "ignoring signatures in a schema 2 document"
        );
    }
    Ok(())
}

fn checked_digest(descriptor: &Descriptor, what: impl FnOnce() -> String) -> Result<Digest> {
    descriptor_digest(descriptor).map_err(|err| {
        StorageError::invalid(
            "descriptor digest",
            descriptor.digest().to_string(),
            format!("{}: {err}", what()),
        )
    })
}

fn check_config(config: &Descriptor) -> Result<()> {
    checked_digest(config, || "config of the manifest".to_string())?;
    let media_type = config.media_type().to_string();
    if media_type != OCI_CONFIG && media_type != DOCKER_CONFIG {
        return Err(StorageError::Unsupported {
            what: "config media type",
            reason: format!(
                "config {} has media type {media_type:?}: not an image (an artifact?)",
                config.digest()
            ),
        });
    }
    Ok(())
}

fn check_layer(index: usize, layer: &Descriptor) -> Result<()> {
    checked_digest(layer, || format!("layer {index} of the manifest"))?;
    let media_type = layer.media_type().to_string();
    if !is_supported_layer_type(&media_type) {
        return Err(StorageError::Unsupported {
            what: "layer media type",
            reason: format!(
                "layer {index} ({}) has media type {media_type:?}: only tar, gzip and zstd \
                 layers are supported (not foreign or non-distributable ones)",
                layer.digest()
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "manifest_tests.rs"]
mod tests;
