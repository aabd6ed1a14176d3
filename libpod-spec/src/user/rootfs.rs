//! Reading a file of the image without leaving its root filesystem, and without opening
//! anything but a regular file.
//!
//! `openat2(RESOLVE_IN_ROOT)` resolves every symlink and `..` as if the rootfs were `/`, so
//! `etc/passwd -> /etc/shadow` or `-> ../../../etc/shadow` lands inside the rootfs.
//! `RESOLVE_NO_MAGICLINKS` refuses /proc-style magic links, which could point anywhere.
//!
//! The file is first opened with `O_PATH`, which never runs a driver's `open`: an image whose
//! /etc/passwd is a device node (a watchdog, a tape, a serial line) must not make root open
//! the host's device. Only once `fstat` says it is a regular file is it reopened for reading,
//! through `/proc/self/fd/N`, which names the very inode the `O_PATH` descriptor holds.

use crate::error::{Result, SpecError};
use nix::errno::Errno;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag, open, openat2};
use nix::sys::stat::{Mode, SFlag, fstat};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::path::Path;

/// Larger files are refused rather than read into memory: a passwd or group file this big
/// is an attack, not a configuration.
const MAX_FILE_SIZE: u64 = 64 << 20;

/// How often to retry `openat2` when the kernel reports a concurrent rename (`EAGAIN`).
const OPEN_ATTEMPTS: usize = 8;

/// Reads `relative` (e.g. `etc/passwd`) inside `rootfs`; a missing file reads as empty.
/// Anything but a regular file (a device, FIFO, socket or directory) is refused as "not a
/// regular file" without being opened.
///
/// Bytes that are not UTF-8 are replaced, so such names never match a user's spec.
pub(super) fn read_etc_file(rootfs: &Path, relative: &str) -> Result<String> {
    let path = rootfs.join(relative);
    let read_error = |source: io::Error| SpecError::Read {
        path: path.clone(),
        source,
    };
    let invalid = |reason: String| read_error(io::Error::new(io::ErrorKind::InvalidData, reason));

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
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let mut attempt = 0;
    let handle = loop {
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

    let stat = fstat(&handle).map_err(|errno| read_error(errno.into()))?;
    if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
        return Err(invalid("not a regular file".to_owned()));
    }
    if stat.st_size as u64 > MAX_FILE_SIZE {
        return Err(invalid(format!("larger than {MAX_FILE_SIZE} bytes")));
    }
    // The magic link reopens the inode `handle` holds: no path is resolved again.
    let reopened = open(
        format!("/proc/self/fd/{}", handle.as_raw_fd()).as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
        Mode::empty(),
    )
    .map_err(|errno| read_error(errno.into()))?;

    let mut bytes = Vec::new();
    // The size checked above can grow between fstat and the read: the bound still holds.
    File::from(reopened)
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(invalid(format!("larger than {MAX_FILE_SIZE} bytes")));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
