//! File access inside an untrusted layout directory: every path is resolved component by
//! component from a directory descriptor without following symbolic links, and only regular
//! files are read (a FIFO or device could block or never end).

use crate::error::{Result, StorageError};
use nix::errno::Errno;
use nix::fcntl::AtFlags;
use nix::fcntl::{OFlag, openat, renameat};
use nix::sys::stat::{Mode, SFlag, fstatat, mkdirat};
use nix::unistd::{UnlinkatFlags, fsync, unlinkat};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Opens the directory `dir` itself (the caller's path, symlinks allowed).
pub(super) fn open_dir(dir: &Path) -> Result<OwnedFd> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((OFlag::O_DIRECTORY | OFlag::O_CLOEXEC).bits())
        .open(dir)
        .map_err(|err| StorageError::io("open", dir, err))?;
    Ok(file.into())
}

/// Opens the directory `rel` (`a/b`) beneath `root`, refusing symbolic links on the way.
pub(super) fn open_dir_at(root: impl AsFd, layout: &Path, rel: &str) -> Result<OwnedFd> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut current: Option<OwnedFd> = None;
    let mut walked = 0;
    for name in rel.split('/') {
        walked += name.len() + usize::from(walked > 0);
        let parent = match &current {
            Some(dir) => dir.as_fd(),
            None => root.as_fd(),
        };
        let fd = openat(parent, name, flags, Mode::empty()).map_err(|errno| {
            open_error(parent, name, layout, &rel[..walked], errno, "a directory")
        })?;
        current = Some(fd);
    }
    current.ok_or_else(|| StorageError::InvalidLayout {
        path: layout.to_path_buf(),
        reason: "empty path".into(),
    })
}

/// Opens the regular file `rel` (`dir/name`) beneath `root` for reading, refusing symbolic
/// links anywhere in `rel` and anything but a regular file.
pub(super) fn open_file_at(root: impl AsFd, layout: &Path, rel: &str) -> Result<File> {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((dir, name)) => (Some(open_dir_at(root.as_fd(), layout, dir)?), name),
        None => (None, rel),
    };
    let parent = match &dir {
        Some(dir) => dir.as_fd(),
        None => root.as_fd(),
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it has no effect on regular files.
    let flags = OFlag::O_RDONLY
        | OFlag::O_NOFOLLOW
        | OFlag::O_NONBLOCK
        | OFlag::O_NOCTTY
        | OFlag::O_CLOEXEC;
    let fd = openat(parent, name, flags, Mode::empty())
        .map_err(|errno| open_error(parent, name, layout, rel, errno, "a regular file"))?;
    let file = File::from(fd);
    let metadata = file
        .metadata()
        .map_err(|err| StorageError::io("stat", layout.join(rel), err))?;
    if !metadata.file_type().is_file() {
        return Err(StorageError::InvalidLayout {
            path: layout.to_path_buf(),
            reason: format!("{rel} is not a regular file"),
        });
    }
    Ok(file)
}

/// Explains a failed open of `name` in `parent` (`rel` from the layout root).
fn open_error(
    parent: BorrowedFd<'_>,
    name: &str,
    layout: &Path,
    rel: &str,
    errno: Errno,
    expected: &str,
) -> StorageError {
    let invalid = |reason: String| StorageError::InvalidLayout {
        path: layout.to_path_buf(),
        reason,
    };
    // O_NOFOLLOW on a symlink fails with ELOOP, or ENOTDIR when O_DIRECTORY is also given.
    if matches!(errno, Errno::ELOOP | Errno::ENOTDIR) {
        let is_symlink = fstatat(parent, name, AtFlags::AT_SYMLINK_NOFOLLOW).is_ok_and(|st| {
            SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFLNK
        });
        return if is_symlink {
            invalid(format!("{rel} is a symbolic link, not {expected}"))
        } else {
            invalid(format!("{rel} is not {expected}"))
        };
    }
    StorageError::io("open", layout.join(rel), io::Error::from(errno))
}

/// Reads all of `file`, refusing more than `limit` bytes.
pub(super) fn read_limited(file: File, limit: usize, layout: &Path, rel: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit_plus_one = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    file.take(limit_plus_one)
        .read_to_end(&mut bytes)
        .map_err(|err| StorageError::io("read", layout.join(rel), err))?;
    if bytes.len() > limit {
        return Err(StorageError::InvalidLayout {
            path: layout.to_path_buf(),
            reason: format!("{rel} is larger than {limit} bytes"),
        });
    }
    Ok(bytes)
}

/// Creates directory `name` in `dir` if missing, then opens it (refusing a symlink).
pub(super) fn ensure_dir_at(dir: impl AsFd, layout: &Path, name: &str) -> Result<OwnedFd> {
    match mkdirat(dir.as_fd(), name, Mode::from_bits_truncate(0o755)) {
        Ok(()) | Err(Errno::EEXIST) => {}
        Err(errno) => {
            return Err(StorageError::io(
                "create",
                layout.join(name),
                io::Error::from(errno),
            ));
        }
    }
    open_dir_at(dir, layout, name)
}

/// A new, uniquely named file in `dir`, open for writing; removed again unless kept.
pub(super) struct TempFile<'a, D: AsFd> {
    dir: &'a D,
    /// The file's name in `dir`.
    pub(super) name: String,
    /// The open file.
    pub(super) file: File,
    kept: bool,
}

impl<'a, D: AsFd> TempFile<'a, D> {
    /// Creates `.tmp-<pid>-<n>` in `dir` (exclusively, never through a symlink).
    pub(super) fn create(dir: &'a D, layout: &Path) -> Result<Self> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            ".tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let flags =
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        let fd = openat(
            dir.as_fd(),
            name.as_str(),
            flags,
            Mode::from_bits_truncate(0o644),
        )
        .map_err(|errno| StorageError::io("create", layout.join(&name), errno.into()))?;
        Ok(TempFile {
            dir,
            name,
            file: File::from(fd),
            kept: false,
        })
    }

    /// Flushes the file to disk, renames it to `target` in the same directory and syncs the
    /// directory, so that `target` is either absent or complete after a crash.
    pub(super) fn commit(mut self, target: &str, layout: &Path) -> Result<()> {
        self.file
            .sync_all()
            .map_err(|err| StorageError::io("fsync", layout.join(&self.name), err))?;
        renameat(
            self.dir.as_fd(),
            self.name.as_str(),
            self.dir.as_fd(),
            target,
        )
        .map_err(|errno| StorageError::io("rename", layout.join(target), errno.into()))?;
        self.kept = true;
        fsync(self.dir.as_fd()).map_err(|errno| StorageError::io("fsync", layout, errno.into()))?;
        Ok(())
    }
}

impl<D: AsFd> Drop for TempFile<'_, D> {
    fn drop(&mut self) {
        if !self.kept
            && let Err(errno) = unlinkat(
                self.dir.as_fd(),
                self.name.as_str(),
                UnlinkatFlags::NoRemoveDir,
            )
        {
            tracing::warn!(file = %self.name, %errno, "could not remove temporary file");
        }
    }
}
