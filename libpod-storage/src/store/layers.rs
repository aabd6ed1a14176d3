//! Layers in the store: chain IDs, staging a layer from a blob, committing staged layers.

use super::Store;
use super::lock::StoreLockGuard;
use super::metadata::{LayerRecord, Metadata};
use super::trash::Trash;
use crate::blob::{BlobWriter, StagedBlob, TeeReader};
use crate::digest::Digest;
use crate::driver::LayerDir;
use crate::error::{Result, StorageError};
use crate::fsutil::{create_dir_all, random_name, sync_dir, volatile_write};
use crate::layer::{AppliedLayer, apply_layer};
use libpod_fs::now_rfc3339;
use std::fs;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// The file in a layer's directory (`layers/HEX/complete`) that says its files are whole:
/// written after extraction and after they were synced, before the layer is recorded. A
/// layer's files are reused only when it is there.
pub(crate) const COMPLETE_MARK: &str = "complete";

/// The chain IDs of a stack of diff IDs (bottom first), as the OCI image spec defines them:
/// the first is its diff ID, each next one `sha256(parent + " " + diff_id)`.
///
/// ```
/// use libpod_storage::{Digest, store::chain_ids};
/// let a = Digest::of(b"a");
/// let b = Digest::of(b"b");
/// let chain = chain_ids(&[a, b]);
/// assert_eq!(chain[0], a);
/// assert_eq!(chain[1], Digest::of(format!("{a} {b}").as_bytes()));
/// ```
pub fn chain_ids(diff_ids: &[Digest]) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(diff_ids.len());
    for diff_id in diff_ids {
        let next = match out.last() {
            None => *diff_id,
            Some(parent) => Digest::of(format!("{parent} {diff_id}").as_bytes()),
        };
        out.push(next);
    }
    out
}

/// A layer unpacked into a staging directory, with the blob it came from.
#[derive(Debug)]
pub(crate) struct StagedLayer {
    /// `<staging>/layer-N`, holding `diff/`.
    pub dir: PathBuf,
    pub applied: AppliedLayer,
    /// The blob as read (stored so that the image can be saved with identical digests).
    pub blob: StagedBlob,
}

/// Unpacks the blob read from `content` into a new directory under `staging`, keeping a copy of
/// the blob; both verified against `expected_blob` when given.
pub(crate) fn stage_layer(
    staging: &Path,
    content: impl Read,
    expected_blob: Option<&Digest>,
) -> Result<StagedLayer> {
    let dir = staging.join(format!("layer-{}", random_name(8)));
    let diff = dir.join("diff");
    create_dir_all(&diff)?;
    let mut tee = TeeReader {
        inner: content,
        writer: BlobWriter::create(staging)?,
    };
    let applied = apply_layer(&mut tee, &diff)?;
    // apply_layer reads to the end of the stream, so the copy is the whole blob.
    let blob = tee.writer.finish(expected_blob)?;
    debug_assert_eq!(blob.digest, applied.compressed_digest);
    Ok(StagedLayer { dir, applied, blob })
}

impl Store {
    /// The directories of a stack of layers, bottom first.
    pub(crate) fn layer_dirs(&self, meta: &Metadata, chain: &[Digest]) -> Result<Vec<LayerDir>> {
        chain
            .iter()
            .map(|id| {
                let record = meta
                    .layers
                    .get(id)
                    .ok_or_else(|| StorageError::LayerNotKnown(id.to_string()))?;
                Ok(LayerDir {
                    dir: self.layer_dir(id).join("diff"),
                    link: record.link.clone(),
                })
            })
            .collect()
    }

    /// Whether the layer's files are whole: its completeness mark is there.
    pub(crate) fn layer_is_complete(&self, chain_id: &Digest) -> bool {
        fs::symlink_metadata(self.layer_dir(chain_id).join(COMPLETE_MARK))
            .is_ok_and(|m| m.is_file())
    }

