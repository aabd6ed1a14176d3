//! Copying an overlay-format layer onto a directory (the vfs driver's "mount").
//!
//! `dest` holds the lower layers already merged, and may contain any symlink they shipped:
//! every directory of `dest` is reached with `openat2(RESOLVE_IN_ROOT)` or, below it, by
//! descriptor without following symlinks, and every name is replaced, never written through.

use super::fsutil::{
    self, Kind, c_name, is_whiteout, lstat_at, open_dir_in_root, open_subdir, read_dir,
    remove_all_at, remove_contents,
};
use super::xattr::{Node, OVERLAY_OPAQUE};
use crate::error::{Result, StorageError};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, openat, readlinkat};
use nix::sys::stat::{
    FchmodatFlags, FileStat, Mode, SFlag, UtimensatFlags, fchmod, fchmodat, futimens, mknodat,
    utimensat,
};
use nix::sys::time::TimeSpec;
use nix::unistd::{Gid, Uid, fchown, fchownat, linkat, symlinkat};
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::fs::File;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// Copies the layer directory `layer` onto `dest`, applying its whiteouts (removing the paths
/// they name) and opaque directories (emptying them first), preserving owners, modes, mtimes,
/// xattrs, hardlinks, symlinks and device nodes.
///
/// Like overlayfs, the layer's root directory gives `dest`'s root its owner, mode and times.
/// Overlay markers (whiteouts, `trusted.overlay.*`) are consumed, not copied: `dest` ends up
/// a plain tree. Nothing outside `dest` is touched, whatever symlinks `dest` holds.
///
/// ```no_run
/// use std::path::Path;
/// for layer in ["/tmp/layers/base", "/tmp/layers/app"] {
///     libpod_storage::layer::merge_layer_into(Path::new(layer), Path::new("/tmp/rootfs"))?;
/// }
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn merge_layer_into(layer: &Path, dest: &Path) -> Result<()> {
    let layer_root =
        fsutil::open_dir(layer).map_err(|errno| StorageError::io("open", layer, errno.into()))?;
    let dest_root =
        fsutil::open_dir(dest).map_err(|errno| StorageError::io("open", dest, errno.into()))?;
    let root_stat = nix::sys::stat::fstat(&layer_root)
        .map_err(|errno| StorageError::io("stat", layer, errno.into()))?;
    let mut merge = Merge {
        layer,
        dest,
        dest_root: &dest_root,
        first_links: HashMap::new(),
        directory_times: Vec::new(),
    };
    let root = Place { path: Vec::new() };
    if opaque(Node::Fd(layer_root.as_fd())) {
        remove_contents(dest_root.as_fd()).map_err(|errno| merge.error("empty", &root, errno))?;
    }
    merge.copy_metadata(
        Node::Fd(layer_root.as_fd()),
        Target::Fd(dest_root.as_fd()),
        &root_stat,
        &root,
    )?;
    merge.directory_times.push((Vec::new(), root_stat));
    merge.merge_directory(layer_root.as_fd(), dest_root.as_fd(), &root)?;
    merge.set_directory_times()
}

/// Whether a directory carries the overlay opaque marker.
fn opaque(node: Node<'_>) -> bool {
    matches!(node.get(OVERLAY_OPAQUE), Ok(Some(value)) if value == b"y")
}

/// A node's metadata target in `dest`.
#[derive(Clone, Copy)]
enum Target<'a> {
    Fd(BorrowedFd<'a>),
    At(BorrowedFd<'a>, &'a CStr),
}

/// A path relative to the layer and `dest` roots, as components.
struct Place {
    path: Vec<Vec<u8>>,
}

impl Place {
    fn child(&self, name: &CStr) -> Place {
        let mut path = self.path.clone();
        path.push(name.to_bytes().to_vec());
        Place { path }
    }

    fn relative(&self) -> PathBuf {
        fsutil::join(&self.path)
    }
}

struct Merge<'a> {
    layer: &'a Path,
    dest: &'a Path,
    dest_root: &'a OwnedFd,
    /// Where in `dest` the first path of each multiply-linked layer inode was copied.
    first_links: HashMap<(u64, u64), Vec<Vec<u8>>>,
    /// Directories whose times are set last, with the layer's stat of them.
    directory_times: Vec<(Vec<Vec<u8>>, FileStat)>,
}

