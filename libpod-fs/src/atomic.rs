//! Replacing a file atomically: readers see the old content or the new, never a part.
//!
//! The new content goes to a temporary file beside the target, which is renamed over it.
//! The temporary name is unpredictable and created with `O_EXCL | O_NOFOLLOW`: the directory
//! may be writable by others, and a link planted at a predictable name would have root
//! write through it. How much survives a power cut is the caller's [`Durability`]: some
//! files (the run root's) describe a boot that a power cut ends anyway, and skip the fsyncs
//! on purpose.

use crate::error::{FsError, Result};
use crate::root::Root;
use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, OFlag, openat, renameat};
use nix::sys::stat::Mode;
use nix::unistd::{UnlinkatFlags, fsync, unlinkat};
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::io::Write;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

/// How many unpredictable names are tried before giving up on creating a temporary file.
const NAME_ATTEMPTS: usize = 8;
/// The most bytes of the target's name a temporary name repeats (a name has at most 255).
const NAME_PREFIX_MAX: usize = 128;

/// What an atomic replacement makes survive a power cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Durability {
    /// Nothing is synced: a crashed process never leaves half a file, but after a power cut
    /// the old content, the new, or an empty file may be found. For files that describe
    /// this boot only (the run root's).
    Volatile,
    /// The new content is synced before the rename, so the name never holds a partial file;
    /// the rename itself may be lost to a power cut (the old content is found then).
    Contents,
    /// The content is synced, renamed over, and the directory synced: once this returns,
    /// the new content survives a power cut.
    Full,
}

/// A new file, under an unpredictable name beside its target, that replaces the target on
/// [`TempFile::commit`]; dropped uncommitted, it is removed.
///
/// ```
/// use libpod_fs::{Durability, Root, TempFile};
/// use std::io::Write;
/// let dir = tempfile::tempdir()?;
/// let root = Root::open(dir.path())?;
/// let temp = TempFile::in_root(&root, "blob".as_ref(), 0o644)?;
/// temp.file().write_all(b"content")?;
/// temp.commit(Durability::Full)?;
/// assert_eq!(std::fs::read(dir.path().join("blob"))?, b"content");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct TempFile<'a> {
    /// The directory, open; `None` when the names are paths (relative to the working
    /// directory or absolute).
    dir: Option<BorrowedFd<'a>>,
    /// The directory's path: for messages, and for syncing it when it is not open.
    dir_path: PathBuf,
    /// The temporary file's name in `dir`, or its path.
    temp: PathBuf,
    /// The target's name in `dir`, or its path.
    target: PathBuf,
    file: File,
    committed: bool,
}

impl TempFile<'static> {
    /// Creates the temporary file for replacing the file at `target` (by path: the
    /// directory is not opened), with `mode` (filtered by the umask).
    pub fn beside(target: &Path, mode: u32) -> Result<Self> {
        let parent = target.parent().unwrap_or(Path::new(""));
        let dir_path = if parent.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            parent.to_path_buf()
        };
        let name = target.file_name().unwrap_or(target.as_os_str());
        let (temp, file) = create(AT_FDCWD, parent, Path::new(""), name, mode)?;
        Ok(TempFile {
            dir: None,
            dir_path,
            temp,
            target: target.to_path_buf(),
            file,
            committed: false,
        })
    }
}

impl<'a> TempFile<'a> {
    /// Creates the temporary file for replacing `name` (one component) in the directory
    /// `root`, with `mode` (filtered by the umask).
    pub fn in_root(root: &'a Root, name: &OsStr, mode: u32) -> Result<Self> {
        if name.is_empty() || name.as_bytes().contains(&b'/') {
            return Err(FsError::io(
                "create",
                root.path().join(name),
                Errno::EINVAL.into(),
            ));
        }
        let (temp, file) = create(root.as_fd(), Path::new(""), root.path(), name, mode)?;
        Ok(TempFile {
            dir: Some(root.as_fd()),
            dir_path: root.path().to_path_buf(),
            temp,
            target: PathBuf::from(name),
            file,
            committed: false,
        })
    }

