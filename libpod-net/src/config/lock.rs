//! The lock network create and remove take, compatible with Podman's: c/common takes
//! containers/storage's lockfile on `netavark.lock` in the network config directory (Podman 4;
//! newer Podman as root uses `/run/lock/netavark.lock`, which [`super::StoreConfig::lock_path`]
//! can name). That lockfile is a POSIX `fcntl` record lock over the whole file; we take an
//! open-file-description lock (`F_OFD_SETLKW`), which the kernel makes conflict with POSIX record
//! locks, so Podman and we exclude each other, while two threads of one process (each with its
//! own open file) exclude each other too, as a process-wide POSIX lock would not.

use crate::error::NetError;
use crate::error::Result;
use libpod_fs::private_file;
use nix::fcntl::{FcntlArg, fcntl};
use nix::libc;
use std::fs::File;
use std::path::Path;

/// The held lock; released when dropped (the file is closed).
#[derive(Debug)]
pub(crate) struct ConfigLock {
    _file: File,
}

impl ConfigLock {
    /// Blocks until the write lock on `path` (created 0600 if missing) is ours.
    pub(crate) fn acquire(path: &Path) -> Result<ConfigLock> {
        let file = private_file()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|err| NetError::file("open lock", path, err))?;
        let whole_file = libc::flock {
            l_type: short(libc::F_WRLCK),
            l_whence: short(libc::SEEK_SET),
            l_start: 0,
            l_len: 0,
            l_pid: 0,
        };
        loop {
            match fcntl(&file, FcntlArg::F_OFD_SETLKW(&whole_file)) {
                Ok(_) => return Ok(ConfigLock { _file: file }),
                Err(nix::Error::EINTR) => {}
                Err(errno) => return Err(NetError::file("lock", path, errno.into())),
            }
        }
    }
}

/// The store's lock held around a backend's setup or teardown
/// ([`NetworkStore::lock_for_backend`](super::NetworkStore::lock_for_backend)); released when
/// dropped.
#[derive(Debug)]
pub struct BackendLock {
    pub(super) _held: ConfigLock,
}

/// A `fcntl` constant (small by definition) as the `c_short` `struct flock` holds.
fn short(constant: libc::c_int) -> libc::c_short {
    libc::c_short::try_from(constant).expect("fcntl constants fit a short")
}
