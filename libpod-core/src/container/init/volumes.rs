//! The volumes a container mounts: its named and anonymous volumes (`-v`, `--mount
//! type=volume`) and its image's `Volumes`, each prepared on the host, by destination.

use crate::container::ContainerConfig;
use crate::error::Result;
use crate::runtime::Runtime;
use libpod_spec::parse::VolumeMount;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The host path of every volume the container mounts, by destination in the container (as
/// the spec generator looks them up), each volume's directory made if new.
pub(super) fn volume_paths(
    rt: &Runtime,
    config: &ContainerConfig,
    mounts: &[VolumeMount],
) -> Result<BTreeMap<String, PathBuf>> {
    let mut paths = BTreeMap::new();
    for (destination, name) in named_volumes(config, mounts) {
        paths.insert(destination, rt.volume_path(&name)?);
    }
    Ok(paths)
}

/// (destination, volume name) of the container's named and anonymous volumes, from its
/// parsed mounts and the image's `Volumes`.
fn named_volumes(config: &ContainerConfig, mounts: &[VolumeMount]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for mount in mounts {
        match mount {
            VolumeMount::Named {
                name, destination, ..
            } => out.push((destination.clone(), name.clone())),
            VolumeMount::Anonymous { destination, .. } => out.push((
                destination.clone(),
                anonymous_volume_name(&config.id, destination),
            )),
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
            // Keyed as the spec generator looks it up: "/data/" and "/data/." are "/data".
            let dest = libpod_spec::generate::image_volume_destination(&key);
            if !out.iter().any(|(d, _)| d == &dest) {
                let name = anonymous_volume_name(&config.id, &dest);
                out.push((dest, name));
            }
        }
    }
    out
}

/// A stable name for a container's anonymous volume at `destination`.
fn anonymous_volume_name(id: &str, destination: &str) -> String {
    let digest = libpod_storage::Digest::of(format!("{id}:{destination}").as_bytes());
    digest.hex()
}
