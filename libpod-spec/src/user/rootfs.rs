//! Reading a file of the image without leaving its root filesystem, and without opening
//! anything but a regular file.
//!
//! [`Policy::InRoot`] resolves every symlink and `..` as if the rootfs were `/`, so
//! `etc/passwd -> /etc/shadow` or `-> ../../../etc/shadow` lands inside the rootfs, and
//! refuses /proc-style magic links. [`Root::read_regular`] refuses a device node, FIFO,
//! socket or directory without opening it (an image whose /etc/passwd is the host's watchdog
//! must not make root open it).

use crate::error::{Result, SpecError};
use libpod_fs::{FsError, Policy, Root};
use nix::errno::Errno;
use std::path::Path;

/// Larger files are refused rather than read into memory: a passwd or group file this big
/// is an attack, not a configuration.
const MAX_FILE_SIZE: u64 = 64 << 20;

/// Reads `relative` (e.g. `etc/passwd`) inside `rootfs`; a missing file reads as empty.
/// Anything but a regular file (a device, FIFO, socket or directory) is refused as "not a
/// regular file" without being opened.
///
/// Bytes that are not UTF-8 are replaced, so such names never match a user's spec.
pub(super) fn read_etc_file(rootfs: &Path, relative: &str) -> Result<String> {
    let root = Root::open(rootfs)?;
    match root.read_regular(relative, Policy::InRoot, MAX_FILE_SIZE) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        // runc treats a file it cannot open as absent; we do so only when it really is
        // absent (or a path component is not a directory), and fail on anything else
        // (`reopen` through /proc failing included).
        Err(FsError::Io {
            op: "open", source, ..
        }) if matches!(
            Errno::from_raw(source.raw_os_error().unwrap_or(0)),
            Errno::ENOENT | Errno::ENOTDIR
        ) =>
        {
            let path = rootfs.join(relative);
            tracing::debug!(path = %path.display(), "no such file in the rootfs, reading it as empty");
            Ok(String::new())
        }
        Err(err) => Err(SpecError::from(err)),
    }
}
