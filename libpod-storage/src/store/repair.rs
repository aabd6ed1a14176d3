//! Repair: what interrupted operations left, removed or restored under the writer lock, so
//! that no live operation of another process is half-committed while it looks.
//!
//! Repair scans every layer, link, container directory and blob, so it runs only when a dirty
//! mark says that an operation may have been interrupted (or when asked, [`Store::repair`]):
//!
//! - an abandoned staging entry in `tmp/`: every operation that changes files outside its
//!   staging directory (a commit renaming layers and blobs into place, a container created in
//!   place, a removal moving files to trash) holds a locked staging directory from before its
//!   first such change until after its commit, so a process that dies in between leaves one
//!   whose lock anyone can take;
//! - a run root that has no `boot-id`, or another boot's: a new run root, or a reboot (whose
//!   volatile containers are over, and which may have lost a staging entry not yet synced).
//!
//! The marks are removed only once the repair is done, so a repair that is itself
//! interrupted runs again.

use super::Store;
use super::layers::COMPLETE_MARK;
use super::lock::{StoreLockGuard, abandoned_staging};
use super::owner::owned_elsewhere;
use super::problems::StoreProblem;
use crate::error::{Result, StorageError};
use crate::fsutil::{read_private, remove_dir_all, volatile_write};
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

/// What a repair removed or restored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Repaired {
    /// Staging entries of operations whose process is gone.
    pub staging: usize,
    /// Layer directories without a record.
    pub layers: usize,
    /// Layer links removed (dangling) or restored (missing).
    pub links: usize,
    /// Container directories without a record.
    pub containers: usize,
    /// Blobs no image needs.
    pub blobs: usize,
}

/// The kernel's ID of this boot.
const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// This boot's ID, if the kernel tells.
pub(super) fn current_boot() -> Option<String> {
    fs::read_to_string(BOOT_ID).ok()
}

/// Whether a dirty mark asks for a repair.
pub(super) fn needed(store: &Store) -> Result<bool> {
    if let Some(boot) = current_boot()
        && stamped_boot(store.run_root())?.as_deref() != Some(boot.as_str())
    {
        return Ok(true);
    }
    Ok(!abandoned_staging(&store.root().join("tmp"))?.is_empty())
}

/// The boot the run root describes, if it says.
fn stamped_boot(run_root: &Path) -> Result<Option<String>> {
    let stamp = run_root.join("boot-id");
    match read_private(&stamp) {
        Ok(stamped) => Ok(Some(String::from_utf8_lossy(&stamped).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StorageError::io("read", stamp, e)),
    }
}

pub(super) fn repair(store: &Store, guard: &StoreLockGuard<'_>) -> Result<Repaired> {
    let root = store.root();
    let abandoned = abandoned_staging(&root.join("tmp"))?;
    let boot = current_boot();
    if let Some(boot) = &boot {
        forget_previous_boot(store.run_root(), boot, guard)?;
    }
    let meta = store.load_locked(guard)?;
    let mut done = Repaired::default();

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

    // Container directories without a record, but for volatile containers whose records
    // live in another run root.
    let boot = boot.unwrap_or_default();
    for name in list(&root.join("containers"))? {
        let dir = root.join("containers").join(&name);
        if !meta.containers.contains_key(&name)
            && !owned_elsewhere(&dir, &name, store.run_root(), &boot)
        {
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

    // The marks go last.
    for entry in abandoned {
        entry.remove()?;
        done.staging += 1;
    }
    if !boot.is_empty() {
        volatile_write(&store.run_root().join("boot-id"), boot.as_bytes())?;
    }
    if done != Repaired::default() {
        tracing::info!(?done, "repaired the store after an interrupted operation");
    }
    Ok(done)
}

/// Drops what a run root that outlived a reboot (one not on a tmpfs) says of the boot before:
/// its mount counts and volatile containers' records, as a tmpfs would have. A run root
/// without a `boot-id` is new (or a tmpfs after a reboot): nothing to drop.
fn forget_previous_boot(run_root: &Path, boot: &str, guard: &StoreLockGuard<'_>) -> Result<()> {
    let Some(stamped) = stamped_boot(run_root)? else {
        return Ok(());
    };
    if stamped == boot {
        return Ok(());
    }
    tracing::info!(
        previous = stamped.trim(),
        "the run root outlived a reboot: forgetting its mounts and volatile containers"
    );
    // Cached records of this process hold the volatile ones: a new generation drops them.
    let writing = guard.begin_write()?;
    remove_dir_all(&run_root.join("mounts"))?;
    crate::fsutil::create_private_dir(&run_root.join("mounts"))?;
    let volatile = run_root.join("volatile-containers.json");
    match fs::remove_file(&volatile) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(StorageError::io("remove", volatile, e));
        }
        _ => {}
    }
    guard.end_write(writing)?;
    Ok(())
}

fn list(dir: &Path) -> Result<Vec<String>> {
    let entries = fs::read_dir(dir).map_err(|e| StorageError::io("read directory", dir, e))?;
    Ok(entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

impl Store {
    /// Repairs the store as an open does after an interrupted operation (see [`Repaired`]),
    /// whether or not a dirty mark asks for it.
    pub fn repair(&self) -> Result<Repaired> {
        let guard = self.inner.lock.lock()?;
        repair(self, &guard)
    }

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
