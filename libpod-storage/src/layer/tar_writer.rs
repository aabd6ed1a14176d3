//! Writing a directory tree as a tar stream (export, commit, save).
//!
//! The tree may belong to a running container, so it is walked through directory
//! descriptors without following any symlink: a directory swapped for a symlink while the
//! walk runs is not followed out of the tree.

use super::fsutil::{self, Kind, is_whiteout, lstat_at, read_dir};
use super::tar_format::{HeaderFields, write_end, write_header, write_padding};
use super::xattr::{Node, OVERLAY_OPAQUE};
use crate::error::{Result, StorageError};
use nix::errno::Errno;
use nix::fcntl::{OFlag, openat, readlinkat};
use nix::sys::stat::{FileStat, Mode, fstat, major, minor};
use std::collections::HashMap;
use std::ffi::CStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// How a tree is written.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TarOptions {
    /// The tree is an overlay upper or layer directory: turn 0:0 character devices into
    /// `.wh.NAME` entries and opaque directories into `.wh..wh..opq` entries.
    pub overlay_whiteouts: bool,
}

impl TarOptions {
    /// Options for an overlay upper or layer directory (see
    /// [`overlay_whiteouts`](Self::overlay_whiteouts)).
    pub fn overlay() -> Self {
        TarOptions {
            overlay_whiteouts: true,
        }
    }
}

/// Writes `root` as a tar stream: entries sorted by path, with owners, modes, mtimes,
/// xattrs (but never `trusted.overlay.*`), hardlinks, symlinks and device nodes.
///
/// As containers/storage writes layers: owners are numeric only (no user or group names),
/// times are whole seconds, the xattrs written are `user.*` (but not `user.overlay.*`),
/// `security.capability` and `security.ima`, sockets are left out, and the second and later
/// paths of a multiply-linked file are hardlink entries to the first. The root directory
/// itself has no entry. The same tree always gives the same bytes.
///
/// ```
/// use libpod_storage::layer::{TarOptions, apply_layer, write_tar};
/// let (tree, copy) = (tempfile::tempdir()?, tempfile::tempdir()?);
/// std::fs::write(tree.path().join("hello"), "world")?;
/// let mut tar = Vec::new();
/// write_tar(tree.path(), &mut tar, &TarOptions::overlay())?;
/// apply_layer(&tar[..], copy.path())?;
/// assert_eq!(std::fs::read_to_string(copy.path().join("hello"))?, "world");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_tar(root: &Path, writer: impl Write, options: &TarOptions) -> Result<()> {
    let dir =
        fsutil::open_dir(root).map_err(|errno| StorageError::io("open", root, errno.into()))?;
    let mut archive = Archive {
        root,
        out: writer,
        options,
        first_links: HashMap::new(),
    };
    archive.walk(dir.as_fd(), &[])?;
    write_end(&mut archive.out).map_err(|err| archive.write_error(err))?;
    archive.out.flush().map_err(|err| archive.write_error(err))
}

/// The xattrs written to archives (as containers/storage's tar writer selects them).
fn archived_xattr(name: &str) -> bool {
    (name.starts_with("user.") && !name.starts_with("user.overlay."))
        || name == "security.capability"
        || name == "security.ima"
}

struct Archive<'a, W> {
    root: &'a Path,
    out: W,
    options: &'a TarOptions,
    /// The first path of each multiply-linked inode, by device and inode.
    first_links: HashMap<(u64, u64), Vec<u8>>,
}

