//! A container's volumes, as Podman 4.3 makes them (seed 001's `addImageVolumes`, grown into
//! named volumes): at create, each anonymous volume (`-v /data`) and each image `VOLUME` no
//! mount covers becomes a new anonymous named volume, and each named volume that does not
//! exist yet is created, so that the container's row links them all; at init, a volume's
//! first user copies the image's files at the destination into it (copy-up, unless
//! `nocopy`) and gives it the owner and mode of that directory (or its user's).

use super::create::with_volume_anonymous;
use super::with_volume_name;
use crate::error::{CoreError, Result};
use crate::record::ContainerConfig;
use crate::runtime::Runtime;
use libpod_fs::{Policy, Root};
use libpod_spec::parse::VolumeMount;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The options of an image volume's bind mount (Podman's for image volumes).
const IMAGE_VOLUME_OPTIONS: [&str; 5] = ["rprivate", "rw", "nodev", "exec", "nosuid"];

/// Gives every anonymous volume of `config` (its `-v /path` mounts, and its image's
/// `Volumes` when image volumes are bound) a new anonymous named volume, and creates the
/// named volumes it mounts that do not exist yet. Returns the anonymous volumes made, for
/// the caller to remove if the create fails.
pub(crate) fn name_volumes(rt: &Runtime, config: &mut ContainerConfig) -> Result<Vec<String>> {
    let mut made = Vec::new();
    let result = name_volumes_into(rt, config, &mut made);
    match result {
        Ok(()) => Ok(made),
        Err(e) => {
            remove_anonymous(rt, &made);
            Err(e)
        }
    }
}

