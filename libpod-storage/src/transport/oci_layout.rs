//! OCI image layouts opened for reading: `oci-layout`, `index.json`, `blobs/sha256/...`.
//!
//! The layout is untrusted: `index.json` and manifests are size-limited and parsed as
//! [`parse_manifest`] does, every blob path is opened without following symbolic links and
//! must be a regular file, manifests are checked against their descriptors' digests and sizes,
//! and nested indexes are followed only [`MAX_INDEX_DEPTH`] deep.

use super::{ImageSource, ResolvedManifest};
use crate::digest::Digest;
use crate::error::{Result, StorageError};
use crate::manifest::{
    ANNOTATION_REF_NAME, MAX_MANIFEST_SIZE, Manifest, OCI_INDEX, Platform, descriptor_digest,
    is_image_manifest_type, is_index_type, parse_manifest, select_platform,
};
use libpod_fs::{FsError, Policy, Root};
use oci_spec::image::Descriptor;
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

pub use super::layout_writer::OciLayoutWriter;

/// The `imageLayoutVersion` we read and write.
pub const IMAGE_LAYOUT_VERSION: &str = "1.0.0";
/// How many indexes below `index.json` are followed to reach an image manifest.
pub const MAX_INDEX_DEPTH: usize = 4;
/// The largest `oci-layout` file read.
const MAX_LAYOUT_FILE_SIZE: u64 = 64 << 10;

/// An OCI image layout opened for reading one image.
#[derive(Debug)]
pub struct OciLayout {
    /// The layout directory, kept open: blobs are opened relative to it from any thread.
    root: Root,
    resolved: ResolvedManifest,
    ref_name: Option<String>,
}

impl OciLayout {
    /// Opens `dir` and selects the image named `tag` (the `org.opencontainers.image.ref.name`
    /// annotation), or the only image when `tag` is `None`; an index entry is resolved to
    /// `platform`.
    pub fn open(dir: &Path, tag: Option<&str>, platform: &Platform) -> Result<Self> {
        let root = Root::open(dir)?;
        check_layout_version(&root)?;
        let entries = read_index_json(&root)?;
        let chosen = choose_entry(&entries, tag, dir)?;
        let resolved = resolve(&root, chosen, platform, 0)?;
        tracing::debug!(layout = %dir.display(), manifest = %resolved.digest, "opened OCI layout");
        Ok(OciLayout {
            root,
            resolved,
            ref_name: ref_name(chosen).map(String::from),
        })
    }

    /// The chosen image's `org.opencontainers.image.ref.name` annotation, if it has one (a
    /// tag, or a whole reference as Podman's `save --format oci-archive` writes it).
    pub fn ref_name(&self) -> Option<&str> {
        self.ref_name.as_deref()
    }

    /// The layout directory.
    pub fn path(&self) -> &Path {
        self.root.path()
    }
}

impl ImageSource for OciLayout {
    fn manifest(&self) -> Result<ResolvedManifest> {
        Ok(self.resolved.clone())
    }

    fn blob(&self, digest: &Digest) -> Result<Box<dyn Read + Send>> {
        Ok(Box::new(open_blob(&self.root, digest)?))
    }
}

/// The path of a blob inside a layout (the digest's hex part is always safe in a path).
pub(super) fn blob_path(digest: &Digest) -> String {
    format!("blobs/sha256/{}", digest.hex())
}

/// Opens the blob `digest` of the layout `root` for reading.
pub(super) fn open_blob(root: &Root, digest: &Digest) -> Result<std::fs::File> {
    root.open_regular(blob_path(digest), Policy::NoSymlinks)
        .map_err(in_layout)
}

/// Reads the regular file `rel` of the layout `root`, refusing more than `limit` bytes.
fn read_limited(root: &Root, rel: &str, limit: u64) -> Result<Vec<u8>> {
    root.read_regular(rel, Policy::NoSymlinks, limit)
        .map_err(in_layout)
}

