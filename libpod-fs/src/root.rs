//! Resolving paths beneath a directory someone else controls.
//!
//! Every resolution is one `openat2` from the root's descriptor, so the kernel enforces the
//! [`Policy`] on every component, symlinks and `..` included, with no window between a check
//! and a use. `RESOLVE_NO_MAGICLINKS` (implied by `RESOLVE_NO_SYMLINKS`) refuses /proc-style
//! magic links, which could point anywhere.
//!
//! A refusal is diagnosed only once it has happened: the components are looked at one by
//! one to say which is the symlink or the non-directory, so the common path costs nothing.

use crate::error::{Expected, FsError, Result};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag, open, openat2};
use nix::sys::stat::{Mode, SFlag, fstatat, mkdirat};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

/// How many times a resolution that a concurrent rename or mount interrupted (`EAGAIN`) is
/// retried.
const EAGAIN_RETRIES: usize = 16;

/// How symlinks and `..` beneath a root are resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Policy {
    /// As if the root were `/` (`RESOLVE_IN_ROOT`): an absolute symlink or a `..` past the
    /// top lands inside the root, as it would for a process chrooted there. For a
    /// container's root filesystem (its /etc/passwd) and for layer extraction.
    InRoot,
    /// Beneath the root, and no symlink anywhere (`RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`):
    /// a symlink on the way, the last component included, is refused, and so is a `..` past
    /// the root. For OCI layouts and overlay layers, which never follow symlinks.
    NoSymlinks,
}

impl Policy {
    fn resolve_flags(self) -> ResolveFlag {
        match self {
            Policy::InRoot => ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS,
            Policy::NoSymlinks => ResolveFlag::RESOLVE_BENEATH | ResolveFlag::RESOLVE_NO_SYMLINKS,
        }
    }
}

/// Opens `path` beneath the directory `root` with `flags`, resolved under `policy`, retrying
/// a resolution a concurrent rename interrupted. The bare system call, for hot paths that
/// name their own errors (layer extraction); [`Root`] explains its refusals.
///
/// ```
/// use libpod_fs::{Policy, open_at};
/// use nix::fcntl::OFlag;
/// use std::os::fd::AsFd;
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir(dir.path().join("sub"))?;
/// std::os::unix::fs::symlink("sub", dir.path().join("link"))?;
/// let root = std::fs::File::open(dir.path())?;
/// let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
/// assert!(open_at(root.as_fd(), "link".as_ref(), flags, Policy::InRoot).is_ok());
/// assert_eq!(
///     open_at(root.as_fd(), "link".as_ref(), flags, Policy::NoSymlinks).unwrap_err(),
///     nix::errno::Errno::ELOOP
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_at(
    root: BorrowedFd<'_>,
    path: &Path,
    flags: OFlag,
    policy: Policy,
) -> nix::Result<OwnedFd> {
    let how = OpenHow::new().flags(flags).resolve(policy.resolve_flags());
    let mut retries = 0;
    loop {
        match openat2(root, path, how) {
            // The kernel gives up when a rename or mount raced the resolution.
            Err(Errno::EAGAIN) if retries < EAGAIN_RETRIES => retries += 1,
            result => return result,
        }
    }
}

/// A directory opened once, whose entries are resolved beneath it under a [`Policy`].
///
/// ```
/// use libpod_fs::{FsError, Policy, Root};
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir_all(dir.path().join("real/sha256"))?;
/// std::fs::create_dir(dir.path().join("blobs"))?;
/// std::os::unix::fs::symlink("../real/sha256", dir.path().join("blobs/sha256"))?;
/// let root = Root::open(dir.path())?;
/// let err = root.open_dir("blobs/sha256", Policy::NoSymlinks).unwrap_err();
/// assert_eq!(
///     err.refusal().unwrap(),
///     "blobs/sha256 is a symbolic link, not a directory"
/// );
/// assert!(root.open_dir("blobs/sha256", Policy::InRoot).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Root {
    fd: OwnedFd,
    path: PathBuf,
}

