//! What `Store::open` repairs after a crash. Runs under the writer lock, so no live operation
//! of another process is half-committed while it looks.

use super::Store;
use super::layers::COMPLETE_MARK;
use super::lock::{StoreLockGuard, remove_abandoned_staging};
use super::metadata::Metadata;
use super::problems::StoreProblem;
use crate::error::{Result, StorageError};
use crate::fsutil::{remove_dir_all, volatile_write};
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

/// The kernel's ID of this boot.
const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// Drops what a run root that outlived a reboot (one not on a tmpfs) says of the boot before:
/// its mount counts and volatile containers' records, as a tmpfs would have. The run root
/// remembers its boot in `boot-id`; a run root without one is taken as this boot's.
pub(crate) fn forget_previous_boot(run_root: &Path) -> Result<()> {
    let Ok(boot) = fs::read_to_string(BOOT_ID) else {
        return Ok(());
    };
    let stamp = run_root.join("boot-id");
    match fs::read_to_string(&stamp) {
        Ok(stamped) if stamped == boot => return Ok(()),
        Ok(stamped) => {
            tracing::info!(
                previous = stamped.trim(),
                "the run root outlived a reboot: forgetting its mounts and volatile containers"
            );
            remove_dir_all(&run_root.join("mounts"))?;
            fs::create_dir_all(run_root.join("mounts"))
                .map_err(|e| StorageError::io("create directory", run_root.join("mounts"), e))?;
            let volatile = run_root.join("volatile-containers.json");
            match fs::remove_file(&volatile) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(StorageError::io("remove", volatile, e));
                }
                _ => {}
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(StorageError::io("read", stamp, e)),
    }
    volatile_write(&stamp, boot.as_bytes())
}

fn list(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(|e| StorageError::io("read directory", dir, e))?;
    Ok(entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

impl Store {
    /// Checks the store's consistency, as `podman system check` does, and returns the problems
    /// found (empty when the store is sound): records without their files, layers whose files
    /// are not whole, layer links that do not point at their layer, blobs whose content does
    /// not match their digest, leftovers that no record owns.
    pub fn check(&self) -> Result<Vec<StoreProblem>> {
        let meta = self.read()?;
        let root = self.root();
        let mut problems = Vec::new();
        for image in meta.images.values() {
            for blob in image.blobs() {
                if let Err(e) = self.blobs().open(blob).and_then(|f| verify_blob(f, blob)) {
                    problems.push(StoreProblem::BadBlob {
                        image: image.id,
                        blob: *blob,
                        reason: e.to_string(),
                    });
                }
            }
            for layer in &image.layers {
                if !meta.layers.contains_key(layer) {
                    problems.push(StoreProblem::LayerNotRecorded {
                        image: image.id,
                        layer: *layer,
                    });
                }
            }
        }
        for layer in meta.layers.values() {
            let dir = self.layer_dir(&layer.chain_id);
            let diff = dir.join("diff");
            if !diff.is_dir() {
                problems.push(StoreProblem::LayerMissing {
                    layer: layer.chain_id,
                    path: diff.clone(),
                });
            } else if !self.layer_is_complete(&layer.chain_id) {
                problems.push(StoreProblem::LayerIncomplete {
                    layer: layer.chain_id,
                    mark: dir.join(COMPLETE_MARK),
                });
            }
            let linked = fs::canonicalize(root.join("l").join(&layer.link)).ok();
            if linked.is_none() || linked != fs::canonicalize(&diff).ok() {
                problems.push(StoreProblem::LayerLinkBroken {
                    layer: layer.chain_id,
                    link: layer.link.clone(),
                });
            }
        }
        for container in meta.containers.values() {
            if !root.join("containers").join(&container.id).is_dir() {
                problems.push(StoreProblem::ContainerMissing {
                    container: container.id.clone(),
                });
            }
        }
        let known: BTreeSet<String> = meta.layers.keys().map(|d| d.hex()).collect();
        for name in list(&root.join("layers"))? {
            if !known.contains(&name) {
                problems.push(StoreProblem::LayerDirNotRecorded { name });
            }
        }
        let needed: BTreeSet<_> = meta
            .images
            .values()
            .flat_map(|i| i.blobs())
            .copied()
            .collect();
        for blob in self.blobs().list()? {
            if !needed.contains(&blob) {
                problems.push(StoreProblem::BlobNotUsed { blob });
            }
        }
        Ok(problems)
    }
}

fn verify_blob(file: fs::File, digest: &crate::Digest) -> Result<()> {
    let mut reader = crate::digest::HashingReader::new(std::io::BufReader::new(file));
    std::io::copy(&mut reader, &mut std::io::sink())
        .map_err(|e| StorageError::io("read blob", digest.to_string(), e))?;
    if &reader.digest() != digest {
        return Err(StorageError::DigestMismatch {
            what: "stored blob",
            expected: digest.to_string(),
            actual: reader.digest().to_string(),
        });
    }
    Ok(())
}
