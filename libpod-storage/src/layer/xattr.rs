//! Extended attributes, read and written without following symlinks.
//!
//! nix has no xattr calls, so these are the crate's only foreign calls: each `unsafe` block
//! passes a valid C string and a buffer with its true length, nothing else.
//!
//! A node is named either by an open file descriptor (regular files and directories) or by
//! `/proc/self/fd/<dirfd>/<name>` with the `l*` calls, which resolve the directory through its
//! descriptor and never follow `name` itself (symlinks, devices, FIFOs).

use nix::errno::Errno;
use nix::libc;
use std::ffi::{CStr, CString};
use std::os::fd::{AsRawFd, BorrowedFd};

/// The xattr overlayfs reads to make a directory opaque.
pub(crate) const OVERLAY_OPAQUE: &str = "trusted.overlay.opaque";

/// The largest value the kernel stores (`XATTR_SIZE_MAX`).
const VALUE_MAX: usize = 64 * 1024;

/// The largest list of names the kernel returns (`XATTR_LIST_MAX`).
const LIST_MAX: usize = 64 * 1024;

/// A filesystem node whose xattrs are read or written.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Node<'a> {
    /// An open regular file or directory.
    Fd(BorrowedFd<'a>),
    /// `name` inside the directory open as `dir`, not followed if it is a symlink.
    At(BorrowedFd<'a>, &'a CStr),
}

impl Node<'_> {
    /// The `/proc/self/fd/<dir>/<name>` path of an [`Node::At`].
    fn proc_path(dir: BorrowedFd<'_>, name: &CStr) -> Result<CString, Errno> {
        let mut path = format!("/proc/self/fd/{}/", dir.as_raw_fd()).into_bytes();
        path.extend_from_slice(name.to_bytes());
        CString::new(path).map_err(|_| Errno::EINVAL)
    }

    /// Sets `name` to `value`.
    pub(crate) fn set(self, name: &str, value: &[u8]) -> Result<(), Errno> {
        let name = CString::new(name).map_err(|_| Errno::EINVAL)?;
        let ret = match self {
            Node::Fd(fd) => fsetxattr(fd, &name, value),
            Node::At(dir, entry) => lsetxattr(&Self::proc_path(dir, entry)?, &name, value),
        };
        Errno::result(ret).map(drop)
    }

    /// The value of `name`, or `None` when the node does not have it (or the filesystem
    /// has no xattrs at all).
    pub(crate) fn get(self, name: &str) -> Result<Option<Vec<u8>>, Errno> {
        let name = CString::new(name).map_err(|_| Errno::EINVAL)?;
        let mut buf = vec![0u8; VALUE_MAX];
        let ret = match self {
            Node::Fd(fd) => fgetxattr(fd, &name, &mut buf),
            Node::At(dir, entry) => lgetxattr(&Self::proc_path(dir, entry)?, &name, &mut buf),
        };
        match Errno::result(ret) {
            Ok(len) => {
                buf.truncate(usize::try_from(len).map_err(|_| Errno::EINVAL)?);
                Ok(Some(buf))
            }
            Err(Errno::ENODATA | Errno::EOPNOTSUPP) => Ok(None),
            Err(errno) => Err(errno),
        }
    }

    /// The names of the node's xattrs, sorted (empty when the filesystem has none).
    pub(crate) fn list(self) -> Result<Vec<String>, Errno> {
        let mut buf = vec![0u8; LIST_MAX];
        let ret = match self {
            Node::Fd(fd) => flistxattr(fd, &mut buf),
            Node::At(dir, entry) => llistxattr(&Self::proc_path(dir, entry)?, &mut buf),
        };
        let len = match Errno::result(ret) {
            Ok(len) => usize::try_from(len).map_err(|_| Errno::EINVAL)?,
            Err(Errno::EOPNOTSUPP) => 0,
            Err(errno) => return Err(errno),
        };
        let mut names: Vec<String> = buf[..len]
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .collect();
        names.sort();
        Ok(names)
    }
}

#[allow(unsafe_code)]
fn fsetxattr(fd: BorrowedFd<'_>, name: &CStr, value: &[u8]) -> libc::c_int {
    // SAFETY: `name` is NUL-terminated and `value` is valid for `value.len()` bytes.
    unsafe {
        libc::fsetxattr(
            fd.as_raw_fd(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    }
}

#[allow(unsafe_code)]
fn lsetxattr(path: &CStr, name: &CStr, value: &[u8]) -> libc::c_int {
    // SAFETY: `path` and `name` are NUL-terminated; `value` is valid for its length.
    unsafe {
        libc::lsetxattr(
            path.as_ptr(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    }
}

#[allow(unsafe_code)]
fn fgetxattr(fd: BorrowedFd<'_>, name: &CStr, buf: &mut [u8]) -> libc::ssize_t {
    // SAFETY: `name` is NUL-terminated; the kernel writes at most `buf.len()` bytes.
    unsafe {
        libc::fgetxattr(
            fd.as_raw_fd(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    }
}

#[allow(unsafe_code)]
fn lgetxattr(path: &CStr, name: &CStr, buf: &mut [u8]) -> libc::ssize_t {
    // SAFETY: `path` and `name` are NUL-terminated; the kernel writes at most `buf.len()` bytes.
    unsafe {
        libc::lgetxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    }
}

#[allow(unsafe_code)]
fn flistxattr(fd: BorrowedFd<'_>, buf: &mut [u8]) -> libc::ssize_t {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    unsafe { libc::flistxattr(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) }
}

#[allow(unsafe_code)]
fn llistxattr(path: &CStr, buf: &mut [u8]) -> libc::ssize_t {
    // SAFETY: `path` is NUL-terminated; the kernel writes at most `buf.len()` bytes.
    unsafe { libc::llistxattr(path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) }
}
