//! What `Store::open` repairs after a crash. Runs under the writer lock, so no live operation
//! of another process is half-committed while it looks.

use super::Store;
use super::lock::{StoreLockGuard, remove_abandoned_staging};
use super::metadata::Metadata;
use crate::error::{Result, StorageError};
use crate::fsutil::remove_dir_all;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// What a repair removed or restored.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Repaired {
    pub staging: usize,
    pub layers: usize,
    pub links: usize,
    pub containers: usize,
    pub blobs: usize,
}

pub(crate) fn repair(
    store: &Store,
    meta: &Metadata,
    _guard: &StoreLockGuard<'_>,
) -> Result<Repaired> {
    let root = store.root();
    let mut done = Repaired {
        staging: remove_abandoned_staging(&root.join("tmp"))?,
        ..Repaired::default()
    };

    // Layer directories without a record: a commit that died between rename and metadata.
    let known: BTreeSet<String> = meta.layers.keys().map(|d| d.hex()).collect();
    for name in list(&root.join("layers"))? {
        if !known.contains(&name) {
            remove_dir_all(&root.join("layers").join(&name))?;
            done.layers += 1;
        }
    }

    // Links: remove dangling ones, restore missing ones.
    let links: BTreeSet<String> = meta.layers.values().map(|l| l.link.clone()).collect();
    for name in list(&root.join("l"))? {
        if !links.contains(&name) {
            let path = root.join("l").join(&name);
            fs::remove_file(&path).map_err(|e| StorageError::io("remove", &path, e))?;
            done.links += 1;
        }
    }
    for layer in meta.layers.values() {
        let link = root.join("l").join(&layer.link);
        if fs::symlink_metadata(&link).is_err() {
            std::os::unix::fs::symlink(
                Path::new("../layers")
                    .join(layer.chain_id.hex())
                    .join("diff"),
                &link,
            )
            .map_err(|e| StorageError::io("create link", &link, e))?;
            done.links += 1;
        }
    }

    // Container directories without a record.
    for name in list(&root.join("containers"))? {
        if !meta.containers.contains_key(&name) {
            let dir = root.join("containers").join(&name);
            let _ = nix::mount::umount2(&dir.join("merged"), nix::mount::MntFlags::MNT_DETACH);
            remove_dir_all(&dir)?;
            done.containers += 1;
        }
    }

    // Blobs no image needs: written by a commit that died before its metadata.
    let needed: BTreeSet<_> = meta
        .images
        .values()
        .flat_map(|i| i.blobs())
        .copied()
        .collect();
    for blob in store.blobs().list()? {
        if !needed.contains(&blob) {
            store.blobs().remove(&blob)?;
            done.blobs += 1;
        }
    }
    if done != Repaired::default() {
        tracing::info!(?done, "repaired the store after an interrupted operation");
    }
    Ok(done)
}

fn list(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(|e| StorageError::io("read directory", dir, e))?;
    Ok(entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}