impl Merge<'_> {
    fn error(&self, op: &'static str, place: &Place, errno: Errno) -> StorageError {
        StorageError::io(op, self.dest.join(place.relative()), errno.into())
    }

    fn layer_error(&self, op: &'static str, place: &Place, errno: Errno) -> StorageError {
        StorageError::io(op, self.layer.join(place.relative()), errno.into())
    }

    /// Merges the contents of layer directory `from` into `dest` directory `to`.
    fn merge_directory(
        &mut self,
        from: BorrowedFd<'_>,
        to: BorrowedFd<'_>,
        place: &Place,
    ) -> Result<()> {
        let names =
            read_dir(from).map_err(|errno| self.layer_error("read the directory", place, errno))?;
        for name in names {
            let child = place.child(&name);
            let Some(stat) =
                lstat_at(from, &name).map_err(|errno| self.layer_error("stat", &child, errno))?
            else {
                continue;
            };
            if is_whiteout(&stat) {
                remove_all_at(to, &name).map_err(|errno| self.error("remove", &child, errno))?;
                continue;
            }
            if Kind::of(&stat) == Kind::Directory {
                self.merge_subdirectory(from, to, &name, &stat, &child)?;
            } else {
                remove_all_at(to, &name).map_err(|errno| self.error("replace", &child, errno))?;
                self.copy_node(from, to, &name, &stat, &child)?;
            }
        }
        Ok(())
    }

    fn merge_subdirectory(
        &mut self,
        from: BorrowedFd<'_>,
        to: BorrowedFd<'_>,
        name: &CStr,
        stat: &FileStat,
        place: &Place,
    ) -> Result<()> {
        let source =
            open_subdir(from, name).map_err(|errno| self.layer_error("open", place, errno))?;
        let existing = lstat_at(to, name).map_err(|errno| self.error("stat", place, errno))?;
        let target = match existing.map(|stat| Kind::of(&stat)) {
            Some(Kind::Directory) => open_subdir(to, name),
            Some(_) => remove_all_at(to, name).and_then(|()| fsutil::make_dir(to, name, 0o700)),
            None => fsutil::make_dir(to, name, 0o700),
        }
        .map_err(|errno| self.error("create the directory", place, errno))?;
        if opaque(Node::Fd(source.as_fd())) {
            remove_contents(target.as_fd()).map_err(|errno| self.error("empty", place, errno))?;
        }
        self.copy_metadata(
            Node::Fd(source.as_fd()),
            Target::Fd(target.as_fd()),
            stat,
            place,
        )?;
        self.directory_times.push((place.path.clone(), *stat));
        self.merge_directory(source.as_fd(), target.as_fd(), place)
    }

    /// Copies a non-directory (a hardlink to an earlier copy if the layer links them).
    fn copy_node(
        &mut self,
        from: BorrowedFd<'_>,
        to: BorrowedFd<'_>,
        name: &CStr,
        stat: &FileStat,
        place: &Place,
    ) -> Result<()> {
        let key = (stat.st_dev, stat.st_ino);
        if stat.st_nlink > 1 {
            if let Some(first) = self.first_links.get(&key) {
                return self.link_to_first(first.clone(), to, name, place);
            }
            self.first_links.insert(key, place.path.clone());
        }
        let kind = Kind::of(stat);
        match kind {
            Kind::Regular => {
                let mut source = File::from(
                    openat(
                        from,
                        name,
                        OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                        Mode::empty(),
                    )
                    .map_err(|errno| self.layer_error("open", place, errno))?,
                );
                let flags = OFlag::O_CREAT
                    | OFlag::O_EXCL
                    | OFlag::O_NOFOLLOW
                    | OFlag::O_WRONLY
                    | OFlag::O_CLOEXEC;
                let mut copy = File::from(
                    openat(to, name, flags, Mode::from_bits_truncate(0o600))
                        .map_err(|errno| self.error("create", place, errno))?,
                );
                std::io::copy(&mut source, &mut copy).map_err(|err| {
                    StorageError::io("copy", self.dest.join(place.relative()), err)
                })?;
                self.copy_metadata(
                    Node::Fd(source.as_fd()),
                    Target::Fd(copy.as_fd()),
                    stat,
                    place,
                )?;
                return set_times(Target::Fd(copy.as_fd()), stat)
                    .map_err(|errno| self.error("set the times of", place, errno));
            }
            Kind::Symlink => {
                let link = readlinkat(from, name)
                    .map_err(|errno| self.layer_error("read the symlink", place, errno))?;
                symlinkat(link.as_os_str(), to, name)
                    .map_err(|errno| self.error("create the symlink", place, errno))?;
            }
            Kind::Char | Kind::Block | Kind::Fifo | Kind::Socket => {
                let file_type = SFlag::from_bits_truncate(stat.st_mode & SFlag::S_IFMT.bits());
                mknodat(
                    to,
                    name,
                    file_type,
                    Mode::from_bits_truncate(0o600),
                    stat.st_rdev,
                )
                .map_err(|errno| self.error("create the device node", place, errno))?;
            }
            Kind::Directory => unreachable!("directories are merged"),
        }
        self.copy_metadata(Node::At(from, name), Target::At(to, name), stat, place)?;
        set_times(Target::At(to, name), stat)
            .map_err(|errno| self.error("set the times of", place, errno))
    }

    /// Hardlinks `name` in `to` to where the inode's first path was copied in `dest`.
    fn link_to_first(
        &self,
        first: Vec<Vec<u8>>,
        to: BorrowedFd<'_>,
        name: &CStr,
        place: &Place,
    ) -> Result<()> {
        let Some((first_name, first_parent)) = first.split_last() else {
            return Err(self.error("hardlink", place, Errno::EINVAL));
        };
        let first_dir = open_dir_in_root(self.dest_root.as_fd(), first_parent)
            .map_err(|errno| self.error("open the hardlink target's parent for", place, errno))?;
        let first_name: CString =
            c_name(first_name).map_err(|errno| self.error("hardlink", place, errno))?;
        linkat(
            &first_dir,
            first_name.as_c_str(),
            to,
            name,
            AtFlags::empty(),
        )
        .map_err(|errno| self.error("hardlink", place, errno))
    }

    /// Copies owner, mode (not for symlinks) and xattrs (but not overlay markers).
    fn copy_metadata(
        &self,
        source: Node<'_>,
        target: Target<'_>,
        stat: &FileStat,
        place: &Place,
    ) -> Result<()> {
        let (uid, gid) = (
            Some(Uid::from_raw(stat.st_uid)),
            Some(Gid::from_raw(stat.st_gid)),
        );
        let symlink = Kind::of(stat) == Kind::Symlink;
        match target {
            Target::Fd(fd) => fchown(fd, uid, gid),
            Target::At(dir, name) => fchownat(dir, name, uid, gid, AtFlags::AT_SYMLINK_NOFOLLOW),
        }
        .map_err(|errno| self.error("chown", place, errno))?;
        if !symlink {
            let mode = Mode::from_bits_truncate(fsutil::permissions(stat));
            match target {
                Target::Fd(fd) => fchmod(fd, mode),
                Target::At(dir, name) => fchmodat(dir, name, mode, FchmodatFlags::NoFollowSymlink),
            }
            .map_err(|errno| self.error("chmod", place, errno))?;
        }
        let destination = match target {
            Target::Fd(fd) => Node::Fd(fd),
            Target::At(dir, name) => Node::At(dir, name),
        };
        let keys = source
            .list()
            .map_err(|errno| self.layer_error("list the xattrs of", place, errno))?;
        for key in keys
            .iter()
            .filter(|key| !key.starts_with("trusted.overlay."))
        {
            let Some(value) = source
                .get(key)
                .map_err(|errno| self.layer_error("read an xattr of", place, errno))?
            else {
                continue;
            };
            match destination.set(key, &value) {
                Ok(()) | Err(Errno::EOPNOTSUPP) => {}
                Err(Errno::EPERM) if symlink => {}
                Err(errno) => return Err(self.error("set an xattr on", place, errno)),
            }
        }
        Ok(())
    }

    /// Sets the directories' times once nothing more is created in them.
    fn set_directory_times(&self) -> Result<()> {
        for (path, stat) in self.directory_times.iter().rev() {
            let place = Place { path: path.clone() };
            let dir = match open_dir_in_root(self.dest_root.as_fd(), path) {
                Ok(dir) => dir,
                Err(Errno::ENOENT | Errno::ENOTDIR) => continue,
                Err(errno) => return Err(self.error("open", &place, errno)),
            };
            set_times(Target::Fd(dir.as_fd()), stat)
                .map_err(|errno| self.error("set the times of", &place, errno))?;
        }
        Ok(())
    }
}

/// Gives `target` the access and modification times of `stat`.
fn set_times(target: Target<'_>, stat: &FileStat) -> Result<(), Errno> {
    let atime = TimeSpec::new(stat.st_atime, stat.st_atime_nsec);
    let mtime = TimeSpec::new(stat.st_mtime, stat.st_mtime_nsec);
    match target {
        Target::Fd(fd) => futimens(fd, &atime, &mtime),
        Target::At(dir, name) => {
            utimensat(dir, name, &atime, &mtime, UtimensatFlags::NoFollowSymlink)
        }
    }
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