    /// The open temporary file, to write the new content to.
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Renames the temporary file over the target, syncing what `durability` says first
    /// (the file) and after (the directory).
    pub fn commit(mut self, durability: Durability) -> Result<()> {
        if durability != Durability::Volatile {
            self.file
                .sync_all()
                .map_err(|err| FsError::io("fsync", self.shown(&self.temp), err))?;
        }
        let dir = self.dir.unwrap_or(AT_FDCWD);
        renameat(dir, &self.temp, dir, &self.target)
            .map_err(|errno| FsError::io("rename", self.shown(&self.target), errno.into()))?;
        self.committed = true;
        if durability == Durability::Full {
            self.sync_dir()?;
        }
        Ok(())
    }

    /// fsyncs the directory, making the rename durable.
    fn sync_dir(&self) -> Result<()> {
        let synced = match self.dir {
            Some(dir) => fsync(dir).map_err(std::io::Error::from),
            None => File::open(&self.dir_path).and_then(|dir| dir.sync_all()),
        };
        synced.map_err(|err| FsError::io("fsync", &self.dir_path, err))
    }

    /// The path of `name` (the temporary file or the target), for messages.
    fn shown(&self, name: &Path) -> PathBuf {
        match self.dir {
            Some(_) => self.dir_path.join(name),
            None => name.to_path_buf(),
        }
    }
}

impl Drop for TempFile<'_> {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let dir = self.dir.unwrap_or(AT_FDCWD);
        if let Err(errno) = unlinkat(dir, &self.temp, UnlinkatFlags::NoRemoveDir) {
            let file = self.shown(&self.temp);
            tracing::warn!(file = %file.display(), %errno, "could not remove a temporary file");
        }
    }
}

/// Creates a temporary file for `target_name` as `parent/NAME` relative to `dir` (`AT_FDCWD`
/// for paths), trying unpredictable names until one is free; messages name it beneath
/// `shown_dir`. Returns what was opened relative to `dir`, and the open file.
fn create(
    dir: BorrowedFd<'_>,
    parent: &Path,
    shown_dir: &Path,
    target_name: &OsStr,
    mode: u32,
) -> Result<(PathBuf, File)> {
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut attempts = 0;
    loop {
        let temp = parent.join(temp_name(target_name));
        match openat(dir, &temp, flags, Mode::from_bits_truncate(mode)) {
            Ok(fd) => return Ok((temp, File::from(fd))),
            Err(Errno::EEXIST) if attempts + 1 < NAME_ATTEMPTS => attempts += 1,
            Err(errno) => return Err(FsError::io("create", shown_dir.join(temp), errno.into())),
        }
    }
}

/// `.NAME.tmp-XXXXXXXXXXXXXXXX`: hidden, saying what it replaces, and unpredictable.
fn temp_name(target_name: &OsStr) -> OsString {
    let prefix = &target_name.as_bytes()[..target_name.len().min(NAME_PREFIX_MAX)];
    let mut name = b".".to_vec();
    name.extend_from_slice(prefix);
    name.extend_from_slice(format!(".tmp-{:016x}", random_u64()).as_bytes());
    OsString::from_vec(name)
}

/// 64 bits no other user can predict: std's per-process random hash keys (taken from the
/// kernel once), advanced for each new hasher.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

/// Replaces the file at `path` with `data` atomically, the new file created with `mode`
/// (filtered by the umask) in `path`'s directory.
///
/// ```
/// use libpod_fs::{Durability, replace};
/// use std::os::unix::fs::PermissionsExt;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("state.json");
/// replace(&path, b"{}", 0o600, Durability::Full)?;
/// assert_eq!(std::fs::read(&path)?, b"{}");
/// assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replace(path: &Path, data: &[u8], mode: u32, durability: Durability) -> Result<()> {
    let temp = TempFile::beside(path, mode)?;
    write_all(&temp, data)?;
    temp.commit(durability)
}

/// Replaces `name` (one component) in the directory `root` with `data` atomically, as
/// [`replace`] does.
pub fn replace_at(
    root: &Root,
    name: &OsStr,
    data: &[u8],
    mode: u32,
    durability: Durability,
) -> Result<()> {
    let temp = TempFile::in_root(root, name, mode)?;
    write_all(&temp, data)?;
    temp.commit(durability)
}

fn write_all(temp: &TempFile<'_>, data: &[u8]) -> Result<()> {
    temp.file()
        .write_all(data)
        .map_err(|err| FsError::io("write", temp.shown(&temp.temp), err))
}

#[cfg(test)]
#[path = "atomic_tests.rs"]
mod tests;
