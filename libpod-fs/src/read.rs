//! Reading a regular file beneath a root, and only a regular file.
//!
//! The file is first opened with `O_PATH`, which never runs a driver's `open`: an image whose
//! /etc/passwd is a device node (a watchdog, a tape, a serial line) must not make root open
//! the host's device, and a FIFO must not block. Only once `fstat` says it is a regular file
//! is it reopened for reading, through `/proc/self/fd/N`, which names the very inode the
//! `O_PATH` descriptor holds: no path is resolved again.

use crate::error::{Expected, FsError, Result};
use crate::root::{Policy, Root};
use nix::fcntl::{OFlag, open};
use nix::sys::stat::{Mode, SFlag, fstat};
use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;
use std::path::Path;

impl Root {
    /// Opens the regular file `rel` beneath this root for reading; anything else (a device,
    /// FIFO, socket or directory) is refused without being opened.
    ///
    /// ```
    /// use libpod_fs::{Policy, Root};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::create_dir(dir.path().join("etc"))?;
    /// let root = Root::open(dir.path())?;
    /// let err = root.open_regular("etc", Policy::InRoot).unwrap_err();
    /// assert_eq!(err.refusal().unwrap(), "etc is not a regular file");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_regular(&self, rel: impl AsRef<Path>, policy: Policy) -> Result<File> {
        self.open_regular_sized(rel.as_ref(), policy)
            .map(|(file, _)| file)
    }

    /// Reads the regular file `rel` beneath this root, refusing one of more than `limit`
    /// bytes (checked before reading, and again while reading, as a file can grow).
    ///
    /// ```
    /// use libpod_fs::{Policy, Root};
    /// let dir = tempfile::tempdir()?;
    /// std::fs::write(dir.path().join("index.json"), "{}")?;
    /// let root = Root::open(dir.path())?;
    /// assert_eq!(root.read_regular("index.json", Policy::NoSymlinks, 2)?, b"{}");
    /// let err = root.read_regular("index.json", Policy::NoSymlinks, 1).unwrap_err();
    /// assert_eq!(err.refusal().unwrap(), "index.json is larger than 1 bytes");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_regular(
        &self,
        rel: impl AsRef<Path>,
        policy: Policy,
        limit: u64,
    ) -> Result<Vec<u8>> {
        let rel = rel.as_ref();
        let too_large = || FsError::TooLarge {
            root: self.path().to_path_buf(),
            path: rel.to_path_buf(),
            limit,
        };
        let (file, size) = self.open_regular_sized(rel, policy)?;
        if size > limit {
            return Err(too_large());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|err| FsError::io("read", self.path().join(rel), err))?;
        if bytes.len() as u64 > limit {
            return Err(too_large());
        }
        Ok(bytes)
    }

    /// The regular file `rel`, open for reading, and its size when opened.
    fn open_regular_sized(&self, rel: &Path, policy: Policy) -> Result<(File, u64)> {
        let failed =
            |op, errno: nix::errno::Errno| FsError::io(op, self.path().join(rel), errno.into());
        let handle = self.open_raw(
            rel,
            OFlag::O_PATH | OFlag::O_CLOEXEC,
            policy,
            Expected::RegularFile,
        )?;
        let stat = fstat(&handle).map_err(|errno| failed("stat", errno))?;
        if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
            return Err(FsError::WrongType {
                root: self.path().to_path_buf(),
                path: rel.to_path_buf(),
                expected: Expected::RegularFile,
            });
        }
        // The magic link reopens the inode `handle` holds.
        let reopened = open(
            format!("/proc/self/fd/{}", handle.as_raw_fd()).as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NOCTTY,
            Mode::empty(),
        )
        .map_err(|errno| failed("reopen", errno))?;
        Ok((
            File::from(reopened),
            u64::try_from(stat.st_size).unwrap_or(0),
        ))
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
