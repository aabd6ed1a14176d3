//! `--device HOST[:CONTAINER][:PERMISSIONS]` and the host devices of privileged containers.

use crate::error::Result;
use oci_spec::runtime::{LinuxDevice, LinuxDeviceCgroup};
use std::path::PathBuf;

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

/// Parses `/dev/fuse`, `/dev/fuse:rw`, `/dev/null:/dev/mynull` or `/dev/null:/dev/mynull:r`.
///
/// ```
/// use libpod_spec::parse::parse_device;
/// let d = parse_device("/dev/null:/dev/mynull:r").unwrap();
/// assert_eq!(d.container_path.to_str(), Some("/dev/mynull"));
/// assert_eq!(d.permissions, "r");
/// assert!(parse_device("/dev/null:/x:rwz").is_err());
/// ```
pub fn parse_device(value: &str) -> Result<DeviceRequest> {
    let _ = value;
    todo!("helper D")
}

/// Stats a requested host device and returns the spec's device entries and cgroup rules.
///
/// A directory (`/dev/dri`) yields every device beneath it, placed under the container path.
pub fn host_device(request: &DeviceRequest) -> Result<Vec<(LinuxDevice, LinuxDeviceCgroup)>> {
    let _ = request;
    todo!("helper D")
}

/// Every device node under the host's /dev, as a privileged container gets them (runc's
/// rules: no pts, shm, fd, mqueue, console, symlinks or FIFOs).
pub fn privileged_host_devices() -> Result<Vec<LinuxDevice>> {
    todo!("helper D")
}
