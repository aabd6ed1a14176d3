//! Container storage: a read-write layer over an image, mounted with a mount count.

use super::Store;
use super::metadata::{ContainerRecord, ImageRecord};
use super::trash::Trash;
use crate::driver::DriverKind;
use crate::error::{Result, StorageError};
use crate::fsutil::{remove_dir_all, tree_size, volatile_write};
use crate::layer::{Change, TarOptions, changes_between, overlay_changes, write_tar};
use crate::mountinfo;
use libpod_fs::now_rfc3339;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A container's storage as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContainerStorage {
    /// The container's record.
    pub record: ContainerRecord,
    /// The container's directory (upper, work, merged or rootfs).
    pub dir: PathBuf,
}

fn valid_id(id: &str) -> Result<()> {
    if id.is_empty()
        || id.len() > 128
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(StorageError::invalid(
            "container ID",
            id,
            "expected letters, digits, - or _",
        ));
    }
    Ok(())
}

/// How a container's storage is made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ContainerOptions {
    /// A container that does not outlive the boot, for containers removed when they exit (as
    /// Podman does for `--rm`). Its record is kept in the run root and written without
    /// syncs (making or removing it costs no fsync, and a reboot forgets it: the next open
    /// removes its directory), and overlay mounts it with the `volatile` option (no syncs
    /// at all; ignored by vfs, and by kernels without the option, before 5.10).
    pub volatile: bool,
}

impl ContainerOptions {
    /// Sets [`volatile`](ContainerOptions::volatile).
    #[must_use]
    pub fn volatile(mut self, volatile: bool) -> Self {
        self.volatile = volatile;
        self
    }
}

impl Store {
    fn container_dir(&self, id: &str) -> PathBuf {
        self.root().join("containers").join(id)
    }

    fn mount_count_path(&self, key: &str) -> PathBuf {
        self.run_root().join("mounts").join(key)
    }

