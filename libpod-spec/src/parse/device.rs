//! `--device HOST[:CONTAINER][:PERMISSIONS]` and the host devices of privileged containers.

use super::paths::clean_path;
use crate::error::{Result, SpecError};
use oci_spec::runtime::{LinuxDevice, LinuxDeviceCgroup, LinuxDeviceType};
use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// A parsed `--device` request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRequest {
    /// The device on the host.
    pub host_path: PathBuf,
    /// Where it appears in the container (defaults to the host path).
    pub container_path: PathBuf,
    /// Cgroup permissions, a non-empty subset of `rwm` (default `rwm`).
    pub permissions: String,
}

/// Podman's `IsValidDeviceMode`: a non-empty string of `r`, `w` and `m`, each at most once.
fn is_device_mode(text: &str) -> bool {
    let mut seen = [false; 3];
    !text.is_empty()
        && text.chars().all(|c| {
            let slot = match c {
                'r' => 0,
                'w' => 1,
                'm' => 2,
                _ => return false,
            };
            !std::mem::replace(&mut seen[slot], true)
        })
}

/// Parses `/dev/fuse`, `/dev/fuse:rw`, `/dev/null:/dev/mynull` or `/dev/null:/dev/mynull:r`.
///
/// As Podman's `ParseDevice`: the second part is permissions if it reads as such, else the
/// container path. Both paths must be absolute (Podman would also take a relative host path,
/// relative to its working directory).
///
/// ```
/// use libpod_spec::parse::parse_device;
/// let d = parse_device("/dev/null:/dev/mynull:r").unwrap();
/// assert_eq!(d.container_path.to_str(), Some("/dev/mynull"));
/// assert_eq!(d.permissions, "r");
/// assert!(parse_device("/dev/null:/x:rwz").is_err());
/// ```
pub fn parse_device(value: &str) -> Result<DeviceRequest> {
    let invalid = |reason: String| SpecError::invalid("device", value, reason);
    let parts: Vec<&str> = value.split(':').collect();
    if parts.len() > 3 {
        return Err(invalid("expected HOST[:CONTAINER][:PERMISSIONS]".into()));
    }
    let mut permissions = "rwm";
    let mut container_path = None;
    if let Some(&mode) = parts.get(2) {
        if !is_device_mode(mode) {
            return Err(invalid(format!("invalid device mode {mode:?}")));
        }
        permissions = mode;
    }
    if let Some(&second) = parts.get(1) {
        // Podman's quirk kept: in `HOST:rw:r` the middle part wins.
        if is_device_mode(second) {
            permissions = second;
        } else if second.starts_with('/') {
            container_path = Some(second);
        } else {
            return Err(invalid(format!("invalid device mode {second:?}")));
        }
    }
    let host = parts[0];
    if !host.starts_with('/') {
        return Err(invalid("the host path must be absolute".into()));
    }
    Ok(DeviceRequest {
        host_path: PathBuf::from(host),
        container_path: PathBuf::from(container_path.unwrap_or(host)),
        permissions: permissions.to_string(),
    })
}

/// Splits a device number into major and minor.
pub(crate) fn device_numbers(rdev: u64) -> (i64, i64) {
    (
        nix::sys::stat::major(rdev).cast_signed(),
        nix::sys::stat::minor(rdev).cast_signed(),
    )
}

/// The spec entry for a device node, or `None` when the file is no device. As Podman's
/// `deviceFromPath`, FIFOs count (type `p`); the file mode is the whole `st_mode`.
fn linux_device(path: &Path, metadata: &Metadata) -> Option<LinuxDevice> {
    let file_type = metadata.file_type();
    let typ = if file_type.is_block_device() {
        LinuxDeviceType::B
    } else if file_type.is_char_device() {
        LinuxDeviceType::C
    } else if file_type.is_fifo() {
        LinuxDeviceType::P
    } else {
        return None;
    };
    let (major, minor) = device_numbers(metadata.rdev());
    let mut device = LinuxDevice::default();
    device
        .set_path(path.to_path_buf())
        .set_typ(typ)
        .set_major(major)
        .set_minor(minor)
        .set_file_mode(Some(metadata.mode()))
        .set_uid(Some(metadata.uid()))
        .set_gid(Some(metadata.gid()));
    Some(device)
}

fn cgroup_rule(device: &LinuxDevice, permissions: &str) -> LinuxDeviceCgroup {
    let mut rule = LinuxDeviceCgroup::default();
    rule.set_allow(true)
        .set_typ(Some(device.typ()))
        .set_major(Some(device.major()))
        .set_minor(Some(device.minor()))
        .set_access(Some(permissions.to_string()));
    rule
}

