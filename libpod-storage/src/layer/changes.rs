//! A container's changes against its image, as `podman diff` lists them.
//!
//! Both functions follow containers/storage (`OverlayChanges` and `ChangesDirs` in
//! pkg/archive), which `podman diff` shows, with two differences: the result is sorted by path
//! (Podman prints its walk order), and the trees are read through directory descriptors
//! without ever following a symlink (a symlink in a lower layer is not a directory to look in).
//! Podman then hides the paths it creates itself (`/etc/hostname`, `/etc/mtab`, `/run`, ...);
//! that is left to the caller.

use super::fsutil::{self, Kind, is_whiteout, lstat_at, open_dir_beneath, open_subdir, read_dir};
use super::xattr::{Node, OVERLAY_OPAQUE};
use crate::error::{Result, StorageError};
use nix::errno::Errno;
use nix::sys::stat::FileStat;
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// What happened to a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Added (`A`).
    Added,
    /// Changed (`C`).
    Changed,
    /// Deleted (`D`).
    Deleted,
}

/// One changed path, absolute inside the container.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The path, e.g. `/etc/passwd`.
    pub path: PathBuf,
    /// What happened to it.
    pub kind: ChangeKind,
}

/// Path components below a tree's root.
type Components = Vec<Vec<u8>>;

fn absolute(components: &[Vec<u8>]) -> PathBuf {
    Path::new("/").join(fsutil::join(components))
}

fn child(components: &[Vec<u8>], name: &CStr) -> Components {
    let mut path = components.to_vec();
    path.push(name.to_bytes().to_vec());
    path
}

fn open_tree(path: &Path) -> Result<OwnedFd> {
    fsutil::open_dir(path).map_err(|errno| StorageError::io("open", path, errno.into()))
}

fn walk_error(root: &Path, components: &[Vec<u8>], op: &'static str, errno: Errno) -> StorageError {
    StorageError::io(op, root.join(fsutil::join(components)), errno.into())
}

/// The changes in an overlay upper directory over its lower layers (top first), sorted by
/// path (component by component, so a directory comes right before its contents).
///
/// A whiteout is `D`; an opaque directory that hides a directory of a lower layer is `D` too
/// (its new contents are then `A` or `C`), as containers/storage reports it. Any other path
/// is `C` if a lower layer has it and `A` if none does (or one whites it or a parent out),
/// except that a directory whose size, mode and mtime match the lower one is left out.
/// The parents of an `A` or `D` path are `C` (the root excepted).
///
/// ```no_run
/// use libpod_storage::layer::{ChangeKind, overlay_changes};
/// use std::path::Path;
/// let changes = overlay_changes(Path::new("/tmp/upper"), &[Path::new("/tmp/image-layer")])?;
/// for change in changes {
///     let letter = match change.kind { ChangeKind::Added => 'A', ChangeKind::Changed => 'C', ChangeKind::Deleted => 'D' };
///     println!("{letter} {}", change.path.display());
/// }
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn overlay_changes(upper: &Path, lowers: &[&Path]) -> Result<Vec<Change>> {
    let upper_fd = open_tree(upper)?;
    let lower_fds = lowers
        .iter()
        .map(|lower| open_tree(lower))
        .collect::<Result<Vec<_>>>()?;
    let mut walk = OverlayWalk {
        upper,
        lowers: lowers.to_vec(),
        lower_fds,
        found: BTreeMap::new(),
    };
    walk.visit(upper_fd.as_fd(), &[])?;
    Ok(walk
        .found
        .into_iter()
        .map(|(path, kind)| Change { path, kind })
        .collect())
}

struct OverlayWalk<'a> {
    upper: &'a Path,
    lowers: Vec<&'a Path>,
    lower_fds: Vec<OwnedFd>,
    found: BTreeMap<PathBuf, ChangeKind>,
}