    /// Moves a staged (and sealed, see [`seal_layers`]) layer into the store as `chain_id` on
    /// `parent` and records it. Runs under the writer lock, inside a commit. A whole layer that
    /// another operation committed meanwhile is kept and ours discarded; files that are not
    /// whole (no completeness mark: an interrupted extraction or removal) are replaced by ours.
    pub(crate) fn commit_layer(
        &self,
        meta: &mut Metadata,
        _guard: &StoreLockGuard<'_>,
        staged: &StagedLayer,
        chain_id: Digest,
        parent: Option<Digest>,
    ) -> Result<()> {
        let existing = meta.layers.get(&chain_id);
        if existing.is_some() && self.layer_is_complete(&chain_id) {
            return Ok(());
        }
        let dest = self.layer_dir(&chain_id);
        // Files without a record (a leftover of a crash) or without their mark: out of the
        // store, into our staging directory, which is deleted after the lock is released.
        let replaced = staged
            .dir
            .with_file_name(format!("replaced-{}", chain_id.hex()));
        match fs::rename(&dest, &replaced) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StorageError::io("rename", &dest, e));
            }
            Ok(()) => {
                tracing::warn!(layer = %chain_id, "replacing layer files not known to be whole")
            }
            Err(_) => {}
        }
        fs::rename(&staged.dir, &dest).map_err(|e| StorageError::io("rename", &dest, e))?;
        // A replaced layer keeps its link: mounts name their lower layers by it.
        let link = match existing {
            Some(record) => record.link.clone(),
            None => random_name(26),
        };
        let link_path = self.root().join("l").join(&link);
        if fs::symlink_metadata(&link_path).is_err() {
            std::os::unix::fs::symlink(
                Path::new("../layers").join(chain_id.hex()).join("diff"),
                &link_path,
            )
            .map_err(|e| StorageError::io("create link", &link_path, e))?;
        }
        volatile_write(&dest.join("link"), link.as_bytes())?;
        sync_dir(&self.root().join("layers"))?;
        sync_dir(&self.root().join("l"))?;
        meta.layers.insert(
            chain_id,
            LayerRecord {
                chain_id,
                diff_id: staged.applied.diff_id,
                parent,
                size: staged.applied.size,
                link,
                created: now_rfc3339(),
            },
        );
        Ok(())
    }

    /// Moves a layer's directory into `trash` and removes its link, once its record is
    /// committed away (see [`trash`](super::trash)).
    pub(crate) fn trash_layer_files(
        &self,
        record: &LayerRecord,
        trash: &Trash,
        guard: &StoreLockGuard<'_>,
    ) -> Result<()> {
        let link = self.root().join("l").join(&record.link);
        match fs::remove_file(&link) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StorageError::io("remove", link, e));
            }
            _ => {}
        }
        trash.take(
            &self.layer_dir(&record.chain_id),
            &format!("layer-{}", record.chain_id.hex()),
            guard,
        )
    }
}

/// Stores written before completeness marks existed: every layer they recorded is taken as
/// whole, as that version did, and gets its mark, then the layers' contents (never synced by
/// that version) and the marks are synced. Runs under the writer lock, in the same commit that
/// records the store's driver: a store whose driver is recorded has its layers marked.
pub(super) fn mark_legacy_layers(root: &Path, meta: &mut Metadata) -> Result<()> {
    let whole: Vec<PathBuf> = meta
        .layers
        .keys()
        .map(|id| root.join("layers").join(id.hex()))
        .filter(|dir| dir.join("diff").is_dir())
        .collect();
    for dir in &whole {
        write_complete_mark(dir)?;
    }
    sync_filesystem(root)?;
    tracing::info!(
        layers = whole.len(),
        "marked the layers of an earlier version as complete"
    );
    meta.layers_marked = true;
    Ok(())
}

/// Makes staged layers durable and marks each whole, before the commit that records them:
/// each layer's completeness mark, then one `syncfs` of the store's filesystem for all their
/// files and marks (an fsync per file would cost far more). A staged mark means nothing until
/// the commit: a crash before it throws the staging directory away.
pub(crate) fn seal_layers<'a>(layers: impl IntoIterator<Item = &'a StagedLayer>) -> Result<()> {
    let layers: Vec<&StagedLayer> = layers.into_iter().collect();
    let Some(first) = layers.first() else {
        return Ok(());
    };
    for layer in &layers {
        write_complete_mark(&layer.dir)?;
    }
    sync_filesystem(&first.dir)
}

/// `syncfs` of the filesystem holding `path`.
fn sync_filesystem(path: &Path) -> Result<()> {
    let dir = fs::File::open(path).map_err(|e| StorageError::io("open", path, e))?;
    nix::unistd::syncfs(&dir).map_err(|e| StorageError::io("syncfs", path, e.into()))
}

/// Writes the completeness mark of the layer directory `dir`.
fn write_complete_mark(dir: &Path) -> Result<()> {
    let mark = dir.join(COMPLETE_MARK);
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&mark)
        .map(drop)
        .map_err(|e| StorageError::io("create", &mark, e))
}