    pub(crate) fn mount_count(&self, key: &str) -> u32 {
        fs::read_to_string(self.mount_count_path(key))
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0)
    }

    /// The mounts recorded for `key` if `target` really is mounted, else 0 (after an outside
    /// `umount`, a kill between an unmount and the count's update, or a mount made in another
    /// mount namespace): the caller then mounts again and the count starts over. Looks only
    /// when a count is recorded and the driver mounts (not vfs).
    pub(crate) fn checked_mount_count(&self, key: &str, target: &Path) -> Result<u32> {
        let count = self.mount_count(key);
        if count == 0 || self.driver() == DriverKind::Vfs {
            return Ok(count);
        }
        // The kernel reports mount points by their canonical paths.
        let canonical = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        if mountinfo::is_mounted(&canonical)? {
            return Ok(count);
        }
        tracing::warn!(
            key,
            path = %target.display(),
            count,
            "recorded as mounted but not mounted: mounting again"
        );
        Ok(0)
    }

    pub(crate) fn set_mount_count(&self, key: &str, count: u32) -> Result<()> {
        let path = self.mount_count_path(key);
        if count == 0 {
            return match fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(StorageError::io("remove", path, e))
                }
                _ => Ok(()),
            };
        }
        volatile_write(&path, count.to_string().as_bytes())
    }

    /// Creates storage for container `id` on `image` (or on no layers at all).
    pub fn create_container(&self, id: &str, image: Option<&str>) -> Result<ContainerStorage> {
        self.create_container_with(id, image, &ContainerOptions::default())
    }

    /// [`create_container`](Store::create_container) with options.
    ///
    /// ```no_run
    /// # let store = libpod_storage::Store::open(libpod_storage::StoreOptions::new("/var/lib/x", "/run/x"))?;
    /// let options = libpod_storage::ContainerOptions::default().volatile(true);
    /// store.create_container_with("scratch", Some("localhost/busybox"), &options)?;
    /// # Ok::<(), libpod_storage::StorageError>(())
    /// ```
    pub fn create_container_with(
        &self,
        id: &str,
        image: Option<&str>,
        options: &ContainerOptions,
    ) -> Result<ContainerStorage> {
        valid_id(id)?;
        let meta = self.read()?;
        if meta.containers.contains_key(id) {
            return Err(StorageError::invalid(
                "container ID",
                id,
                "container storage already exists",
            ));
        }
        let image: Option<ImageRecord> = image
            .map(|name| self.find_image(&meta, name).cloned())
            .transpose()?;
        let layers = image.as_ref().map(|i| i.layers.clone()).unwrap_or_default();
        let record = ContainerRecord {
            id: id.to_string(),
            image: image.map(|i| i.id),
            layers,
            created: now_rfc3339(),
            volatile: options.volatile,
        };
        let dir = self.container_dir(id);
        // Made in place under the writer lock (a few directories): a crash before the commit
        // leaves a directory no record owns and this staging directory abandoned, a dirty
        // mark that makes the next open repair (removing the directory).
        let _dirty_mark = self.staging()?;
        self.update(|meta, _| {
            if meta.containers.contains_key(id) {
                return Err(StorageError::invalid(
                    "container ID",
                    id,
                    "container storage already exists",
                ));
            }
            for layer in &record.layers {
                if !meta.layers.contains_key(layer) {
                    return Err(StorageError::LayerNotKnown(layer.to_string()));
                }
            }
            remove_dir_all(&dir)?;
            let made = fs::create_dir(&dir)
                .map_err(|e| StorageError::io("create directory", &dir, e))
                .and_then(|()| {
                    let layer_dirs = self.layer_dirs(meta, &record.layers)?;
                    self.inner.driver.create(&dir, &layer_dirs)
                })
                .and_then(|()| match record.volatile {
                    true => super::owner::record_owner(&dir, self.run_root()),
                    false => Ok(()),
                });
            if let Err(err) = made {
                let _ = remove_dir_all(&dir);
                return Err(err);
            }
            meta.containers.insert(id.to_string(), record.clone());
            Ok(())
        })?;
        Ok(ContainerStorage { record, dir })
    }

    /// A container's storage.
    pub fn container(&self, id: &str) -> Result<ContainerStorage> {
        let meta = self.read()?;
        let record = meta
            .containers
            .get(id)
            .ok_or_else(|| StorageError::ContainerNotKnown(id.to_string()))?;
        Ok(ContainerStorage {
            record: record.clone(),
            dir: self.container_dir(id),
        })
    }

    /// Every container's storage record (volatile ones included). Cheap: served from the
    /// records as last read, re-read only when `store.json` or the volatile records changed.
    pub fn containers(&self) -> Result<Vec<ContainerRecord>> {
        Ok(self.read()?.containers.values().cloned().collect())
    }

    /// Mounts the container's root filesystem (if this is the first mount) and returns its path.
    pub fn mount_container(&self, id: &str) -> Result<PathBuf> {
        let guard = self.inner.lock.lock()?;
        let meta = self.read_locked(&guard)?;
        let record = meta
            .containers
            .get(id)
            .ok_or_else(|| StorageError::ContainerNotKnown(id.to_string()))?;
        let dir = self.container_dir(id);
        let count = self.checked_mount_count(id, &dir.join("merged"))?;
        // Counted before the mount: a kill in between leaves a count that the next mount
        // finds unmounted (and mounts), never a mount that nothing counts.
        self.set_mount_count(id, count + 1)?;
        if count > 0 {
            return Ok(self.rootfs_path(&dir));
        }
        let layers = self.layer_dirs(&meta, &record.layers);
        match layers.and_then(|layers| self.inner.driver.mount(&dir, &layers, record.volatile)) {
            Ok(path) => Ok(path),
            Err(e) => {
                let _ = self.set_mount_count(id, 0);
                Err(e)
            }
        }
    }

    /// Drops one mount of the container (all of them with `force`), unmounting at zero.
    /// Returns how many mounts remain.
    pub fn unmount_container(&self, id: &str, force: bool) -> Result<u32> {
        let guard = self.inner.lock.lock()?;
        let meta = self.read_locked(&guard)?;
        if !meta.containers.contains_key(id) {
            return Err(StorageError::ContainerNotKnown(id.to_string()));
        }
        let count = self.mount_count(id);
        let remaining = if force { 0 } else { count.saturating_sub(1) };
        if remaining == 0 {
            self.inner.driver.unmount(&self.container_dir(id))?;
        }
        self.set_mount_count(id, remaining)?;
        Ok(remaining)
    }

    /// Whether the container's storage is mounted, and how many times.
    pub fn container_mount_count(&self, id: &str) -> u32 {
        self.mount_count(id)
    }

    fn rootfs_path(&self, dir: &std::path::Path) -> PathBuf {
        match self.driver() {
            DriverKind::Vfs => dir.join("rootfs"),
            _ => dir.join("merged"),
        }
    }

    /// Unmounts and deletes a container's storage.
    ///
    /// Crash-safe: the record goes first; the directory is then moved under the writer lock
    /// into a trash (a staging directory under `tmp/`) and deleted after the lock. A removal that fails before
    /// its commit leaves the storage whole and can be retried; once the record is gone, this
    /// returns [`StorageError::ContainerNotKnown`].
    pub fn remove_container(&self, id: &str) -> Result<()> {
        let dir = self.container_dir(id);
        let trash = Trash::new(self)?;
        self.update_then(
            |meta, _| {
                if !meta.containers.contains_key(id) {
                    return Err(StorageError::ContainerNotKnown(id.to_string()));
                }
                self.inner.driver.unmount(&dir)?;
                self.set_mount_count(id, 0)?;
                meta.containers.remove(id);
                Ok(())
            },
            |(), guard| trash.take(&dir, &format!("container-{id}"), guard),
        )?;
        drop(trash);
        Ok(())
    }

    /// The size of the container's image layers (the seed's `rootFsSize`).
    pub fn container_rootfs_size(&self, id: &str) -> Result<u64> {
        let meta = self.read()?;
        let record = meta
            .containers
            .get(id)
            .ok_or_else(|| StorageError::ContainerNotKnown(id.to_string()))?;
        Ok(record
            .layers
            .iter()
            .filter_map(|l| meta.layers.get(l))
            .map(|l| l.size)
            .sum())
    }

    /// The size of the container's own changes (the seed's `rwSize`).
    pub fn container_rw_size(&self, id: &str) -> Result<u64> {
        self.container(id)?;
        tree_size(&self.inner.driver.rw_dir(&self.container_dir(id)))
    }

    /// The container's changes against its image, as `podman diff` lists them.
    pub fn container_changes(&self, id: &str) -> Result<Vec<Change>> {
        let meta = self.read()?;
        let record = meta
            .containers
            .get(id)
            .ok_or_else(|| StorageError::ContainerNotKnown(id.to_string()))?;
        let dir = self.container_dir(id);
        let layers = self.layer_dirs(&meta, &record.layers)?;
        match self.driver() {
            DriverKind::Vfs => {
                let staging = self.staging()?;
                let image_root = self.inner.driver.mount_read_only(staging.path(), &layers)?;
                changes_between(&image_root, &dir.join("rootfs"))
            }
            _ => {
                let lowers: Vec<&std::path::Path> =
                    layers.iter().rev().map(|l| l.dir.as_path()).collect();
                overlay_changes(&dir.join("upper"), &lowers)
            }
        }
    }

    /// Writes the container's whole root filesystem as a tar stream (`podman export`).
    pub fn export_container(&self, id: &str, writer: impl Write) -> Result<()> {
        let root = self.mount_container(id)?;
        let result = write_tar(&root, writer, &TarOptions::default());
        let unmounted = self.unmount_container(id, false);
        result.and(unmounted.map(|_| ()))
    }
}