impl OverlayWalk<'_> {
    fn visit(&mut self, dir: BorrowedFd<'_>, components: &[Vec<u8>]) -> Result<()> {
        let names = read_dir(dir)
            .map_err(|errno| walk_error(self.upper, components, "read the directory", errno))?;
        for name in names {
            let path = child(components, &name);
            let Some(stat) = lstat_at(dir, &name)
                .map_err(|errno| walk_error(self.upper, &path, "stat", errno))?
            else {
                continue;
            };
            let is_dir = Kind::of(&stat) == Kind::Directory;
            let deleted = is_whiteout(&stat)
                || (is_dir && self.is_opaque(dir, &name) && self.hides_lower_directory(&path)?);
            let kind = if deleted {
                Some(ChangeKind::Deleted)
            } else {
                self.added_or_changed(&path, &stat)?
            };
            if let Some(kind) = kind {
                self.found.insert(absolute(&path), kind);
                if kind != ChangeKind::Changed {
                    for depth in 1..path.len() {
                        self.found
                            .entry(absolute(&path[..depth]))
                            .or_insert(ChangeKind::Changed);
                    }
                }
            }
            if is_dir {
                let sub = open_subdir(dir, &name)
                    .map_err(|errno| walk_error(self.upper, &path, "open", errno))?;
                self.visit(sub.as_fd(), &path)?;
            }
        }
        Ok(())
    }

    fn is_opaque(&self, dir: BorrowedFd<'_>, name: &CString) -> bool {
        matches!(Node::At(dir, name).get(OVERLAY_OPAQUE), Ok(Some(value)) if value == b"y")
    }

    /// The node at `path` in a lower layer, without following symlinks on the way.
    fn lookup(&self, layer: usize, path: &[Vec<u8>]) -> Result<Option<FileStat>> {
        let Some((last, parent)) = path.split_last() else {
            return Ok(None);
        };
        let dir = match open_dir_beneath(self.lower_fds[layer].as_fd(), parent) {
            Ok(dir) => dir,
            Err(Errno::ENOENT | Errno::ENOTDIR | Errno::ELOOP | Errno::EXDEV) => return Ok(None),
            Err(errno) => return Err(walk_error(self.lowers[layer], parent, "open", errno)),
        };
        let name = fsutil::c_name(last)
            .map_err(|errno| walk_error(self.lowers[layer], path, "stat", errno))?;
        lstat_at(dir.as_fd(), &name)
            .map_err(|errno| walk_error(self.lowers[layer], path, "stat", errno))
    }

    /// Whether a lower layer whites out `path` or one of its parents.
    fn whited_out_in(&self, layer: usize, path: &[Vec<u8>]) -> Result<bool> {
        for depth in (1..=path.len()).rev() {
            if self
                .lookup(layer, &path[..depth])?
                .as_ref()
                .is_some_and(is_whiteout)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Whether an opaque directory at `path` replaces a directory of a lower layer (rather
    /// than being new in this one).
    fn hides_lower_directory(&self, path: &[Vec<u8>]) -> Result<bool> {
        for layer in 0..self.lower_fds.len() {
            if let Some(stat) = self.lookup(layer, path)? {
                return Ok(!is_whiteout(&stat));
            }
            for depth in (1..path.len()).rev() {
                if self
                    .lookup(layer, &path[..depth])?
                    .as_ref()
                    .is_some_and(is_whiteout)
                {
                    return Ok(false);
                }
            }
        }
        Ok(false)
    }

    /// `A` if no lower layer has `path`, `C` if one has, `None` for a directory that matches
    /// the lower one in size, mode and mtime.
    fn added_or_changed(&self, path: &[Vec<u8>], stat: &FileStat) -> Result<Option<ChangeKind>> {
        for layer in 0..self.lower_fds.len() {
            if self.whited_out_in(layer, path)? {
                return Ok(Some(ChangeKind::Added));
            }
            if let Some(lower) = self.lookup(layer, path)? {
                let both_dirs =
                    Kind::of(&lower) == Kind::Directory && Kind::of(stat) == Kind::Directory;
                if both_dirs
                    && lower.st_size == stat.st_size
                    && lower.st_mode == stat.st_mode
                    && same_time(&lower, stat)
                {
                    return Ok(None);
                }
                return Ok(Some(ChangeKind::Changed));
            }
        }
        Ok(Some(ChangeKind::Added))
    }
}

/// Equal mtimes, or equal seconds where one side has no nanoseconds (tar rounds them off).
fn same_time(a: &FileStat, b: &FileStat) -> bool {
    a.st_mtime == b.st_mtime
        && (a.st_mtime_nsec == b.st_mtime_nsec || a.st_mtime_nsec == 0 || b.st_mtime_nsec == 0)
}

#[path = "changes_dirs.rs"]
mod dirs;

pub use dirs::changes_between;

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
