//! A container's root filesystem and shm: mounting for init, releasing at cleanup, and the
//! user-facing mount, unmount, export and sizes.

use super::{Container, ContainerStatus, Locked, RootfsSource};
use crate::error::{CoreError, Result};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use std::io::Write;
use std::path::PathBuf;

impl Locked<'_> {
    /// Mounts the container's root filesystem (the image's layers under its own, or the
    /// `--rootfs` directory as is) and returns its path.
    pub(crate) fn mount_rootfs(&mut self) -> Result<PathBuf> {
        let path = match &self.config().rootfs {
            Some(RootfsSource::Image { .. }) => {
                self.runtime().storage().mount_container(self.id())?
            }
            Some(RootfsSource::Path(path)) => path.clone(),
            None => {
                return Err(CoreError::InvalidOption {
                    option: "rootfs",
                    reason: format!("container {} has no root filesystem", self.id()),
                });
            }
        };
        self.state.mountpoint = Some(path.clone());
        Ok(path)
    }

    /// Mounts a tmpfs of the configured size on the run directory's `shm`, for /dev/shm.
    pub(crate) fn mount_shm(&self) -> Result<PathBuf> {
        let shm = self.own_shm_path();
        std::fs::create_dir_all(&shm).map_err(|e| CoreError::io("create directory", &shm, e))?;
        let size = self
            .config()
            .spec
            .resources
            .shm_size
            .unwrap_or(self.runtime().engine_config().shm_size);
        let options = format!("mode=1777,size={size}");
        mount(
            Some("shm"),
            &shm,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some(options.as_str()),
        )
        .map_err(|e| CoreError::io("mount shm", &shm, e.into()))?;
        Ok(shm)
    }

    /// Where this container's own shm is mounted (in its run directory).
    pub(crate) fn own_shm_path(&self) -> PathBuf {
        self.runtime().container_run_dir(self.id()).join("shm")
    }

    /// Unmounts shm and the root filesystem, and gives back the mount counts of the volumes
    /// its init mounted. Each is attempted. Only the container's own shm
    /// is unmounted: one that joined another's IPC namespace has the owner's shm in its bind
    /// mounts, and that stays mounted for the owner and its other joiners.
    pub(crate) fn release_storage(&mut self) -> Result<()> {
        let mut failures = Vec::new();
        let own_shm = self.own_shm_path();
        if self.state.bind_mounts.get("/dev/shm") == Some(&own_shm) {
            failures.extend(unmount_shm(&own_shm).err());
        }
        if self.state.mountpoint.is_some() {
            if let Some(RootfsSource::Image { .. }) = &self.config().rootfs
                && let Err(e) = self.runtime().storage().unmount_container(self.id(), false)
            {
                failures.push(e.into());
            }
            self.state.mountpoint = None;
        }
        for name in std::mem::take(&mut self.state.mounted_volumes) {
            failures.extend(crate::volume::local::release(self.runtime(), &name).err());
        }
        super::cleanup::combine(failures)
    }
}

/// Detaches the shm tmpfs at `shm` (a container's own, in its run directory); one that is not
/// mounted, or gone, is fine.
pub(crate) fn unmount_shm(shm: &std::path::Path) -> Result<()> {
    match umount2(shm, MntFlags::MNT_DETACH) {
        Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => Ok(()),
        Err(e) => Err(CoreError::io("unmount shm", shm, e.into())),
    }
}

impl Container {
    /// Mounts the container's root filesystem (counted: each mount needs an unmount) and
    /// returns where.
    pub fn mount(&self) -> Result<PathBuf> {
        let _locked = self.lock()?;
        match &self.config().rootfs {
            Some(RootfsSource::Image { .. }) => {
                Ok(self.runtime().storage().mount_container(self.id())?)
            }
            Some(RootfsSource::Path(path)) => Ok(path.clone()),
            None => Err(CoreError::InvalidOption {
                option: "rootfs",
                reason: format!("container {} has no root filesystem", self.id()),
            }),
        }
    }

    /// Drops one mount of the container's root filesystem.
    pub fn unmount(&self) -> Result<()> {
        let _locked = self.lock()?;
        if let Some(RootfsSource::Image { .. }) = &self.config().rootfs {
            self.runtime()
                .storage()
                .unmount_container(self.id(), false)?;
        }
        Ok(())
    }

    /// Writes the container's root filesystem as a tar stream (`podman export`).
    pub fn export(&self, writer: impl Write) -> Result<()> {
        let locked = self.lock()?;
        if locked.state.status == ContainerStatus::Removing {
            return locked.require("export", &[]);
        }
        drop(locked);
        Ok(self
            .runtime()
            .storage()
            .export_container(self.id(), writer)?)
    }

    /// The size of the container's image layers (Podman's `SizeRootFs` basis).
    pub fn rootfs_size(&self) -> Result<u64> {
        Ok(self.runtime().storage().container_rootfs_size(self.id())?)
    }

    /// The size of the container's own changes (`SizeRw`).
    pub fn rw_size(&self) -> Result<u64> {
        Ok(self.runtime().storage().container_rw_size(self.id())?)
    }
}
