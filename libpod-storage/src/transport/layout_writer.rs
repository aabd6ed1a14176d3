//! Writing images into an OCI image layout directory, crash-safely: every file is written to a
//! temporary name, synced, and renamed into place.

use super::oci_layout::{
    IMAGE_LAYOUT_VERSION, blob_path, check_layout_version, in_layout, open_blob, read_index_json,
};
use crate::digest::{Digest, HashingWriter};
use crate::error::{Result, StorageError};
use crate::manifest::{ANNOTATION_REF_NAME, OCI_INDEX, descriptor_digest};
use libpod_fs::{Durability, Root, TempFile};
use oci_spec::image::Descriptor;
use std::io::{self, Read, Write};
use std::path::Path;

/// The mode of what a layout holds: others may read it (it is meant to be shared).
const LAYOUT_FILE_MODE: u32 = 0o644;
/// The mode of a layout's directories.
const LAYOUT_DIR_MODE: u32 = 0o755;

/// Writes images into an OCI image layout directory (creating it, or adding to it).
///
/// ```
/// use libpod_storage::{Digest, transport::OciLayoutWriter};
/// use oci_spec::image::{Descriptor, MediaType};
/// let dir = tempfile::tempdir()?;
/// let mut writer = OciLayoutWriter::create(dir.path())?;
/// let manifest = br#"{"schemaVersion":2}"#;
/// let digest = Digest::of(manifest);
/// writer.put_blob(&digest, &manifest[..])?;
/// let descriptor = Descriptor::new(MediaType::ImageManifest, manifest.len() as u64, &digest);
/// writer.add_manifest(descriptor, Some("latest"))?;
/// let index = std::fs::read_to_string(dir.path().join("index.json"))?;
/// assert!(index.contains(r#""org.opencontainers.image.ref.name":"latest""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OciLayoutWriter {
    root: Root,
    /// `blobs/sha256`.
    blobs: Root,
    manifests: Vec<Descriptor>,
}

impl OciLayoutWriter {
    /// Creates `dir` as a layout, or opens an existing one to add images to it.
    pub fn create(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|err| StorageError::io("create", dir, err))?;
        let root = Root::open(dir)?;
        match check_layout_version(&root) {
            Ok(()) => {}
            Err(StorageError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                let layout = format!(r#"{{"imageLayoutVersion":"{IMAGE_LAYOUT_VERSION}"}}"#);
                write_atomically(&root, "oci-layout", layout.as_bytes())?;
            }
            Err(err) => return Err(err),
        }
        let blobs = root
            .ensure_dir("blobs/sha256", LAYOUT_DIR_MODE)
            .map_err(in_layout)?;
        let manifests = match read_index_json(&root) {
            Ok(manifests) => manifests,
            Err(StorageError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                Vec::new()
            }
            Err(err) => return Err(err),
        };
        Ok(OciLayoutWriter {
            root,
            blobs,
            manifests,
        })
    }

    /// Stores a blob, verifying that its content has `digest`; a blob already present is kept.
    pub fn put_blob(&mut self, digest: &Digest, content: impl Read) -> Result<()> {
        let rel = blob_path(digest);
        match open_blob(&self.root, digest) {
            Ok(_) => return Ok(()),
            Err(StorageError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        let temp = TempFile::in_root(&self.blobs, digest.hex().as_ref(), LAYOUT_FILE_MODE)?;
        let mut writer = HashingWriter::new(temp.file());
        copy(content, &mut writer)
            .map_err(|err| StorageError::io("write", self.root.path().join(&rel), err))?;
        let actual = writer.digest();
        if actual != *digest {
            return Err(StorageError::DigestMismatch {
                what: "blob",
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(temp.commit(Durability::Full)?)
    }

    /// Adds a manifest (already stored as a blob) to index.json under `tag`, replacing an entry
    /// with the same tag, and writes index.json atomically.
    pub fn add_manifest(&mut self, manifest: Descriptor, tag: Option<&str>) -> Result<()> {
        let digest = descriptor_digest(&manifest)?;
        let rel = blob_path(&digest);
        let stored = open_blob(&self.root, &digest)?
            .metadata()
            .map_err(|err| StorageError::io("stat", self.root.path().join(&rel), err))?
            .len();
        if stored != manifest.size() {
            return Err(StorageError::InvalidValue {
                field: "manifest descriptor",
                value: digest.to_string(),
                reason: format!(
                    "size {} but the stored blob has {stored} bytes",
                    manifest.size()
                ),
            });
        }
        let mut entry = manifest;
        let mut annotations = entry.annotations().clone().unwrap_or_default();
        annotations.remove(ANNOTATION_REF_NAME);
        if let Some(tag) = tag {
            check_tag(tag)?;
            annotations.insert(ANNOTATION_REF_NAME.to_string(), tag.to_string());
        }
        entry.set_annotations((!annotations.is_empty()).then_some(annotations));
        let same_name = |d: &Descriptor| {
            tag.is_some()
                && d.annotations()
                    .as_ref()
                    .and_then(|a| a.get(ANNOTATION_REF_NAME))
                    .map(String::as_str)
                    == tag
        };
        let untagged_same_digest = |d: &Descriptor| {
            d.digest() == entry.digest()
                && d.annotations()
                    .as_ref()
                    .is_none_or(|a| !a.contains_key(ANNOTATION_REF_NAME))
        };
        // Replace in place the entry with this tag (or the same untagged manifest), dropping any
        // other entry with the tag (a hand-made index may have several); else append.
        let position = self
            .manifests
            .iter()
            .position(|d| same_name(d) || untagged_same_digest(d));
        let mut manifests = Vec::with_capacity(self.manifests.len() + 1);
        let mut entry = Some(entry);
        for (i, existing) in self.manifests.iter().enumerate() {
            if Some(i) == position {
                manifests.extend(entry.take());
            } else if !same_name(existing) {
                manifests.push(existing.clone());
            }
        }
        manifests.extend(entry);
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": manifests,
        });
        let bytes = serde_json::to_vec(&index).map_err(|err| StorageError::Json {
            what: "index",
            path: self.root.path().join("index.json"),
            source: err,
        })?;
        write_atomically(&self.root, "index.json", &bytes)?;
        self.manifests = manifests;
        Ok(())
    }

    /// The layout directory.
    pub fn path(&self) -> &Path {
        self.root.path()
    }
}

/// A tag must be usable as `oci:DIR:TAG`: 1-255 reference-like characters (Podman writes
/// names such as `localhost/bb:latest`).
fn check_tag(tag: &str) -> Result<()> {
    let ok = !tag.is_empty()
        && tag.len() <= 255
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-:/@+".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(StorageError::invalid(
            "tag",
            tag,
            "expected 1-255 letters, digits and . _ - : / @ +",
        ))
    }
}

/// Copies everything from `from` to `to` with a large buffer (blobs are often big).
fn copy(mut from: impl Read, to: &mut impl Write) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 << 10];
    let mut total = 0u64;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        to.write_all(&buf[..n])?;
        total += n as u64;
    }
    to.flush()?;
    Ok(total)
}

/// Writes `name` in the layout directory through a synced temporary file and a rename.
fn write_atomically(root: &Root, name: &str, bytes: &[u8]) -> Result<()> {
    let (mode, durability) = (LAYOUT_FILE_MODE, Durability::Full);
    Ok(libpod_fs::replace_at(
        root,
        name.as_ref(),
        bytes,
        mode,
        durability,
    )?)
}