impl<W: Write> Archive<'_, W> {
    fn write_error(&self, err: io::Error) -> StorageError {
        StorageError::io("write the tar stream of", self.root, err)
    }

    fn read_error(&self, op: &'static str, path: &[u8], errno: Errno) -> StorageError {
        StorageError::io(
            op,
            self.root.join(Path::new(std::ffi::OsStr::from_bytes(path))),
            errno.into(),
        )
    }

    /// Writes the entries of directory `dir` (at `prefix` in the tree) in name order, each
    /// directory followed by its contents.
    fn walk(&mut self, dir: BorrowedFd<'_>, prefix: &[u8]) -> Result<()> {
        let names =
            read_dir(dir).map_err(|errno| self.read_error("read the directory", prefix, errno))?;
        for name in names {
            let path = [prefix, name.to_bytes()].concat();
            // Entries that vanish while the walk runs are left out, as containers/storage does.
            let Some(stat) =
                lstat_at(dir, &name).map_err(|errno| self.read_error("stat", &path, errno))?
            else {
                continue;
            };
            self.add(dir, &name, &path, &stat)?;
            if Kind::of(&stat) == Kind::Directory {
                match fsutil::open_subdir(dir, &name) {
                    Ok(sub) => self.walk(sub.as_fd(), &[&path[..], b"/"].concat())?,
                    Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP) => {}
                    Err(errno) => return Err(self.read_error("open", &path, errno)),
                }
            }
        }
        Ok(())
    }

    fn add(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &CStr,
        path: &[u8],
        stat: &FileStat,
    ) -> Result<()> {
        let kind = Kind::of(stat);
        if kind == Kind::Socket {
            tracing::debug!(path = %String::from_utf8_lossy(path), "sockets are not archived");
            return Ok(());
        }
        let mut fields = HeaderFields {
            path: path.to_vec(),
            mode: fsutil::permissions(stat),
            uid: u64::from(stat.st_uid),
            gid: u64::from(stat.st_gid),
            mtime: stat.st_mtime,
            ..HeaderFields::default()
        };
        if self.options.overlay_whiteouts && is_whiteout(stat) {
            let (parent, base) = split_parent(path);
            fields.path = [parent, b".wh.", base].concat();
            fields.typeflag = b'0';
            fields.mode = 0o600;
            return write_header(&mut self.out, &fields).map_err(|err| self.write_error(err));
        }
        let node = Node::At(dir, name);
        for key in node
            .list()
            .map_err(|errno| self.read_error("list the xattrs of", path, errno))?
        {
            if archived_xattr(&key)
                && let Some(value) = node
                    .get(&key)
                    .map_err(|errno| self.read_error("read an xattr of", path, errno))?
            {
                fields.xattrs.push((key, value));
            }
        }
        let link_key = (stat.st_dev, stat.st_ino);
        if kind != Kind::Directory
            && stat.st_nlink > 1
            && let Some(first) = self.first_links.get(&link_key)
        {
            fields.typeflag = b'1';
            fields.link = first.clone();
            return write_header(&mut self.out, &fields).map_err(|err| self.write_error(err));
        }
        match kind {
            Kind::Directory => {
                fields.typeflag = b'5';
                fields.path.push(b'/');
            }
            Kind::Symlink => {
                fields.typeflag = b'2';
                fields.link = readlinkat(dir, name)
                    .map_err(|errno| self.read_error("read the symlink", path, errno))?
                    .as_bytes()
                    .to_vec();
            }
            Kind::Char | Kind::Block => {
                fields.typeflag = if kind == Kind::Char { b'3' } else { b'4' };
                fields.device = (major(stat.st_rdev), minor(stat.st_rdev));
            }
            Kind::Fifo => fields.typeflag = b'6',
            Kind::Regular | Kind::Socket => {
                fields.typeflag = b'0';
                fields.size = u64::try_from(stat.st_size).unwrap_or(0);
            }
        }
        if kind == Kind::Regular {
            self.add_file(dir, name, &fields, stat)?;
        } else {
            write_header(&mut self.out, &fields).map_err(|err| self.write_error(err))?;
        }
        if kind != Kind::Directory && stat.st_nlink > 1 {
            self.first_links.insert(link_key, path.to_vec());
        }
        if kind == Kind::Directory && self.options.overlay_whiteouts {
            let opaque = node
                .get(OVERLAY_OPAQUE)
                .map_err(|errno| self.read_error("read an xattr of", path, errno))?;
            if opaque.as_deref() == Some(b"y") {
                let marker = HeaderFields {
                    path: [path, b"/.wh..wh..opq"].concat(),
                    typeflag: b'0',
                    mode: fields.mode & 0o777,
                    xattrs: Vec::new(),
                    ..fields
                };
                write_header(&mut self.out, &marker).map_err(|err| self.write_error(err))?;
            }
        }
        Ok(())
    }

    /// Writes a regular file's header and exactly the size its header announces.
    fn add_file(
        &mut self,
        dir: BorrowedFd<'_>,
        name: &CStr,
        fields: &HeaderFields,
        stat: &FileStat,
    ) -> Result<()> {
        let path = &fields.path;
        // O_NONBLOCK: should the name have become a FIFO, opening it must not hang.
        let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
        let fd = openat(dir, name, flags, Mode::empty())
            .map_err(|errno| self.read_error("open", path, errno))?;
        let opened = fstat(&fd).map_err(|errno| self.read_error("stat", path, errno))?;
        if (opened.st_dev, opened.st_ino) != (stat.st_dev, stat.st_ino) {
            return Err(self.read_error("archive", path, Errno::EAGAIN));
        }
        write_header(&mut self.out, fields).map_err(|err| self.write_error(err))?;
        let mut file = File::from(fd).take(fields.size);
        let mut buffer = vec![0u8; 128 * 1024];
        let mut copied = 0u64;
        loop {
            let n = match file.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    return Err(StorageError::io(
                        "read",
                        self.root.join(Path::new(std::ffi::OsStr::from_bytes(path))),
                        err,
                    ));
                }
            };
            self.out
                .write_all(&buffer[..n])
                .map_err(|err| self.write_error(err))?;
            copied += n as u64;
        }
        if copied != fields.size {
            // The file shrank while being archived: the stream cannot be made whole.
            return Err(self.read_error("archive (it changed size)", path, Errno::EAGAIN));
        }
        write_padding(&mut self.out, fields.size).map_err(|err| self.write_error(err))
    }
}

/// Splits a path into its parent (with the trailing `/`, or empty) and base name.
fn split_parent(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|b| *b == b'/') {
        Some(slash) => (&path[..=slash], &path[slash + 1..]),
        None => (&[], path),
    }
}

#[cfg(test)]
#[path = "tar_writer_tests.rs"]
mod tests;
