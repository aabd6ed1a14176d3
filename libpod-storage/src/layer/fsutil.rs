//! Directory-descriptor file operations confined to a root directory.
//!
//! Every path inside a tree is resolved from the tree's root descriptor under one of
//! [`libpod_fs`]'s policies (in root: a symlink met on the way resolves inside the tree, never
//! outside; or no symlinks at all); the final component is then acted on with a `*at` call
//! relative to its parent's descriptor that does not follow it.

use libpod_fs::{Policy, open_at};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstatat, mkdirat};
use nix::unistd::{UnlinkatFlags, unlinkat};
use std::ffi::{CStr, CString, OsStr};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What a directory entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Regular,
    Directory,
    Symlink,
    Char,
    Block,
    Fifo,
    Socket,
}

impl Kind {
    /// The kind of a stat result.
    pub(crate) fn of(stat: &FileStat) -> Kind {
        match SFlag::from_bits_truncate(stat.st_mode & SFlag::S_IFMT.bits()) {
            SFlag::S_IFDIR => Kind::Directory,
            SFlag::S_IFLNK => Kind::Symlink,
            SFlag::S_IFCHR => Kind::Char,
            SFlag::S_IFBLK => Kind::Block,
            SFlag::S_IFIFO => Kind::Fifo,
            SFlag::S_IFSOCK => Kind::Socket,
            _ => Kind::Regular,
        }
    }
}

/// Whether a stat result is an overlay whiteout: a 0:0 character device.
pub(crate) fn is_whiteout(stat: &FileStat) -> bool {
    Kind::of(stat) == Kind::Char && stat.st_rdev == 0
}

/// The permission bits (with setuid, setgid and sticky) of a stat result.
pub(crate) fn permissions(stat: &FileStat) -> u32 {
    stat.st_mode & 0o7777
}

/// A path component as a C string (components never contain `/` or NUL).
pub(crate) fn c_name(name: &[u8]) -> Result<CString, Errno> {
    if name.contains(&b'/') {
        return Err(Errno::EINVAL);
    }
    CString::new(name).map_err(|_| Errno::EINVAL)
}

/// Joins components into a relative path (`.` when there are none).
pub(crate) fn join(components: &[impl AsRef<[u8]>]) -> PathBuf {
    if components.is_empty() {
        return PathBuf::from(".");
    }
    let mut path = Vec::new();
    for (i, component) in components.iter().enumerate() {
        if i > 0 {
            path.push(b'/');
        }
        path.extend_from_slice(component.as_ref());
    }
    PathBuf::from(OsStr::from_bytes(&path))
}

/// Opens a directory the caller names (it is trusted: symlinks on the way are followed).
pub(crate) fn open_dir(path: &Path) -> Result<OwnedFd, Errno> {
    nix::fcntl::open(
        path,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// Opens the directory at `components` inside the tree whose root is `root`, resolving
/// symlinks as if `root` were `/`.
pub(crate) fn open_dir_in_root(
    root: BorrowedFd<'_>,
    components: &[impl AsRef<[u8]>],
) -> Result<OwnedFd, Errno> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    open_at(root, &join(components), flags, Policy::InRoot)
}

/// Opens the directory at `components` beneath `root` without following any symlink: a
/// symlink on the way is `ELOOP`, as overlayfs does not follow symlinks across layers.
pub(crate) fn open_dir_beneath(
    root: BorrowedFd<'_>,
    components: &[impl AsRef<[u8]>],
) -> Result<OwnedFd, Errno> {
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW;
    open_at(root, &join(components), flags, Policy::NoSymlinks)
}

/// Opens the subdirectory `name` of `dir`, refusing to follow a symlink.
pub(crate) fn open_subdir(dir: BorrowedFd<'_>, name: &CStr) -> Result<OwnedFd, Errno> {
    openat(
        dir,
        name,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
}

/// The stat of `name` in `dir` (not following it), or `None` if there is no such entry.
pub(crate) fn lstat_at(dir: BorrowedFd<'_>, name: &CStr) -> Result<Option<FileStat>, Errno> {
    match fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
        Ok(stat) => Ok(Some(stat)),
        Err(Errno::ENOENT) => Ok(None),
        Err(errno) => Err(errno),
    }
}

/// The names in directory `dir` (without `.` and `..`), sorted bytewise.
pub(crate) fn read_dir(dir: BorrowedFd<'_>) -> Result<Vec<CString>, Errno> {
    let mut listing = nix::dir::Dir::openat(
        dir,
        c".",
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let mut names = Vec::new();
    for entry in listing.iter() {
        let name = entry?.file_name().to_owned();
        if name.as_bytes() != b"." && name.as_bytes() != b".." {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Removes `name` from `dir` and, if it is a directory, everything beneath it, never
/// following a symlink. A missing entry is not an error.
pub(crate) fn remove_all_at(dir: BorrowedFd<'_>, name: &CStr) -> Result<(), Errno> {
    let Some(stat) = lstat_at(dir, name)? else {
        return Ok(());
    };
    if Kind::of(&stat) != Kind::Directory {
        return ignore_missing(unlinkat(dir, name, UnlinkatFlags::NoRemoveDir));
    }
    remove_contents(open_subdir(dir, name)?.as_fd())?;
    ignore_missing(unlinkat(dir, name, UnlinkatFlags::RemoveDir))
}

/// Removes everything inside directory `dir`, leaving `dir` itself.
pub(crate) fn remove_contents(dir: BorrowedFd<'_>) -> Result<(), Errno> {
    for child in read_dir(dir)? {
        remove_all_at(dir, &child)?;
    }
    Ok(())
}

fn ignore_missing(result: Result<(), Errno>) -> Result<(), Errno> {
    match result {
        Err(Errno::ENOENT) => Ok(()),
        other => other,
    }
}

/// Creates directory `name` in `dir` with exactly `mode` (not filtered by the umask) and
/// opens it.
pub(crate) fn make_dir(dir: BorrowedFd<'_>, name: &CStr, mode: u32) -> Result<OwnedFd, Errno> {
    mkdirat(dir, name, Mode::from_bits_truncate(mode))?;
    let made = open_subdir(dir, name)?;
    nix::sys::stat::fchmod(&made, Mode::from_bits_truncate(mode))?;
    Ok(made)
}