impl Root {
    /// Opens the directory `path`, which the caller trusts: symlinks on the way to it are
    /// followed.
    pub fn open(path: &Path) -> Result<Root> {
        let fd = open(
            path,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|errno| FsError::io("open", path, errno.into()))?;
        Ok(Root {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The root's path, as given to [`Root::open`] (for messages: the descriptor is what
    /// counts).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the directory `rel` beneath this root as a root of its own.
    pub fn open_dir(&self, rel: impl AsRef<Path>, policy: Policy) -> Result<Root> {
        let rel = rel.as_ref();
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let fd = self.open_raw(rel, flags, policy, Expected::Directory)?;
        Ok(Root {
            fd,
            path: self.path.join(rel),
        })
    }

    /// Creates each missing directory of `rel` (with `mode`, filtered by the umask) beneath
    /// this root, never through a symlink, and opens the last as a root of its own.
    pub fn ensure_dir(&self, rel: impl AsRef<Path>, mode: u32) -> Result<Root> {
        let rel = rel.as_ref();
        let mut current: Option<Root> = None;
        for component in rel.components() {
            let Component::Normal(name) = component else {
                return Err(FsError::OutsideRoot {
                    root: self.path.clone(),
                    path: rel.to_path_buf(),
                });
            };
            let parent = current.as_ref().unwrap_or(self);
            match mkdirat(parent.as_fd(), name, Mode::from_bits_truncate(mode)) {
                Ok(()) | Err(Errno::EEXIST) => {}
                Err(errno) => {
                    return Err(FsError::io("create", parent.path.join(name), errno.into()));
                }
            }
            current = Some(parent.open_dir(name, Policy::NoSymlinks)?);
        }
        current.ok_or_else(|| FsError::io("create", &self.path, Errno::EINVAL.into()))
    }

    /// Opens `rel` with `flags` under `policy`; a failure is explained as a refusal when it
    /// is one (`expected` is what `rel` should name).
    pub(crate) fn open_raw(
        &self,
        rel: &Path,
        flags: OFlag,
        policy: Policy,
        expected: Expected,
    ) -> Result<OwnedFd> {
        open_at(self.fd.as_fd(), rel, flags, policy)
            .map_err(|errno| self.explain(rel, errno, policy, expected))
    }

    /// Why opening `rel` failed with `errno`: under [`Policy::NoSymlinks`], which component
    /// is the symlink, the non-directory or the way out; the system call's error otherwise.
    /// The walk stops at the first symlink, so it never looks through one.
    pub(crate) fn explain(
        &self,
        rel: &Path,
        errno: Errno,
        policy: Policy,
        expected: Expected,
    ) -> FsError {
        let refusable = matches!(errno, Errno::ELOOP | Errno::ENOTDIR | Errno::EXDEV);
        if policy != Policy::NoSymlinks || !refusable {
            return FsError::io("open", self.path.join(rel), errno.into());
        }
        let count = rel.components().count();
        let mut prefix = PathBuf::new();
        for (i, component) in rel.components().enumerate() {
            let Component::Normal(name) = component else {
                break;
            };
            prefix.push(name);
            let Ok(stat) = fstatat(&self.fd, &prefix, AtFlags::AT_SYMLINK_NOFOLLOW) else {
                break;
            };
            let wanted = if i + 1 == count {
                expected
            } else {
                Expected::Directory
            };
            let (root, path) = (self.path.clone(), prefix.clone());
            match SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT {
                SFlag::S_IFLNK => {
                    return FsError::Symlink {
                        root,
                        path,
                        expected: wanted,
                    };
                }
                SFlag::S_IFDIR if wanted == Expected::Directory => {}
                SFlag::S_IFREG if wanted == Expected::RegularFile => {}
                _ => {
                    return FsError::WrongType {
                        root,
                        path,
                        expected: wanted,
                    };
                }
            }
        }
        if errno == Errno::EXDEV {
            return FsError::OutsideRoot {
                root: self.path.clone(),
                path: rel.to_path_buf(),
            };
        }
        FsError::io("open", self.path.join(rel), errno.into())
    }
}

impl AsFd for Root {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

#[cfg(test)]
#[path = "root_tests.rs"]
mod tests;
