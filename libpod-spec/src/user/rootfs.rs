//! Reading a file of the image without leaving its root filesystem.
//!
//! `openat2(RESOLVE_IN_ROOT)` resolves every symlink and `..` as if the rootfs were `/`, so
//! `etc/passwd -> /etc/shadow` or `-> ../../../etc/shadow` lands inside the rootfs.
//! `RESOLVE_NO_MAGICLINKS` refuses /proc-style magic links, which could point anywhere.

use crate::error::{Result, SpecError};
use nix::errno::Errno;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag, open, openat2};
use nix::sys::stat::Mode;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Larger files are refused rather than read into memory: a passwd or group file this big
/// is an attack, not a configuration.
const MAX_FILE_SIZE: u64 = 64 << 20;

/// How often to retry `openat2` when the kernel reports a concurrent rename (`EAGAIN`).
const OPEN_ATTEMPTS: usize = 8;

/// Reads `relative` (e.g. `etc/passwd`) inside `rootfs`; a missing file reads as empty.
///
/// Bytes that are not UTF-8 are replaced, so such names never match a user's spec.
pub(super) fn read_etc_file(rootfs: &Path, relative: &str) -> Result<String> {
    let path = rootfs.join(relative);
    let read_error = |source: io::Error| SpecError::Read {
        path: path.clone(),
        source,
    };

    let root = open(
        rootfs,
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|errno| SpecError::Read {
        path: rootfs.to_path_buf(),
        source: errno.into(),
    })?;
    let how = OpenHow::new()
        // O_NONBLOCK: a FIFO planted by the image must not hang us at open.
        .flags(OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY | OFlag::O_NONBLOCK)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);

    let mut attempt = 0;
    let fd = loop {
        attempt += 1;
        match openat2(&root, relative, how) {
            Ok(fd) => break fd,
            Err(Errno::EAGAIN) if attempt < OPEN_ATTEMPTS => continue,
            // runc treats a file it cannot open as absent; we do so only when it really is
            // absent (or a path component is not a directory), and fail on anything else.
            Err(Errno::ENOENT | Errno::ENOTDIR) => {
                tracing::debug!(path = %path.display(), "no such file in the rootfs, reading it as empty");
                return Ok(String::new());
            }
            Err(errno) => return Err(read_error(errno.into())),
        }
    };

    let file = File::from(fd);
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(read_error(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        )));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(read_error(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {MAX_FILE_SIZE} bytes"),
        )));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