fn name_volumes_into(
    rt: &Runtime,
    config: &mut ContainerConfig,
    made: &mut Vec<String>,
) -> Result<()> {
    for mount in &mut config.mounts {
        match mount {
            VolumeMount::Anonymous {
                destination,
                options,
            } => {
                let name = new_anonymous(rt, made)?;
                *mount = VolumeMount::Named {
                    name,
                    destination: std::mem::take(destination),
                    options: std::mem::take(options),
                };
            }
            // As Podman: a volume a container names is created on first use.
            VolumeMount::Named { name, .. } if !rt.volume_exists(name)? => {
                match rt.new_volume([with_volume_name(name.clone())]) {
                    Ok(_) | Err(CoreError::VolumeExists(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            _ => {}
        }
    }
    for destination in uncovered_image_volumes(config) {
        let name = new_anonymous(rt, made)?;
        config.mounts.push(VolumeMount::Named {
            name,
            destination,
            options: IMAGE_VOLUME_OPTIONS.map(String::from).to_vec(),
        });
    }
    Ok(())
}

fn new_anonymous(rt: &Runtime, made: &mut Vec<String>) -> Result<String> {
    let volume = rt.new_volume([with_volume_anonymous()])?;
    made.push(volume.name().to_string());
    Ok(volume.name().to_string())
}

/// Removes anonymous volumes made for a create that failed (each is logged if it cannot be).
pub(crate) fn remove_anonymous(rt: &Runtime, names: &[String]) {
    for name in names {
        if let Err(err) = rt.remove_volume_named(name, false) {
            tracing::warn!(volume = %name, %err, "anonymous volume of a failed create left");
        }
    }
}

/// After its removal, removes the anonymous volumes container `config` mounted (`rm -v`), as
/// Podman: a named volume stays, and so does one another container uses (logged).
pub(crate) fn remove_anonymous_of(rt: &Runtime, config: &ContainerConfig) {
    for name in crate::state::volume_names_of(config) {
        let anonymous = rt
            .state()
            .volume_config(&name)
            .is_ok_and(|volume| volume.anonymous);
        if !anonymous {
            continue;
        }
        match rt.remove_volume_named(&name, true) {
            Ok(()) => {}
            Err(CoreError::VolumeInUse { .. }) => {
                tracing::info!(volume = %name, "anonymous volume still in use: kept");
            }
            Err(err) => tracing::warn!(volume = %name, %err, "anonymous volume not removed"),
        }
    }
}

/// The image's `Volumes` (when image volumes are bound) that no mount of the container
/// covers, each once, as the spec generator keys them.
fn uncovered_image_volumes(config: &ContainerConfig) -> Vec<String> {
    if config.spec.image_volume_mode != libpod_spec::ImageVolumeMode::Bind {
        return Vec::new();
    }
    let keys = config
        .image_config
        .as_ref()
        .and_then(|c| c.volumes().clone())
        .unwrap_or_default();
    let covered: Vec<String> = config.mounts.iter().map(destination).collect();
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let dest = libpod_spec::generate::image_volume_destination(&key);
        if !covered.contains(&dest) && !out.contains(&dest) {
            out.push(dest);
        }
    }
    out
}

/// A mount's destination, cleaned as the spec generator compares them.
fn destination(mount: &VolumeMount) -> String {
    let dest = match mount {
        VolumeMount::Mount(m) => m.destination().to_string_lossy().into_owned(),
        VolumeMount::Named { destination, .. } | VolumeMount::Anonymous { destination, .. } => {
            destination.clone()
        }
        _ => String::new(),
    };
    libpod_spec::generate::image_volume_destination(&dest)
}

/// At a volume's first use: the image's files at `destination` in `rootfs` copied into it
/// when it is empty (unless the volume or the mount says `nocopy`: `copy` false), then its data directory given the owner and mode of
/// that image directory, or `user`'s ownership when the image has none there. Each happens
/// once per volume (its state's `needs_copy_up` and `needs_chown`).
pub(crate) fn first_use(
    rt: &Runtime,
    name: &str,
    rootfs: &Path,
    destination: &str,
    copy: bool,
    user: (u32, u32),
) -> Result<()> {
    let _lock = rt.lock_volume(name)?;
    let mut state = rt.state().volume_state(name)?;
    if !state.needs_copy_up && !state.needs_chown {
        return Ok(());
    }
    let config = rt.state().volume_config(name)?;
    let data = &config.mount_point;
    let rel = destination.trim_start_matches('/');
    let image_dir = match Root::open(rootfs)?.open_dir(rel, Policy::InRoot) {
        Ok(dir) => Some(dir),
        Err(err) => {
            tracing::debug!(volume = %name, %err, "nothing in the image to copy up");
            None
        }
    };
    if state.needs_copy_up {
        state.needs_copy_up = false;
        if let Some(dir) = &image_dir
            && copy
            && !config.no_copy
            && is_empty(data)?
        {
            copy_up(dir, data)?;
            tracing::debug!(volume = %name, destination, "copied up from the image");
        }
    }
    if state.needs_chown {
        state.needs_chown = false;
        chown_like_image(data, image_dir.as_ref(), user)?;
    }
    rt.state().save_volume_state(name, &state)
}

fn is_empty(dir: &Path) -> Result<bool> {
    let mut entries = std::fs::read_dir(dir).map_err(|e| CoreError::io("read volume", dir, e))?;
    Ok(entries.next().is_none())
}

/// Copies the image directory's tree into `data` as a tar stream (Podman copies up with
/// tar too): the source is walked through its descriptor without following symlinks, and
/// written by the same safe extraction as layers.
fn copy_up(source: &Root, data: &Path) -> Result<()> {
    let path = format!("/proc/self/fd/{}", source.as_fd().as_raw_fd());
    let (reader, writer) = std::io::pipe().map_err(|e| CoreError::io("pipe", data, e))?;
    std::thread::scope(|scope| {
        let tar = scope.spawn(move || {
            libpod_storage::layer::write_tar(
                Path::new(&path),
                writer,
                &libpod_storage::layer::TarOptions::default(),
            )
        });
        let applied = libpod_storage::layer::apply_layer(reader, data);
        let written = tar.join().expect("the tar writer does not panic");
        written?;
        applied?;
        Ok(())
    })
}

/// Podman's `fixVolumePermissions`: the data directory to the container's user, then to the
/// owner and mode of the image's directory at the destination, if it has one.
fn chown_like_image(data: &Path, image_dir: Option<&Root>, user: (u32, u32)) -> Result<()> {
    let chown = |uid, gid| {
        std::os::unix::fs::lchown(data, Some(uid), Some(gid))
            .map_err(|e| CoreError::io("chown volume", data, e))
    };
    chown(user.0, user.1)?;
    if let Some(dir) = image_dir {
        let path = format!("/proc/self/fd/{}", dir.as_fd().as_raw_fd());
        let meta = std::fs::metadata(&path).map_err(|e| CoreError::io("stat", &path, e))?;
        chown(meta.uid(), meta.gid())?;
        let mode = std::os::unix::fs::PermissionsExt::from_mode(meta.mode() & 0o7777);
        std::fs::set_permissions(data, mode).map_err(|e| CoreError::io("chmod volume", data, e))?;
    }
    Ok(())
}
