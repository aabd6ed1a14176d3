//! The volumes a container mounts: its named volumes (`-v NAME:/dest`, `--mount
//! type=volume`, and the anonymous and image volumes its create named), each mounted if it
//! mounts (its count taken, recorded in the state for cleanup to give back), then, once the
//! spec says who the container runs as, each volume's first-use copy-up and chown, and the
//! `U` option's chown.

use crate::container::{ContainerConfig, Locked};
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use crate::volume::{image, local};
use libpod_spec::parse::VolumeMount;
use oci_spec::runtime::Spec;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

impl Locked<'_> {
    /// The host path of every volume the container mounts, by destination in the container
    /// (as the spec generator looks them up); a volume that mounts is mounted, and recorded
    /// in `mounted_volumes` at once, so that a failure later releases exactly those.
    pub(super) fn volume_paths(
        &mut self,
        mounts: &[VolumeMount],
    ) -> Result<BTreeMap<String, PathBuf>> {
        let rt = self.runtime().clone();
        let mut paths = BTreeMap::new();
        for mount in mounts {
            if let VolumeMount::Named {
                name, destination, ..
            } = mount
            {
                if local::acquire(&rt, name)? {
                    self.state.mounted_volumes.push(name.clone());
                }
                paths.insert(destination.clone(), local::data_dir(&rt, name));
            }
        }
        for (destination, name) in legacy_anonymous(self.config(), mounts) {
            paths.insert(destination, legacy_path(&rt, &name)?);
        }
        Ok(paths)
    }

    /// With the spec generated: each named volume's first use (copy-up from the image at
    /// its destination, then its owner), and the `U` option's recursive chown of a volume's
    /// or bind mount's source to the container's user.
    pub(super) fn prepare_volume_contents(
        &self,
        rootfs: &Path,
        mounts: &[VolumeMount],
        spec: &Spec,
    ) -> Result<()> {
        let rt = self.runtime();
        let user = spec
            .process()
            .as_ref()
            .map_or((0, 0), |p| (p.user().uid(), p.user().gid()));
        for mount in mounts {
            let (source, options) = match mount {
                VolumeMount::Named {
                    name,
                    destination,
                    options,
                } => {
                    let copy = !options.iter().any(|o| o == "nocopy");
                    image::first_use(rt, name, rootfs, destination, copy, user)?;
                    (local::data_dir(rt, name), options.clone())
                }
                VolumeMount::Mount(m) if m.typ().as_deref() == Some("bind") => (
                    m.source().clone().unwrap_or_default(),
                    m.options().clone().unwrap_or_default(),
                ),
                _ => continue,
            };
            if options.iter().any(|o| o == "U") {
                chown_tree(&source, user)?;
            }
        }
        Ok(())
    }
}

/// Gives every entry of the tree at `root` (the root included, symlinks themselves) to
/// `user`, as Podman's `:U` does.
fn chown_tree(root: &Path, user: (u32, u32)) -> Result<()> {
    std::os::unix::fs::lchown(root, Some(user.0), Some(user.1))
        .map_err(|e| CoreError::io("chown", root, e))?;
    let meta = std::fs::symlink_metadata(root).map_err(|e| CoreError::io("stat", root, e))?;
    if !meta.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(root).map_err(|e| CoreError::io("read", root, e))? {
        let entry = entry.map_err(|e| CoreError::io("read", root, e))?;
        chown_tree(&entry.path(), user)?;
    }
    Ok(())
}

/// (destination, directory name) of the anonymous and image volumes of a container created
/// before its create named them (a row of an earlier version): given unrecorded directories
/// under `ROOT/volumes`, as then.
fn legacy_anonymous(config: &ContainerConfig, mounts: &[VolumeMount]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    for mount in mounts {
        match mount {
            VolumeMount::Anonymous { destination, .. } => {
                out.push((destination.clone(), legacy_name(&config.id, destination)));
            }
            VolumeMount::Named { destination, .. } => covered.push(destination.clone()),
            VolumeMount::Mount(m) => covered.push(m.destination().to_string_lossy().into()),
            _ => {}
        }
    }
    if config.spec.image_volume_mode == libpod_spec::ImageVolumeMode::Bind {
        for key in config
            .image_config
            .as_ref()
            .and_then(|c| c.volumes().clone())
            .unwrap_or_default()
        {
            let dest = libpod_spec::generate::image_volume_destination(&key);
            let seen = |d: &String| libpod_spec::generate::image_volume_destination(d) == dest;
            if !covered.iter().any(seen) && !out.iter().any(|(d, _)| d == &dest) {
                let name = legacy_name(&config.id, &dest);
                out.push((dest, name));
            }
        }
    }
    out
}

fn legacy_name(id: &str, destination: &str) -> String {
    libpod_storage::Digest::of(format!("{id}:{destination}").as_bytes()).hex()
}

fn legacy_path(rt: &Runtime, name: &str) -> Result<PathBuf> {
    let volume = local::volumes_dir(rt).join(name);
    crate::runtime::modes::create_private_dir(&local::volumes_dir(rt))?;
    crate::runtime::modes::create_private_dir(&volume)?;
    let path = volume.join("_data");
    std::fs::create_dir_all(&path).map_err(|e| CoreError::io("create volume", &path, e))?;
    Ok(path)
}
