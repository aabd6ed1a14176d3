//! The overlay driver.

use super::{Driver, DriverKind, LayerDir};
use crate::error::{Result, StorageError};
use crate::fsutil::{create_dir_all, remove_dir_all};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use std::path::{Path, PathBuf};

/// Overlay mounts take their options in one page; the lower layers are named by short links
/// relative to the store root so that about 140 layers fit.
const MAX_OPTIONS_LEN: usize = 4095;

#[derive(Debug)]
pub(crate) struct OverlayDriver {
    root: PathBuf,
}

impl OverlayDriver {
    pub fn new(root: &Path) -> Result<Self> {
        let filesystems = std::fs::read_to_string("/proc/filesystems")
            .map_err(|e| StorageError::io("read", "/proc/filesystems", e))?;
        if !filesystems
            .lines()
            .any(|l| l.split_whitespace().last() == Some("overlay"))
        {
            return Err(StorageError::Unsupported {
                what: "storage driver",
                reason: "the kernel has no overlay filesystem".into(),
            });
        }
        Ok(OverlayDriver {
            root: root.to_path_buf(),
        })
    }

    /// Mounts a small overlay in `dir` (a locked staging directory of the store, so that no
    /// repair removes it meanwhile) to check that this filesystem supports it as upper and
    /// work directory.
    pub fn probe(&self, dir: &Path) -> Result<()> {
        for d in ["lower", "upper", "work", "merged"] {
            create_dir_all(&dir.join(d))?;
        }
        let options = format!(
            "lowerdir={},upperdir={},workdir={}",
            dir.join("lower").display(),
            dir.join("upper").display(),
            dir.join("work").display()
        );
        let target = dir.join("merged");
        mount(
            Some("overlay"),
            &target,
            Some("overlay"),
            MsFlags::empty(),
            Some(options.as_str()),
        )
        .map_err(|e| StorageError::io("mount overlay", &target, e.into()))?;
        umount2(&target, MntFlags::MNT_DETACH)
            .map_err(|e| StorageError::io("unmount", &target, e.into()))
    }

    /// Mounts an overlay at `target` with `layers` (bottom first) as lower directories, named
    /// by their links relative to the store root. `chdir` is process-wide, so the mount runs
    /// on a thread of its own that first unshares its filesystem attributes.
    fn mount_overlay(
        &self,
        layers: &[LayerDir],
        upper_work: Option<(&Path, &Path)>,
        volatile: bool,
        target: &Path,
    ) -> Result<()> {
        let mut lowers: Vec<String> = layers
            .iter()
            .rev()
            .map(|l| format!("l/{}", l.link))
            .collect();
        if lowers.len() < 2 && upper_work.is_none() {
            // A read-only overlay needs two lower directories.
            lowers.push("empty".to_string());
        }
        if lowers.is_empty() {
            lowers.push("empty".to_string());
        }
        let mut options = format!("lowerdir={}", lowers.join(":"));
        if let Some((upper, work)) = upper_work {
            options.push_str(&format!(
                ",upperdir={},workdir={}",
                upper.display(),
                work.display()
            ));
            if volatile {
                options.push_str(",volatile");
            }
        }
        if options.len() > MAX_OPTIONS_LEN {
            return Err(StorageError::Unsupported {
                what: "layer count",
                reason: format!("{} layers do not fit in one overlay mount", layers.len()),
            });
        }
        let root = self.root.clone();
        let target = target.to_path_buf();
        std::thread::scope(|s| {
            s.spawn(|| -> Result<()> {
                nix::sched::unshare(nix::sched::CloneFlags::CLONE_FS).map_err(|e| {
                    StorageError::io("unshare filesystem attributes", &root, e.into())
                })?;
                nix::unistd::chdir(&root)
                    .map_err(|e| StorageError::io("chdir", &root, e.into()))?;
                let flags = if upper_work.is_none() {
                    MsFlags::MS_RDONLY
                } else {
                    MsFlags::empty()
                };
                mount(
                    Some("overlay"),
                    &target,
                    Some("overlay"),
                    flags,
                    Some(options.as_str()),
                )
                .map_err(|e| StorageError::io("mount overlay", &target, e.into()))
            })
            .join()
            .unwrap_or_else(|_| {
                Err(StorageError::io(
                    "mount overlay",
                    &target,
                    std::io::Error::other("mount thread panicked"),
                ))
            })
        })
    }
}

impl Driver for OverlayDriver {
    fn kind(&self) -> DriverKind {
        DriverKind::Overlay
    }

    fn create(&self, dir: &Path, _layers: &[LayerDir]) -> Result<()> {
        for d in ["upper", "work", "merged"] {
            create_dir_all(&dir.join(d))?;
        }
        Ok(())
    }

    fn mount(&self, dir: &Path, layers: &[LayerDir], volatile: bool) -> Result<PathBuf> {
        let target = dir.join("merged");
        let (upper, work) = (dir.join("upper"), dir.join("work"));
        if volatile {
            // The kernel leaves this behind a volatile mount and refuses to mount the same
            // upper and work directories again while it is there; a volatile container's
            // changes are taken as they are (as containers/storage does).
            remove_dir_all(&work.join("work/incompat/volatile"))?;
            match self.mount_overlay(layers, Some((&upper, &work)), true, &target) {
                Err(StorageError::Io { source, .. })
                    if source.raw_os_error() == Some(nix::libc::EINVAL) =>
                {
                    tracing::debug!("overlay refused the volatile option; mounting without it");
                }
                other => return other.map(|()| target),
            }
        }
        self.mount_overlay(layers, Some((&upper, &work)), false, &target)?;
        Ok(target)
    }

    fn unmount(&self, dir: &Path) -> Result<()> {
        let target = dir.join("merged");
        match umount2(&target, MntFlags::MNT_DETACH) {
            Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => Ok(()),
            Err(e) => Err(StorageError::io("unmount", &target, e.into())),
        }
    }

    fn rw_dir(&self, dir: &Path) -> PathBuf {
        dir.join("upper")
    }

    fn mount_read_only(&self, dir: &Path, layers: &[LayerDir]) -> Result<PathBuf> {
        let target = dir.join("merged");
        create_dir_all(&target)?;
        self.mount_overlay(layers, None, false, &target)?;
        Ok(target)
    }
}
