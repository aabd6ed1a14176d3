//! Changes between two full trees (containers/storage's `ChangesDirs`).

use super::{Change, ChangeKind, absolute, child, open_tree, same_time, walk_error};
use crate::error::Result;
use crate::layer::fsutil::{Kind, lstat_at, open_subdir, read_dir};
use crate::layer::xattr::Node;
use nix::errno::Errno;
use nix::sys::stat::FileStat;
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::Path;

/// The changes between two full trees (the vfs driver's image rootfs and container rootfs),
/// sorted by path (component by component).
///
/// A path only in `new` is `A` (and so is everything below it), one only in `old` is `D`
/// (what was below it is not listed), and one in both is `C` when its type, mode, owner,
/// device number, `security.capability` or `user.*` xattrs differ, or, for a non-directory,
/// its size or mtime. A directory with changes below it is `C` too. Nodes that are the very
/// same inode in both trees are skipped.
///
/// ```no_run
/// use libpod_storage::layer::changes_between;
/// use std::path::Path;
/// let changes = changes_between(Path::new("/tmp/image-rootfs"), Path::new("/tmp/container-rootfs"))?;
/// println!("{} paths changed", changes.len());
/// # Ok::<(), libpod_storage::StorageError>(())
/// ```
pub fn changes_between(old: &Path, new: &Path) -> Result<Vec<Change>> {
    let (old_fd, new_fd) = (open_tree(old)?, open_tree(new)?);
    let trees = Trees { old, new };
    let mut changes = Vec::new();
    trees.compare(new_fd.as_fd(), Some(old_fd.as_fd()), &[], &mut changes)?;
    changes.sort();
    Ok(changes)
}

struct Trees<'a> {
    old: &'a Path,
    new: &'a Path,
}

impl Trees<'_> {
    /// Appends the changes below directory `new` (at `components`) against `old`, the old
    /// node at the same path if it is a directory.
    fn compare(
        &self,
        new: BorrowedFd<'_>,
        old: Option<BorrowedFd<'_>>,
        components: &[Vec<u8>],
        changes: &mut Vec<Change>,
    ) -> Result<()> {
        let new_names = read_dir(new)
            .map_err(|errno| walk_error(self.new, components, "read the directory", errno))?;
        let old_names = match old {
            Some(old) => read_dir(old)
                .map_err(|errno| walk_error(self.old, components, "read the directory", errno))?,
            None => Vec::new(),
        };
        for name in &new_names {
            let path = child(components, name);
            let Some(new_stat) =
                lstat_at(new, name).map_err(|errno| walk_error(self.new, &path, "stat", errno))?
            else {
                continue;
            };
            let old_stat = match old {
                Some(old) => lstat_at(old, name)
                    .map_err(|errno| walk_error(self.old, &path, "stat", errno))?,
                None => None,
            };
            if let Some(old_stat) = &old_stat
                && (old_stat.st_dev, old_stat.st_ino) == (new_stat.st_dev, new_stat.st_ino)
            {
                continue;
            }
            let start = changes.len();
            let recorded = match (&old_stat, old) {
                (None, _) => Some(ChangeKind::Added),
                (Some(old_stat), Some(old)) => self
                    .differs(old, new, name, old_stat, &new_stat, &path)?
                    .then_some(ChangeKind::Changed),
                (Some(_), None) => None,
            };
            if let Some(kind) = recorded {
                changes.push(Change {
                    path: absolute(&path),
                    kind,
                });
            }
            if Kind::of(&new_stat) == Kind::Directory {
                let new_sub = self.open(self.new, new, name, &path)?;
                let old_sub = match (old, &old_stat) {
                    (Some(old), Some(stat)) if Kind::of(stat) == Kind::Directory => {
                        Some(self.open(self.old, old, name, &path)?)
                    }
                    _ => None,
                };
                self.compare(
                    new_sub.as_fd(),
                    old_sub.as_ref().map(AsFd::as_fd),
                    &path,
                    changes,
                )?;
                if changes.len() > start && recorded.is_none() {
                    changes.push(Change {
                        path: absolute(&path),
                        kind: ChangeKind::Changed,
                    });
                }
            }
        }
        // Both listings are sorted.
        for name in old_names
            .iter()
            .filter(|name| new_names.binary_search(name).is_err())
        {
            changes.push(Change {
                path: absolute(&child(components, name)),
                kind: ChangeKind::Deleted,
            });
        }
        Ok(())
    }

    fn open(
        &self,
        root: &Path,
        dir: BorrowedFd<'_>,
        name: &CStr,
        path: &[Vec<u8>],
    ) -> Result<OwnedFd> {
        open_subdir(dir, name).map_err(|errno| walk_error(root, path, "open", errno))
    }

    /// Whether a node present in both trees changed (containers/storage's `statDifferent`,
    /// plus its capability and `user.*` xattr comparison).
    fn differs(
        &self,
        old: BorrowedFd<'_>,
        new: BorrowedFd<'_>,
        name: &CStr,
        old_stat: &FileStat,
        new_stat: &FileStat,
        path: &[Vec<u8>],
    ) -> Result<bool> {
        let stat_differs = old_stat.st_mode != new_stat.st_mode
            || old_stat.st_uid != new_stat.st_uid
            || old_stat.st_gid != new_stat.st_gid
            || old_stat.st_rdev != new_stat.st_rdev
            // A directory's size and mtime change with its entries: its entries tell.
            || (Kind::of(old_stat) != Kind::Directory
                && (!same_time(old_stat, new_stat) || old_stat.st_size != new_stat.st_size));
        if stat_differs {
            return Ok(true);
        }
        let old_xattrs = compared_xattrs(Node::At(old, name))
            .map_err(|errno| walk_error(self.old, path, "read the xattrs of", errno))?;
        let new_xattrs = compared_xattrs(Node::At(new, name))
            .map_err(|errno| walk_error(self.new, path, "read the xattrs of", errno))?;
        Ok(old_xattrs != new_xattrs)
    }
}

/// The xattrs a change is seen in: `security.capability` and `user.*`.
fn compared_xattrs(node: Node<'_>) -> Result<BTreeMap<String, Vec<u8>>, Errno> {
    let mut xattrs = BTreeMap::new();
    for key in node.list()? {
        if (key == "security.capability" || key.starts_with("user."))
            && let Some(value) = node.get(&key)?
        {
            xattrs.insert(key, value);
        }
    }
    Ok(xattrs)
}