fn device_error(path: &Path, reason: impl Into<String>) -> SpecError {
    SpecError::Device {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Stats a requested host device and returns the spec's device entries and cgroup rules.
///
/// A directory (`/dev/dri`) yields every device beneath it, placed under the container path.
///
/// As Podman 4.3: a symlink is followed, and when no container path was given (it equals the
/// host path) the device appears at the resolved path; a FIFO is accepted with type `p`; in a
/// directory only block and character devices count, symlinks are not followed, and
/// unreadable subdirectories are passed over.
///
/// ```
/// use libpod_spec::parse::{host_device, parse_device};
/// let entries = host_device(&parse_device("/dev/null:/dev/mynull:r").unwrap()).unwrap();
/// let (device, rule) = &entries[0];
/// assert_eq!((device.path().to_str(), device.major(), device.minor()), (Some("/dev/mynull"), 1, 3));
/// assert_eq!(rule.access().as_deref(), Some("r"));
/// ```
pub fn host_device(request: &DeviceRequest) -> Result<Vec<(LinuxDevice, LinuxDeviceCgroup)>> {
    let host = request.host_path.as_path();
    let stat_error = |err: std::io::Error| device_error(host, format!("cannot stat it: {err}"));
    // Podman resolves only a symlink named directly, and keeps the path when that fails.
    let is_symlink = std::fs::symlink_metadata(host).is_ok_and(|m| m.file_type().is_symlink());
    let resolved = match is_symlink {
        true => std::fs::canonicalize(host).unwrap_or_else(|_| host.to_path_buf()),
        false => host.to_path_buf(),
    };
    let defaulted = request.container_path == request.host_path;
    let container_root = if defaulted {
        resolved.clone()
    } else {
        request.container_path.clone()
    };
    let metadata = std::fs::metadata(&resolved).map_err(stat_error)?;
    if !metadata.is_dir() {
        let metadata = std::fs::symlink_metadata(&resolved).map_err(stat_error)?;
        let mut device = linux_device(&resolved, &metadata)
            .ok_or_else(|| device_error(host, "not a device node"))?;
        device.set_path(container_root);
        let rule = cgroup_rule(&device, &request.permissions);
        return Ok(vec![(device, rule)]);
    }
    let mut found = Vec::new();
    walk_devices(&resolved, &mut found);
    if found.is_empty() {
        return Err(device_error(host, "no devices found in the directory"));
    }
    let container_root = container_root.to_string_lossy().into_owned();
    Ok(found
        .into_iter()
        .map(|mut device| {
            let relative = device
                .path()
                .strip_prefix(&resolved)
                .unwrap_or(Path::new(""));
            // filepath.Join, which cleans the joined path.
            let joined = format!("{container_root}/{}", relative.to_string_lossy());
            device.set_path(PathBuf::from(clean_path(&joined)));
            let rule = cgroup_rule(&device, &request.permissions);
            (device, rule)
        })
        .collect())
}

/// Sorted directory entries, as Go's `ReadDir`.
fn sorted_entries(dir: &Path) -> std::io::Result<Vec<std::fs::DirEntry>> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|entry| entry.file_name());
    Ok(entries)
}

/// `filepath.Walk` as Podman's `DevicesFromPath` uses it: lexical order, no symlinks
/// followed, block and character devices only.
fn walk_devices(dir: &Path, found: &mut Vec<LinuxDevice>) {
    for entry in sorted_entries(dir).unwrap_or_default() {
        let path = entry.path();
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let file_type = metadata.file_type();
        if file_type.is_dir() {
            walk_devices(&path, found);
        } else if file_type.is_block_device() || file_type.is_char_device() {
            found.extend(linux_device(&path, &metadata));
        }
    }
}

/// Every device node under the host's /dev, as a privileged container gets them (runc's
/// rules: no pts, shm, fd, mqueue, console, symlinks or FIFOs).
///
/// Precisely, Podman 4.3's copy of those rules: directories `pts`, `shm`, `fd`, `mqueue`,
/// `.lxc` and `.lxd-mounts` and files named `console` are skipped, symlinks are not followed,
/// block and character devices are taken and, unlike runc, so are FIFOs (type `p`); `.udev`
/// is not skipped. The order is a depth-first walk with each directory sorted by name.
pub fn privileged_host_devices() -> Result<Vec<LinuxDevice>> {
    devices_for_privileged(Path::new("/dev"))
}

/// [`privileged_host_devices`] for any root, so it can be tested on a scratch tree.
fn devices_for_privileged(dir: &Path) -> Result<Vec<LinuxDevice>> {
    let entries = sorted_entries(dir).map_err(|source| SpecError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut devices = Vec::new();
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let metadata = match std::fs::symlink_metadata(&path) {
            Ok(metadata) => metadata,
            // Gone since the directory was read.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(SpecError::Read { path, source }),
        };
        if metadata.is_dir() {
            let skipped = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts"];
            if !skipped.iter().any(|skip| name.as_os_str() == *skip) {
                devices.extend(devices_for_privileged(&path)?);
            }
            continue;
        }
        if name == "console" {
            continue;
        }
        devices.extend(linux_device(&path, &metadata));
    }
    Ok(devices)
}

#[cfg(test)]
#[path = "device_tests.rs"]
mod tests;
