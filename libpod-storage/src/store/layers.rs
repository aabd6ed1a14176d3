//! Layers in the store: chain IDs, staging a layer from a blob, committing staged layers.

use super::Store;
use super::lock::StoreLockGuard;
use super::metadata::{LayerRecord, Metadata};
use crate::blob::{BlobWriter, StagedBlob, TeeReader};
use crate::digest::Digest;
use crate::driver::LayerDir;
use crate::error::{Result, StorageError};
use crate::fsutil::{create_dir_all, now_rfc3339, random_name, remove_dir_all, sync_dir};
use crate::layer::{AppliedLayer, apply_layer};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

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

    /// Moves a staged layer into the store as `chain_id` on `parent` and records it. Runs under
    /// the writer lock, inside a commit. A layer that another operation committed meanwhile is
    /// kept and ours discarded.
    pub(crate) fn commit_layer(
        &self,
        meta: &mut Metadata,
        _guard: &StoreLockGuard<'_>,
        staged: &StagedLayer,
        chain_id: Digest,
        parent: Option<Digest>,
    ) -> Result<()> {
        if meta.layers.contains_key(&chain_id) {
            return Ok(());
        }
        let dest = self.layer_dir(&chain_id);
        // A directory without a record is a leftover of a crashed commit: replace it.
        remove_dir_all(&dest)?;
        fs::rename(&staged.dir, &dest).map_err(|e| StorageError::io("rename", &dest, e))?;
        let link = random_name(26);
        let link_path = self.root().join("l").join(&link);
        std::os::unix::fs::symlink(
            Path::new("../layers").join(chain_id.hex()).join("diff"),
            &link_path,
        )
        .map_err(|e| StorageError::io("create link", &link_path, e))?;
        fs::write(dest.join("link"), &link)
            .map_err(|e| StorageError::io("write", dest.join("link"), e))?;
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

    /// Deletes a layer's directory and link (its record is removed by the caller).
    pub(crate) fn delete_layer_files(&self, record: &LayerRecord) -> Result<()> {
        let link = self.root().join("l").join(&record.link);
        match fs::remove_file(&link) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StorageError::io("remove", link, e));
            }
            _ => {}
        }
        remove_dir_all(&self.layer_dir(&record.chain_id))
    }
}
