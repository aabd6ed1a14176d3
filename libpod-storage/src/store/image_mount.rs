//! Read-only mounts of images (`podman image mount`).

use super::Store;
use crate::error::{Result, StorageError};
use std::path::PathBuf;

impl Store {
    fn image_mount_dir(&self, id: &crate::Digest) -> PathBuf {
        self.root().join("image-mounts").join(id.hex())
    }

    /// Mounts the image's layers read-only (first mount only) and returns where.
    pub fn mount_image(&self, image: &str) -> Result<PathBuf> {
        let guard = self.inner.lock.lock()?;
        let meta = self.read_locked(&guard)?;
        let record = self.find_image(&meta, image)?;
        let dir = self.image_mount_dir(&record.id);
        let key = format!("image-{}", record.id.hex());
        let count = self.checked_mount_count(&key, &dir.join("merged"))?;
        // Counted before the mount, as a container's mount is.
        self.set_mount_count(&key, count + 1)?;
        if count > 0 {
            return Ok(self.image_rootfs_path(&dir));
        }
        let mounted = crate::fsutil::create_dir_all(&dir)
            .and_then(|()| self.layer_dirs(&meta, &record.layers))
            .and_then(|layers| self.inner.driver.mount_read_only(&dir, &layers));
        if mounted.is_err() {
            let _ = self.set_mount_count(&key, 0);
        }
        mounted
    }

    /// Drops one mount of the image (all with `force`), unmounting at zero; returns the mounts
    /// that remain.
    pub fn unmount_image(&self, image: &str, force: bool) -> Result<u32> {
        let guard = self.inner.lock.lock()?;
        let meta = self.read_locked(&guard)?;
        let record = self.find_image(&meta, image)?;
        let dir = self.image_mount_dir(&record.id);
        let key = format!("image-{}", record.id.hex());
        let count = self.mount_count(&key);
        if count == 0 && !force {
            return Err(StorageError::invalid("image", image, "it is not mounted"));
        }
        let remaining = if force { 0 } else { count - 1 };
        if remaining == 0 {
            self.inner.driver.unmount(&dir)?;
            crate::fsutil::remove_dir_all(&dir)?;
        }
        self.set_mount_count(&key, remaining)?;
        Ok(remaining)
    }

    fn image_rootfs_path(&self, dir: &std::path::Path) -> PathBuf {
        match self.driver() {
            crate::driver::DriverKind::Vfs => dir.join("rootfs"),
            _ => dir.join("merged"),
        }
    }
}