/// Nothing in a layout is followed through a symlink, and only regular files are read: a
/// refusal is the layout's fault, an [`StorageError::InvalidLayout`] naming the entry
/// (`blobs/sha256 is a symbolic link, not a directory`).
pub(super) fn in_layout(err: FsError) -> StorageError {
    match (err.refusal(), err.root()) {
        (Some(reason), Some(root)) => StorageError::InvalidLayout {
            path: root.to_path_buf(),
            reason,
        },
        _ => err.into(),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LayoutFile {
    image_layout_version: String,
}

pub(super) fn check_layout_version(root: &Root) -> Result<()> {
    let dir = root.path();
    let bytes = read_limited(root, "oci-layout", MAX_LAYOUT_FILE_SIZE)?;
    let layout: LayoutFile = serde_json::from_slice(&bytes).map_err(|err| StorageError::Json {
        what: "oci-layout file",
        path: dir.join("oci-layout"),
        source: err,
    })?;
    if layout.image_layout_version != IMAGE_LAYOUT_VERSION {
        return Err(StorageError::InvalidLayout {
            path: dir.to_path_buf(),
            reason: format!(
                "imageLayoutVersion {:?} is not supported (only {IMAGE_LAYOUT_VERSION})",
                layout.image_layout_version
            ),
        });
    }
    Ok(())
}

/// The entries of `index.json`, read as an OCI index.
pub(super) fn read_index_json(root: &Root) -> Result<Vec<Descriptor>> {
    let dir = root.path();
    let bytes = read_limited(root, "index.json", MAX_MANIFEST_SIZE as u64)?;
    match parse_manifest(&bytes, Some(OCI_INDEX)).map_err(|err| in_file(dir, "index.json", err))? {
        Manifest::Index { manifests } => Ok(manifests),
        _ => Err(StorageError::InvalidLayout {
            path: dir.to_path_buf(),
            reason: "index.json is not an image index".into(),
        }),
    }
}

/// Names the file a document came from in a format error; unsupported features stay as they are.
fn in_file(dir: &Path, file: &str, err: StorageError) -> StorageError {
    match err {
        err @ StorageError::Unsupported { .. } => err,
        err => StorageError::InvalidLayout {
            path: dir.to_path_buf(),
            reason: format!("{file}: {err}"),
        },
    }
}

fn ref_name(descriptor: &Descriptor) -> Option<&str> {
    descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get(ANNOTATION_REF_NAME))
        .map(String::as_str)
}

/// The entry named `tag`, or the only entry when there is no tag.
fn choose_entry<'a>(
    entries: &'a [Descriptor],
    tag: Option<&str>,
    dir: &Path,
) -> Result<&'a Descriptor> {
    let Some(tag) = tag else {
        return match entries {
            [only] => Ok(only),
            [] => Err(StorageError::InvalidLayout {
                path: dir.to_path_buf(),
                reason: "index.json lists no image".into(),
            }),
            several => {
                let names: Vec<String> = several
                    .iter()
                    .map(|d| {
                        ref_name(d)
                            .map_or_else(|| format!("(untagged {})", d.digest()), str::to_string)
                    })
                    .collect();
                Err(StorageError::InvalidLayout {
                    path: dir.to_path_buf(),
                    reason: format!(
                        "{} images and no tag given: choose one of {}",
                        several.len(),
                        names.join(", ")
                    ),
                })
            }
        };
    };
    let named: Vec<&Descriptor> = entries
        .iter()
        .filter(|d| ref_name(d) == Some(tag))
        .collect();
    let supported = |d: &&&Descriptor| {
        let media_type = d.media_type().to_string();
        is_image_manifest_type(&media_type) || is_index_type(&media_type)
    };
    if let Some(chosen) = named.iter().find(supported) {
        return Ok(chosen);
    }
    if let Some(other) = named.first() {
        return Err(StorageError::Unsupported {
            what: "media type",
            reason: format!(
                "image {tag:?} in {} has media type {:?}, not an image manifest or index",
                dir.display(),
                other.media_type().to_string()
            ),
        });
    }
    Err(StorageError::ImageNotKnown(format!(
        "{tag} in OCI layout {}",
        dir.display()
    )))
}

/// Reads the manifest or index `descriptor` points at, descending through indexes by platform.
fn resolve(
    root: &Root,
    descriptor: &Descriptor,
    platform: &Platform,
    depth: usize,
) -> Result<ResolvedManifest> {
    let dir = root.path();
    let media_type = descriptor.media_type().to_string();
    let bytes = read_manifest_blob(root, descriptor)?;
    let digest = descriptor_digest(descriptor)?;
    match parse_manifest(&bytes, Some(&media_type))
        .map_err(|err| in_file(dir, &blob_path(&digest), err))?
    {
        Manifest::Image { config, layers } => Ok(ResolvedManifest {
            digest,
            media_type,
            bytes,
            config,
            layers,
        }),
        Manifest::Index { manifests } => {
            if depth >= MAX_INDEX_DEPTH {
                return Err(StorageError::InvalidLayout {
                    path: dir.to_path_buf(),
                    reason: format!(
                        "index {digest} is nested more than {MAX_INDEX_DEPTH} indexes deep"
                    ),
                });
            }
            let chosen = select_platform(&manifests, platform)?;
            resolve(root, chosen, platform, depth + 1)
        }
    }
}

/// A manifest blob, checked against its descriptor's size (before reading) and digest.
fn read_manifest_blob(root: &Root, descriptor: &Descriptor) -> Result<Vec<u8>> {
    let dir = root.path();
    let digest = descriptor_digest(descriptor)?;
    let media_type = descriptor.media_type().to_string();
    if !is_image_manifest_type(&media_type) && !is_index_type(&media_type) {
        return Err(StorageError::Unsupported {
            what: "media type",
            reason: format!(
                "{digest} has media type {media_type:?}, not an image manifest or index"
            ),
        });
    }
    let rel = blob_path(&digest);
    let size = usize::try_from(descriptor.size()).unwrap_or(usize::MAX);
    if size > MAX_MANIFEST_SIZE {
        return Err(StorageError::InvalidLayout {
            path: dir.to_path_buf(),
            reason: format!(
                "manifest {digest} claims {size} bytes, over the {MAX_MANIFEST_SIZE} byte limit"
            ),
        });
    }
    let bytes = read_limited(root, &rel, size as u64)?;
    if bytes.len() != size {
        return Err(StorageError::InvalidLayout {
            path: dir.to_path_buf(),
            reason: format!(
                "{rel} has {} bytes, its descriptor says {size}",
                bytes.len()
            ),
        });
    }
    let actual = Digest::of(&bytes);
    if actual != digest {
        return Err(StorageError::DigestMismatch {
            what: "manifest",
            expected: digest.to_string(),
            actual: actual.to_string(),
        });
    }
    Ok(bytes)
}
