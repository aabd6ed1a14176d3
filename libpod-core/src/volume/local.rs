//! The local driver, as Podman's: a volume is `ROOT/volumes/NAME/_data` (the volume's own
//! directory 0700, its data directory the container's); one created with `type=` or
//! `device=` is mounted there (`mount -t TYPE -o O DEVICE`, as Podman runs it) while
//! containers use it, counted: the first user's init mounts it, the last user's cleanup
//! unmounts it. A count is trusted only while the mount table shows the mount, so a reboot
//! (or a kill between the count and the mount) starts it over.

use crate::error::{CoreError, Result};
use crate::record::VolumeConfig;
use crate::runtime::Runtime;
use crate::runtime::modes::create_private_dir;
use nix::mount::{MntFlags, umount2};
use std::path::{Path, PathBuf};
use std::process::Command;

/// `ROOT/volumes`.
pub(crate) fn volumes_dir(rt: &Runtime) -> PathBuf {
    rt.root().join("volumes")
}

/// `ROOT/volumes/NAME/_data`: where volume `name`'s data is (and where it is mounted).
pub(crate) fn data_dir(rt: &Runtime, name: &str) -> PathBuf {
    volumes_dir(rt).join(name).join("_data")
}

/// Makes the volume's directories; its data directory is given the owner `o=uid=,gid=` set.
pub(crate) fn create_dirs(rt: &Runtime, config: &VolumeConfig) -> Result<()> {
    let root = volumes_dir(rt);
    create_private_dir(&root)?;
    create_private_dir(&root.join(&config.name))?;
    let data = data_dir(rt, &config.name);
    match std::fs::create_dir(&data) {
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
            return Err(CoreError::io("create volume", &data, e));
        }
        _ => {}
    }
    if config.uid.is_some() || config.gid.is_some() {
        std::os::unix::fs::lchown(&data, config.uid, config.gid)
            .map_err(|e| CoreError::io("chown volume", &data, e))?;
    }
    Ok(())
}

/// Removes volume `name`'s directories, unmounting its data directory first if a mount is
/// left there (a gone directory is fine).
pub(crate) fn remove_dirs(rt: &Runtime, name: &str) -> Result<()> {
    let data = data_dir(rt, name);
    if is_mounted(&data)? {
        unmount(name, &data)?;
    }
    let dir = volumes_dir(rt).join(name);
    match std::fs::remove_dir_all(&dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CoreError::io("remove volume", &dir, e))
        }
        _ => Ok(()),
    }
}

/// Whether the volume is mounted while in use (it has a `type` or a `device`); `o=` alone
/// (`uid=`, `gid=`) only sets the data directory's owner.
pub(crate) fn needs_mount(config: &VolumeConfig) -> bool {
    config.driver == "local"
        && (config.options.contains_key("type") || config.options.contains_key("device"))
}

fn is_mounted(path: &Path) -> Result<bool> {
    Ok(libpod_storage::mountinfo::is_mounted(path)?)
}

/// Mounts the volume as Podman does: `mount [-o O] [-t TYPE] DEVICE MOUNTPOINT`, a tmpfs's
/// device being `tmpfs`.
fn mount(config: &VolumeConfig) -> Result<()> {
    let options = &config.options;
    let mut args: Vec<String> = Vec::new();
    if let Some(o) = options.get("o").filter(|o| !o.is_empty()) {
        args.extend(["-o".into(), o.clone()]);
    }
    let mut device = options.get("device").cloned().unwrap_or_default();
    match options.get("type").map(String::as_str) {
        None | Some("") => {}
        Some(kind) => {
            if kind == "tmpfs" {
                device = "tmpfs".into();
            }
            args.extend(["-t".into(), kind.to_string()]);
        }
    }
    args.push(device);
    args.push(config.mount_point.to_string_lossy().into_owned());
    let output = Command::new("mount")
        .args(&args)
        .output()
        .map_err(|e| CoreError::io("run mount for volume", &config.mount_point, e))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
        return Err(CoreError::VolumeCommand {
            name: config.name.clone(),
            command: format!("mount {}", args.join(" ")),
            stderr: if stderr.is_empty() {
                output.status.to_string()
            } else {
                stderr
            },
        });
    }
    tracing::debug!(volume = %config.name, "mounted");
    Ok(())
}

fn unmount(name: &str, path: &Path) -> Result<()> {
    umount2(path, MntFlags::MNT_DETACH)
        .map_err(|e| CoreError::io("unmount volume", path, e.into()))?;
    tracing::debug!(volume = %name, "unmounted");
    Ok(())
}

/// Volume `name` is used by one more container: mounted if it is the first (for a volume
/// that mounts), its count raised. Returns whether a count was taken (to give back with
/// [`release`]). The count is saved before the mount and set back if the mount fails, so a
/// kill in between leaves a count the next user finds unmounted, never an uncounted mount.
pub(crate) fn acquire(rt: &Runtime, name: &str) -> Result<bool> {
    let _lock = rt.lock_volume(name)?;
    let config = rt.state().volume_config(name)?;
    if !needs_mount(&config) {
        return Ok(false);
    }
    let mut state = rt.state().volume_state(name)?;
    if state.mount_count > 0 && is_mounted(&config.mount_point)? {
        state.mount_count += 1;
        rt.state().save_volume_state(name, &state)?;
        return Ok(true);
    }
    state.mount_count = 1;
    rt.state().save_volume_state(name, &state)?;
    if let Err(e) = mount(&config) {
        state.mount_count = 0;
        rt.state().save_volume_state(name, &state)?;
        return Err(e);
    }
    Ok(true)
}

/// Gives back a count [`acquire`] took: the last user's release unmounts the volume.
pub(crate) fn release(rt: &Runtime, name: &str) -> Result<()> {
    let _lock = rt.lock_volume(name)?;
    let config = match rt.state().volume_config(name) {
        Ok(config) => config,
        Err(CoreError::VolumeNotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut state = rt.state().volume_state(name)?;
    state.mount_count = state.mount_count.saturating_sub(1);
    rt.state().save_volume_state(name, &state)?;
    if state.mount_count == 0 && is_mounted(&config.mount_point)? {
        unmount(name, &config.mount_point)?;
    }
    Ok(())
}
