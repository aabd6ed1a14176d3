//! The vfs driver: every container gets a full copy of its image's layers.

use super::{Driver, DriverKind, LayerDir};
use crate::error::Result;
use crate::fsutil::{create_dir_all, remove_dir_all};
use crate::layer::merge_layer_into;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub(crate) struct VfsDriver;

fn copy_layers(target: &Path, layers: &[LayerDir]) -> Result<()> {
    create_dir_all(target)?;
    for layer in layers {
        merge_layer_into(&layer.dir, target)?;
    }
    Ok(())
}

impl Driver for VfsDriver {
    fn kind(&self) -> DriverKind {
        DriverKind::Vfs
    }

    fn create(&self, dir: &Path, layers: &[LayerDir]) -> Result<()> {
        copy_layers(&dir.join("rootfs"), layers)
    }

    fn mount(&self, dir: &Path, _layers: &[LayerDir], _volatile: bool) -> Result<PathBuf> {
        Ok(dir.join("rootfs"))
    }

    fn unmount(&self, _dir: &Path) -> Result<()> {
        Ok(())
    }

    fn rw_dir(&self, dir: &Path) -> PathBuf {
        dir.join("rootfs")
    }

    fn mount_read_only(&self, dir: &Path, layers: &[LayerDir]) -> Result<PathBuf> {
        let target = dir.join("rootfs");
        remove_dir_all(&target)?;
        copy_layers(&target, layers)?;
        Ok(target)
    }
}
